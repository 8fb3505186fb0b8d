"""The site's django-allauth adapter (settings.ACCOUNT_ADAPTER): failed logins
counted per account, whichever of its names a login gives.

allauth counts a login's failures under the name it gave, so an account locked by
wrong passwords given with its username still took the right one given with its
e-mail address. Here a failure counts against each account the name belongs to (by
username in any case, or by any of its e-mail addresses), and a name no account has
counts under itself. A name can belong to two accounts only if one's username is the
other's address, which the user model does not let a username be; the lock then
holds both.

And only failures count. allauth counts each attempt before checking its password
and takes it back once the password was right, so that concurrent logins with the
right password, all counted at once, could refuse the last ones. Here an attempt is
let in while its accounts and the visitor's address are under their limits, and a
failure is counted once it has failed. Attempts that run at the same time are let in
before any of them is counted: at most as many more than the limit as the web
processes serve requests at once.
https://docs.allauth.org/en/latest/account/rate_limits.html
"""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.signals import password_reset
from allauth.account.utils import filter_users_by_email, filter_users_by_username
from allauth.core import ratelimit
from django.dispatch import receiver

ACTION = "login_failed"


def account_key(user) -> str:
    """What an account's limits (failed logins, reset mails) count under."""
    return f"account:{user.pk}"


def account_keys(credentials: dict) -> list[str]:
    """What a login's failures count under: each account the name it gave belongs
    to, else the name itself."""
    login = (credentials.get("email") or credentials.get("username") or "").strip()
    users = {*filter_users_by_username(login), *filter_users_by_email(login)}
    return sorted(account_key(user) for user in users) or [login.lower()]


class AccountAdapter(DefaultAccountAdapter):
    def pre_authenticate(self, request, **credentials):
        for key in account_keys(credentials):
            if not ratelimit.consume(request, action=ACTION, key=key, dry_run=True):
                raise self.validation_error("too_many_login_attempts")

    def authentication_failed(self, request, **credentials):
        for key in account_keys(credentials):
            ratelimit.consume(request, action=ACTION, key=key)


@receiver(password_reset)
def unlock_after_reset(sender, request, user, **kwargs):
    """A new password set through the mailed link ends the account's lock."""
    ratelimit.clear(request, action=ACTION, key=account_key(user))
