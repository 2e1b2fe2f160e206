"""Executemany of a Core INSERT without SQLAlchemy's per-row work, for the bulk writers on SQLite.

SQLAlchemy's executemany builds and processes a parameter dictionary for every row, which was about
a third of the time of storing an import's spans, relations and stances. On SQLite the statement is
compiled from the Core construct by the session's own dialect (no hand-written SQL) and handed to the
driver's executemany with each row as a tuple in the compiled statement's parameter order, every
value passed through its column type's own bind processor (so JSON columns are serialised exactly as
SQLAlchemy serialises them). A column the rows do not give that has a scalar Python default (a row
`version` of 1) gets that value, as SQLAlchemy would give it. Any other dialect, or a column default
only SQLAlchemy can work out (a callable, a SQL expression), goes through `session.execute`.

The rows go in as multi-row INSERTs (`ROWS_PER_STATEMENT` rows of VALUES each), not one statement per
row: documents and spans carry FTS5 full-text triggers (`store.fulltext`), and FTS5 writes its
pending index data out as a new segment at the end of every statement that wrote to it (each
statement is a savepoint), so one row per statement cost about 11 s of index work for 20,000 articles
and 100,000 spans where 500 rows per statement cost about 1.5 s (the index merges fewer, larger
segments). The triggers themselves stay: every other writer keeps the index current as before.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from itertools import chain
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Dialect, Insert, Table, bindparam, insert, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler

ROWS_PER_STATEMENT = 500
"""Rows per INSERT on SQLite (fewer when the columns would pass the driver's parameter limit)."""
_MULTI: dict[tuple[str, int], str | None] = {}
_PLAIN: dict[Table, Insert] = {}
_COMPILED: dict[tuple[Insert, Dialect, tuple[str, ...]], SQLCompiler] = {}


def insert_many(session: Session, statement: Insert, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Execute `statement` (an INSERT into `table`, perhaps with ON CONFLICT) once per row. Every row
    has the keys of the first (as for SQLAlchemy's own executemany)."""
    if not rows:
        return
    if session.get_bind().dialect.name != "sqlite":
        session.execute(statement, list(rows))
        return
    connection = session.connection()
    dialect = connection.dialect
    keys = list(rows[0])
    compiled = _compiled(statement, dialect, keys)
    order = compiled.positiontup
    defaults = _scalar_defaults(table, order, keys)
    if order is None or defaults is None:
        session.execute(statement, list(rows))
        return
    # Column by column: each column's values taken from the rows at C speed, passed through the
    # column type's bind processor where it has one (JSON), then zipped back into rows.
    columns: list[list[Any]] = []
    for key in order:
        if key in defaults:  # a column the rows do not give, filled with its scalar default as SQLAlchemy would
            values = [defaults[key]] * len(rows)
        else:
            values = list(map(itemgetter(key), rows))
        process = table.c[key].type.dialect_impl(dialect).bind_processor(dialect)
        columns.append(_processed(process, values) if process else values)
    per_statement = max(1, min(ROWS_PER_STATEMENT, _variable_limit(connection) // len(order)))
    for first in range(0, len(rows), per_statement):
        n = min(per_statement, len(rows) - first)
        chunk = zip(*(column[first : first + n] for column in columns), strict=True)
        multi = _multi_row(statement, dialect, compiled.string, list(order), n)
        if multi is None:
            connection.exec_driver_sql(compiled.string, list(chunk))
        else:
            connection.exec_driver_sql(multi, tuple(chain.from_iterable(chunk)))


def _processed(process: Any, values: list[Any]) -> list[Any]:
    """`process` (a bind processor) of each value, once per distinct object: rows often share one
    (an importer's attributes dict for every span with the same attributes, None), and serialising
    JSON is the costly part. The values do not change during the call, so one object has one result."""
    done: dict[int, Any] = {}
    out = []
    for value in values:
        key = id(value)
        if key not in done:
            done[key] = process(value)
        out.append(done[key])
    return out


def _compiled(statement: Insert, dialect: Dialect, keys: list[str]) -> SQLCompiler:
    """`statement` compiled for rows with `keys` (cached: the bulk writers reuse their statements)."""
    key = (statement, dialect, tuple(keys))
    found = _COMPILED.get(key)
    if found is None:
        if len(_COMPILED) > 256:
            _COMPILED.clear()
        found = _COMPILED[key] = statement.compile(dialect=dialect, column_keys=keys)
    return found


def _multi_row(statement: Insert, dialect: Dialect, single: str, order: list[str], n: int) -> str | None:
    """`statement` compiled by the dialect with `n` rows of VALUES, parameters row after row in
    `order`; None if the dialect does not compile it so (the caller then sends the rows one by one)."""
    key = (single, n)
    if key not in _MULTI:
        if len(_MULTI) > 256:
            _MULTI.clear()
        rows: list[dict[str, Any]] = [
            {column: bindparam(f"r{i}c{j}") for j, column in enumerate(order)} for i in range(n)
        ]
        compiled = statement.values(rows).compile(dialect=dialect)
        expected = [f"r{i}c{j}" for i in range(n) for j in range(len(order))]
        _MULTI[key] = compiled.string if n > 1 and compiled.positiontup == expected else None
    return _MULTI[key]


def _variable_limit(connection: Connection) -> int:
    """How many parameters one statement may have (SQLite's SQLITE_LIMIT_VARIABLE_NUMBER: 32,766 since
    3.32, 999 before)."""
    driver = connection.connection.dbapi_connection
    getlimit = getattr(driver, "getlimit", None)
    return int(getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)) if getlimit is not None else 999


def _scalar_defaults(table: Table, order: Sequence[str] | None, keys: list[str]) -> dict[str, Any] | None:
    """The values of the compiled statement's columns the rows do not give (a Python-side scalar
    default, such as a row version's 1), or None when one of them has a default only SQLAlchemy can
    work out (a callable, a SQL expression)."""
    defaults: dict[str, Any] = {}
    for key in set(order or ()) - set(keys):
        default = table.c[key].default
        if default is None or not default.is_scalar:
            return None
        defaults[key] = default.arg  # type: ignore[attr-defined]
    return defaults


def insert_returning_ids(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert `rows` into an id-keyed table; the ids the database gave them, in row order.

    On PostgreSQL SQLAlchemy keeps the order of a multi-row INSERT ... RETURNING itself (the id
    sequence is its sentinel). SQLite has no such sentinel: asked for the order, SQLAlchemy sends one
    statement per row. There the first row goes in alone with RETURNING, which also takes the write
    lock if the transaction did not hold it yet, and the rest in one executemany; nobody else can write
    while the lock is held, and each row inserted gets a larger id than every row before it (the tables
    are AUTOINCREMENT), so the new ids are the ones after the first row's, read back in order."""
    if not rows:
        return []
    if session.get_bind().dialect.name != "sqlite":
        statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return [int(i) for i in session.execute(statement, list(rows)).scalars()]
    plain = _PLAIN.get(table)
    if plain is None:
        plain = _PLAIN[table] = insert(table)
    first = int(session.execute(plain.returning(table.c.id), dict(rows[0])).scalar_one())
    insert_many(session, plain, table, rows[1:])
    rest = [int(i) for i in session.scalars(select(table.c.id).where(table.c.id > first).order_by(table.c.id))]
    if len(rest) != len(rows) - 1:
        raise RuntimeError(f"inserted {len(rows)} rows into {table.name} but found {len(rest) + 1} new ids")
    return [first, *rest]


def upsert_insert(dialect: str, table: Table) -> Any:
    """The dialect's own INSERT (with `on_conflict_do_*`) on `table`. The server's dialect is loaded
    here, when a server project first needs it, not by every start on a project file."""
    if dialect == "sqlite":
        from sqlalchemy.dialects import sqlite

        return sqlite.insert(table)
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table)
    raise KeyError(dialect)
