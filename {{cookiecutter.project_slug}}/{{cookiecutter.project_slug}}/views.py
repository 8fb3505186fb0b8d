from django.conf import settings
from django.shortcuts import redirect, render
from django.templatetags.static import static


def home(request):
    context = {"show_developer_links": settings.DEBUG}
    return render(request, "{{ cookiecutter.project_slug }}/home.html", context)


def favicon(request):
    """Browsers ask for /favicon.ico on pages that name no icon, such as the admin's;
    base.html names favicon.svg. Not permanent: its hashed name changes with it."""
    return redirect(static("favicon.svg"))
