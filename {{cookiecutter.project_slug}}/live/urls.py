from django.urls import path

from . import views

app_name = "live"

urlpatterns = [
    path("live/", views.live_page, name="page"),
    path("accounts/signup/", views.SignUpView.as_view(), name="signup"),
]
