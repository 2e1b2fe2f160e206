"""Issue 10, the source registry in the real main window: completion offers canonical names only,
ranked by use and without deleted spans' spellings; the Sources window (Ctrl+Shift+S) renames,
merges and moves an alias, each undone and redone with Ctrl+Z / Ctrl+Shift+Z. Checked in the store
and on the screen."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot

from annotator.app import build_main_window
from annotator.services import documents, sources
from annotator.ui.dialogs.sources_dialog import SourcesDialog
from annotator.ui.main_window import MainWindow
from tests.ui.test_main_window import key, make_span

CTRL = Qt.KeyboardModifier.ControlModifier
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def window(qtbot: QtBot, project_location: Path | str) -> Iterator[MainWindow]:
    win = build_main_window(project_location, annotator_name="alice", seed=True)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.article_view.setFocus()
    yield win


def canonical_field(win: MainWindow) -> QLineEdit:
    field = win.tag_panel.span_editor.attributes.editor("canonical")
    assert isinstance(field, QLineEdit)
    return field


def tag_source(qtbot: QtBot, win: MainWindow, words: str, name: str, occurrence: int = 0) -> int:
    """Drag over `words`, press S, type the canonical name and Enter; back to the article."""
    span_id = make_span(qtbot, win, words, "s", occurrence)
    field = canonical_field(win)
    field.setFocus()
    qtbot.keyClick(field, Qt.Key.Key_A, CTRL)  # a known spelling comes pre-filled: type over it
    qtbot.keyClicks(field, name)
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert field.text() == name
    win.article_view.setFocus()
    return span_id


def canonical_names(win: MainWindow) -> dict[int, str]:
    doc = win.ctx.current_doc_id
    assert doc is not None
    view = documents.load_view(win.ctx.project, doc, win.ctx.annotator.id)
    return {s.id: s.attributes.get("canonical", "") for s in view.spans}


def offered(qtbot: QtBot, win: MainWindow, typed: str) -> list[str]:
    """Type into the canonical field of the selected source; what the completer pops up."""
    field = canonical_field(win)
    field.setFocus()
    field.clear()
    qtbot.keyClicks(field, typed)
    completer = field.completer()
    popup = completer.popup()
    qtbot.waitUntil(popup.isVisible, timeout=2000)
    model = completer.completionModel()
    names = [model.index(r, 0).data() for r in range(model.rowCount())]
    qtbot.keyClick(popup, Qt.Key.Key_Escape)
    field.clear()
    return names


def test_completion_offers_live_canonical_names_ranked_by_use(qtbot: QtBot, window: MainWindow) -> None:
    wrong = tag_source(qtbot, window, "Volodymyr Zelensky has", "Volodymyr Zelensky has")
    tag_source(qtbot, window, "President Zelensky", "Volodymyr Zelensky")
    tag_source(qtbot, window, "Volodymyr Zelensky", "Volodymyr Zelensky")
    tag_source(qtbot, window, "Reuters", "Reuters")
    window.ctx.select_span(wrong)
    assert offered(qtbot, window, "Vo") == ["Volodymyr Zelensky", "Volodymyr Zelensky has"]

    window.article_view.setFocus()
    window.ctx.select_span(wrong)
    key(qtbot, window, Qt.Key.Key_Delete)
    assert wrong not in canonical_names(window)
    window.ctx.select_span(next(iter(canonical_names(window))))
    # The deleted span's spelling is gone; canonical names only, the most used first.
    assert offered(qtbot, window, "Vo") == ["Volodymyr Zelensky"]
    assert window.tag_panel.span_editor.attributes.completions() == ["Volodymyr Zelensky", "Reuters"]
    assert "Zelensky has" not in sources.alias_map(window.ctx.project)


def open_sources(qtbot: QtBot, window: MainWindow) -> SourcesDialog:
    window.article_view.setFocus()
    key(qtbot, window, Qt.Key.Key_S, CTRL_SHIFT)
    dialog = window.findChild(SourcesDialog, "sources_dialog")
    assert isinstance(dialog, SourcesDialog) and dialog.isVisible()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=2000)
    return dialog


def act(qtbot: QtBot, dialog: SourcesDialog, row: str, alias: bool, typed: str, button: str) -> None:
    """Pick a row, Tab to the name field, type, click the button."""
    assert dialog.select(row, alias)
    dialog.tree.setFocus()
    qtbot.keyClick(dialog.tree, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.name_edit
    qtbot.keyClicks(dialog.name_edit, typed)
    if dialog.name_edit.completer().popup().isVisible():
        dialog.name_edit.completer().popup().hide()
    qtbot.mouseClick(getattr(dialog, f"{button}_button"), Qt.MouseButton.LeftButton)


def test_sources_window_rename_merge_move_alias_with_undo_redo(qtbot: QtBot, window: MainWindow) -> None:
    zel = tag_source(qtbot, window, "President Zelensky", "Volodymyr Zelensky")
    zel2 = tag_source(qtbot, window, "Zelensky", "Zelensky", occurrence=2)
    reuters = tag_source(qtbot, window, "Reuters", "Reuters")
    dialog = open_sources(qtbot, window)
    start = dialog.rows()
    assert start == [
        ("Reuters", 1, []),
        ("Volodymyr Zelensky", 1, [("President Zelensky", 1)]),
        ("Zelensky", 1, []),
    ]

    act(qtbot, dialog, "Reuters", False, "Reuters news agency", "rename")
    assert canonical_names(window)[reuters] == "Reuters news agency"
    assert [r[0] for r in dialog.rows()] == ["Reuters news agency", "Volodymyr Zelensky", "Zelensky"]

    act(qtbot, dialog, "Zelensky", False, "Volodymyr Zelensky", "merge")
    names = canonical_names(window)
    assert names[zel] == names[zel2] == "Volodymyr Zelensky"
    merged = dialog.rows()
    assert merged == [
        ("Volodymyr Zelensky", 2, [("President Zelensky", 1), ("Zelensky", 1)]),
        ("Reuters news agency", 1, [("Reuters", 1)]),  # the span's own spelling is now an alias
    ]
    assert window.tag_panel.span_editor.attributes.completions()[0] == "Volodymyr Zelensky"

    act(qtbot, dialog, "President Zelensky", True, "Zelensky (the president)", "move")
    assert canonical_names(window)[zel] == "Zelensky (the president)"
    assert ("Zelensky (the president)", 1, [("President Zelensky", 1)]) in dialog.rows()

    # Undo all three from inside the window, then redo them: the store and the list follow.
    for _ in range(3):
        qtbot.keyClick(dialog.tree, Qt.Key.Key_Z, CTRL)
    assert dialog.rows() == start
    assert canonical_names(window) == {zel: "Volodymyr Zelensky", zel2: "Zelensky", reuters: "Reuters"}
    for _ in range(2):
        qtbot.keyClick(dialog.tree, Qt.Key.Key_Z, CTRL_SHIFT)
    assert dialog.rows() == merged

    # A refused edit says why and changes nothing.
    act(qtbot, dialog, "Reuters news agency", False, "Volodymyr Zelensky", "rename")
    assert "merge the two" in dialog.message.text()
    assert dialog.rows() == merged
