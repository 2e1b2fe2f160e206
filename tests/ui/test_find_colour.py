"""The find highlight (Ctrl+F, F3) is told apart from every label's fill: an opaque colour far from
all of them, with white text. A new-user trial found the old translucent orange looked like a claim
and turned a source under it olive."""

from __future__ import annotations

import tomllib
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from annotator.app import build_main_window
from annotator.services import documents

SCHEMES = Path(__file__).resolve().parents[2] / "resources" / "schemes"


def _label_colours() -> list[QColor]:
    colours = []
    for path in sorted(SCHEMES.glob("*.toml")):
        scheme = tomllib.loads(path.read_text(encoding="utf-8"))
        colours += [QColor(label["color"]) for label in scheme.get("labels", []) if "color" in label]
    return colours


def _distance(a: QColor, b: QColor) -> float:
    return float(((a.red() - b.red()) ** 2 + (a.green() - b.green()) ** 2 + (a.blue() - b.blue()) ** 2) ** 0.5)


def test_find_matches_are_opaque_and_far_from_every_label_colour(qtbot: QtBot, tmp_path: Path) -> None:
    win = build_main_window(tmp_path / "p.db", annotator_name="dana", seed=True)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.open_document(documents.document_ids(win.ctx.project)[0])
    qtbot.keyClick(win, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(win.document_list.search_edit, "NATO")
    qtbot.waitUntil(lambda: bool(win.article_view.extraSelections()))
    labels = _label_colours()
    assert len(labels) >= 5
    for selection in win.article_view.extraSelections():
        background = selection.format.background().color()
        assert background.alpha() == 255
        assert min(_distance(background, label) for label in labels) > 150
        assert selection.format.foreground().color() == QColor(255, 255, 255)
