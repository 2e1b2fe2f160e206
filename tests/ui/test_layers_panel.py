"""The Layers panel's swatches, as the real main window shows them: gold's line is the solid one,
every colleague's line pattern shows a gap, however many colleagues there are."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon, qGray
from PySide6.QtWidgets import QListView, QStyle
from pytestqt.qtbot import QtBot

from annotator.app import build_main_window, seed_project
from annotator.model.types import GOLD
from annotator.services.project import Project


def _line(icon: QIcon, view: QListView) -> str:
    """The swatch's inkiest row at the size the list shows it: '#' ink, '.' none, from the first ink on."""
    size = view.iconSize()
    if not size.isValid():  # the style's own
        side = view.style().pixelMetric(QStyle.PixelMetric.PM_ListViewIconSize, None, view)
        size = QSize(side, side)
    image = icon.pixmap(size).toImage()
    rows = [
        "".join(
            "#" if qGray(image.pixel(x, y)) < 128 and image.pixelColor(x, y).alpha() > 128 else "."
            for x in range(image.width())
        )
        for y in range(image.height())
    ]
    return max(rows, key=lambda row: row.count("#")).strip(".")


@pytest.mark.sqlite_only
def test_each_colleague_swatch_has_a_gap_and_only_gold_is_solid(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "team.db"
    project = Project.open(path)
    try:
        seed_project(project)
        for name in ("alice", "bob", "carol", "dave", "erin", GOLD):
            project.annotator(name)
    finally:
        project.close()
    win = build_main_window(path, annotator_name="alice")
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    model, view = win.layers_panel.model, win.layers_panel.list_view
    lines = {}
    for row in range(model.rowCount()):
        index = model.index(row, 0)
        name = model.data(index).split()[0]
        if name != "alice":  # mine, the editing layer: a filled chip
            lines[name] = _line(model.data(index, Qt.ItemDataRole.DecorationRole), view)
    assert set(lines) == {GOLD, "bob", "carol", "dave", "erin"}
    assert "." not in lines[GOLD] and len(lines[GOLD]) >= 10, lines
    # before: carol's (6, 2, 1, 2) and erin's (8, 3) showed as solid as gold's on a 16-px square
    assert all("." in line for name, line in lines.items() if name != GOLD), lines
