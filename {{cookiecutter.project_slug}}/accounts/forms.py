"""ACCOUNT_FORMS: sign-ups limited per address asked for, resets per account, and a
password hashed for a taken address too, so time tells nothing (README.md, Accounts)."""

from allauth.account.forms import ResetPasswordForm as BaseResetPasswordForm
from allauth.account.forms import SignupForm as BaseSignupForm
from allauth.core import ratelimit
from django.contrib.auth.hashers import make_password

from .adapter import account_key


class SignupForm(BaseSignupForm):
    def try_save(self, request):
        email = self.cleaned_data["email"].lower()
        if not ratelimit.consume(request, action="signup_address", key=email):
            return None, ratelimit.respond_429(request)
        if self.account_already_exists:
            make_password(self.cleaned_data.get("password1"))  # as a new account would
        return super().try_save(request)


class ResetPasswordForm(BaseResetPasswordForm):
    def clean_email(self):
        email = super().clean_email()
        # One account a request, as allauth's reset by code: an unverified address can
        # be on many, and each would mail it.
        self.users = sorted(self.users, key=lambda user: user.pk)[:1]
        return email

    def save(self, request, **kwargs):
        email = self.cleaned_data["email"]
        for user in self.users:
            key = account_key(user)
            if not ratelimit.consume(request, action="reset_password_account", key=key):
                return email  # as if sent
        return super().save(request, **kwargs)
