"""Concurrent use of one project: a long write makes the others wait with a message instead of
failing, two imports of one file or three merges of the same files at once end as if run one
after the other (the later ones find nothing new), and a GUI edit while another program holds
the project is refused with a message, leaving the undo stack true."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from annotator.app import build_main_window
from annotator.services.alignment import SpanItem
from annotator.services.documents import document_ids, stats
from annotator.services.project import Project
from annotator.store.engine import WAITING_MESSAGE
from annotator.ui.main_window import MainWindow
from tests.reliability.cli_run import REPO, annotator
from tests.ui.test_main_window import CLAIM_WORDS, drag_select, key, window  # noqa: F401
from tests.ui.test_review import (
    AGREED,
    colleague_file,
    enter_review,
    go_to,
    gold_layer,
    item_of,
    merge,
)
from tests.ui.test_scheme_editor import _open_editor, _row, _type_into

HOLD_LOCK = r"""
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
conn.execute("ROLLBACK")
"""


def _hold_lock(db: Path) -> subprocess.Popen[str]:
    """Another program holding the project's write lock until `_release`."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    return holder


def _release(holder: subprocess.Popen[str]) -> None:
    holder.communicate("\n", timeout=60)


def _cli(*argv: str | Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "annotator", *map(str, argv)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _counts(db: Path) -> dict[str, int]:
    project = Project.open(db, readonly=True)
    try:
        return dict(stats(project))
    finally:
        project.close()


def test_import_waits_with_a_message_while_another_program_writes(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    Project.open(db).close()
    src = tmp_path / "a.jsonl"
    src.write_text(json.dumps({"text": "an article"}) + "\n", encoding="utf-8")
    holder = _hold_lock(db)
    try:
        importing = _cli("--project", db, "import", src)
        assert importing.stderr is not None
        # Held past one action's busy timeout (5 s): before, the import failed here.
        first = importing.stderr.readline()
        assert first.strip() == f"annotator: {WAITING_MESSAGE}", first + importing.stderr.read()
    finally:
        _release(holder)
    out, err = importing.communicate(timeout=120)
    assert importing.returncode == 0 and err == "", err
    assert _counts(db)["documents"] == 1


def test_two_imports_of_one_file_at_once_import_it_once(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    Project.open(db).close()
    src = tmp_path / "a.jsonl"
    src.write_text("".join(json.dumps({"text": f"article {i} " * 50}) + "\n" for i in range(3000)), encoding="utf-8")
    runs = [_cli("--project", db, "import", src) for _ in range(2)]
    outs = [(r.wait(timeout=300), *r.communicate()) for r in runs]
    assert [code for code, _, _ in outs] == [0, 0], outs
    summaries = sorted(out.splitlines()[0] for _, out, _ in outs)
    assert summaries == [
        "Imported 3000 documents from 1 file; 0 duplicates skipped",
        "Nothing new: 3000 duplicates skipped",
    ]
    assert _counts(db)["documents"] == 3000


def test_three_merges_at_once_merge_once(tmp_path: Path) -> None:
    db = tmp_path / "review.db"
    Project.open(db).close()
    alice = colleague_file(tmp_path / "alice.db", "alice")
    bob = colleague_file(tmp_path / "bob.db", "bob")
    runs = [_cli("--project", db, "merge", alice, bob) for _ in range(3)]
    outs = [(r.wait(timeout=300), *r.communicate()) for r in runs]
    assert [code for code, _, _ in outs] == [0, 0, 0], outs
    assert sum(out.count("nothing new") for _, out, _ in outs) == 4, outs  # two files, for two of three runs
    once = tmp_path / "once.db"
    assert annotator("--project", once, "merge", alice, bob).code == 0
    assert _counts(db) == _counts(once)


def test_gui_edit_while_another_program_writes_is_refused_with_a_message(
    qtbot: QtBot,
    window: MainWindow,  # noqa: F811
) -> None:
    text = window.article_view.document_text()
    start = text.index(CLAIM_WORDS)
    holder = _hold_lock(window.ctx.project.path)
    try:
        window.article_view.setFocus()
        drag_select(qtbot, window.article_view, start + 1, start + len(CLAIM_WORDS) - 1)
        key(qtbot, window, "c")
        assert window.ctx.undo_stack.count() == 0
        assert "another program" in window.status.currentMessage()
    finally:
        _release(holder)
    assert window.article_view.spans() == ()
    window.article_view.setFocus()
    window.article_view.select_cp(start + 1, start + len(CLAIM_WORDS) - 1)  # the failed try cleared it
    key(qtbot, window, "c")
    assert window.ctx.undo_stack.count() == 1, window.status.currentMessage()
    assert len(window.article_view.spans()) == 1
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.article_view.spans() == ()


def test_undo_and_redo_while_another_program_writes_leave_the_stack_true(
    qtbot: QtBot,
    window: MainWindow,  # noqa: F811
) -> None:
    """A refused undo or redo changes nothing: the span stays (or stays away), the undo index stays
    where it was, and the status bar says why in one line; once the lock is gone both work."""
    text = window.article_view.document_text()
    start = text.index(CLAIM_WORDS)
    window.article_view.setFocus()
    drag_select(qtbot, window.article_view, start + 1, start + len(CLAIM_WORDS) - 1)
    key(qtbot, window, "c")
    stack = window.ctx.undo_stack
    assert (stack.count(), stack.index(), len(window.article_view.spans())) == (1, 1, 1)
    undo_text = stack.undoText()

    holder = _hold_lock(window.ctx.project.path)
    try:
        window.article_view.setFocus()
        key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        assert (stack.count(), stack.index(), stack.undoText()) == (1, 1, undo_text)
        message = window.status.currentMessage()
        assert "another program" in message and "\n" not in message
    finally:
        _release(holder)
    assert len(window.article_view.spans()) == 1
    assert len(_spans_in(window)) == 1  # the file agrees with the view

    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert (stack.index(), window.article_view.spans(), _spans_in(window)) == (0, (), [])

    holder = _hold_lock(window.ctx.project.path)
    try:
        window.status.post("")
        window.article_view.setFocus()
        key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
        assert (stack.count(), stack.index(), stack.redoText()) == (1, 0, undo_text)
        assert "another program" in window.status.currentMessage()
    finally:
        _release(holder)
    assert (window.article_view.spans(), _spans_in(window)) == ((), [])
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert (stack.index(), len(window.article_view.spans()), len(_spans_in(window))) == (1, 1, 1)


def _spans_in(win: MainWindow) -> list[int]:
    """Span ids in the project file, read by a separate plain sqlite3 connection (the app's view aside)."""
    conn = sqlite3.connect(win.ctx.project.path)
    try:
        return [row[0] for row in conn.execute("SELECT id FROM spans ORDER BY id")]
    finally:
        conn.close()


@pytest.fixture
def reviewer(qtbot: QtBot, tmp_path: Path) -> MainWindow:
    """The reviewer's window with alice's and bob's work merged, on the first document."""
    win = build_main_window(tmp_path / "review.db", annotator_name="rita", seed=True)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    merge(qtbot, win, [colleague_file(tmp_path / "alice.db", "alice"), colleague_file(tmp_path / "bob.db", "bob")])
    win.open_document(document_ids(win.ctx.project)[0])
    return win


def test_undo_and_redo_of_a_review_decision_while_another_program_writes_leave_the_stack_true(
    qtbot: QtBot, reviewer: MainWindow
) -> None:
    """The same for a gold decision (accepting an agreed span): refused, nothing changes, the index
    stays and the status bar says why; once the lock is gone undo and redo work."""
    enter_review(qtbot, reviewer)
    go_to(qtbot, reviewer, item_of(reviewer, SpanItem, lambda i: i.text == AGREED))
    key(qtbot, reviewer, Qt.Key.Key_G)
    stack = reviewer.ctx.undo_stack
    (gold,) = gold_layer(reviewer).spans
    index, undo_text = stack.index(), stack.undoText()

    holder = _hold_lock(reviewer.ctx.project.path)
    try:
        key(qtbot, reviewer, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        assert (stack.index(), stack.undoText()) == (index, undo_text)
        assert "another program" in reviewer.status.currentMessage()
    finally:
        _release(holder)
    assert [s.id for s in gold_layer(reviewer).spans] == [gold.id]
    key(qtbot, reviewer, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert (stack.index(), gold_layer(reviewer).spans) == (index - 1, ())

    holder = _hold_lock(reviewer.ctx.project.path)
    try:
        reviewer.status.post("")
        key(qtbot, reviewer, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
        assert (stack.index(), stack.redoText()) == (index - 1, undo_text)
        assert "another program" in reviewer.status.currentMessage()
    finally:
        _release(holder)
    assert gold_layer(reviewer).spans == ()
    key(qtbot, reviewer, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert (stack.index(), [s.id for s in gold_layer(reviewer).spans]) == (index, [gold.id])


def test_undo_and_redo_of_a_scheme_change_while_another_program_writes_leave_the_stack_true(
    qtbot: QtBot,
    window: MainWindow,  # noqa: F811
) -> None:
    """The same for a scheme change (Scheme editor › Apply): a refused undo or redo raises nothing,
    the scheme stays as it is, the index stays and the status bar says why in one line."""
    dialog = _open_editor(window, qtbot)
    _type_into(dialog, qtbot, _row(dialog, "label", "claim"), 0, "assertion")
    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    dialog.close()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    project, stack = window.ctx.project, window.ctx.undo_stack
    assert (project.scheme.label_names[0], stack.count(), stack.index()) == ("assertion", 1, 1)
    undo_text = stack.undoText()

    holder = _hold_lock(project.path)
    try:
        window.article_view.setFocus()
        key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        assert (stack.count(), stack.index(), stack.undoText()) == (1, 1, undo_text)
        message = window.status.currentMessage()
        assert "another program" in message and "\n" not in message
    finally:
        _release(holder)
    assert project.scheme.label_names[0] == "assertion"
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert (stack.index(), project.scheme.label_names[0]) == (0, "claim")

    holder = _hold_lock(project.path)
    try:
        window.status.post("")
        key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
        assert (stack.count(), stack.index(), stack.redoText()) == (1, 0, undo_text)
        assert "another program" in window.status.currentMessage()
    finally:
        _release(holder)
    assert project.scheme.label_names[0] == "claim"
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert (stack.index(), project.scheme.label_names[0]) == (1, "assertion")
