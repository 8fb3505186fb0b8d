"""ACCOUNT_ADAPTER: only failed logins count, against every account the name given
belongs to (README.md, Accounts), and `next` leads to this site only."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.signals import password_reset
from allauth.account.utils import filter_users_by_email, filter_users_by_username
from allauth.core import ratelimit
from django.dispatch import receiver
from django.utils.http import url_has_allowed_host_and_scheme

ACTION = "login_failed"


def account_key(user) -> str:
    """What an account's limits (failed logins, reset mails) count under."""
    return f"account:{user.pk}"


def account_keys(credentials: dict) -> list[str]:
    """Each account the login's name belongs to, else the name itself."""
    login = (credentials.get("email") or credentials.get("username") or "").strip()
    users = {*filter_users_by_username(login), *filter_users_by_email(login)}
    return sorted(account_key(user) for user in users) or [login.lower()]


class AccountAdapter(DefaultAccountAdapter):
    def is_safe_url(self, url):
        """`next` on this site only: ALLOWED_HOSTS may match other apps' hosts too."""
        host, secure = self.request.get_host(), self.request.is_secure()
        return url_has_allowed_host_and_scheme(url, {host}, require_https=secure)

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
