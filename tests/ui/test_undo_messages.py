"""Ctrl+Z and Ctrl+Shift+Z say what they undid or redid (trial2, finding 6: the edit's own message
stayed up, and a delete brought back by undo was not selected again)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from annotator.ui.main_window import MainWindow
from tests.ui.test_keyboard_only import CLAIM_1, SOURCE_2, back_in_article, press, search, window

__all__ = ["window"]  # the fixture, shared with the keyboard-only tests

CTRL = Qt.KeyboardModifier.ControlModifier
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def test_undo_and_redo_say_what_they_did_and_an_undone_delete_is_selected(qtbot: QtBot, window: MainWindow) -> None:
    search(qtbot, window, SOURCE_2)
    press(qtbot, "s")
    back_in_article(qtbot, window)
    source_id = window.ctx.selected_span_id
    assert source_id is not None
    press(qtbot, "c")  # relabel the source as a claim: the status bar says what was dropped
    assert window.status.currentMessage().startswith("Relabelled as claim")
    press(qtbot, Qt.Key.Key_Z, CTRL)
    assert window.status.currentMessage() == "Undone: Relabel as claim"
    press(qtbot, Qt.Key.Key_Z, CTRL_SHIFT)
    assert window.status.currentMessage() == "Redone: Relabel as claim"

    press(qtbot, Qt.Key.Key_Delete)
    assert window.ctx.selected_span_id is None
    press(qtbot, Qt.Key.Key_Z, CTRL)
    assert window.status.currentMessage() == "Undone: Delete claim"
    assert window.ctx.selected_span_id == source_id  # back, and selected as when it was deleted
    assert window.tag_panel.span_editor.span is not None and window.tag_panel.span_editor.span.id == source_id
    press(qtbot, Qt.Key.Key_Z, CTRL_SHIFT)
    assert window.status.currentMessage() == "Redone: Delete claim"

    window.article_view.setFocus()
    press(qtbot, "2")
    assert window.status.currentMessage().startswith("Document stance on nato membership: against")
    press(qtbot, Qt.Key.Key_Z, CTRL)
    assert window.status.currentMessage() == "Undone: Set document stance on nato membership: against"

    search(qtbot, window, CLAIM_1)
    press(qtbot, "c")
    press(qtbot, Qt.Key.Key_Z, CTRL)
    assert window.status.currentMessage() == "Undone: Add claim"
