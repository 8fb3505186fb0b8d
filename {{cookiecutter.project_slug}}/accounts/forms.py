"""The site's sign-up form (settings.ACCOUNT_FORMS): allauth's, doing a new account's
work for an address that has an account already.

With mandatory verification, allauth answers a sign-up for an address that has an
account as it answers any other, and mails the address's owner instead of making a
second account, so that the page does not tell who has one. But making an account
hashes its password, a good part of a second, and mailing the owner does not: the
time the page took told it all the same. Here the password is hashed either way.
(With optional verification, allauth says that the address is taken; and a taken
username shows, whatever the settings: README.md, Accounts.)
"""

from allauth.account.forms import SignupForm as BaseSignupForm
from django.contrib.auth.hashers import make_password


class SignupForm(BaseSignupForm):
    def try_save(self, request):
        if self.account_already_exists:
            make_password(self.cleaned_data.get("password1"))  # as a new account would
        return super().try_save(request)
