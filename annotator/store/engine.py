"""Opening, creating, checking and migrating project files.

A project file is checked before anything writes to it: it must be SQLite (magic header), readable
by SQLite, and of a schema version this application knows. Health is SQLite's verdict, never our own
arithmetic: the file is opened (with its WAL, which may hold pages the main file does not have yet)
and `PRAGMA quick_check` runs on small files, and on any file whose size disagrees with its header
(a crash mid-checkpoint leaves exactly that, and SQLite reads such a file fine). Any failure raises
ProjectFileError with a one-line message, and the file's bytes are left as they were; a damaged file's
message names `annotator rescue` (store.rescue), which writes a rescued copy beside it. A folder that
cannot be written to (read-only media) is still read, through SQLite's `immutable` mode. Connections
use WAL, foreign keys, a busy timeout and full syncs, so a committed user action survives a kill -9.
The checks themselves (and SCHEMA_VERSION) are in `store.files`, which needs only SQLAlchemy Core.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from annotator.model.errors import Cancelled, ProjectFileError, StaleWriteError, StorageError
from annotator.model.types import utc_instant
from annotator.store import disagreement, fulltext, migrations
from annotator.store.files import (
    APPLICATION,
    BUSY_TIMEOUT_MS,
    SCHEMA_VERSION,
    check_file,
    check_writable,
    detail,
    is_project_file,
    server_path,
)
from annotator.store.files import file_error as _file_error
from annotator.store.files import read_version as _read_version
from annotator.store.files import sqlite_engine as _engine
from annotator.store.tables import Base, MetaRow, SchemeRow

__all__ = ["APPLICATION", "SCHEMA_VERSION", "check_file", "check_writable", "detail", "is_project_file", "server_path"]

FIRST_WAIT_MS = 1000
PATIENCE_MS = 30 * 60 * 1000
"""How long a long write (import, merge) waits, with a message, for another program to finish."""
WAITING_MESSAGE = "waiting for another program using this project…"

Migration = Callable[[Connection], None]
# Numbered ladder: MIGRATIONS[n] takes a file from version n-1 to n; the version itself,
# SCHEMA_VERSION, lives in store/files.py (so `annotator stats` checks a file without the ORM). The file is copied to
# `<name>.v<old>.bak` before the first step runs.
MIGRATIONS: dict[int, Migration] = {
    2: migrations.comments_to_rejections,
    3: migrations.disagreement_scores,
    4: migrations.add_row_versions,
    5: migrations.fulltext_index,
    6: migrations.fragments_and_relation_args,
    7: migrations.stance_clock,
}
FULLTEXT_SINCE = 5
"""The first schema version with the full-text index (store.fulltext); a rescued copy of such a file rebuilds it."""


def utc_now() -> str:
    return utc_instant(datetime.now(UTC))


@dataclass
class ProjectStore:
    """An open project: its engine and a session factory. `session()` is one user action."""

    path: Path
    engine: Engine
    readonly: bool
    _factory: sessionmaker[Session]
    on_wait: Callable[[str], None] | None = None
    """Told once when a long write has to wait for another program (the CLI prints it)."""
    url: str | None = None  # a server project's URL (store.server); None for a project file
    created: bool = False  # a server project whose tables this open made (in an empty database)
    deferred_scores: set[int] | None = None
    """When a set (a window sets it): documents whose disagreement score an edit left `STALE`, to be
    computed by `score_deferred` once the edit is shown (see `disagreement.refresh`)."""

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: commit on success, roll back on any error."""
        session = self._factory()
        try:
            yield session
            if not self.readonly:
                disagreement.refresh(session, self.deferred_scores)
                session.commit()
        except DBAPIError as exc:
            session.rollback()
            if self.url is not None and _unreachable(exc):
                raise StorageError(
                    f"{self.path}: cannot reach the server; this action was not saved, and the next one "
                    f"connects again ({detail(exc)})"
                ) from exc
            if self.url is not None:
                raise ProjectFileError(f"{self.path}: the server refused the change ({detail(exc)})") from exc
            raise _file_error(self.path, exc) from exc
        except self.engine.dialect.loaded_dbapi.Error as exc:  # raised by raw-cursor bulk inserts
            session.rollback()
            raise _file_error(self.path, exc) from exc
        except StaleDataError as exc:  # an UPDATE ... WHERE version = <read> found a newer version
            session.rollback()
            raise StaleWriteError(f"{self.path}: someone else changed this meanwhile; nothing was saved") from exc
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def score_deferred(self) -> list[int]:
        """Compute and store the scores edits left stale (`deferred_scores`), in one transaction;
        the documents scored. If this fails, the scores stay `STALE` and readers recompute them."""
        ids: set[int] = set()
        while self.deferred_scores:
            ids.add(self.deferred_scores.pop())  # pop: a write in another thread may add meanwhile
        if not ids or self.readonly:
            return []
        with self.session() as session:
            disagreement.store_scores(session, sorted(ids))
        return sorted(ids)

    @contextmanager
    def write_session(self) -> Iterator[Session]:
        """A session for a long write (an imported file, a merge) that holds the write lock from
        its first read, so what it reads is what it writes over: a second import of the same file,
        or a second merge of the same files, waits for the first and then finds nothing new to do.
        While another program holds the lock it waits, after saying so once through `on_wait`."""
        with self.session() as session:
            if self.engine.dialect.name == "sqlite" and not self.readonly:
                self._begin_immediate(session)
            yield session

    @contextmanager
    def locked_session(self) -> Iterator[Session]:
        """A session for a short user action whose check and write must see the same data (a review
        decision): on a file it holds the write lock from its first read, waiting for another
        program as any write does (busy_timeout), then failing as any write does."""
        with self.session() as session:
            if self.engine.dialect.name == "sqlite" and not self.readonly:
                session.connection().exec_driver_sql("BEGIN IMMEDIATE")
            yield session

    def _begin_immediate(self, session: Session) -> None:
        conn = session.connection()
        try:
            conn.exec_driver_sql(f"PRAGMA busy_timeout={FIRST_WAIT_MS}")
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            except DBAPIError as exc:
                if "locked" not in str(exc.orig) and "busy" not in str(exc.orig):
                    raise
                if self.on_wait is not None:
                    self.on_wait(WAITING_MESSAGE)
                conn.exec_driver_sql(f"PRAGMA busy_timeout={PATIENCE_MS}")
                conn.exec_driver_sql("BEGIN IMMEDIATE")
        finally:
            conn.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")

    def scheme_toml(self) -> str | None:
        with self.session() as s:
            row = s.scalars(select(SchemeRow).order_by(SchemeRow.id.desc()).limit(1)).first()
            return row.toml if row else None

    def install_scheme(self, toml: str) -> None:
        with self.session() as s:
            s.add(SchemeRow(toml=toml, installed_at=utc_now()))

    def setting(self, key: str, default: str = "") -> str:
        """A project-wide setting kept in the meta table (e.g. blind mode)."""
        with self.session() as s:
            row = s.get(MetaRow, f"setting.{key}")
            return row.value if row else default

    def set_setting(self, key: str, value: str) -> None:
        with self.session() as s:
            s.merge(MetaRow(key=f"setting.{key}", value=value))

    @property
    def location(self) -> str:
        """What `open_store` takes to open this project again (in another process, say)."""
        return self.url or str(self.path)

    @property
    def dialect(self) -> str:
        """ "sqlite" for a project file, "postgresql" for a server project."""
        return self.engine.dialect.name

    def close(self) -> None:
        self.engine.dispose()


def open_store(
    location: Path | str,
    *,
    readonly: bool = False,
    create: bool = True,
    first_scheme: Callable[[Session], None] | None = None,
) -> ProjectStore:
    """Open (or create) a project file after checking it, or a server project when `location` is a
    `postgresql+psycopg://` URL (store.server; `first_scheme` writes a new server project's scheme
    in the transaction that makes it). Raises ProjectFileError."""
    if isinstance(location, str):
        from annotator.store import server

        if server.is_server_url(location):
            return server.open_server(location, readonly=readonly, create=create, first_scheme=first_scheme)
    path = Path(location)
    if path.exists():
        check_file(path)
        if not readonly:
            check_writable(path)
        version = _read_version(path)  # refuses a newer schema
        if version < SCHEMA_VERSION and not readonly:
            _migrate(path, version)
        elif version < SCHEMA_VERSION:
            raise ProjectFileError(
                f"{path}: project uses schema {version}; open it once in annotator to upgrade it before reading it"
            )
        return _make_store(path, readonly)
    if readonly or not create:
        raise ProjectFileError(f"{path}: no such project file")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ProjectFileError(f"{path}: cannot create project file: {exc.strerror or exc}") from exc
    check_writable(path)
    store = _make_store(path, readonly=False)
    try:
        create_schema(store)
    except BaseException:
        store.close()
        raise
    return store


def _server_url(location: Path | str) -> str | None:
    from annotator.store import server

    return location if isinstance(location, str) and server.is_server_url(location) else None


def project_exists(location: Path | str) -> bool:
    """Whether a project is already at `location` (a file, or a server database holding one)."""
    url = _server_url(location)
    if url is not None:
        from annotator.store import server

        return server.project_exists(url)
    return Path(location).exists()


def check_new_location(location: Path | str) -> None:
    """Refuse to create a project where one (or any file) already is. Raises ProjectFileError."""
    url = _server_url(location)
    if url is None and Path(location).exists():
        raise ProjectFileError(f"{location}: a file of that name exists; choose a new name")
    if url is not None and project_exists(url):
        from annotator.store import server

        raise ProjectFileError(f"{server.display_url(url)}: the database already holds a project")


def discard_new_project(location: Path | str) -> None:
    """Remove what a failed creation left at `location`: the file and its journals, or the tables."""
    url = _server_url(location)
    if url is not None:
        from annotator.store import server

        server.discard_project(url)
        return
    path = Path(location)
    for candidate in (path, *(path.with_name(path.name + side) for side in ("-wal", "-shm", "-journal"))):
        candidate.unlink(missing_ok=True)


def create_schema(store: ProjectStore) -> None:
    """A new project file's tables and facts (`create_schema_in`)."""
    with store.engine.begin() as conn:
        create_schema_in(conn)


def create_schema_in(conn: Connection) -> None:
    """The tables of the current schema version, their indexes and the project's facts, on one
    connection inside its transaction: on a server all of it commits or rolls back as one."""
    Base.metadata.create_all(conn)
    fulltext.install(conn)
    conn.execute(insert(MetaRow), [{"key": key, "value": value} for key, value in new_facts().items()])


def new_facts() -> dict[str, str]:
    """A new project's facts (the meta table)."""
    return {
        "application": APPLICATION,
        "schema_version": str(SCHEMA_VERSION),
        "project_uid": uuid.uuid4().hex,
        "created_at": utc_now(),
    }


def _migrate(path: Path, version: int) -> None:
    backup = path.with_name(f"{path.name}.v{version}.bak")
    engine = _engine(path, readonly=False)
    try:
        backup_to(engine, backup)
        for target in range(version + 1, SCHEMA_VERSION + 1):
            with engine.begin() as conn:
                MIGRATIONS[target](conn)
                conn.execute(update(MetaRow).where(MetaRow.key == "schema_version").values(value=str(target)))
    finally:
        engine.dispose()


def backup_to(
    engine: Engine,
    target: Path,
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> None:
    """Copy the whole database, WAL content included, with SQLite's online backup API, into a
    temporary file renamed to `target` once complete; `progress(pages done, pages)` is told every
    few pages, and `cancel()` returning True stops it (Cancelled; nothing is left behind)."""
    import sqlite3  # the backup API is the driver's; only this function needs it

    def step(_status: int, remaining: int, total: int) -> None:
        if cancel is not None and cancel():
            raise Cancelled("copy cancelled; nothing was written")
        if progress is not None:
            progress(total - remaining, total)

    temp = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.part")
    raw = engine.raw_connection()
    try:
        source = raw.driver_connection
        assert isinstance(source, sqlite3.Connection)
        dest = sqlite3.connect(temp)
        try:
            source.backup(dest, pages=1024 if progress or cancel else -1, progress=step)
        finally:
            dest.close()
        os.replace(temp, target)
    except OSError as exc:
        raise ProjectFileError(f"{target}: cannot write the backup: {exc.strerror or exc}") from exc
    finally:
        raw.close()
        temp.unlink(missing_ok=True)


def _make_store(path: Path, readonly: bool) -> ProjectStore:
    engine = _engine(path, readonly)
    return ProjectStore(path, engine, readonly, sessionmaker(engine, expire_on_commit=False))


def _unreachable(exc: DBAPIError) -> bool:
    """Whether a server error means the connection is gone (refused, dropped, timed out) rather than
    the server refusing the statement: the driver's OperationalError without an SQLSTATE (a lock
    timeout or a deadlock has one), or a connection SQLAlchemy found dead."""
    return exc.connection_invalidated or (
        isinstance(exc, OperationalError) and getattr(exc.orig, "sqlstate", None) is None
    )
