"""Project health is SQLite's verdict: a file mid-checkpoint opens, a damaged one is rescued beside
itself without a byte of it changing, a read-only folder is still read, and the pre-migration
backup carries the WAL's content."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from annotator.cli import main as cli_main
from annotator.model.errors import ProjectFileError
from annotator.services.documents import stats
from annotator.services.project import Project
from annotator.store import engine as store_engine
from annotator.store import rescue as store_rescue
from annotator.store.engine import SCHEMA_VERSION, open_store
from tests.helpers import add_texts


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _project_with(path: Path, n: int) -> None:
    project = Project.open(path)
    add_texts(project, *[f"Article number {i}. " + "words " * 200 for i in range(n)])
    project.close()


def _crashed_mid_checkpoint(tmp_path: Path) -> Path:
    """The state a kill -9 leaves during a WAL checkpoint: page 1 (with the new page count) already
    copied into the main file, the file not yet grown to that size, the WAL still holding every page."""
    live = tmp_path / "live.db"
    _project_with(live, 3)
    raw = sqlite3.connect(live)
    raw.execute("PRAGMA wal_autocheckpoint=0")
    raw.executemany(
        "insert into documents(ext_id, sha256, title, n_chars, meta, imported_at, text) values (?,?,?,?,?,?,?)",
        [(f"x{i}", f"{i:064d}", "t", 10, "{}", "2024-01-01T00:00:00Z", "x" * 3000) for i in range(300)],
    )
    raw.commit()
    pages = raw.execute("PRAGMA page_count").fetchone()[0]
    crashed = tmp_path / "crashed.db"
    shutil.copy(live, crashed)
    shutil.copy(live.with_name("live.db-wal"), crashed.with_name("crashed.db-wal"))
    raw.close()
    data = bytearray(crashed.read_bytes())
    assert len(data) < pages * int.from_bytes(data[16:18], "big")
    data[28:32] = pages.to_bytes(4, "big")
    crashed.write_bytes(bytes(data))
    return crashed


def test_file_sqlite_reads_is_opened_even_mid_checkpoint(tmp_path: Path) -> None:
    crashed = _crashed_mid_checkpoint(tmp_path)
    project = Project.open(crashed, readonly=True)
    assert stats(project)["documents"] == 303
    project.close()
    project = Project.open(crashed)
    assert stats(project)["documents"] == 303
    with project.session() as s:
        assert s.connection().exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    project.close()


def _damage_a_middle_page(path: Path) -> None:
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    middle = (len(data) // page) // 2
    data[middle * page : (middle + 1) * page] = b"\xde\xad\xbe\xef" * (page // 4)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("method", ["recover", "copy"])
def test_damaged_file_gets_a_rescued_copy_beside_it_and_stays_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, method: str
) -> None:
    if method == "copy":
        monkeypatch.setattr(store_rescue.shutil, "which", lambda _name: None)
    elif shutil.which("sqlite3") is None:
        pytest.skip("the sqlite3 program is not installed")
    path = tmp_path / "p.db"
    _project_with(path, 60)
    _damage_a_middle_page(path)
    before = _digest(path)
    assert cli_main(["--project", str(path), "stats"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "corrupt" in err and "annotator rescue" in err and "Traceback" not in err
    assert cli_main(["rescue", str(path)]) == 0
    out = capsys.readouterr().out
    rescued = tmp_path / "p.rescued.db"
    assert str(rescued) in out and "was not changed" in out
    assert _digest(path) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    copy = Project.open(rescued)
    found = stats(copy)["documents"]
    with copy.session() as s:
        conn = s.connection()
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
    copy.close()
    assert 0 < found <= 60
    assert cli_main(["rescue", str(path)]) == 0
    assert (tmp_path / "p.rescued-2.db").is_file()


def test_nothing_to_rescue_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["rescue", str(tmp_path / "missing.db")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "missing.db" in err


def test_migration_backup_holds_what_is_only_in_the_wal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "p.db"
    _project_with(path, 1)
    writer = sqlite3.connect(path)
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute("insert into meta(key, value) values ('only-in-wal', 'yes')")
    writer.commit()
    assert path.with_name("p.db-wal").stat().st_size > 0
    monkeypatch.setattr(store_engine, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    monkeypatch.setitem(store_engine.MIGRATIONS, SCHEMA_VERSION + 1, lambda conn: None)
    open_store(path).close()
    writer.close()
    backup = tmp_path / f"p.db.v{SCHEMA_VERSION}.bak"
    with sqlite3.connect(backup) as raw:
        assert raw.execute("select value from meta where key='only-in-wal'").fetchone() == ("yes",)
        assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    raw.close()


def test_gui_offers_a_rescued_copy_of_a_damaged_project(qtbot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QMessageBox

    from annotator.ui.dialogs import project_error

    path = tmp_path / "p.db"
    _project_with(path, 60)  # enough documents that the middle page is theirs, not a table root or the scheme
    _damage_a_middle_page(path)
    before = _digest(path)
    with pytest.raises(ProjectFileError) as info:
        Project.open(path)
    seen: list[list[str]] = []

    def click_rescue(box: QMessageBox) -> int:
        seen.append([b.text() for b in box.buttons()])
        next(b for b in box.buttons() if b.text() == "Rescue a copy").click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", click_rescue)
    chosen = project_error.choose_other_project(path, str(info.value))
    assert chosen == tmp_path / "p.rescued.db"
    assert "Rescue a copy" in seen[0]
    assert _digest(path) == before
    Project.open(chosen).close()
