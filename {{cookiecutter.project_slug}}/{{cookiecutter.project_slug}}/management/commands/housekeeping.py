"""Deletes what nothing else deletes: expired sessions, which Django keeps until
`clearsessions` runs, and the database cache's expired entries. The platform runs it
daily (README.md, Housekeeping); it is safe to run at any time, and twice."""

from django.core.cache import caches
from django.core.management import BaseCommand, call_command


class Command(BaseCommand):
    help = "Delete expired sessions and expired cache entries."

    def handle(self, *args, **options):
        call_command("clearsessions")
        entries = caches["default"].delete_expired()
        self.stdout.write(f"Deleted expired sessions and {entries} expired cache rows.")
