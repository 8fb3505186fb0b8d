from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render

from .forms import PictureForm
from .models import Profile


@login_required
def profile(request):
    """The signed-in user's picture, and a form to replace it."""
    if request.method != "POST":
        form = PictureForm()
    else:
        form = PictureForm(request.POST, request.FILES)
        if form.is_valid():
            replace_picture(request.user, form.cleaned_data["picture"])
            messages.success(request, "Your picture is saved.")
            return redirect("profiles:page")
    saved = Profile.objects.filter(user=request.user).first()
    return render(request, "profiles/profile.html", {"form": form, "profile": saved})


def replace_picture(user, picture) -> None:
    """Only the newest picture is kept, however many uploads of one user overlap."""
    new = Profile(user=user)
    new.picture.save(picture.name, picture, save=False)  # to the bucket before any lock
    try:
        with transaction.atomic():
            get_user_model().objects.select_for_update().get(pk=user.pk)  # in turn
            old = Profile.objects.filter(user=user).first()
            stored = {"picture": new.picture.name}
            Profile.objects.update_or_create(user=user, defaults=stored)
    except BaseException:
        new.picture.delete(save=False)
        raise
    if old:
        old.picture.delete(save=False)
