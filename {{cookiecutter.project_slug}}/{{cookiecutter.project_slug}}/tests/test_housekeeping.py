"""`manage.py housekeeping`, which the platform runs daily."""

from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.utils import timezone


def cache_keys() -> set[str]:
    table = connection.ops.quote_name(settings.CACHES["default"]["LOCATION"])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT cache_key FROM {table}")
        return {key for (key,) in cursor.fetchall()}


def test_housekeeping_deletes_what_expired_and_keeps_the_rest(db):
    expired, live = SessionStore(), SessionStore()
    for session in (expired, live):
        session["visits"] = 1
        session.create()
    Session.objects.filter(session_key=expired.session_key).update(
        expire_date=timezone.now() - timedelta(days=1)
    )
    cache.set("expired", 1, timeout=-1)  # written, already expired
    cache.set("live", 1, timeout=300)
    cache.set("forever", 1, timeout=None)

    call_command("housekeeping")
    call_command("housekeeping")  # twice, as a retried schedule may

    kept = Session.objects.values_list("session_key", flat=True)
    assert set(kept) == {live.session_key}
    assert cache_keys() == {cache.make_key("live"), cache.make_key("forever")}
