"""The server goes away under the real window: an edit by key is refused with one line in the status
bar, nothing of it is saved, and the window stays usable; once the server is back the next edit goes
through and is there after reopening. Runs on a cluster of its own (tests/services/test_lost_connection.py
starts it), since the test stops the server under the window."""

from __future__ import annotations

import subprocess
from pathlib import Path

from pytestqt.qtbot import QtBot

from annotator.app import build_main_window, seed_project
from annotator.services.project import Project
from annotator.ui.main_window import MainWindow
from tests.services.test_lost_connection import CLUSTER, own_server
from tests.ui.test_main_window import CLAIM_WORDS, drag_select, key, make_span, stored

__all__ = ["own_server"]  # a fixture, imported to be used here

SOURCE_WORDS = "President Volodymyr Zelensky"


def _window(qtbot: QtBot, url: str) -> MainWindow:
    window = build_main_window(url, annotator_name="alice")
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.ctx.current_doc_id is not None)
    window.activateWindow()  # keys go to the active window's focus widget, as for a user
    qtbot.waitUntil(window.isActiveWindow)
    window.article_view.setFocus()
    return window


def _select(qtbot: QtBot, window: MainWindow, words: str) -> None:
    text = window.article_view.document_text()
    start = text.index(words)
    window.article_view.setFocus()
    drag_select(qtbot, window.article_view, start + 1, start + len(words) - 1)


def test_an_edit_while_the_server_is_away_is_refused_in_one_line_and_the_next_one_saves(
    qtbot: QtBot, own_server: tuple[Path, str]
) -> None:
    folder, url = own_server
    project = Project.open(url)
    try:
        seed_project(project)
    finally:
        project.close()
    window = _window(qtbot, url)
    doc_id = window.ctx.current_doc_id
    claim = make_span(qtbot, window, CLAIM_WORDS, "c")
    assert [s.id for s in stored(window).spans] == [claim]

    subprocess.run([str(CLUSTER), "pause", str(folder)], check=True)
    try:
        window.ctx.select_span(None)
        _select(qtbot, window, SOURCE_WORDS)
        key(qtbot, window, "s")
        message = window.status.currentMessage()
        assert "cannot reach the server; this action was not saved" in message
        assert "\n" not in message
        assert [s.id for s in window.article_view.spans()] == [claim]  # the refused span is not shown
        # The window stays usable: my selection is kept, and trying again says the same.
        start = window.article_view.document_text().index(SOURCE_WORDS)
        assert window.article_view.selection_cp() == (start + 1, start + len(SOURCE_WORDS) - 1)
        window.status.clearMessage()
        key(qtbot, window, "s")
        assert "cannot reach the server" in window.status.currentMessage()
        assert window.isVisible() and window.ctx.current_doc_id == doc_id
    finally:
        subprocess.run([str(CLUSTER), "resume", str(folder)], check=True)

    assert [s.id for s in stored(window).spans] == [claim]  # nothing of the refused edits was saved
    key(qtbot, window, "s")  # the same window, the same project: it connects again by itself
    source = window.ctx.selected_span_id
    assert source is not None and source != claim
    assert {s.id for s in window.article_view.spans()} == {claim, source}
    window.close()

    again = _window(qtbot, url)
    again.open_document(doc_id)
    shown = {(s.id, s.label) for s in again.article_view.spans()}
    assert shown == {(claim, "claim"), (source, "source")}
