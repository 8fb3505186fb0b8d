from django.contrib import admin
from django.urls import {% if cookiecutter.interface == "asgi" %}include, {% endif %}path

from {{ cookiecutter.project_slug }} import views

urlpatterns = [
    path("", views.home, name="home"),
    path("admin/", admin.site.urls),
{%- if cookiecutter.interface == "asgi" %}
    # Log in, log out and sign up, for the live login feed (the live app).
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("live.urls")),
{%- endif %}
]
