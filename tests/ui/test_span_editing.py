"""Issue 10: correcting a span in the real window — edge keys, dragging an end, relabelling with
another label's key — each one undo step that keeps what still applies, checked in the store and
on the screen."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from annotator.app import build_main_window
from annotator.ui.main_window import MainWindow
from tests.ui.test_main_window import click_cp, key, make_span, point_at, stored


@pytest.fixture
def window(qtbot: QtBot, project_location: Path | str) -> Iterator[MainWindow]:
    """The real window on the bundled corpus (5 articles), annotator alice, focus on the article."""
    win = build_main_window(project_location, annotator_name="alice", seed=True)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.article_view.setFocus()
    yield win


CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
SOURCE_WORDS = "Ukrainian President Volodymyr Zelensky has"


def _span(win: MainWindow, span_id: int) -> tuple[str, int, int, str, dict[str, str]]:
    s = next(s for s in stored(win).spans if s.id == span_id)
    return (s.label, s.start, s.end, s.text, dict(s.attributes))


def _content(win: MainWindow) -> tuple[object, ...]:
    """The stored annotations without their timestamps (an undo is an edit too)."""
    view = stored(win)
    return (
        sorted((s.id, s.label, s.start, s.end, s.text, tuple(sorted(s.attributes.items()))) for s in view.spans),
        sorted((r.id, r.type, r.from_span, r.to_span) for r in view.relations),
        sorted((st.id, st.target, st.value, st.span_id) for st in view.stances),
    )


def _shown(win: MainWindow, span_id: int) -> str:
    return next(s.text for s in win.article_view.spans() if s.id == span_id)


def test_edge_keys_move_start_and_end_by_char_and_word_undo_redo(qtbot: QtBot, window: MainWindow) -> None:
    span_id = make_span(qtbot, window, SOURCE_WORDS, "s")
    window.tag_panel.span_editor.attributes.editor("source_type").setCurrentIndex(1)  # type: ignore[union-attr]
    assert _span(window, span_id)[4] == {"source_type": "named_person"}
    window.article_view.setFocus()
    key(qtbot, window, "<")  # end one word left: drops "has"
    assert _span(window, span_id)[3] == "Ukrainian President Volodymyr Zelensky"
    assert _shown(window, span_id) == "Ukrainian President Volodymyr Zelensky"
    assert "Zelensky" in window.tag_panel.span_editor._header.text()
    assert "nothing dropped" in window.status.currentMessage()
    key(qtbot, window, "}")  # start one word right
    key(qtbot, window, "}")
    assert _span(window, span_id)[3] == "Volodymyr Zelensky"
    key(qtbot, window, ",")  # end one character left
    key(qtbot, window, "]")  # start one character right
    assert _span(window, span_id)[3] == "olodymyr Zelensk"
    key(qtbot, window, ".")
    key(qtbot, window, "[")
    assert _span(window, span_id)[3:] == ("Volodymyr Zelensky", {"source_type": "named_person"})
    assert window.ctx.selected_span_id == span_id  # the span stays selected through the edits

    for expected in ("olodymyr Zelensky", "olodymyr Zelensk", "Volodymyr Zelensk", "Volodymyr Zelensky"):
        key(qtbot, window, Qt.Key.Key_Z, CTRL)
        assert _span(window, span_id)[3] == expected
    key(qtbot, window, Qt.Key.Key_Z, CTRL)
    key(qtbot, window, Qt.Key.Key_Z, CTRL)
    key(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert _span(window, span_id)[3] == SOURCE_WORDS
    assert _shown(window, span_id) == SOURCE_WORDS
    for _ in range(3):
        key(qtbot, window, Qt.Key.Key_Z, CTRL | SHIFT)
    assert _span(window, span_id)[3] == "Volodymyr Zelensky"


def test_edge_keys_without_a_selected_span_say_so(qtbot: QtBot, window: MainWindow) -> None:
    window.article_view.setFocus()
    key(qtbot, window, ".")
    assert stored(window).spans == ()
    assert "Select a span first" in window.status.currentMessage()


def test_label_key_on_a_selected_span_relabels_it_keeping_what_applies(qtbot: QtBot, window: MainWindow) -> None:
    claim = make_span(qtbot, window, "allies must provide", "c")
    window.tag_panel.span_editor.attributes.editor("claim_type").setCurrentIndex(4)  # type: ignore[union-attr]
    source = make_span(qtbot, window, SOURCE_WORDS, "s")
    window.ctx.select_span(claim)
    window.tag_panel.span_editor.link_combos["attributed_to"].setCurrentIndex(1)
    window.tag_panel.span_editor.stance_combos["nato_membership"].setCurrentIndex(1)
    before = _content(window)
    assert len(stored(window).relations) == 1 and len([s for s in stored(window).stances if s.span_id == claim]) == 1

    # the source is mislabelled: click it (no text selection) and press C
    click_cp(qtbot, window.article_view, _span(window, source)[1] + 2)
    assert window.ctx.selected_span_id == source
    key(qtbot, window, "c")
    assert _span(window, source)[0] == "claim"
    view = stored(window)
    assert len(view.spans) == 2 and view.relations == ()  # claim -> claim is not an attribution
    message = window.status.currentMessage()
    assert "Relabelled as claim" in message and "attributed to link" in message
    assert window.tag_panel.span_editor.span is not None and window.tag_panel.span_editor.span.label == "claim"

    key(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert _span(window, source)[0] == "source"
    assert _content(window) == before

    # relabelling the claim as a source drops its claim type, its link and its claim stance
    window.ctx.select_span(claim)
    key(qtbot, window, "s")
    view = stored(window)
    assert _span(window, claim)[0] == "source" and _span(window, claim)[4] == {}
    assert view.relations == () and [s for s in view.stances if s.span_id == claim] == []
    message = window.status.currentMessage()
    assert "claim type = demand" in message and "claim stance on nato membership" in message
    key(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert _content(window) == before
    key(qtbot, window, Qt.Key.Key_Z, CTRL | SHIFT)
    assert _span(window, claim)[0] == "source" and stored(window).relations == ()


def test_dragging_an_end_resizes_the_span_snapped(qtbot: QtBot, window: MainWindow) -> None:
    span_id = make_span(qtbot, window, SOURCE_WORDS, "s")
    text = window.article_view.document_text()
    _label, start, end, _t, _a = _span(window, span_id)
    view = window.article_view
    vp = view.viewport()
    qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, pos=point_at(view, start + 3))  # select the span
    assert window.ctx.selected_span_id == span_id
    # grab the end edge and drop it one letter into "has" ... no: into "Zelensky", leaving "has" out
    grab = point_at(view, end)
    grab.setX(grab.x() - 2)
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, pos=grab)
    target = point_at(view, text.index(" has", start) - 1)
    qtbot.mouseMove(vp, target)
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=target)
    # "Zelensk|y": 7 of 8 letters covered, so the word stays whole; "has" is gone
    assert _span(window, span_id)[3] == "Ukrainian President Volodymyr Zelensky"
    assert _shown(window, span_id) == "Ukrainian President Volodymyr Zelensky"
    # grab the start edge and drop it two letters before the end of "President": that word goes
    grab = point_at(view, start)
    grab.setX(grab.x() - 2)
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, pos=grab)
    target = point_at(view, text.index("President", start) + 7)
    qtbot.mouseMove(vp, target)
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=target)
    assert _span(window, span_id)[3] == "Volodymyr Zelensky"
    key(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert _span(window, span_id)[3] == "Ukrainian President Volodymyr Zelensky"
    key(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert _span(window, span_id)[3] == SOURCE_WORDS


def test_the_link_and_stance_rows_hide_without_a_span_and_come_back_refilled_for_the_next(
    qtbot: QtBot, window: MainWindow
) -> None:
    """Switching documents leaves no span selected: the claim's link and stance rows are hidden (no
    field to arm), not destroyed; the next claim, on another document, gets the same rows back, its
    source list filled from that document alone."""
    editor = window.tag_panel.span_editor
    source = make_span(qtbot, window, SOURCE_WORDS, "s")
    make_span(qtbot, window, "allies must provide", "c")
    combos = dict(editor.link_combos)
    stances = dict(editor.stance_combos)
    assert combos and stances and all(c.isVisible() for c in [*combos.values(), *stances.values()])
    combo = next(iter(combos.values()))
    assert combo.findData(source) > 0  # the source on this document is offered
    key(qtbot, window, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)  # the next document
    assert editor.span is None and editor.link_combos == {} and editor.stance_combos == {}
    assert not any(c.isVisible() for c in [*combos.values(), *stances.values()])
    line = next(line for line in window.article_view.document_text().splitlines() if len(line) > 60)
    found = re.search(r"[A-Za-z]{3,} [A-Za-z]{3,} [A-Za-z]{3,}", line)
    assert found is not None
    words = found.group(0)
    make_span(qtbot, window, words, "c")
    assert editor.link_combos == combos and editor.stance_combos == stances  # the same rows, shown again
    assert all(c.isVisible() for c in [*combos.values(), *stances.values()])
    assert combo.findData(source) < 0 and combo.count() == 1  # only "(none)": no source here yet


def test_a_claim_selected_by_its_key_is_laid_out_in_the_first_frame(qtbot: QtBot, window: MainWindow) -> None:
    """The editor lays itself out once for a span, after filling it, not once per row it shows: the
    posted events of the key press (the layout requests, then the paint), with no timer run, leave
    every field in its place, one under the other inside the editor, none squeezed."""
    editor = window.tag_panel.span_editor
    source = make_span(qtbot, window, SOURCE_WORDS, "s")
    key(qtbot, window, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)  # no span selected: rows hidden
    key(qtbot, window, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert editor.span is None
    text = window.article_view.document_text()
    start = text.index("allies must provide")
    window.article_view.setFocus()
    window.article_view.select_cp(start, start + len("allies must provide"))
    key(qtbot, window, "c")
    QApplication.sendPostedEvents()  # what the first frame after the key press is made of
    fields = editor.fields()
    assert editor.span is not None and len(fields) == 5 and editor.delete_button.isVisible()
    places = [QRect(field.mapTo(editor, QPoint(0, 0)), field.size()) for field in fields]
    assert all(f.isVisible() and p.height() >= f.sizeHint().height() for f, p in zip(fields, places, strict=True))
    assert all(editor.rect().contains(place) for place in places)
    assert all(a.bottom() < b.top() for a, b in zip(places, places[1:], strict=False))
    combo = editor.link_combos["attributed_to"]
    assert combo.itemText(combo.findData(source)).startswith("Ukrainian President")


def test_adding_a_span_fills_the_span_editor_once(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor = window.tag_panel.span_editor
    shown: list[object] = []
    real_show = editor._show

    def show(span: object) -> None:
        shown.append(span)
        real_show(span)

    monkeypatch.setattr(editor, "_show", show)
    span_id = make_span(qtbot, window, SOURCE_WORDS, "s")
    # The refresh after the commit leaves the editor to the new span's selection: one fill, for it.
    assert [getattr(s, "id", None) for s in shown] == [span_id]
    assert editor.span is not None and editor.span.id == span_id
    assert window.tag_panel.table.currentIndex().row() == window.tag_panel.table_model.row_of(span_id)
    shown.clear()
    make_span(qtbot, window, SOURCE_WORDS, "s")  # the same text again: no edit, the span selected
    assert [getattr(s, "id", None) for s in shown] == [span_id]
