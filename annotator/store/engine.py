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
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, select, text, update
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from annotator.model.errors import ProjectFileError, StaleWriteError, StorageError
from annotator.model.types import utc_instant
from annotator.store import disagreement, fulltext, migrations
from annotator.store.tables import Base, MetaRow, SchemeRow

SCHEMA_VERSION = 7
APPLICATION = "annotator"
_SQLITE_MAGIC = b"SQLite format 3\x00"
_QUICK_CHECK_LIMIT = 64 * 1024 * 1024

BUSY_TIMEOUT_MS = 5000
"""How long one user action waits for another program's write before it is refused."""
FIRST_WAIT_MS = 1000
PATIENCE_MS = 30 * 60 * 1000
"""How long a long write (import, merge) waits, with a message, for another program to finish."""
WAITING_MESSAGE = "waiting for another program using this project…"

Migration = Callable[[Connection], None]
# Numbered ladder: MIGRATIONS[n] takes a file from version n-1 to n. The file is copied to
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

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: commit on success, roll back on any error."""
        session = self._factory()
        try:
            yield session
            if not self.readonly:
                disagreement.refresh(session)
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


def open_store(location: Path | str, *, readonly: bool = False, create: bool = True) -> ProjectStore:
    """Open (or create) a project file after checking it, or a server project when `location` is a
    `postgresql+psycopg://` URL (store.server). Raises ProjectFileError."""
    if isinstance(location, str):
        from annotator.store import server

        if server.is_server_url(location):
            return server.open_server(location, readonly=readonly, create=create)
    path = Path(location)
    if path.exists():
        check_file(path)
        if not readonly:
            check_writable(path)
        version = _read_version(path)
        if version > SCHEMA_VERSION:
            raise ProjectFileError(
                f"{path}: project was written by a newer annotator (schema {version}, this one "
                f"knows {SCHEMA_VERSION}); update annotator to open it"
            )
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
    """The tables of the current schema version and the project's facts, on either back end."""
    Base.metadata.create_all(store.engine)
    with store.engine.begin() as conn:
        fulltext.install(conn)
    with store.session() as s:
        s.add_all(
            [
                MetaRow(key="application", value=APPLICATION),
                MetaRow(key="schema_version", value=str(SCHEMA_VERSION)),
                MetaRow(key="project_uid", value=uuid.uuid4().hex),
                MetaRow(key="created_at", value=utc_now()),
            ]
        )


def server_path(url: str) -> Path:
    """A server project's stand-in for a file path in messages and settings: its database name."""
    database = url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    return Path(database or "server-project")


def check_file(path: Path) -> None:
    """Refuse what is plainly not a project (not a regular file, empty, no SQLite header) without
    opening it through SQLite. Whether an SQLite file is whole is for SQLite to say (`_read_version`)."""
    try:
        with path.open("rb") as fh:
            header = fh.read(100)
    except OSError as exc:
        raise ProjectFileError(f"{path}: cannot read project file: {exc.strerror or exc}") from exc
    if not path.is_file():
        raise ProjectFileError(f"{path}: not a regular file")
    if not header:
        raise ProjectFileError(f"{path}: file is empty, not an annotator project")
    if len(header) < 100 or not header.startswith(_SQLITE_MAGIC):
        raise ProjectFileError(f"{path}: not an annotator project (not an SQLite database)")


def check_writable(path: Path) -> None:
    """Refuse, in a sentence, to write where the system will not let us: a read-only folder (SQLite
    needs to create its journal files beside the project) or a read-only or immutable file."""
    folder = path.parent
    if not os.access(folder, os.W_OK):
        raise ProjectFileError(
            f"{path}: the folder {folder} is read-only, so the project cannot be changed there "
            "(read-only commands such as stats and export still work; copy it to a writable folder to edit it)"
        )
    if path.exists() and not os.access(path, os.W_OK):
        raise ProjectFileError(
            f"{path}: the project file is read-only (or immutable), so it cannot be changed "
            "(read-only commands such as stats and export still work)"
        )


def _size_disagrees(path: Path) -> bool:
    """Whether the main file's size differs from what its header says. Not a verdict: a live or
    crashed WAL file is often in this state. It only decides that SQLite's own check must run."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            header = fh.read(100)
    except OSError:
        return True
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    if page_size < 512 or page_size & (page_size - 1) or size % page_size:
        return True
    return header[24:28] == header[92:96] and pages * page_size != size


def _damaged(path: Path, detail: str) -> ProjectFileError:
    return ProjectFileError(
        f"{path}: project file is corrupt ({detail}); it was not changed. "
        f"`annotator rescue {path}` writes a rescued copy beside it"
    )


def is_project_file(path: Path) -> bool:
    """Whether the file at `path` starts with the SQLite header: a project file rather than, say,
    annotation JSONL. Raises OSError when it cannot be read."""
    with path.open("rb") as fh:
        return fh.read(len(_SQLITE_MAGIC)) == _SQLITE_MAGIC


def _read_version(path: Path) -> int:
    """Read the schema version through a read-only connection; check integrity of small files."""
    engine = _engine(path, readonly=True)
    try:
        with engine.connect() as conn:
            if path.stat().st_size <= _QUICK_CHECK_LIMIT or _size_disagrees(path):
                result = conn.execute(text("PRAGMA quick_check(1)")).scalar()
                if result != "ok":
                    first = str(result).strip().splitlines()[-1] if result else "unknown damage"
                    raise _damaged(path, first)
            if not inspect(conn).has_table(MetaRow.__tablename__):
                raise ProjectFileError(f"{path}: an SQLite database, but not an annotator project")
            facts = dict(conn.execute(select(MetaRow.key, MetaRow.value)).all())
    except SQLAlchemyError as exc:
        raise _file_error(path, exc) from exc
    finally:
        engine.dispose()
    if facts.get("application") != APPLICATION or not facts.get("schema_version", "").isdigit():
        raise ProjectFileError(f"{path}: an SQLite database, but not an annotator project")
    return int(facts["schema_version"])


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


def backup_to(engine: Engine, target: Path) -> None:
    """Copy the whole database, WAL content included, with SQLite's online backup API."""
    import sqlite3  # the backup API is the driver's; only this function needs it

    temp = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.part")
    raw = engine.raw_connection()
    try:
        source = raw.driver_connection
        assert isinstance(source, sqlite3.Connection)
        dest = sqlite3.connect(temp)
        try:
            source.backup(dest)
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


def _engine(path: Path, readonly: bool) -> Engine:
    if readonly and _immutable(path):
        url = f"sqlite:///file:{path.resolve().as_posix()}?immutable=1&uri=true"
    elif readonly:
        url = f"sqlite:///file:{path.resolve().as_posix()}?mode=ro&uri=true"
    else:
        url = f"sqlite:///{path.resolve().as_posix()}"
    engine = create_engine(url)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        if not readonly:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    return engine


def _immutable(path: Path) -> bool:
    """Read a file in a folder we cannot write through `immutable=1`: SQLite cannot create the
    shared-memory file a WAL project needs, and nobody can be writing there. A WAL left with content
    (a crashed writer) cannot be read that way; SQLite then says so and we pass it on."""
    wal = path.with_name(path.name + "-wal")
    return not os.access(path.parent, os.W_OK) and not (wal.exists() and wal.stat().st_size > 0)


def _file_error(path: Path, exc: Exception) -> ProjectFileError | StorageError:
    detail = " ".join(str(getattr(exc, "orig", exc)).split()) or type(exc).__name__
    if "malformed" in detail or "not a database" in detail:
        return _damaged(path, detail)
    if "disk is full" in detail or "disk I/O error" in detail:
        return StorageError(
            f"{path}: could not write to the disk (full, or the file grew past its size limit); "
            f"the last action was not saved ({detail})"
        )
    if "readonly" in detail or "read-only" in detail:
        return StorageError(f"{path}: the project cannot be written here ({detail})")
    if "locked" in detail or "busy" in detail:
        return StorageError(
            f"{path}: another program kept the project busy for too long; try again when it has finished ({detail})"
        )
    return ProjectFileError(f"{path}: cannot use project file ({detail})")


def _unreachable(exc: DBAPIError) -> bool:
    """Whether a server error means the connection is gone (refused, dropped, timed out) rather than
    the server refusing the statement: the driver's OperationalError without an SQLSTATE (a lock
    timeout or a deadlock has one), or a connection SQLAlchemy found dead."""
    return exc.connection_invalidated or (
        isinstance(exc, OperationalError) and getattr(exc.orig, "sqlstate", None) is None
    )


def detail(exc: SQLAlchemyError) -> str:
    return " ".join(str(getattr(exc, "orig", exc)).split()) or type(exc).__name__
