from django.urls import path

from . import views

app_name = "live"

urlpatterns = [
    path("live/", views.live_page, name="page"),
]
