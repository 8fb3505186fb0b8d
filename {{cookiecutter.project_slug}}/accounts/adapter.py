"""The site's django-allauth adapter (settings.ACCOUNT_ADAPTER): failed logins
counted per account, whichever of its names a login gives.

allauth counts a login's failures under the name it gave, so an account locked by
wrong passwords given with its username still took the right one given with its
e-mail address. Here every name an account logs in by (its username in any case,
each of its e-mail addresses) counts under the account; a name no account has
counts under itself, as before.

And only failures count. allauth counts each attempt before checking its password
and takes it back once the password was right, so that concurrent logins with the
right password, all counted at once, could refuse the last ones. Here an attempt is
let in while the account and the visitor's address are under their limits, and a
failure is counted once it has failed. Attempts that run at the same time are let in
before any of them is counted: at most as many more than the limit as the web
processes serve requests at once.
https://docs.allauth.org/en/latest/account/rate_limits.html
"""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.utils import filter_users_by_email, filter_users_by_username
from allauth.core import ratelimit

ACTION = "login_failed"


def account_key(credentials: dict) -> str:
    """What a login's failures count under: the account (or accounts) that the name
    it gave belongs to, else the name itself."""
    login = (credentials.get("email") or credentials.get("username") or "").strip()
    users = {*filter_users_by_username(login), *filter_users_by_email(login)}
    if not users:
        return login.lower()
    return "account:" + ",".join(sorted(str(user.pk) for user in users))


class AccountAdapter(DefaultAccountAdapter):
    def _get_login_attempts_cache_key(self, request, **credentials):
        # allauth's one source of the key, also for clearing it after a password
        # reset: the account's own.
        return account_key(credentials)

    def pre_authenticate(self, request, **credentials):
        key = self._get_login_attempts_cache_key(request, **credentials)
        if not ratelimit.consume(request, action=ACTION, key=key, dry_run=True):
            raise self.validation_error("too_many_login_attempts")

    def authentication_failed(self, request, **credentials):
        key = self._get_login_attempts_cache_key(request, **credentials)
        ratelimit.consume(request, action=ACTION, key=key)
