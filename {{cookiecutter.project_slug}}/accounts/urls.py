from django.urls import path

from . import views

# Not namespaced: Django's auth views and LOGIN_URL know these names.
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("signup/", views.SignUpView.as_view(), name="signup"),
]
