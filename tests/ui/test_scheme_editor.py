"""The Scheme editor on the real main window: rename and add through the tree, preview with counts,
refused clashes, apply as one undoable step, undo and redo; and the Guidelines dock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QColorDialog, QTreeWidgetItem
from pytestqt.qtbot import QtBot

from annotator.app import build_main_window
from annotator.services import annotations as svc
from annotator.services import documents
from annotator.ui.dialogs.scheme_editor import SchemeEditorDialog
from annotator.ui.main_window import MainWindow
from annotator.ui.scheme_tree import COLOUR, KEY, NAME


@pytest.fixture
def window(qtbot: QtBot, project_location: Path | str) -> Iterator[MainWindow]:
    win = build_main_window(project_location, annotator_name="alice", seed=True)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win


def _open_editor(win: MainWindow, qtbot: QtBot) -> SchemeEditorDialog:
    qtbot.keyClick(win, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    dialog = win.scheme_editor
    qtbot.waitExposed(dialog)
    return dialog


def _row(dialog: SchemeEditorDialog, group: str, name: str) -> QTreeWidgetItem:
    parent = dialog.tree.groups[group]
    for i in range(parent.childCount()):
        child = parent.child(i)
        if child is not None and child.text(NAME) == name:
            return child
    raise AssertionError(f"no {group} row {name!r}")


def _type_into(dialog: SchemeEditorDialog, qtbot: QtBot, item: QTreeWidgetItem, column: int, text: str) -> None:
    """Select the cell, F2 to edit, select all, type, Enter: as a user renames in the tree."""
    dialog.tree.setCurrentItem(item, column)
    dialog.tree.setFocus()
    qtbot.keyClick(dialog.tree, Qt.Key.Key_F2)
    editor = dialog.tree.focusWidget()
    assert editor is not dialog.tree, "the cell did not open an editor"
    qtbot.keyClick(editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: item.text(column) == text)  # the delegate commits on a queued call


def test_rename_and_addition_apply_as_one_step_and_undo(
    window: MainWindow, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = window.ctx.current_doc_id
    assert doc is not None
    svc.add_span(window.ctx.project, doc, window.ctx.recorded_annotator().id, "claim", 0, 5, {"claim_type": "factual"})
    dialog = _open_editor(window, qtbot)
    assert _row(dialog, "label", "claim").text(5) == "1"

    _type_into(dialog, qtbot, _row(dialog, "label", "claim"), NAME, "assertion")
    assert "rename label claim -> assertion (1 annotation)" in dialog.preview.toPlainText()
    assert _row(dialog, "relation", "attributed_to").text(3) == "assertion -> source"
    qtbot.mouseClick(dialog.add_buttons["label"], Qt.MouseButton.LeftButton)
    added = _row(dialog, "label", "new_label_1")
    _type_into(dialog, qtbot, added, NAME, "quote")
    _type_into(dialog, qtbot, added, KEY, "S")  # the source label's key: refused
    assert "duplicate label key 'S'" in dialog.preview.toPlainText()
    assert not dialog.apply_button.isEnabled()
    _type_into(dialog, qtbot, added, KEY, "Q")
    assert "add label quote" in dialog.preview.toPlainText()
    source_colour = _row(dialog, "label", "source").text(COLOUR)
    monkeypatch.setattr(QColorDialog, "getColor", lambda *_a: QColor(source_colour))
    dialog.tree.itemActivated.emit(added, COLOUR)  # Enter or double-click on the colour cell
    assert f"duplicate label colour '{source_colour}'" in dialog.preview.toPlainText()
    assert not dialog.apply_button.isEnabled()
    monkeypatch.setattr(QColorDialog, "getColor", lambda *_a: QColor("#123456"))
    dialog.tree.itemActivated.emit(added, COLOUR)
    assert added.text(COLOUR) == "#123456" and dialog.apply_button.isEnabled()
    dialog.grab().save(str(tmp_path / "scheme_editor.png"))
    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)

    project = window.ctx.project
    assert project.scheme.label_names == ("assertion", "source", "quote")
    stored = documents.load_view(project, doc, window.ctx.annotator.id).spans
    assert [s.label for s in stored] == ["assertion"]
    assert "label_button_assertion" in {b.objectName() for b in window.tag_panel.label_bar.buttons.values()}
    assert window.ctx.undo_stack.count() == 1
    assert "quote" in window.guidelines_view.browser.toPlainText()

    window.ctx.undo_stack.undo()
    assert project.scheme.label_names == ("claim", "source")
    assert [s.label for s in documents.load_view(project, doc, window.ctx.annotator.id).spans] == ["claim"]
    assert "label_button_claim" in {b.objectName() for b in window.tag_panel.label_bar.buttons.values()}
    window.ctx.undo_stack.redo()
    assert project.scheme.label_names == ("assertion", "source", "quote")
    dialog.close()


def test_removing_a_used_value_is_refused_in_the_preview(window: MainWindow, qtbot: QtBot) -> None:
    doc = window.ctx.current_doc_id
    assert doc is not None
    svc.add_span(window.ctx.project, doc, window.ctx.recorded_annotator().id, "claim", 0, 5, {"claim_type": "factual"})
    dialog = _open_editor(window, qtbot)
    claim_type = _row(dialog, "label", "claim").child(0)
    assert claim_type is not None and claim_type.text(NAME) == "claim_type"
    dialog.tree.setCurrentItem(claim_type.child(0))
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    text = dialog.preview.toPlainText()
    assert "remove attribute value claim.claim_type.factual (1 annotation): REFUSED" in text
    assert not dialog.apply_button.isEnabled()
    dialog.close()


def test_guidelines_dock_shows_the_guidelines_and_descriptions(window: MainWindow) -> None:
    text = window.guidelines_view.browser.toPlainText()
    scheme = window.ctx.project.scheme
    assert "News claims" in text
    assert all(lab.description in text for lab in scheme.labels)
    assert all(t.description in text for t in scheme.targets)


def test_new_project_offers_the_shipped_schemes(
    window: MainWindow, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QFileDialog, QInputDialog

    offered: list[str] = []

    def pick(_parent: object, _title: str, _label: str, items: list[str], *_args: object) -> tuple[str, bool]:
        offered.extend(items)
        return next(i for i in items if i.startswith("fnc1-stance")), True

    monkeypatch.setattr(QInputDialog, "getItem", pick)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(tmp_path / "stance.db"), ""))
    window.files.new_project()
    assert offered[0].startswith("Default: news-claims") and offered[-1] == "From a file…"
    assert any(i.startswith("check-worthiness") for i in offered)
    assert window.ctx.project.path == tmp_path / "stance.db"
    assert window.ctx.project.scheme.label_names == ("evidence",)
    assert set(window.tag_panel.label_bar.buttons) == {"evidence"}
    assert "FNC-1 stance" in window.guidelines_view.browser.toPlainText()


def test_archiving_a_used_label_keeps_its_spans_but_hides_them(window: MainWindow, qtbot: QtBot) -> None:
    doc = window.ctx.current_doc_id
    assert doc is not None
    svc.add_span(window.ctx.project, doc, window.ctx.recorded_annotator().id, "source", 0, 5, {})
    dialog = _open_editor(window, qtbot)
    dialog.tree.setCurrentItem(_row(dialog, "label", "source"))
    qtbot.mouseClick(dialog.archive_button, Qt.MouseButton.LeftButton)
    assert "archive label source (1 annotation)" in dialog.preview.toPlainText()
    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    assert "source" not in window.tag_panel.label_bar.buttons
    assert [s.label for s in documents.load_view(window.ctx.project, doc, window.ctx.annotator.id).spans] == ["source"]
    assert window.article_view._spans == ()
    window.ctx.undo_stack.undo()
    assert "source" in window.tag_panel.label_bar.buttons
    assert [s.label for s in window.article_view._spans] == ["source"]
    dialog.close()


def test_archiving_used_values_keeps_them_valid_but_no_longer_offered(window: MainWindow, qtbot: QtBot) -> None:
    doc = window.ctx.current_doc_id
    assert doc is not None
    svc.add_span(window.ctx.project, doc, window.ctx.recorded_annotator().id, "claim", 0, 5, {"checkworthy": "no"})
    dialog = _open_editor(window, qtbot)
    checkworthy = _row(dialog, "label", "claim").child(1)
    assert checkworthy is not None and checkworthy.text(NAME) == "checkworthy"
    dialog.tree.setCurrentItem(checkworthy.child(1))
    qtbot.mouseClick(dialog.archive_button, Qt.MouseButton.LeftButton)
    dialog.tree.setCurrentItem(_row(dialog, "stance_value", "not_addressed"))
    qtbot.mouseClick(dialog.archive_button, Qt.MouseButton.LeftButton)
    preview = dialog.preview.toPlainText()
    assert "archive attribute value claim.checkworthy.no (1 annotation)" in preview
    assert "archive stance value not_addressed (0 annotations)" in preview
    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    scheme = window.ctx.project.scheme
    assert scheme.archived_stance_values == ("not_addressed",)
    assert "stance.4" not in window.action_map
    checkworthy_def = scheme.label("claim").attribute("checkworthy")  # type: ignore[union-attr]
    assert checkworthy_def is not None and checkworthy_def.active_values == ("yes",)
    spans = documents.load_view(window.ctx.project, doc, window.ctx.annotator.id).spans
    assert [s.attributes for s in spans] == [{"checkworthy": "no"}]
    window.ctx.undo_stack.undo()
    assert window.ctx.project.scheme.archived_stance_values == () and "stance.4" in window.action_map
    dialog.close()
