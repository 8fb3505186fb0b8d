from allauth.account.decorators import secure_admin_login
from django.conf import settings
{%- if cookiecutter.media_storage == "s3" %}
from django.conf.urls.static import static
{%- endif %}
from django.contrib import admin
from django.urls import include, path

from {{ cookiecutter.project_slug }} import views

admin.site.site_header = admin.site.site_title = settings.SITE_NAME
# The admin's own login form would take passwords past the accounts' rate limits and
# two-factor step: it sends visitors to the site's login instead.
# https://docs.allauth.org/en/latest/common/admin.html
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),  # accounts/templates has its pages
{%- if cookiecutter.interface == "asgi" %}
    path("", include("live.urls")),  # the live login feed
{%- endif %}
{%- if cookiecutter.media_storage == "s3" %}
    path("", include("profiles.urls")),  # the picture upload
{%- endif %}
]
{%- if cookiecutter.media_storage == "s3" %}
# Uploads kept in MEDIA_ROOT, served by runserver with DEBUG only; in production
# they are in the S3 bucket and this adds nothing.
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
{%- endif %}
