"""Discontinuous spans in the window: click a span, drag over another piece, press F; undo; drawing."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from annotator.ui.main_window import MainWindow
from tests.ui.test_main_window import drag_select, key, make_span, stored, window  # noqa: F401


def test_f_adds_the_selection_as_a_fragment_and_undo_takes_it_back(
    qtbot: QtBot,
    window: MainWindow,  # noqa: F811
    tmp_path: Path,
) -> None:
    text = window.article_view.document_text()
    first_words, second_words = "allies must provide", "security guarantees"
    span_id = make_span(qtbot, window, first_words, "C")
    a = text.index(first_words)
    b = text.index(second_words, a + len(first_words) + 5)
    drag_select(qtbot, window.article_view, b + 1, b + len(second_words) - 1)
    assert window.ctx.selected_span_id == span_id  # a drag does not deselect the span
    key(qtbot, window, Qt.Key.Key_F)
    (span,) = stored(window).spans
    assert span.fragments == ((a, a + len(first_words)), (b, b + len(second_words)))
    assert span.text == f"{first_words} {second_words}"
    assert [s.fragments for s in window.article_view.spans()] == [span.fragments]
    # The gap between the pieces belongs to no span: a click there selects nothing of this span.
    assert window.article_view.span_at(a + len(first_words) + 1) is None
    assert window.article_view.span_at(b + 2) == span_id
    window.grab().save(str(tmp_path / "fragments.png"))

    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    (back,) = stored(window).spans
    assert (back.start, back.end, back.fragments, back.text) == (a, a + len(first_words), (), first_words)
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert stored(window).spans[0].fragments == span.fragments


def test_f_without_a_selected_span_explains_itself(qtbot: QtBot, window: MainWindow) -> None:  # noqa: F811
    messages: list[str] = []
    window.tag_panel.message_posted.connect(messages.append)
    key(qtbot, window, Qt.Key.Key_F)
    assert stored(window).spans == ()
    assert messages and "press F" in messages[-1]
