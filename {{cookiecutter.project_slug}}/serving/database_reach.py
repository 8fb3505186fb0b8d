"""Why the database cannot be reached, in one sentence, for the release step and the
readiness probe to say instead of a driver's traceback or a pool's "couldn't get a
connection after 5.00 sec", which hides the cause in earlier log lines.

It asks from a connection of its own, as Django opens one without a pool, and names
the database by host, port and name only: DATABASE_URL's password never appears.
"""

from django.db import connection

# What libpq says, and what to do about it.
FIXES = [
    ("Connection refused", "check its host and port, and that PostgreSQL is running"),
    ("does not exist", "create that database, or correct its name in DATABASE_URL"),
    ("password authentication failed", "copy DATABASE_URL again from the platform"),
    ("timeout expired", "check its host, and that it accepts this app's connections"),
    ("could not translate host name", "check the host name in DATABASE_URL"),
]


def why_unreachable() -> str | None:
    """One sentence on why a connection to the database fails; None if it succeeds,
    or if the database is not PostgreSQL."""
    if connection.vendor != "postgresql":
        return None
    params = connection.get_connection_params()
    try:
        connection.Database.connect(**params).close()
    except connection.Database.OperationalError as error:
        return describe(params, str(error))
    return None


def describe(params: dict, error: str) -> str:
    where = f"{params.get('host', 'localhost')}:{params.get('port', 5432)}"
    # libpq's reason comes last ("connection to server at ... failed: REASON"), on
    # its first line, after a severity ("FATAL:  database ... does not exist").
    reason = error.rpartition(" failed: ")[2].splitlines()[0]
    reason = reason.removeprefix("FATAL:").strip().rstrip(".")
    fix = next((fix for known, fix in FIXES if known in reason), "check DATABASE_URL")
    return (
        f"The database at {where}/{params.get('dbname', '')} (DATABASE_URL) cannot be"
        f" reached: {reason}; {fix}."
    )
