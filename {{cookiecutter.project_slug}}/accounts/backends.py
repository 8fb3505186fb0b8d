"""The site's authentication backend (settings.AUTHENTICATION_BACKENDS): allauth's,
checking a login's password once.

A login by e-mail address is also tried as a username, and allauth's backend looks
an e-mail address up for both, so a wrong password for an address that has an
account was hashed twice, and once for one that has none: the time a wrong password
took told whether the address had an account. Here each account's password is
checked at most once per login, and a login that finds no account hashes the
password once all the same, as allauth's does.
"""

from allauth.account.auth_backends import AuthenticationBackend as BaseBackend


class AuthenticationBackend(BaseBackend):
    def authenticate(self, request, **credentials):
        self.checked = set()  # allauth's backend is made anew for each login
        return super().authenticate(request, **credentials)

    def _check_password(self, user, password):
        if user is None or user.pk in self.checked:
            return None
        self.checked.add(user.pk)
        return super()._check_password(user, password)
