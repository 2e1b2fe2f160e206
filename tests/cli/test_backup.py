"""`annotator backup` and File > Save a copy of the project…: a complete copy while the project is open.

A plain copy of NAME.db made while the app runs (or after it was killed) can lack what is still in
NAME.db-wal (a new-user trial found a copy "not an annotator project", and another two documents
short). The copy goes through SQLite's backup API, so it holds every saved change on its own."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot

from annotator import cli
from annotator.app import build_main_window
from annotator.services import annotations as svc
from annotator.services import documents
from annotator.services.project import Project
from tests.helpers import add_texts


def _counts(path: Path) -> tuple[int, int]:
    """Documents and spans, read with the standard library from the file alone (no WAL beside it)."""
    alone = path.with_name("alone-" + path.name)
    shutil.copyfile(path, alone)
    with sqlite3.connect(alone) as raw:
        docs = raw.execute("SELECT count(*) FROM documents").fetchone()[0]
        spans = raw.execute("SELECT count(*) FROM spans").fetchone()[0]
    return int(docs), int(spans)


def test_backup_of_an_open_project_holds_what_is_still_in_its_wal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "desk.db"
    project = Project.open(path)  # stays open, as the app would be: its WAL is not folded back
    try:
        ids = add_texts(project, "NATO met in Vilnius.", "Kyiv wants guarantees.", "A third article.")
        me = project.annotator("dana").id
        svc.add_span(project, ids[0], me, "claim", 0, 4)
        svc.add_span(project, ids[1], me, "claim", 0, 4)
        out = tmp_path / "copy.db"
        assert cli.main(["--project", str(path), "backup", str(out)]) == 0
        assert str(out) in capsys.readouterr().out
        assert _counts(out) == (3, 2)
        # the copy is a project of its own
        assert cli.main(["--project", str(out), "stats", "--json"]) == 0
        assert '"documents": 3' in capsys.readouterr().out
    finally:
        project.close()


def test_backup_refuses_an_existing_file_or_a_missing_folder_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "desk.db"
    Project.open(path).close()
    taken = tmp_path / "taken.db"
    taken.write_bytes(b"someone's file")
    assert cli.main(["--project", str(path), "backup", str(taken)]) == 1
    err = capsys.readouterr().err.strip()
    assert "already exists" in err and str(taken) in err and len(err.splitlines()) == 1
    assert taken.read_bytes() == b"someone's file"
    assert cli.main(["--project", str(path), "backup", str(tmp_path / "no" / "such.db")]) == 1
    assert "no such folder" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".part")) == []


def test_a_server_project_is_pointed_to_pull(project: Project, tmp_path: Path) -> None:
    if project.store.url is None:
        pytest.skip("a project file is copied; only a server project is refused")
    from annotator.model.errors import AnnotatorError

    with pytest.raises(AnnotatorError, match="annotator pull"):
        project.save_copy(tmp_path / "copy.db")


def test_save_a_copy_from_the_window(qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    win = build_main_window(tmp_path / "desk.db", annotator_name="dana", seed=True)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    doc = documents.document_ids(win.ctx.project)[0]
    svc.add_span(win.ctx.project, doc, win.ctx.recorded_annotator().id, "claim", 0, 5)
    out = tmp_path / "copies" / "desk-copy.db"
    out.parent.mkdir()
    offered: list[str] = []

    existing = tmp_path / "copies" / "taken.db"
    existing.write_bytes(b"someone else's file")
    answers = [str(existing), str(out)]
    told: list[str] = []

    def choose(
        _parent: object, _title: str, suggested: str, _filter: str, options: QFileDialog.Option
    ) -> tuple[str, str]:
        assert options & QFileDialog.Option.DontConfirmOverwrite  # never "replace?" for a file it refuses
        offered.append(suggested)
        return answers.pop(0), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", choose)
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text: told.append(text))
    action = win.action_map["save_copy"]
    assert "copy" in action.toolTip().lower() or "copy" in action.statusTip().lower()
    with qtbot.waitSignal(win.files.copy_finished, timeout=20000):
        action.trigger()
    assert Path(offered[0]).name.startswith("desk-copy-")
    assert offered[1] == str(existing) and "already exists" in told[0]  # asked again, from the name chosen
    assert existing.read_bytes() == b"someone else's file"
    assert _counts(out) == (len(documents.document_ids(win.ctx.project)), 1)
