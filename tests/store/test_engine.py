"""Project files: creation settings, bad files refused without a byte changed, versions, migrations."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.model.errors import ProjectFileError
from annotator.services.project import Project
from annotator.store import engine as store_engine
from annotator.store.engine import SCHEMA_VERSION, open_store


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _make_project(path: Path) -> None:
    Project.open(path).close()


def test_new_project_uses_wal_foreign_keys_and_records_version(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    store = open_store(path)
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
    store.close()
    with sqlite3.connect(path) as raw:
        version = raw.execute("select value from meta where key='schema_version'").fetchone()[0]
    assert version == str(SCHEMA_VERSION)


def _not_sqlite(path: Path) -> None:
    path.write_bytes(b"PK\x03\x04 this is a zip file, not a project" * 40)


def _truncated(path: Path) -> None:
    _make_project(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2 + 100])


def _corrupt(path: Path) -> None:
    _make_project(path)
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    data[page + 8 : page * 3] = b"\xde\xad\xbe\xef" * ((page * 3 - page - 8) // 4)
    path.write_bytes(bytes(data))


def _newer(path: Path) -> None:
    _make_project(path)
    with sqlite3.connect(path) as raw:
        raw.execute("update meta set value='999' where key='schema_version'")
    raw.close()


def _foreign_sqlite(path: Path) -> None:
    with sqlite3.connect(path) as raw:
        raw.execute("create table notes(x)")
    raw.close()


def _empty(path: Path) -> None:
    path.write_bytes(b"")


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (_not_sqlite, "not an SQLite database"),
        (_truncated, "corrupt"),
        (_corrupt, "corrupt"),
        (_newer, "newer annotator"),
        (_foreign_sqlite, "not an annotator project"),
        (_empty, "empty"),
    ],
)
@pytest.mark.parametrize("readonly", [False, True])
def test_bad_file_gives_one_line_error_and_is_left_unchanged(
    tmp_path: Path, spoil, message: str, readonly: bool
) -> None:
    path = tmp_path / "bad.db"
    spoil(path)
    for side in tmp_path.glob("bad.db-*"):
        side.unlink()
    before = _digest(path)
    with pytest.raises(ProjectFileError, match=message) as info:
        Project.open(path, readonly=readonly)
    assert "\n" not in str(info.value)
    assert str(path) in str(info.value)
    assert _digest(path) == before


def test_readonly_open_never_writes(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    _make_project(path)
    before = _digest(path)
    project = Project.open(path, readonly=True)
    with project.session() as s:
        assert s is not None
    project.close()
    assert _digest(path) == before


def test_missing_file_in_readonly_mode_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ProjectFileError, match="no such project"):
        Project.open(tmp_path / "nope.db", readonly=True)
    assert not (tmp_path / "nope.db").exists()


def test_older_file_is_backed_up_then_migrated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "p.db"
    _make_project(path)
    with sqlite3.connect(path) as raw:
        original = list(raw.iterdump())
    raw.close()
    calls: list[int] = []

    def add_column(conn) -> None:  # type: ignore[no-untyped-def]
        calls.append(SCHEMA_VERSION + 1)
        conn.exec_driver_sql("ALTER TABLE documents ADD COLUMN extra TEXT")

    monkeypatch.setattr(store_engine, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    monkeypatch.setitem(store_engine.MIGRATIONS, SCHEMA_VERSION + 1, add_column)
    store = open_store(path)
    store.close()
    assert calls == [SCHEMA_VERSION + 1]
    backup = tmp_path / f"p.db.v{SCHEMA_VERSION}.bak"
    with sqlite3.connect(backup) as raw:  # SQLite's backup API: the same content, not the same bytes
        assert list(raw.iterdump()) == original
    raw.close()
    with sqlite3.connect(path) as raw:
        assert raw.execute("select value from meta where key='schema_version'").fetchone()[0] == str(SCHEMA_VERSION + 1)
        assert "extra" in [r[1] for r in raw.execute("pragma table_info(documents)")]


KILLER = r"""
import os, sys, hashlib
from pathlib import Path
from annotator.services.project import Project
from annotator.services import annotations as A
from annotator.store import documents as D
from annotator.store.engine import utc_now
p = Project.open(Path(sys.argv[1]))
text = "Zelensky said NATO must act."
with p.session() as s:
    D.insert_documents(s, [dict(ext_id="d", sha256=hashlib.sha256(text.encode()).hexdigest(), title="t",
        text=text, n_chars=len(text), meta={}, encoding="utf-8", source=None, imported_at=utc_now())])
me = p.annotator("alice")
for i in range(20):
    A.add_span(p, 1, me.id, "claim", 0, 8 + i)  # twenty different spans: the same one again adds nothing
print("saved", flush=True)
os.kill(os.getpid(), 9)
"""


def test_everything_committed_survives_kill_9(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    proc = subprocess.run([sys.executable, "-c", KILLER, str(path)], capture_output=True, text=True)
    assert proc.returncode == -9 and "saved" in proc.stdout
    project = Project.open(path)
    from annotator.services.documents import stats

    assert stats(project)["spans"] == 20
    project.close()
