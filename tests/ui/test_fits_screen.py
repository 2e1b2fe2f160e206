"""Issue 10: the window fits the screen. It opens inside the screen's available geometry, and on a
1366x768 laptop the tagging panel's common path (the selected span with its attributes, its
attribution and claim stance, and the document stance for every target) shows without scrolling,
with the less used sections folded; at 1920x1080 everything shows. Both sizes are rendered."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QScrollArea, QWidget
from pytestqt.qtbot import QtBot

from annotator.app import build_main_window
from annotator.model.changes import Changes
from annotator.services import annotations as svc
from annotator.services import documents
from annotator.ui.dock_layout import DEFAULT_SIZE
from annotator.ui.main_window import MainWindow

LAPTOP = (1366, 768)
LAPTOP_CLIENT = (1366, 704)  # 1366x768 less a desktop panel and the window's title bar
DESKTOP = (1920, 1080)


@pytest.fixture
def window(qtbot: QtBot, project_location: Path | str) -> Iterator[MainWindow]:
    win = build_main_window(project_location, annotator_name="alice", seed=True)
    qtbot.addWidget(win)
    yield win


def _claim_with_source(win: MainWindow) -> int:
    project, me = win.ctx.project, win.ctx.recorded_annotator().id
    doc_id = documents.document_ids(project)[0]
    text = documents.load_view(project, doc_id, me).document.text
    c0, s0 = text.index("The US and its allies"), text.index("President Zelensky")
    claim, _ = svc.add_span(project, doc_id, me, "claim", c0, c0 + 60, {"claim_type": "demand", "checkworthy": "yes"})
    source, _ = svc.add_span(project, doc_id, me, "source", s0, s0 + 18, {"source_type": "named_person"})
    svc.link(project, "attributed_to", claim.id, source.id)
    svc.set_stance(project, doc_id, me, "nato_membership", "favor")
    win.open_document(doc_id)
    win.ctx.notify(Changes(frozenset({doc_id}), spans=True, relations=True, stances=True))
    win.ctx.select_span(claim.id)
    return claim.id


def _inside(widget: QWidget, viewport: QWidget) -> bool:
    top = widget.mapTo(viewport, QPoint(0, 0)).y()
    return widget.isVisible() and top >= 0 and top + widget.height() <= viewport.height()


def test_the_window_opens_inside_the_available_screen(qtbot: QtBot, window: MainWindow) -> None:
    assert (window.width(), window.height()) == DEFAULT_SIZE  # fits the 1920x1080 test screen as is
    laptop = QRect(0, 27, 1366, 741)  # a 1366x768 screen with a 27 px top bar
    window.move(300, 200)
    window.fit_to(laptop)
    assert window.width() <= laptop.width() and window.height() + 40 <= laptop.height()
    assert laptop.contains(QRect(window.pos(), window.size()))
    window.show()
    qtbot.waitExposed(window)
    status = window.statusBar()
    assert status.isVisible() and status.mapTo(window, QPoint(0, status.height())).y() <= window.height()


@pytest.mark.parametrize("size", [LAPTOP_CLIENT, LAPTOP, DESKTOP])
def test_the_common_path_shows_without_scrolling(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, size: tuple[int, int]
) -> None:
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    _claim_with_source(window)
    QApplication.processEvents()
    panel = window.tag_panel
    outer = window.tagging_dock.widget()
    assert isinstance(outer, QScrollArea) and outer.verticalScrollBar().maximum() == 0
    viewport = panel.upper_scroll.viewport()
    assert panel.upper_scroll.verticalScrollBar().value() == 0
    editor = panel.span_editor
    path: list[QWidget] = [
        editor,
        *editor.attributes.editors(),
        *editor.link_combos.values(),
        *editor.stance_combos.values(),
        *panel.doc_stance.groups.values(),
    ]
    assert len(path) == 1 + 2 + 1 + 2 + 2
    hidden = [w.objectName() or type(w).__name__ for w in path if not _inside(w, viewport)]
    assert hidden == []
    # the less used sections fold: with no room left the annotation table starts folded, on the
    # desktop it is open and shows its rows
    if size == LAPTOP_CLIENT:
        assert not panel.table_box.expanded
    if size == DESKTOP:
        assert panel.table_box.expanded
    assert panel.label_bar.legend_box.expanded is False
    if size == DESKTOP:
        assert panel.table.isVisible() and panel.table.height() >= 120
    # the article's lines fit its column: no horizontal scrolling at any width
    assert window.article_view.horizontalScrollBar().maximum() == 0
    out = tmp_path / f"window-{size[0]}x{size[1]}.png"
    assert window.grab().save(str(out))
    image = QImage(str(out))
    assert (image.width(), image.height()) == size
