"""The site's sign-up and password-reset forms (settings.ACCOUNT_FORMS): allauth's,
limited per address asked for and per account, and doing a new account's work for
an address that has an account already.

allauth limits sign-ups per visitor's address alone, and resets per e-mail address:
an account with two addresses got twice the reset mails. Here sign-ups are also
limited per address asked for, and resets per account, over all its addresses; a
reset past that limit answers as any other and mails nobody.

With mandatory verification, allauth answers a sign-up for an address that has an
account as it answers any other, and mails the address's owner instead of making a
second account, so that the page does not tell who has one. But making an account
hashes its password, a good part of a second, and mailing the owner does not: the
time the page took told it all the same. Here the password is hashed either way.
(With optional verification, allauth says that the address is taken; and a taken
username shows, whatever the settings: README.md, Accounts.)
"""

from allauth.account.forms import ResetPasswordForm as BaseResetPasswordForm
from allauth.account.forms import SignupForm as BaseSignupForm
from allauth.account.utils import filter_users_by_email
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
    def save(self, request, **kwargs):
        email = self.cleaned_data["email"]
        for user in filter_users_by_email(email, is_active=True):
            key = account_key(user)
            if not ratelimit.consume(request, action="reset_password_account", key=key):
                return email  # as if sent
        return super().save(request, **kwargs)
