"""Filling a new server project with a project file's rows, ids and all, through PostgreSQL's COPY.

For putting one large data set on both back ends (scripts/bench_team_scale.py): a million spans go
in within a minute this way, where row-by-row inserts over a socket take an hour. The rows are read
from the file with SQLAlchemy Core (JSON columns as the text the file holds, which COPY parses) and
written with psycopg's copy API; table and column names are composed by psycopg (`sql.Identifier`),
never pasted into a string; the sequences and the row deletion are SQLAlchemy constructs. The
project's user triggers (the live NOTIFY ones) are off while the rows go in, in
the same transaction: either every row is in, with the triggers back on, or nothing changed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Column, Connection, Engine, Table, Text, delete, func, select, type_coerce

from annotator.model.errors import ProjectFileError
from annotator.store.files import sqlite_engine
from annotator.store.server import display_url, server_engine
from annotator.store.tables import Base, DocumentRow

ROWS_PER_FETCH = 10_000


def fill_from_file(url: str, file: Path) -> dict[str, int]:
    """Make the server project `url` (made by the app, holding no documents yet) hold exactly the
    rows of the project file `file`, with the same ids; rows copied per table. Refuses
    (ProjectFileError) a server project that holds documents already."""
    tables = Base.metadata.sorted_tables
    source = sqlite_engine(Path(file), readonly=True)
    target = server_engine(url, watch=False)
    counts: dict[str, int] = {}
    try:
        with source.connect() as src, target.begin() as conn:
            if conn.execute(select(func.count()).select_from(DocumentRow)).scalar_one():
                raise ProjectFileError(f"{display_url(url)}: the server project holds documents already")
            _switch_user_triggers(conn, tables, on=False)
            for table in reversed(tables):  # the new project's own rows (its facts, its scheme)
                conn.execute(delete(table))
            for table in tables:
                counts[table.name] = _copy(src, conn, table)
                if "id" in table.c and counts[table.name]:
                    id_column = table.c.id
                    top = select(func.max(id_column)).scalar_subquery()
                    conn.execute(select(func.setval(func.pg_get_serial_sequence(table.name, "id"), top)))
            _switch_user_triggers(conn, tables, on=True)
        _analyze(target)
    finally:
        source.dispose()
        target.dispose()
    return counts


def _readable(column: Column[Any]) -> Any:
    """A column as the file holds it: JSON as its text, the rest as SQLite gives it."""
    return type_coerce(column, Text) if isinstance(column.type, JSON) else column


def _copy(src: Connection, conn: Connection, table: Table) -> int:
    from psycopg import sql

    names = [c.name for c in table.c]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(sql.Identifier(n) for n in names)
    )
    rows = src.execution_options(yield_per=ROWS_PER_FETCH).execute(select(*(_readable(c) for c in table.c)))
    n = 0
    cursor = _cursor(conn)
    with cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(tuple(row))
            n += 1
    return n


def _switch_user_triggers(conn: Connection, tables: list[Table], *, on: bool) -> None:
    """ALTER TABLE ... ENABLE/DISABLE TRIGGER USER (no SQLAlchemy construct; names by psycopg)."""
    from psycopg import sql

    cursor = _cursor(conn)
    action = sql.SQL("ENABLE" if on else "DISABLE")
    for table in tables:
        cursor.execute(sql.SQL("ALTER TABLE {} {} TRIGGER USER").format(sql.Identifier(table.name), action))


def _analyze(engine: Engine) -> None:
    """Fresh planner statistics for the filled tables (ANALYZE, outside a transaction block)."""
    from psycopg import sql

    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        _cursor(conn).execute(sql.SQL("ANALYZE"))


def _cursor(conn: Connection) -> Any:
    """A psycopg cursor on the connection's own driver connection (inside its transaction)."""
    driver = conn.connection.driver_connection
    if driver is None:
        raise ProjectFileError("the server connection was closed")
    return driver.cursor()
