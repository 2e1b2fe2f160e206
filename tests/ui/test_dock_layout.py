"""The side docks at start: as I left them when they fit, narrowed when they would leave the article
under ARTICLE_MIN_WIDTH (a smaller screen, a dock dragged wide), the same on the frame-first start
(app.run_gui) as on build_main_window; View > Reset layout (Ctrl+Alt+0) puts the defaults back."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from annotator import app
from annotator.services.project import Project
from annotator.ui import settings
from annotator.ui.dock_layout import (
    ARTICLE_MIN_WIDTH,
    DEFAULT_WIDTHS,
    DOCK_MIN_WIDTH,
    REFIT_DELAY_MS,
    fitted_widths,
)
from annotator.ui.main_window import MainWindow

SMALL = (800, 560)  # an 800x600 screen less the title bar


@pytest.fixture
def location(tmp_path: Path) -> Path:
    path = tmp_path / "p.db"
    project = Project.open(path)
    try:
        app.seed_project(project)
    finally:
        project.close()
    settings.set_annotator_name("alice")
    return path


def _widths(win: MainWindow) -> tuple[int, int, int]:
    QApplication.processEvents()
    return win.documents_dock.width(), win.article_view.width(), win.tagging_dock.width()


def _shown(qtbot: QtBot, location: Path, size: tuple[int, int] | None = None) -> MainWindow:
    win = app.build_main_window(location)
    qtbot.addWidget(win)
    if size is not None:
        win.resize(*size)
    win.show()
    qtbot.waitExposed(win)
    QApplication.processEvents()
    return win


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch, location: Path) -> Iterator[list[tuple[int, int, int]]]:
    """Each app.run_gui start's (documents, article, tagging) widths, taken once it runs, then Ctrl+Q."""
    seen: list[tuple[int, int, int]] = []

    def fake_exec(*_args: object) -> int:
        QApplication.processEvents()
        win = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible())
        seen.append(_widths(win))
        win.action_map["quit"].trigger()
        win.deleteLater()
        return 0

    monkeypatch.setattr(QApplication, "exec", fake_exec)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # run_gui installs its own
    yield seen


def test_later_frame_first_starts_restore_the_docks_as_left(
    started: list[tuple[int, int, int]], location: Path
) -> None:
    for _ in range(3):
        assert app.run_gui(location) == 0
    first, *later = started
    assert (first[0], first[2]) == DEFAULT_WIDTHS  # the 1280-px window has room for the defaults
    # before the fix the second start gave the docks 600 px each and the article 68 px
    assert later == [first, first]
    assert first[1] >= ARTICLE_MIN_WIDTH


def test_a_small_window_keeps_a_readable_article_start_after_start(qtbot: QtBot, location: Path) -> None:
    win = _shown(qtbot, location, SMALL)
    docs, article, tag = _widths(win)
    assert article >= ARTICLE_MIN_WIDTH  # the defaults (250 + 400) would leave it 138 px
    assert DOCK_MIN_WIDTH <= docs < DEFAULT_WIDTHS[0] and DOCK_MIN_WIDTH <= tag < DEFAULT_WIDTHS[1]
    win.close()  # saves the layout
    again = _shown(qtbot, location)  # the restored geometry: the small window
    assert again.width() == SMALL[0]
    assert _widths(again) == (docs, article, tag)
    again.close()


def test_a_layout_left_on_a_big_window_is_fitted_to_a_smaller_one(qtbot: QtBot, location: Path) -> None:
    win = _shown(qtbot, location)
    assert _widths(win)[0::2] == DEFAULT_WIDTHS
    win.close()
    smaller = _shown(qtbot, location, SMALL)  # as fit_to leaves it on a smaller screen
    docs, article, tag = _widths(smaller)
    assert article >= ARTICLE_MIN_WIDTH and docs < DEFAULT_WIDTHS[0] and tag < DEFAULT_WIDTHS[1]
    smaller.close()


def test_widths_i_chose_come_back_when_they_fit_and_narrower_when_not(qtbot: QtBot, location: Path) -> None:
    win = _shown(qtbot, location)
    win.resizeDocks([win.documents_dock, win.tagging_dock], [200, 320], Qt.Orientation.Horizontal)
    assert _widths(win)[0::2] == (200, 320)
    win.close()
    again = _shown(qtbot, location)
    assert _widths(again)[0::2] == (200, 320)
    # dragged wide on purpose: the article is left under its minimum for this session ...
    again.resizeDocks([again.tagging_dock], [760], Qt.Orientation.Horizontal)
    docs, article, tag = _widths(again)
    assert article < ARTICLE_MIN_WIDTH and tag == 760
    again.close()
    # ... and the next start gives it back its minimum, the tagging dock still the wider one
    third = _shown(qtbot, location)
    docs3, article3, tag3 = _widths(third)
    assert article3 >= ARTICLE_MIN_WIDTH and 320 < tag3 < 760 and docs3 <= 200
    third.close()


def test_a_window_made_smaller_mid_session_narrows_the_docks_not_the_article(qtbot: QtBot, location: Path) -> None:
    win = _shown(qtbot, location)
    win.resizeDocks([win.documents_dock, win.tagging_dock], [330, 520], Qt.Orientation.Horizontal)
    docs, article, tag = _widths(win)
    assert (docs, tag) == (330, 520) and article >= ARTICLE_MIN_WIDTH
    win.resize(900, 700)  # un-maximised: Qt takes the whole difference from the article (60 px before)
    qtbot.waitUntil(lambda: _widths(win)[1] >= ARTICLE_MIN_WIDTH, timeout=3000)
    docs, article, tag = _widths(win)
    assert DOCK_MIN_WIDTH <= docs < 330 and DOCK_MIN_WIDTH <= tag < 520 and tag > docs
    win.resize(1280, 800)  # made bigger again: the article takes the room, the docks stay
    qtbot.wait(REFIT_DELAY_MS * 2)
    assert _widths(win)[0::2] == (docs, tag)
    win.close()


def test_reset_layout_brings_back_the_default_docks(qtbot: QtBot, location: Path) -> None:
    win = _shown(qtbot, location)
    win.layers_dock.close()
    win.guidelines_dock.raise_()
    win.resizeDocks([win.documents_dock, win.tagging_dock], [420, 600], Qt.Orientation.Horizontal)
    QApplication.processEvents()
    win.activateWindow()
    qtbot.keyClick(win, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
    docs, article, tag = _widths(win)
    assert (docs, tag) == DEFAULT_WIDTHS and article >= ARTICLE_MIN_WIDTH
    assert win.layers_dock.isVisible() and win.tagging_dock.isVisible() and not win.review_dock.isVisible()
    assert win.menus["View"].actions()[0] is not None
    assert "reset_layout" in win.action_map and win.action_map["reset_layout"] in win.menus["View"].actions()
    win.close()


def test_fitted_widths_scale_both_sides_and_respect_their_floors() -> None:
    assert fitted_widths((250, 400), (0, 0), 650) == (250, 400)  # they fit: unchanged
    assert fitted_widths((200, 400), (0, 0), 300) == (DOCK_MIN_WIDTH, 160)  # scaled, the left at its floor
    assert fitted_widths((250, 400), (180, 230), 420) == (180, 240)  # the documents list needs 180 px
    assert fitted_widths((0, 400), (0, 0), 300) == (0, 300)  # no left dock shown
    assert fitted_widths((250, 400), (0, 0), -10) == (DOCK_MIN_WIDTH, DOCK_MIN_WIDTH)  # no room: the floors
