from django.contrib import admin
from django.urls import include, path

from {{ cookiecutter.project_slug }} import views

urlpatterns = [
    path("", views.home, name="home"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
{%- if cookiecutter.interface == "asgi" %}
    path("", include("live.urls")),  # the live login feed
{%- endif %}
]
