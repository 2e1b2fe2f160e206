"""The current find match (F3) shows the colour of a span under it (trial2, finding 7: it was drawn
as an opaque selection, white on blue, which hid the span). It stays selected, so a label key tags
it, but the selection is translucent and the match is framed heavier than the other matches."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from annotator.ui.main_window import MainWindow
from annotator.ui.widgets.search_highlight import MATCH_COLOR
from tests.ui.test_keyboard_day import _share_near, match_rect
from tests.ui.test_keyboard_only import focus, press, search, window

__all__ = ["window"]  # the fixture, shared with the keyboard-only tests


def _mean(image: QImage, rect: QRect) -> tuple[float, float, float]:
    pixels = [
        image.pixelColor(x, y)
        for y in range(rect.top(), rect.bottom() + 1)
        for x in range(rect.left(), rect.right() + 1)
    ]
    n = max(len(pixels), 1)
    return (sum(p.red() for p in pixels) / n, sum(p.green() for p in pixels) / n, sum(p.blue() for p in pixels) / n)


def _distance(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    return float(sum((x - y) ** 2 for x, y in zip(a, b, strict=True)) ** 0.5)


def test_the_current_match_shows_the_span_under_it_and_is_framed_heavier(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    search(qtbot, window, "guarantees")  # Ctrl+F, the word, Enter: its first match selected
    first, second = window.search.matches[:2]
    press(qtbot, "c")  # the first match becomes a claim
    press(qtbot, Qt.Key.Key_Escape)  # span deselected, frames cleared
    press(qtbot, Qt.Key.Key_F3)  # the next match: plain text
    assert window.article_view.selection_cp() == second
    window.resize(1366, 768)
    press(qtbot, Qt.Key.Key_F3, Qt.KeyboardModifier.ShiftModifier)  # back to the match inside the claim
    assert window.article_view.selection_cp() == first  # still selected: a label key would tag it
    assert focus() is window.article_view
    qtbot.wait(50)
    over_claim = window.article_view.viewport().grab().toImage()
    over_claim.save(str(tmp_path / "current-over-claim.png"))
    press(qtbot, Qt.Key.Key_F3)
    assert window.article_view.selection_cp() == second
    qtbot.wait(50)
    plain = window.article_view.viewport().grab().toImage()
    plain.save(str(tmp_path / "current-plain.png"))

    # The same word, selected as the current match: over the claim it takes the claim's colour.
    claim = QColor(window.ctx.project.scheme.label("claim").color)  # type: ignore[union-attr]
    a, b = _mean(over_claim, match_rect(window, *first)), _mean(plain, match_rect(window, *second))
    assert _distance(a, b) > 25, (a, b)
    assert a[0] - a[2] > b[0] - b[2] + 20  # towards the claim's yellow (more red than blue)
    assert claim.red() > claim.blue()
    # The current match's frame is heavier than another match's.
    current = _share_near(plain, match_rect(window, *second).adjusted(-5, -5, 5, 5), MATCH_COLOR, 40)
    other = _share_near(plain, match_rect(window, *first).adjusted(-5, -5, 5, 5), MATCH_COLOR, 40)
    assert current > other * 1.4, (current, other)
