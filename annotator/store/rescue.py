"""Rescuing what can be read from a damaged project file into a new project beside it.

The damaged file is only ever read (read-only, or `immutable` when its folder cannot be written), so
it stays exactly as it was for anyone who wants to try harder. Two ways, best first: SQLite's own
recovery (`sqlite3 -readonly FILE .recover`, when the sqlite3 program is installed), which also walks
damaged b-trees; otherwise a table-by-table copy through SQLAlchemy that keeps every row SQLite can
still return. Either way the copy is then given this application's schema and facts, rows whose
parents were lost are dropped (so the copy passes `foreign_key_check`), and it must pass
`integrity_check` before it is given its final name `<name>.rescued.db` (or `.rescued-2.db`, ...).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, create_engine, delete, event, insert, inspect, select, text
from sqlalchemy.exc import SQLAlchemyError

from annotator.model.errors import ProjectFileError
from annotator.store import disagreement, fulltext
from annotator.store.engine import APPLICATION, FULLTEXT_SINCE, SCHEMA_VERSION, utc_now
from annotator.store.tables import Base, MetaRow

BATCH = 2000
RECOVER_TIMEOUT = 600


@dataclass
class RescueReport:
    """Where the copy is, how it was made, and the rows kept per table."""

    source: Path
    target: Path
    method: str
    rows: dict[str, int] = field(default_factory=dict)
    lost: list[str] = field(default_factory=list)

    def summary(self) -> str:
        kept = ", ".join(f"{n} {table}" for table, n in self.rows.items() if n)
        lost = f"; could not read: {', '.join(self.lost)}" if self.lost else ""
        return (
            f"{self.source}: rescued into {self.target} ({self.method}): {kept or 'nothing'}{lost}. "
            f"{self.source.name} was not changed"
        )


def rescue_name(path: Path) -> Path:
    """The first free `<stem>.rescued.db`, `<stem>.rescued-2.db`, ... beside `path`."""
    stem = path.name.removesuffix(".db")
    candidate = path.with_name(f"{stem}.rescued.db")
    n = 2
    while candidate.exists():
        candidate = path.with_name(f"{stem}.rescued-{n}.db")
        n += 1
    return candidate


def rescue(path: Path) -> RescueReport:
    """Write a rescued copy of the (damaged) project `path` beside it. Raises ProjectFileError."""
    path = Path(path)
    if not path.is_file():
        raise ProjectFileError(f"{path}: no such project file")
    target = rescue_name(path)
    temp = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.part")
    try:
        report = _by_recover(path, temp) or _by_copy(path, temp)
        _finish(temp, report)
        os.replace(temp, target)
    except OSError as exc:
        raise ProjectFileError(f"{target}: cannot write the rescued copy: {exc.strerror or exc}") from exc
    except SQLAlchemyError as exc:
        raise ProjectFileError(f"{path}: nothing could be rescued ({' '.join(str(exc).split())[:200]})") from exc
    finally:
        for leftover in (temp, temp.with_name(temp.name + "-wal"), temp.with_name(temp.name + "-shm")):
            leftover.unlink(missing_ok=True)
    report.target = target
    return report


def _source_url(path: Path) -> str:
    mode = "mode=ro" if os.access(path.parent, os.W_OK) else "immutable=1"
    return f"sqlite:///file:{path.resolve().as_posix()}?{mode}&uri=true"


def _by_recover(path: Path, temp: Path) -> RescueReport | None:
    """SQLite's recovery, through the sqlite3 program; None when it is missing or fails."""
    program = shutil.which("sqlite3")
    if program is None:
        return None
    try:
        dump = subprocess.run(
            [program, "-readonly", str(path), ".recover"], capture_output=True, timeout=RECOVER_TIMEOUT, check=False
        )
        if dump.returncode != 0 or not dump.stdout:
            return None
        load = subprocess.run(
            [program, str(temp)], input=dump.stdout, capture_output=True, timeout=RECOVER_TIMEOUT, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if load.returncode != 0:
        temp.unlink(missing_ok=True)
        return None
    return RescueReport(path, temp, "SQLite .recover")


def _by_copy(path: Path, temp: Path) -> RescueReport:
    """Every row SQLite still returns, table by table, into a fresh file with our schema."""
    report = RescueReport(path, temp, "row copy")
    source = create_engine(_source_url(path))
    dest = _engine(temp)
    try:
        Base.metadata.create_all(dest)
        for table in Base.metadata.sorted_tables:
            try:
                with source.connect() as src:
                    columns = {c["name"] for c in inspect(src).get_columns(table.name)}
                    wanted = [c for c in table.columns if c.name in columns]
                    result = src.execution_options(stream_results=True).execute(select(*wanted))
                    kept = 0
                    while batch := result.fetchmany(BATCH):
                        with dest.begin() as dst:
                            dst.execute(insert(table), [dict(row._mapping) for row in batch])
                        kept += len(batch)
                        report.rows[table.name] = kept
            except SQLAlchemyError:
                report.lost.append(table.name)
    finally:
        source.dispose()
        dest.dispose()
    return report


def _engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path.resolve().as_posix()}")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        dbapi_conn.execute("PRAGMA foreign_keys=OFF")  # rows are copied before their checks

    return engine


def _finish(temp: Path, report: RescueReport) -> None:
    """Give the copy our schema and facts, drop orphans, count rows and check it."""
    dest = _engine(temp)
    try:
        Base.metadata.create_all(dest)
        with dest.begin() as conn:
            for table_name, rowid, _parent, _fk in conn.execute(text("PRAGMA foreign_key_check")).all():
                table = Base.metadata.tables.get(table_name)
                if table is not None:
                    conn.execute(delete(table).where(text("rowid = :rowid")).params(rowid=rowid))
            disagreement.recompute_all(conn)  # the annotations that were lost no longer count
            facts = dict(conn.execute(select(MetaRow.key, MetaRow.value)).all())
            wanted = {
                "application": APPLICATION,
                "schema_version": facts.get("schema_version", str(SCHEMA_VERSION)),
                "project_uid": facts.get("project_uid", uuid.uuid4().hex),
                "created_at": facts.get("created_at", utc_now()),
                "rescued_at": utc_now(),
            }
            for key, value in wanted.items():
                if facts.get(key) != value:
                    conn.execute(delete(MetaRow).where(MetaRow.key == key))
                    conn.execute(insert(MetaRow).values(key=key, value=value))
            if wanted["schema_version"].isdigit() and int(wanted["schema_version"]) >= FULLTEXT_SINCE:
                fulltext.install(conn)  # the index of the rows kept, whatever survived of the old one
            if report.method != "row copy":
                for table in Base.metadata.sorted_tables:
                    report.rows[table.name] = int(
                        conn.execute(select(text("count(*)")).select_from(table)).scalar_one()
                    )
            verdict = conn.execute(text("PRAGMA integrity_check(1)")).scalar()
        if verdict != "ok":
            raise ProjectFileError(f"{report.source}: the rescued copy is damaged too ({verdict}); nothing was kept")
        with dest.connect() as conn:
            conn.execute(text("PRAGMA journal_mode=WAL"))
    finally:
        dest.dispose()
