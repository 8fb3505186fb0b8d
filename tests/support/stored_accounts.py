"""Accounts written straight into a generated project's database, as its user model's
`bulk_create` would write them: no Django process to start (half a second of CPU each
time, and the suite makes accounts a hundred times a run)."""

import psycopg
from psycopg import sql


def referencing(conn, table: str) -> list[tuple[str, str, str]]:
    """(table, column, referenced column) of each foreign key that points at `table`."""
    return conn.execute(
        """
        SELECT c.conrelid::regclass::text, a.attname, r.attname
        FROM pg_constraint c
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
        JOIN pg_attribute r ON r.attrelid = c.confrelid AND r.attnum = c.confkey[1]
        WHERE c.contype = 'f' AND c.confrelid = %s::regclass AND c.conrelid <> c.confrelid
        """,
        [table],
    ).fetchall()


def delete(conn, table: str, column: str, values: list, depth: int = 0) -> None:
    """Delete the rows of `table` whose `column` is in `values`, and every row that
    refers to them, as the ORM's cascade would."""
    if depth > 5:
        raise RuntimeError(f"foreign keys nest deeper than expected below {table}")
    where = sql.SQL("{} = ANY(%s)").format(sql.Identifier(column))
    for other, other_column, key in referencing(conn, table):
        found = conn.execute(
            sql.SQL("SELECT {} FROM {} WHERE ").format(sql.Identifier(key), sql.Identifier(table))
            + where,
            [values],
        ).fetchall()
        if found:
            delete(conn, other, other_column, [row[0] for row in found], depth + 1)
    conn.execute(sql.SQL("DELETE FROM {} WHERE ").format(sql.Identifier(table)) + where, [values])


def create(
    database_url: str, table: str, names: list[str], encoded: str, staff: bool = False
) -> None:
    """Accounts `names` (`name`@example.com) in the user model's `table`, made afresh
    (any account of those names deleted first, with what refers to it), each with the
    stored password `encoded`; superusers with `staff`."""
    with psycopg.connect(database_url, connect_timeout=10) as conn:
        delete(conn, table, "username", names)
        conn.cursor().executemany(
            sql.SQL(
                "INSERT INTO {} (username, email, password, is_staff, is_superuser,"
                " is_active, first_name, last_name, date_joined)"
                " VALUES (%s, %s, %s, %s, %s, true, '', '', now())"
            ).format(sql.Identifier(table)),
            [(name, f"{name}@example.com", encoded, staff, staff) for name in names],
        )


def add_addresses(database_url: str, table: str, name: str, addresses: list[str]) -> None:
    """Verified e-mail addresses (allauth's EmailAddress rows) for account `name`, the
    first its primary one."""
    with psycopg.connect(database_url, connect_timeout=10) as conn:
        (user_id,) = conn.execute(
            sql.SQL("SELECT id FROM {} WHERE username = %s").format(sql.Identifier(table)),
            [name],
        ).fetchone()
        conn.execute("DELETE FROM account_emailaddress WHERE user_id = %s", [user_id])
        conn.cursor().executemany(
            'INSERT INTO account_emailaddress (email, verified, "primary", user_id)'
            " VALUES (%s, true, %s, %s)",
            [(address, n == 0, user_id) for n, address in enumerate(addresses)],
        )
