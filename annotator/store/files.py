"""What a project file is and how it is checked, with SQLAlchemy Core only (no ORM import).

`store.engine` opens projects through these checks; `store.counts` uses them on its own so that
`annotator stats` never imports the ORM. A file is checked before anything writes to it: it must be
SQLite (magic header), readable by SQLite, and of a schema version this application knows. Health is
SQLite's verdict, never our own arithmetic: the file is opened (with its WAL, which may hold pages the
main file does not have yet) and `PRAGMA quick_check` runs on small files, and on any file whose size
disagrees with its header (a crash mid-checkpoint leaves exactly that, and SQLite reads such a file
fine). A folder that cannot be written to (read-only media) is still read, through SQLite's
`immutable` mode.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, column, create_engine, event, inspect, select, table, text
from sqlalchemy.exc import SQLAlchemyError

from annotator.model.errors import ProjectFileError, StorageError

SCHEMA_VERSION = 7
"""The current schema version (the ladder of migrations to it is `store.engine.MIGRATIONS`)."""
APPLICATION = "annotator"
_SQLITE_MAGIC = b"SQLite format 3\x00"
_QUICK_CHECK_LIMIT = 64 * 1024 * 1024

BUSY_TIMEOUT_MS = 5000
"""How long one user action waits for another program's write before it is refused."""

META = table("meta", column("key"), column("value"))
"""The project's facts table (`tables.MetaRow`), as a Core table so that checks need no ORM."""


def server_path(url: str) -> Path:
    """A server project's stand-in for a file path in messages and settings: its database name."""
    database = url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    return Path(database or "server-project")


def check_file(path: Path) -> None:
    """Refuse what is plainly not a project (not a regular file, empty, no SQLite header) without
    opening it through SQLite. Whether an SQLite file is whole is for SQLite to say (`read_version`)."""
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


def damaged(path: Path, detail: str) -> ProjectFileError:
    return ProjectFileError(
        f"{path}: project file is corrupt ({detail}); it was not changed. "
        f"`annotator rescue {path}` writes a rescued copy beside it"
    )


def is_project_file(path: Path) -> bool:
    """Whether the file at `path` starts with the SQLite header: a project file rather than, say,
    annotation JSONL. Raises OSError when it cannot be read."""
    with path.open("rb") as fh:
        return fh.read(len(_SQLITE_MAGIC)) == _SQLITE_MAGIC


def read_version(path: Path, engine: Engine | None = None) -> int:
    """Read the schema version through a read-only connection (`engine`, else one made and disposed
    of here); check the integrity of small files and of files whose size disagrees with their header,
    and refuse a file written by a newer annotator."""
    own = engine is None
    engine = engine or sqlite_engine(path, readonly=True)
    try:
        with engine.connect() as conn:
            if path.stat().st_size <= _QUICK_CHECK_LIMIT or _size_disagrees(path):
                result = conn.execute(text("PRAGMA quick_check(1)")).scalar()
                if result != "ok":
                    first = str(result).strip().splitlines()[-1] if result else "unknown damage"
                    raise damaged(path, first)
            if not inspect(conn).has_table(META.name):
                raise ProjectFileError(f"{path}: an SQLite database, but not an annotator project")
            facts = dict(conn.execute(select(META.c.key, META.c.value)).all())
    except SQLAlchemyError as exc:
        raise file_error(path, exc) from exc
    finally:
        if own:
            engine.dispose()
    return recorded_version(facts, path, "an SQLite database, but not an annotator project")


NOT_A_SERVER_PROJECT = "the database holds tables that are not an annotator project"


def recorded_version(facts: dict[str, str], shown: object, not_a_project: str) -> int:
    """The schema version a project's meta rows (`facts`) record, checked: a ProjectFileError naming
    `shown` when they are not an annotator project's (`not_a_project` says what it is instead) or
    were written by a newer annotator. The same check for files and servers, opened or counted."""
    if facts.get("application") != APPLICATION or not facts.get("schema_version", "").isdigit():
        raise ProjectFileError(f"{shown}: {not_a_project}")
    version = int(facts["schema_version"])
    if version > SCHEMA_VERSION:
        raise ProjectFileError(
            f"{shown}: project was written by a newer annotator (schema {version}, this one knows "
            f"{SCHEMA_VERSION}); update annotator to open it"
        )
    return version


def sqlite_engine(path: Path, readonly: bool) -> Engine:
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


def file_error(path: Path, exc: Exception) -> ProjectFileError | StorageError:
    detail = " ".join(str(getattr(exc, "orig", exc)).split()) or type(exc).__name__
    if "malformed" in detail or "not a database" in detail:
        return damaged(path, detail)
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


def detail(exc: SQLAlchemyError) -> str:
    return " ".join(str(getattr(exc, "orig", exc)).split()) or type(exc).__name__


def data_version(raw: Any) -> int:
    """`PRAGMA data_version` on a raw SQLite connection: it changes when any other connection commits."""
    cursor = raw.cursor()
    try:
        cursor.execute("PRAGMA data_version")
        row = cursor.fetchone()
        return int(row[0]) if row is not None else 0
    finally:
        cursor.close()
