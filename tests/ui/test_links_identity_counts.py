"""Issue 10 in the real main window: attribution links drawn on the page (View > Show attribution
links), colleagues' spans in their label colour with a per-person style and stacked when identical,
identity per project, and document status that follows the annotations (and agrees with `stats`).
Driven with key presses and mouse clicks; checked in the store and in the rendered pixels."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QImage, QTextCursor
from pytestqt.qtbot import QtBot

from annotator import cli
from annotator.app import build_main_window
from annotator.model.changes import Changes
from annotator.model.types import Status
from annotator.services import annotations as svc
from annotator.services import documents
from annotator.services.team import login_name
from annotator.ui import settings
from annotator.ui.dialogs.first_run import AnnotatorNameDialog
from annotator.ui.main_window import MainWindow
from annotator.ui.models.document_list_model import StatusRole
from annotator.ui.widgets.article_view import ArticleViewWidget
from annotator.ui.widgets.span_painter import layer_styles
from tests.ui.test_main_window import CLAIM_WORDS, click_cp, key, make_span

CTRL = Qt.KeyboardModifier.ControlModifier
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def window(qtbot: QtBot, project_location: Path | str) -> Iterator[MainWindow]:
    win = build_main_window(project_location, annotator_name="alice", seed=True)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    qtbot.waitExposed(win)
    win.article_view.setFocus()
    yield win


def shot(view: ArticleViewWidget) -> QImage:
    view.viewport().repaint()
    return view.viewport().grab().toImage().convertToFormat(QImage.Format.Format_RGB32)


def changed_pixels(a: QImage, b: QImage, area: QRect | None = None) -> list[tuple[int, int, QColor]]:
    """(x, y, colour in `a`) wherever the two renders differ."""
    area = area or QRect(0, 0, a.width(), a.height())
    return [
        (x, y, a.pixelColor(x, y))
        for y in range(max(0, area.top()), min(a.height(), area.bottom() + 1))
        for x in range(max(0, area.left()), min(a.width(), area.right() + 1))
        if a.pixel(x, y) != b.pixel(x, y)
    ]


def span_line_rect(view: ArticleViewWidget, start: int) -> QRect:
    """The first line of a span starting at `start`, in viewport coordinates."""
    cursor = QTextCursor(view.document())
    cursor.setPosition(view.offsets().to_utf16(start))
    caret = view.cursorRect(cursor)
    cursor.movePosition(QTextCursor.MoveOperation.EndOfLine)
    end = view.cursorRect(cursor)
    return QRect(QPoint(caret.left(), caret.top()), QPoint(end.left(), caret.bottom()))


def link_claim_to_source(qtbot: QtBot, window: MainWindow) -> tuple[int, int]:
    source_id = make_span(qtbot, window, "President Zelensky", "s")
    claim_id = make_span(qtbot, window, CLAIM_WORDS, "c")
    key(qtbot, window, Qt.Key.Key_A)
    source = next(s for s in window.article_view.spans() if s.id == source_id)
    click_cp(qtbot, window.article_view, source.start + 3)
    window.ctx.select_span(None)
    return claim_id, source_id


def test_attribution_link_is_drawn_and_toggled_from_the_view_menu(qtbot: QtBot, window: MainWindow) -> None:
    view = window.article_view
    claim_id, source_id = link_claim_to_source(qtbot, window)
    doc = window.ctx.current_doc_id
    assert doc is not None
    (rel,) = documents.load_view(window.ctx.project, doc, window.ctx.annotator.id).relations
    assert (rel.from_span, rel.to_span) == (claim_id, source_id)
    assert window.action_map["show_links"].isChecked()
    ((claim_at, source_at),) = view.link_geometry()
    claim = next(s for s in view.spans() if s.id == claim_id)
    source = next(s for s in view.spans() if s.id == source_id)
    assert span_line_rect(view, claim.start).adjusted(0, -2, 0, 2).contains(claim_at.toPoint())
    assert span_line_rect(view, source.start).adjusted(0, -2, 0, 2).contains(source_at.toPoint())
    with_link = shot(view)

    key(qtbot, window, Qt.Key.Key_L, CTRL_SHIFT)  # View > Show attribution links, off
    assert not window.action_map["show_links"].isChecked() and view.link_geometry() == []
    without = shot(view)
    arc = QRect(claim_at.toPoint(), source_at.toPoint()).normalized()
    arc = arc.adjusted(-8, -int(view.fontMetrics().height() * 1.5), 8, 2)
    diff = changed_pixels(with_link, without)
    assert len(diff) > 40  # the arc and its arrowhead
    assert all(arc.contains(x, y) for x, y, _ in diff)  # ... and nothing else changed
    link_pixels = [c for _, _, c in diff if c.blue() >= c.red() and c.value() < 200]
    assert len(link_pixels) > 20  # drawn in the link colour (a slate blue-grey), over the text
    assert settings.value("view/show_links") in (False, "false")

    key(qtbot, window, Qt.Key.Key_L, CTRL_SHIFT)
    assert len(view.link_geometry()) == 1
    key(qtbot, window, Qt.Key.Key_Z, CTRL)  # undo the link: the arc goes
    assert view.link_geometry() == []
    assert changed_pixels(shot(view), without) == []


def test_colleagues_identical_spans_stack_in_label_colour_with_a_style_each(qtbot: QtBot, window: MainWindow) -> None:
    view = window.article_view
    mine = make_span(qtbot, window, CLAIM_WORDS, "c")
    window.ctx.select_span(None)
    doc = window.ctx.current_doc_id
    assert doc is not None
    claim = next(s for s in view.spans() if s.id == mine)
    project = window.ctx.project
    bob, carol = project.annotator("bob"), project.annotator("carol")
    for who in (bob, carol):
        svc.add_span(project, doc, who.id, "claim", claim.start, claim.end)
    window.ctx.notify(Changes(frozenset({doc}), spans=True, annotators=True))  # as a merge does
    styles = layer_styles(project.annotators())
    assert styles[bob.id] != styles[carol.id]  # a dash pattern per person

    alone = shot(view)
    window.layers_panel.show_all()
    qtbot.waitUntil(lambda: len(view.spans()) == 3)
    assert {s.annotator_id for s in view.spans()} == {window.ctx.annotator.id, bob.id, carol.id}
    stacked = shot(view)
    line = span_line_rect(view, claim.start)
    diff = changed_pixels(stacked, alone)
    assert diff and all(line.adjusted(-2, -1, 0, 1).contains(x, y) for x, y, _ in diff)
    # Two rows of underline, one per colleague, none hidden under my fill.
    rows = sorted({y for x, y, _ in diff if sum(1 for _, yy, _ in diff if yy == y) > 20})
    assert len(rows) >= 2 and rows[-1] - rows[0] >= 2
    # In the claim label's colour (amber), not a per-person palette colour.
    label = QColor(project.scheme.label("claim").color)  # type: ignore[union-attr]
    hues = [c.hslHue() for _, _, c in diff if c.hslSaturation() > 60]
    near = [h for h in hues if abs(h - label.hslHue()) <= 20]
    assert hues and len(near) >= 0.9 * len(hues), sorted(set(hues))  # the rest: blends with glyph edges

    window.layers_panel.set_checked(bob.id, False)
    qtbot.waitUntil(lambda: len(view.spans()) == 2)
    one = changed_pixels(shot(view), alone)
    assert one and len({y for _, y, _ in one}) < len({y for _, y, _ in diff})


@pytest.mark.sqlite_only  # the name chosen per project file (on a server the annotator is the login)
def test_opening_a_project_records_nobody_and_the_name_is_per_project(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    project = window.ctx.project
    mine = project.path  # the file the window opened
    assert project.annotators() == []  # opened and looked at: nobody recorded
    assert window.status.name_button.text() == f"alice in {mine.name}"
    assert "first annotation" in window.status.name_button.toolTip()
    make_span(qtbot, window, CLAIM_WORDS, "c")
    assert [a.name for a in project.annotators()] == ["alice"]

    settings.set_annotator_name("alice")  # the first-run name, the default everywhere
    qtbot.mouseClick(window.status.name_button, Qt.MouseButton.LeftButton)
    dialog = window.findChild(AnnotatorNameDialog)
    assert dialog is not None
    dialog.name_edit.clear()
    qtbot.keyClicks(dialog.name_edit, "alice.k")
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return)
    assert window.status.name_button.text() == f"alice.k in {mine.name}"
    assert [a.name for a in window.ctx.project.annotators()] == ["alice"]  # renaming records nobody either

    other = tmp_path / "other.db"
    assert window.files.open_path(other, create=True)
    assert window.ctx.annotator.name == "alice"  # the rename stayed in my file
    assert window.status.name_button.text() == "alice in other.db"
    assert window.ctx.project.annotators() == []
    assert window.files.open_path(mine)
    assert window.ctx.annotator.name == "alice.k"
    make_span(qtbot, window, CLAIM_WORDS, "c")
    assert sorted(a.name for a in window.ctx.project.annotators()) == ["alice", "alice.k"]


def list_status(window: MainWindow, doc_id: int) -> str:
    model = window.document_list.model
    row = model.row_of(doc_id)
    assert row is not None
    return str(model.data(model.index(row, 0), StatusRole))


def stored_status(window: MainWindow, doc_id: int) -> Status:
    return documents.load_view(window.ctx.project, doc_id, window.ctx.annotator.id).status.status


def test_status_follows_annotations_and_stats_agrees_with_the_window(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = window.ctx.current_doc_id
    assert doc is not None
    make_span(qtbot, window, CLAIM_WORDS, "c")
    assert stored_status(window, doc) == Status.IN_PROGRESS and list_status(window, doc) == "in_progress"
    key(qtbot, window, Qt.Key.Key_Z, CTRL)  # undo "add claim": nothing of mine is left
    assert stored_status(window, doc) == Status.NOT_STARTED and list_status(window, doc) == "not_started"
    key(qtbot, window, Qt.Key.Key_Z, CTRL_SHIFT)
    assert stored_status(window, doc) == Status.IN_PROGRESS and list_status(window, doc) == "in_progress"
    click_cp(qtbot, window.article_view, window.article_view.spans()[0].start + 2)
    key(qtbot, window, Qt.Key.Key_Delete)
    assert stored_status(window, doc) == Status.NOT_STARTED and list_status(window, doc) == "not_started"

    make_span(qtbot, window, CLAIM_WORDS, "c")
    key(qtbot, window, Qt.Key.Key_Return, CTRL)  # done, and on to the next
    assert window.ctx.current_doc_id != doc
    window.open_document(doc)
    window.article_view.setFocus()
    click_cp(qtbot, window.article_view, window.article_view.spans()[0].start + 2)
    key(qtbot, window, Qt.Key.Key_Delete)
    assert stored_status(window, doc) == Status.DONE and list_status(window, doc) == "done"  # I said done
    second = window.document_list.model.doc_ids()[1]
    window.open_document(second)
    window.article_view.setFocus()
    make_span(qtbot, window, "NATO", "c")

    capsys.readouterr()
    assert cli.main(["--project", str(window.ctx.project.store.location), "stats", "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    model = window.document_list.model
    shown = [str(model.data(model.index(r, 0), StatusRole)) for r in range(model.rowCount())]
    assert stats["documents"] == model.rowCount()
    assert stats["annotators"] == len(window.layers_panel.model.annotator_ids()) == 1
    everyone = [a.id for a in window.ctx.project.annotators()]
    assert stats["spans"] == sum(
        len(documents.load_view(window.ctx.project, d, 0, everyone).spans) for d in (doc, second)
    )
    assert stats["status"]["done"] == shown.count("done") == 1
    assert stats["status"]["in_progress"] == shown.count("in_progress") == 1
    assert window.status.progress_label.text() == f"1 of {model.rowCount()} done"


def test_review_mode_switched_before_my_first_annotation_undoes_back_to_my_recorded_layer(
    qtbot: QtBot, window: MainWindow
) -> None:
    key(qtbot, window, Qt.Key.Key_R, CTRL)  # into review mode (gold is recorded: it is a layer)
    assert window.review.active
    key(qtbot, window, Qt.Key.Key_R, CTRL)  # and out, still unrecorded myself
    assert not window.review.active and window.ctx.annotator.id == 0
    window.article_view.setFocus()
    span_id = make_span(qtbot, window, CLAIM_WORDS, "c")
    me = window.ctx.annotator
    assert me.id != 0 and me.name == (login_name(window.ctx.project) or "alice")
    for _ in range(3):  # undo the claim, the leave and the enter
        key(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert not window.review.active
    assert window.ctx.annotator == me  # my recorded layer, not the stale unrecorded one
    key(qtbot, window, Qt.Key.Key_Z, CTRL_SHIFT)
    assert window.review.active
    key(qtbot, window, Qt.Key.Key_Z, CTRL_SHIFT)
    key(qtbot, window, Qt.Key.Key_Z, CTRL_SHIFT)
    assert window.ctx.annotator == me and [s.id for s in window.article_view.spans()] == [span_id]
