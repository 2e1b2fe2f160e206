"""Regression tests for the problems a new-user trial found: the stance target carried over to the
next document, undo/redo changing a document out of sight, stale DISPLAY values, the dead-end
project error dialog, and the tagging panel's table falling off a 1280x800 window."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QScrollArea
from pytestqt.qtbot import QtBot

from annotator import app
from annotator.model.changes import Changes
from annotator.model.types import GOLD
from annotator.services import annotations as svc
from annotator.services import documents as doc_svc
from annotator.services import review
from annotator.services.project import Project
from annotator.ui import settings
from annotator.ui.commands import AddSpanCommand, SetStanceCommand
from annotator.ui.context import AppContext
from annotator.ui.dialogs import project_error
from annotator.ui.main_window import MainWindow
from annotator.ui.models.annotation_table_model import COL_LABEL
from annotator.ui.review_commands import AcceptItemCommand
from annotator.ui.widgets.tag_panel import TagPanelWidget
from tests.helpers import add_texts

TEXTS = ("Zelensky said Ukraine must join NATO.", "A second article about security guarantees.")


@pytest.fixture
def ctx(project: Project, qtbot: QtBot) -> Iterator[AppContext]:
    context = AppContext(project, project.annotator("me"))
    add_texts(project, *TEXTS)
    yield context
    context.undo_stack.clear()


@pytest.fixture
def panel(ctx: AppContext, qtbot: QtBot) -> TagPanelWidget:
    widget = TagPanelWidget(ctx, lambda: (0, 8), lambda: TEXTS[0])
    qtbot.addWidget(widget)
    widget.resize(340, 900)
    widget.show()
    return widget


# -- 1: the active stance target belongs to one document ---------------------------------------


def test_active_stance_target_resets_to_the_first_on_another_document(ctx: AppContext, panel: TagPanelWidget) -> None:
    first, second = doc_svc.document_ids(ctx.project)
    targets = [t.name for t in ctx.project.scheme.targets]
    ctx.open_document(first)
    assert panel.cycle_active_target() == targets[1]
    ctx.notify(Changes(frozenset({first}), stances=True))
    assert panel.active_target == targets[1]  # a refresh of the same document keeps it
    ctx.open_document(second)
    assert panel.active_target == targets[0]
    assert panel.doc_stance.groups[targets[0]].property("active")
    assert panel.set_doc_stance_by_index(1)
    stances = doc_svc.load_view(ctx.project, second, ctx.annotator.id).stances
    assert {(s.target, s.value) for s in stances} == {(targets[0], ctx.project.scheme.stance_values[0])}


# -- 2: undo/redo shows the document it changes -------------------------------------------------


def test_undo_and_redo_open_the_document_of_the_command(ctx: AppContext) -> None:
    first, second = doc_svc.document_ids(ctx.project)
    ctx.open_document(first)
    opened: list[int] = []
    ctx.document_opened.connect(opened.append)
    ctx.push(AddSpanCommand(ctx, first, "claim", 0, 8))
    ctx.push(SetStanceCommand(ctx, first, "nato_membership", "favor"))
    assert opened == []  # the first redo, at push time, happens on the shown document
    ctx.open_document(second)
    ctx.undo_stack.undo()
    assert ctx.current_doc_id == first and opened == [second, first]
    ctx.open_document(second)
    ctx.undo_stack.undo()  # a span command learns its document from its first redo
    assert ctx.current_doc_id == first
    assert doc_svc.load_view(ctx.project, first, ctx.annotator.id).spans == ()
    ctx.open_document(second)
    ctx.undo_stack.redo()
    assert ctx.current_doc_id == first
    assert len(doc_svc.load_view(ctx.project, first, ctx.annotator.id).spans) == 1
    before = len(opened)
    ctx.undo_stack.redo()  # already shown: no second open
    assert len(opened) == before


def test_undo_of_a_review_decision_opens_its_document(ctx: AppContext) -> None:
    first, second = doc_svc.document_ids(ctx.project)
    bob = ctx.project.annotator("bob")
    svc.add_span(ctx.project, first, bob.id, "claim", 0, 8, {})
    item = review.align_document(ctx.project, first, [bob.id]).spans[0]
    ctx.open_document(first)
    ctx.push(AcceptItemCommand(ctx, first, item, bob))
    gold = next(a for a in ctx.project.annotators() if a.name == GOLD)
    ctx.open_document(second)
    ctx.undo_stack.undo()
    assert ctx.current_doc_id == first
    assert doc_svc.load_view(ctx.project, first, gold.id, (gold.id,)).spans == ()
    ctx.open_document(second)
    ctx.undo_stack.redo()
    assert ctx.current_doc_id == first


# -- 3: display detection, the no-display message, the project error dialog -------------------


def _linux_env(monkeypatch: pytest.MonkeyPatch, display: str | None) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    for var in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(var, raising=False)
    if display is not None:
        monkeypatch.setenv("DISPLAY", display)


def test_a_stale_local_display_is_not_available(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(app, "X11_SOCKET_DIR", tmp_path)
    (tmp_path / "X0").touch()
    for display, expected in (
        (":4242", False),
        ("unix:4242", False),
        (":4242.0", False),
        (":0", True),
        ("unix:0", True),
        (":0.1", True),
    ):
        _linux_env(monkeypatch, display)
        assert app.display_available() is expected, display
    _linux_env(monkeypatch, ":4242")
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    assert not app.display_available()
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    monkeypatch.delenv("QT_QPA_PLATFORM")
    assert app.display_available()  # Qt can still use Wayland


def test_a_remote_display_is_checked_with_a_tcp_connect(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as server:
        for number in range(90, 190):
            try:
                server.bind(("127.0.0.1", 6000 + number))
                break
            except OSError:
                continue
        else:
            pytest.skip("no free port in 6090..6189")
        server.listen()
        _linux_env(monkeypatch, f"127.0.0.1:{number}.0")
        assert app.display_available()
    _linux_env(monkeypatch, f"127.0.0.1:{number}")
    assert not app.display_available()  # nothing listens there any more


def test_a_stale_display_gives_the_one_line_message_instead_of_an_abort(tmp_path: Path) -> None:
    assert "merge|agreement" in app.NO_DISPLAY_MESSAGE
    env = {k: v for k, v in os.environ.items() if k not in ("WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["DISPLAY"] = ":4242"
    done = subprocess.run(
        [sys.executable, "-m", "annotator"], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 1
    assert done.stderr.strip() == app.NO_DISPLAY_MESSAGE


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    path = tmp_path / "broken.db"
    path.write_bytes(b"this is not an SQLite file\n" * 10)
    return path


def _answers(monkeypatch: pytest.MonkeyPatch, *choices: project_error.Choice) -> list[str]:
    asked: list[str] = []
    queue = list(choices)

    def fake(_parent: object, _path: Path, message: str) -> project_error.Choice:
        asked.append(message)
        return queue.pop(0)

    monkeypatch.setattr(project_error, "ask_choice", fake)
    return asked


def test_project_error_offers_open_new_and_quit(monkeypatch: pytest.MonkeyPatch, broken: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    _answers(monkeypatch, project_error.Choice.QUIT)
    assert project_error.choose_other_project(broken, "bad") is None
    _answers(monkeypatch, project_error.Choice.OPEN)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(other), ""))
    assert project_error.choose_other_project(broken, "bad") == other
    # A cancelled file dialog, or the broken file itself, asks again; "New" adds .db when needed.
    asked = _answers(monkeypatch, project_error.Choice.OPEN, project_error.Choice.NEW, project_error.Choice.NEW)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: ("", ""))
    names = iter([str(broken), str(tmp_path / "fresh")])
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (next(names), ""))
    assert project_error.choose_other_project(broken, "bad") == tmp_path / "fresh.db"
    assert len(asked) == 3


def test_project_error_box_has_the_three_buttons(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, broken: Path) -> None:
    seen: list[list[str]] = []

    def fake_exec(box: QMessageBox) -> int:
        seen.append([b.text() for b in box.buttons()])
        new = next(b for b in box.buttons() if b.text().startswith("New"))
        new.click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    assert project_error.ask_choice(None, broken, "bad") is project_error.Choice.NEW
    assert sorted(seen[0]) == sorted(["Open another project…", "New project…", "Quit"])


def test_a_broken_start_up_project_leads_to_another_one(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, broken: Path, tmp_path: Path
) -> None:
    settings.set_annotator_name("alice")
    content = broken.read_bytes()
    asked = _answers(monkeypatch, project_error.Choice.NEW)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "new.db"), ""))
    shown: list[MainWindow] = []

    def fake_exec(*_args: object) -> int:
        win = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible())
        shown.append(win)
        win.close()
        return 0

    monkeypatch.setattr(QApplication, "exec", fake_exec)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # run_gui installs its own
    dead_ends: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: dead_ends.append(box.text()) or 0)
    assert app.run_gui(broken) == 0
    assert dead_ends == []  # no OK-only box
    assert len(asked) == 1 and "broken.db" in asked[0]
    assert shown[0].ctx.project.path == (tmp_path / "new.db").resolve()
    shown[0].deleteLater()
    assert broken.read_bytes() == content
    _answers(monkeypatch, project_error.Choice.QUIT)
    assert app.run_gui(broken) == 1
    assert broken.read_bytes() == content


# -- 5: the annotation table stays in view -------------------------------------------------------


def test_annotation_table_stays_inside_a_1280x800_window_with_a_claim_selected(qtbot: QtBot, tmp_path: Path) -> None:
    win = app.build_main_window(tmp_path / "p.db", annotator_name="alice", seed=True)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    qtbot.waitExposed(win)
    doc_id = doc_svc.document_ids(win.ctx.project)[0]
    win.open_document(doc_id)
    text = doc_svc.load_view(win.ctx.project, doc_id, win.ctx.annotator.id).document.text
    claim, _ = svc.add_span(win.ctx.project, doc_id, win.ctx.recorded_annotator().id, "claim", 0, text.index(" "), {})
    win.ctx.notify(Changes(frozenset({doc_id}), spans=True))
    win.ctx.select_span(claim.id)
    QApplication.processEvents()
    outer = win.tagging_dock.widget()
    assert isinstance(outer, QScrollArea)
    assert outer.verticalScrollBar().maximum() == 0  # nothing of the panel is below the window
    table = win.tag_panel.table
    assert table.isVisible() and table.height() >= 120
    bottom = table.mapTo(win, table.rect().bottomLeft()).y()
    assert bottom <= win.height()


def test_label_column_fits_its_text_when_the_first_row_is_added(ctx: AppContext, panel: TagPanelWidget) -> None:
    ctx.open_document(doc_svc.document_ids(ctx.project)[0])
    assert panel.table_model.rowCount() == 0
    assert panel.add_span_from_selection("source")
    table = panel.table
    assert table.columnWidth(COL_LABEL) >= table.sizeHintForColumn(COL_LABEL)
