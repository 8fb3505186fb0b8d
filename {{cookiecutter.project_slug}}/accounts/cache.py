"""CACHES' rate-limit counts: Django's database cache, deleting only expired entries,
where its cull would let a flood delete a lock (README.md, Accounts)."""

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
