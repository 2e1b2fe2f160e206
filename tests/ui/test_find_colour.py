"""The find highlight (Ctrl+F, F3) is told apart from every label's fill: a frame in a colour far from
all of them. A new-user trial found the old translucent orange looked like a claim and turned a
source under it olive; the next one found the opaque violet that replaced it hid the spans under a
match (tests/ui/test_keyboard_day.py checks they show through the frame)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from annotator.app import build_main_window
from annotator.services import documents
from annotator.ui.widgets.search_highlight import MATCH_COLOR

SCHEMES = Path(__file__).resolve().parents[2] / "resources" / "schemes"


def _label_colours() -> list[QColor]:
    colours = []
    for path in sorted(SCHEMES.glob("*.toml")):
        scheme = tomllib.loads(path.read_text(encoding="utf-8"))
        colours += [QColor(label["color"]) for label in scheme.get("labels", []) if "color" in label]
    return colours


def _distance(a: QColor, b: QColor) -> float:
    return float(((a.red() - b.red()) ** 2 + (a.green() - b.green()) ** 2 + (a.blue() - b.blue()) ** 2) ** 0.5)


def test_find_matches_are_framed_far_from_every_label_colour(qtbot: QtBot, tmp_path: Path) -> None:
    win = build_main_window(tmp_path / "p.db", annotator_name="dana", seed=True)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.open_document(documents.document_ids(win.ctx.project)[0])
    qtbot.keyClick(win, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(win.document_list.search_edit, "NATO")
    qtbot.waitUntil(lambda: bool(win.article_view.find_ranges()))
    assert not win.article_view.extraSelections()  # nothing painted over the text's own formats
    labels = _label_colours()
    assert len(labels) >= 5
    assert MATCH_COLOR.alpha() == 255
    assert min(_distance(MATCH_COLOR, label) for label in labels) > 150
