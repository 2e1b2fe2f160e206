"""Row counts for `annotator stats`, with SQLAlchemy Core only: no ORM import, no mapper set-up, no
scheme parse, one engine and one connection.

The project is opened read-only through the same checks as `engine.open_store` and `Project.open`
(a file: its header, SQLite's integrity check where `files.read_version` runs it, its schema
version; a server: its meta table and schema version; either: a stored scheme), so this refuses
what opening the project refuses, with the same line, and never writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, column, func, inspect, select, table
from sqlalchemy.exc import SQLAlchemyError

from annotator.model.errors import ProjectFileError
from annotator.store import files

COUNTED = ("documents", "annotators", "spans", "relations", "stances")
"""The tables `stats` counts, in the order it prints them (`tables.DocumentRow` ... `StanceRow`)."""
_STATUS = table("doc_status", column("status"))
_SCHEMES = table("schemes", column("id"))


@dataclass(frozen=True)
class Counts:
    rows: dict[str, int]
    """Rows per table of `COUNTED`."""
    statuses: dict[str, int]
    """(document, annotator) pairs per stored status value; statuses nobody is in are absent."""


def project_counts(location: Path | str) -> Counts:
    """Count the project at `location` (a file's path or a server URL) without changing it.
    Raises ProjectFileError (or StorageError) with one line when it cannot be read."""
    if isinstance(location, str):
        from annotator.store import server

        if server.is_server_url(location):
            return _server_counts(location)
    return _file_counts(Path(location))


def _file_counts(path: Path) -> Counts:
    if not path.exists():
        raise ProjectFileError(f"{path}: no such project file")
    files.check_file(path)
    engine = files.sqlite_engine(path, readonly=True)
    try:
        version = files.read_version(path, engine)  # refuses a newer schema
        if version < files.SCHEMA_VERSION:
            raise ProjectFileError(
                f"{path}: project uses schema {version}; open it once in annotator to upgrade it before reading it"
            )
        try:
            return _count(engine, path)
        except SQLAlchemyError as exc:
            raise files.file_error(path, exc) from exc
    finally:
        engine.dispose()


def _server_counts(url: str) -> Counts:
    from annotator.store import server

    shown = server.display_url(url)
    engine = server.server_engine(url, readonly=True, watch=False)
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table(files.META.name):
                raise ProjectFileError(f"{shown}: the database holds no annotator project")
            facts = dict(conn.execute(select(files.META.c.key, files.META.c.value)).all())
        version = files.recorded_version(facts, shown, files.NOT_A_SERVER_PROJECT)
        if version < files.SCHEMA_VERSION:
            raise ProjectFileError(f"{shown}: project uses schema {version}; open it once to upgrade it")
        return _count(engine, files.server_path(url))
    except SQLAlchemyError as exc:
        raise ProjectFileError(f"{shown}: cannot use the server ({files.detail(exc)})") from exc
    finally:
        engine.dispose()


def _count(engine: Engine, path: Path) -> Counts:
    with engine.connect() as conn:
        if not _has_scheme(conn):
            raise ProjectFileError(
                f"{path}: the project has no scheme (it was never finished); create it again with "
                "`annotator init FILE --scheme SCHEME.toml`"
            )
        rows = {name: int(conn.scalar(select(func.count()).select_from(table(name))) or 0) for name in COUNTED}
        found = conn.execute(select(_STATUS.c.status, func.count()).group_by(_STATUS.c.status))
        statuses = {str(status): int(n) for status, n in found}
    return Counts(rows, statuses)


def _has_scheme(conn: Connection) -> bool:
    return conn.scalar(select(_SCHEMES.c.id).limit(1)) is not None
