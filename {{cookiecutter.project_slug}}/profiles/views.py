from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from .forms import PictureForm
from .models import Profile


@login_required
def profile(request):
    """The signed-in user's picture, and a form to replace it."""
    current = Profile.objects.filter(user=request.user).first()
    # Read before the form's validation puts the new file on the same instance.
    old_picture = current.picture.name if current else None
    instance = current or Profile(user=request.user)
    if request.method != "POST":
        form = PictureForm(instance=instance)
    else:
        form = PictureForm(request.POST, request.FILES, instance=instance)
        if form.is_valid():
            form.save()
            if old_picture:
                # Only the current picture is kept.
                form.instance.picture.storage.delete(old_picture)
            messages.success(request, "Your picture is saved.")
            return redirect("profiles:page")
    # As saved: a rejected upload has already replaced the picture on `current`.
    saved = Profile.objects.filter(user=request.user).first()
    return render(request, "profiles/profile.html", {"form": form, "profile": saved})
