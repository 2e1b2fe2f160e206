"""Reading one moment of a project: what every export reads.

An export makes several queries (documents, then spans, then relations, ...). Outside a transaction
each of them would see the project as it was when it ran, so a colleague committing between two of
them could leave a span in spans.csv whose document is not in documents.csv. `reading` opens one read
transaction that holds its moment from the first query to the last: on SQLite an explicit deferred
`BEGIN` (WAL lets writers go on meanwhile; the reader keeps its snapshot), on PostgreSQL a REPEATABLE
READ transaction.

A second process can read the same moment (the CSV export's helper process): on PostgreSQL the first
reading exports its snapshot and the second imports it (`pg_export_snapshot`, `SET TRANSACTION
SNAPSHOT`). SQLite has no such thing, so each process takes its own moment and `Shared.same_moment`
says whether they are the same: a connection kept aside reads `PRAGMA data_version`, which changes
when any other connection commits, before the first reading begins and again after the second has
begun. When it changed, the caller reads again itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from annotator.model.errors import ProjectFileError
from annotator.store.engine import ProjectStore
from annotator.store.files import data_version
from annotator.store.tables import MetaRow

_SNAPSHOT_ID = re.compile(r"[0-9A-Fa-f]+(-[0-9A-Fa-f]+)+")


@dataclass
class Shared:
    """How another process joins a reading's moment: `token` goes to `reading(joining=...)`."""

    token: str
    _marker: Any = None  # SQLite: a raw connection kept aside, and the data_version it read first
    _first: int = 0

    def same_moment(self) -> bool:
        """After the other process's reading has begun: whether it holds this reading's moment."""
        if self._marker is None:
            return True  # PostgreSQL: the snapshot was imported, the moment is the same by construction
        return data_version(self._marker) == self._first

    def close(self) -> None:
        if self._marker is not None:
            self._marker.close()
            self._marker = None


@contextmanager
def reading(store: ProjectStore, *, joining: str | None = None) -> Iterator[Session]:
    """A session every query of which sees the project as it was at its beginning.

    `joining` is a `Shared.token` of another process's reading: on PostgreSQL this one then holds
    exactly that moment (on SQLite the token carries nothing: see `Shared.same_moment`)."""
    with store.session() as session:
        if store.dialect == "postgresql":
            conn = session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            if joining:
                _import_snapshot(conn, joining)
        else:
            session.connection().exec_driver_sql("BEGIN")
        session.execute(select(MetaRow.key).limit(1)).all()  # the moment is taken here
        yield session


@contextmanager
def shared_reading(store: ProjectStore) -> Iterator[tuple[Session, Shared]]:
    """`reading`, plus what another process needs to read the same moment."""
    marker, first = None, 0
    if store.dialect != "postgresql":
        marker = store.engine.raw_connection()
        first = data_version(marker)
    shared = Shared("", marker, first)
    try:
        with reading(store) as session:
            if marker is None:
                shared.token = str(session.scalar(select(func.pg_export_snapshot())))
            yield session, shared
    finally:
        shared.close()


def _import_snapshot(conn: Connection, token: str) -> None:
    """SET TRANSACTION SNAPSHOT takes no bound parameter: the id is checked and quoted by psycopg."""
    if not _SNAPSHOT_ID.fullmatch(token):
        raise ProjectFileError(f"not a PostgreSQL snapshot id: {token!r}")
    from psycopg import sql

    driver = conn.connection.driver_connection
    statement = sql.SQL("SET TRANSACTION SNAPSHOT {}").format(sql.Literal(token)).as_string(driver)
    conn.exec_driver_sql(statement)
