"""A stale gold write in the real window: a colleague changes the gold span underneath through a
connection of their own; my edit from what the window showed is refused, nothing of it is saved,
and a dialog shows my version beside the stored one and keeps the one I choose."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel
from pytestqt.qtbot import QtBot

from annotator.app import build_main_window
from annotator.services import annotations as svc
from annotator.services.project import Project
from annotator.services.review import SpanItem
from annotator.ui.dialogs.conflict_dialog import ConflictDialog
from annotator.ui.main_window import MainWindow
from tests.ui.test_review import CONFLICT, enter_review, files, go_to, gold_layer, item_of, merged, press

__all__ = ["files", "merged"]  # fixtures, imported to be used here


@pytest.fixture
def window(qtbot: QtBot, project_location: Path | str) -> Iterator[MainWindow]:
    """The reviewer's window on a project seeded with the corpus, a file or on the server."""
    win = build_main_window(project_location, annotator_name="rita", seed=True)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win


@pytest.fixture
def colleague(merged: MainWindow) -> Iterator[Project]:
    """Another curator on the same project, through a connection of their own."""
    other = Project.open(merged.ctx.project.store.location)
    yield other
    other.close()


def _gold_source(qtbot: QtBot, win: MainWindow) -> int:
    """Review mode, the conflicting source accepted into gold with E; its id (selected)."""
    enter_review(qtbot, win)
    go_to(qtbot, win, item_of(win, SpanItem, lambda i: i.text == CONFLICT))
    press(qtbot, win, Qt.Key.Key_E)
    (gold,) = gold_layer(win).spans
    assert win.ctx.selected_span_id == gold.id and gold.attributes["source_type"] == "named_person"
    return gold.id


def _choose_source_type(qtbot: QtBot, win: MainWindow, first_letter: str) -> None:
    combo = win.tag_panel.span_editor.attributes.editor("source_type")
    assert isinstance(combo, QComboBox)
    combo.setFocus()
    qtbot.keyClick(combo, first_letter)  # keyboard search in the combo


def _dialog(qtbot: QtBot, win: MainWindow) -> ConflictDialog:
    qtbot.waitUntil(lambda: win.conflict_dialog is not None and win.conflict_dialog.isVisible())
    assert win.conflict_dialog is not None
    return win.conflict_dialog


def _shown(dialog: ConflictDialog, name: str) -> str:
    label = dialog.findChild(QLabel, f"conflict_{name}")
    assert label is not None
    return label.text()


def test_a_stale_gold_edit_shows_both_versions_and_keeps_mine(
    qtbot: QtBot, merged: MainWindow, colleague: Project
) -> None:
    gold_id = _gold_source(qtbot, merged)
    svc.set_attribute(colleague, gold_id, "source_type", "media")  # underneath the window

    _choose_source_type(qtbot, merged, "o")  # "official", from the version the window showed
    dialog = _dialog(qtbot, merged)
    assert "source type: official" in _shown(dialog, "mine")
    assert "source type: media" in _shown(dialog, "stored")
    assert gold_layer(merged).spans[0].attributes["source_type"] == "media"  # nothing of mine saved

    qtbot.mouseClick(dialog.keep_mine_button, Qt.MouseButton.LeftButton)
    (gold,) = gold_layer(merged).spans
    assert gold.attributes["source_type"] == "official" and gold.version == 3
    assert "Kept your version" in merged.status.currentMessage()
    # The kept write is one undo step: undoing it gives the colleague's version back.
    merged.article_view.setFocus()
    press(qtbot, merged, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert gold_layer(merged).spans[0].attributes["source_type"] == "media"


def test_keeping_theirs_leaves_the_stored_version_and_shows_it(
    qtbot: QtBot, merged: MainWindow, colleague: Project
) -> None:
    gold_id = _gold_source(qtbot, merged)
    svc.set_attribute(colleague, gold_id, "source_type", "media")

    _choose_source_type(qtbot, merged, "o")
    dialog = _dialog(qtbot, merged)
    qtbot.mouseClick(dialog.keep_theirs_button, Qt.MouseButton.LeftButton)
    assert gold_layer(merged).spans[0].attributes["source_type"] == "media"
    combo = merged.tag_panel.span_editor.attributes.editor("source_type")
    assert isinstance(combo, QComboBox) and combo.currentData() == "media"  # the window shows theirs
    assert "Kept the version now stored" in merged.status.currentMessage()
    # And my next edit starts from theirs: no conflict.
    _choose_source_type(qtbot, merged, "o")
    assert gold_layer(merged).spans[0].attributes["source_type"] == "official"


def test_an_undo_over_a_colleagues_change_asks_first(qtbot: QtBot, merged: MainWindow, colleague: Project) -> None:
    gold_id = _gold_source(qtbot, merged)
    _choose_source_type(qtbot, merged, "o")
    assert gold_layer(merged).spans[0].attributes["source_type"] == "official"
    svc.set_attribute(colleague, gold_id, "source_type", "media")

    merged.article_view.setFocus()
    press(qtbot, merged, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # would put named_person back
    dialog = _dialog(qtbot, merged)
    assert gold_layer(merged).spans[0].attributes["source_type"] == "media"
    assert "named person" in _shown(dialog, "mine") or "named_person" in _shown(dialog, "mine")
    qtbot.mouseClick(dialog.keep_mine_button, Qt.MouseButton.LeftButton)
    assert gold_layer(merged).spans[0].attributes["source_type"] == "named_person"
