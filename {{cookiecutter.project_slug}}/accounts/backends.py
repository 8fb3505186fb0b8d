"""AUTHENTICATION_BACKENDS: allauth's, checking a login's password once, so the time a
wrong password takes tells nothing (README.md, Accounts)."""

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
