"""Sign up, log in, log out and password reset, each confirmed by a message or a
page of its own. Password change and the rest of the reset are Django's own views
(urls.py)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.messages.views import SuccessMessageMixin
from django.template.response import TemplateResponse
from django.urls import reverse_lazy
from django.views.generic import CreateView

from {{ cookiecutter.project_slug }} import mail

from .forms import SignUpForm


class LoginView(SuccessMessageMixin, auth_views.LoginView):
    success_message = "Signed in as %(username)s."


class LogoutView(auth_views.LogoutView):
    # Logging out takes a POST (a link could log people out from another site), so
    # /accounts/logout/ opened directly shows a page with the button.
    http_method_names = ["get", "post", "options"]

    def get(self, request, *args, **kwargs):
        return TemplateResponse(request, "registration/logout.html")

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        # After logout, which empties the session; the message outlives it.
        messages.success(request, "You have signed out.")
        return response


class SignUpView(SuccessMessageMixin, CreateView):
    form_class = SignUpForm
    template_name = "registration/signup.html"
    success_url = reverse_lazy("home")
    success_message = "Welcome, %(username)s: your account is ready."

    def form_valid(self, form):
        response = super().form_valid(form)
        login(self.request, self.object)
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Django's view: every address gets the same redirect to the "done" page, whether
    it has an account or not and whether its mail goes out or not, so that nobody can
    learn from it which addresses have accounts. A provider that fails shows in the
    log ({{ cookiecutter.project_slug }}/mail.py), never on the page. Where mail is off
    (EMAIL_URL unset), the page says so, to every visitor alike."""

    extra_email_context = {"site_name": settings.SITE_NAME}

    def get_context_data(self, **kwargs):
        return super().get_context_data(mail_is_set_up=mail.is_set_up(), **kwargs)

    def form_valid(self, form):
        if not mail.is_set_up():
            return self.render_to_response(self.get_context_data(form=form))
        return super().form_valid(form)
