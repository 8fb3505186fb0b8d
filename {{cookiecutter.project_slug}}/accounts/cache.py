"""The cache that holds the rate limits' counts (settings.CACHES): Django's database
cache, except that it never deletes an entry before the entry expires.

Once it holds MAX_ENTRIES entries, Django's database cache deletes the expired ones
and then a third of the rest, whichever they are. A flood of requests from many
addresses (a few hundred password resets, each counted under its address and its
e-mail address) would then delete the count that keeps a guessed account locked,
and its password could be guessed again. Here only expired entries are deleted, so
the table holds every count for as long as its limit lasts (5 minutes at most):
about two rows for each request that a flood gets past the limits, a few megabytes
for a flood of a hundred thousand.
https://docs.djangoproject.com/en/stable/topics/cache/#cache-arguments
"""

from django.core.cache.backends.db import DatabaseCache as BaseDatabaseCache
from django.db import connections, router
from django.utils import timezone


class DatabaseCache(BaseDatabaseCache):
    def delete_expired(self) -> int:
        """Delete every expired entry (`manage.py housekeeping`); say how many."""
        db = router.db_for_write(self.cache_model_class)
        with connections[db].cursor() as cursor:
            return self._cull(db, cursor, timezone.now().replace(microsecond=0), None)

    def _cull(self, db, cursor, now, num):
        # Called by Django before a write, once the table has MAX_ENTRIES rows.
        connection = connections[db]
        table = connection.ops.quote_name(self._table)
        expires = connection.ops.quote_name("expires")
        cursor.execute(
            f"DELETE FROM {table} WHERE {expires} < %s",
            [connection.ops.adapt_datetimefield_value(now)],
        )
        return cursor.rowcount
