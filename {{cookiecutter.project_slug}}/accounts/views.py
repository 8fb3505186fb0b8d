"""Sign up, log in and log out, each confirmed by a message on the next page."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import UserCreationForm
from django.contrib.messages.views import SuccessMessageMixin
from django.urls import reverse_lazy
from django.views.generic import CreateView


class LoginView(SuccessMessageMixin, auth_views.LoginView):
    success_message = "Signed in as %(username)s."


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        # After logout, which empties the session; the message outlives it.
        messages.success(request, "You have signed out.")
        return response


class SignUpView(SuccessMessageMixin, CreateView):
    form_class = UserCreationForm
    template_name = "registration/signup.html"
    success_url = reverse_lazy("home")
    success_message = "Welcome, %(username)s: you are signed in."

    def form_valid(self, form):
        response = super().form_valid(form)
        login(self.request, self.object)
        return response
