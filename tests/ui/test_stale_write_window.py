"""A stale gold write in the real window: a colleague changes the gold span underneath through a
connection of their own; my edit from what the window showed is refused, nothing of it is saved,
and a dialog shows my version beside the stored one and keeps the one I choose."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QLabel
from pytestqt.qtbot import QtBot

from annotator.app import build_main_window
from annotator.model.scheme import Scheme, parse_scheme
from annotator.model.scheme_toml import scheme_to_toml
from annotator.services import annotations as svc
from annotator.services import review, schemes
from annotator.services.project import Project
from annotator.services.review import SpanItem
from annotator.ui.dialogs.conflict_dialog import ConflictDialog
from annotator.ui.dialogs.scheme_editor import SchemeEditorDialog
from annotator.ui.main_window import MainWindow
from annotator.ui.scheme_tree import NAME
from tests.ui.test_review import AGREED, CONFLICT, enter_review, files, go_to, gold_layer, item_of, merged, press
from tests.ui.test_scheme_editor import _open_editor, _row, _type_into
from tests.ui.test_sources_window import act, canonical_names, open_sources, tag_source

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

    stack = merged.ctx.undo_stack
    index, undo_text = stack.index(), stack.undoText()
    merged.article_view.setFocus()
    press(qtbot, merged, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # would put named_person back
    dialog = _dialog(qtbot, merged)
    assert gold_layer(merged).spans[0].attributes["source_type"] == "media"
    assert "named person" in _shown(dialog, "mine") or "named_person" in _shown(dialog, "mine")
    # Refused, the undo did nothing: the stack's index stays until I choose.
    assert (stack.index(), stack.undoText()) == (index, undo_text)
    qtbot.mouseClick(dialog.keep_mine_button, Qt.MouseButton.LeftButton)
    assert gold_layer(merged).spans[0].attributes["source_type"] == "named_person"
    assert stack.index() == index - 1  # kept mine: the undo is done now
    press(qtbot, merged, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert gold_layer(merged).spans[0].attributes["source_type"] == "official"  # my own redo: no conflict


def test_a_refused_undo_kept_theirs_leaves_the_step_to_undo(
    qtbot: QtBot, merged: MainWindow, colleague: Project
) -> None:
    gold_id = _gold_source(qtbot, merged)
    _choose_source_type(qtbot, merged, "o")
    svc.set_attribute(colleague, gold_id, "source_type", "media")
    stack = merged.ctx.undo_stack
    index = stack.index()

    merged.article_view.setFocus()
    press(qtbot, merged, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.mouseClick(_dialog(qtbot, merged).keep_theirs_button, Qt.MouseButton.LeftButton)
    assert gold_layer(merged).spans[0].attributes["source_type"] == "media"
    assert stack.index() == index  # nothing was undone, and the stack says so


def _gold_claim(qtbot: QtBot, win: MainWindow) -> int:
    """Review mode, the agreed claim accepted into gold with E; its id (selected in the span editor)."""
    enter_review(qtbot, win)
    go_to(qtbot, win, item_of(win, SpanItem, lambda i: i.text == AGREED))
    press(qtbot, win, Qt.Key.Key_E)
    (gold,) = gold_layer(win).spans
    assert win.ctx.selected_span_id == gold.id and gold.label == "claim"
    return gold.id


def _choose_claim_stance(qtbot: QtBot, win: MainWindow, first_letter: str) -> None:
    combo = win.tag_panel.span_editor.stance_combos["nato_membership"]
    combo.setFocus()
    qtbot.keyClick(combo, first_letter)


def test_a_stale_claim_stance_in_the_span_editor_shows_both_and_keeps_mine(
    qtbot: QtBot, merged: MainWindow, colleague: Project
) -> None:
    gold_id = _gold_claim(qtbot, merged)
    doc_id, gold_who = merged.ctx.current_doc_id, merged.ctx.annotator.id
    assert doc_id is not None
    svc.set_stance(colleague, doc_id, gold_who, "nato_membership", "against", gold_id)  # underneath

    _choose_claim_stance(qtbot, merged, "f")  # favor, from "no stance" as the window showed it
    dialog = _dialog(qtbot, merged)
    assert "favor" in _shown(dialog, "mine") and "against" in _shown(dialog, "stored")
    stored = [st for st in gold_layer(merged).stances if st.span_id == gold_id]
    assert [st.value for st in stored] == ["against"]  # nothing of mine saved

    qtbot.mouseClick(dialog.keep_mine_button, Qt.MouseButton.LeftButton)
    stored = [st for st in gold_layer(merged).stances if st.span_id == gold_id]
    assert [st.value for st in stored] == ["favor"]
    combo = merged.tag_panel.span_editor.stance_combos["nato_membership"]
    assert combo.currentData() == "favor"


def test_a_stale_claim_stance_kept_theirs_shows_theirs(qtbot: QtBot, merged: MainWindow, colleague: Project) -> None:
    gold_id = _gold_claim(qtbot, merged)
    doc_id, gold_who = merged.ctx.current_doc_id, merged.ctx.annotator.id
    assert doc_id is not None
    _choose_claim_stance(qtbot, merged, "f")
    svc.set_stance(colleague, doc_id, gold_who, "nato_membership", "against", gold_id)

    _choose_claim_stance(qtbot, merged, "n")  # neutral, over the favor the window showed
    qtbot.mouseClick(_dialog(qtbot, merged).keep_theirs_button, Qt.MouseButton.LeftButton)
    stored = [st for st in gold_layer(merged).stances if st.span_id == gold_id]
    assert [st.value for st in stored] == ["against"]
    combo = merged.tag_panel.span_editor.stance_combos["nato_membership"]
    assert combo.currentData() == "against"  # the window shows theirs


def _described(scheme: Scheme, text: str) -> Scheme:
    """`scheme` with another description: a scheme change a colleague makes."""
    toml = scheme_to_toml(scheme)
    return parse_scheme(re.sub(r"^description = .*$", f'description = "{text}"', toml, count=1, flags=re.M))


def _add_label_in_editor(qtbot: QtBot, win: MainWindow, name: str) -> SchemeEditorDialog:
    dialog = _open_editor(win, qtbot)
    qtbot.mouseClick(dialog.add_buttons["label"], Qt.MouseButton.LeftButton)
    _type_into(dialog, qtbot, _row(dialog, "label", "new_label_1"), NAME, name)
    assert f"add label {name}" in dialog.preview.toPlainText()
    return dialog


def _back_to(qtbot: QtBot, win: MainWindow) -> None:
    """The main window active again after the Scheme editor closed, the article focused (Ctrl+Z)."""
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win)
    win.article_view.setFocus()


def test_a_stale_scheme_change_shows_both_changes_and_reloads_theirs(
    qtbot: QtBot, window: MainWindow, project_location: Path | str, tmp_path: Path
) -> None:
    # Their change lands before its notification reaches this window (the live feed would take it
    # up at once): the feed is stopped to hold that moment, the race the stale check is for.
    window.live.stop()
    colleague = Project.open(project_location)
    try:
        schemes.apply(colleague, _described(colleague.scheme, "their description"), "bob")
    finally:
        colleague.close()
    dialog = _add_label_in_editor(qtbot, window, "quote")
    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: dialog.conflict_dialog is not None and dialog.conflict_dialog.isVisible())
    conflict = dialog.conflict_dialog
    assert conflict is not None
    mine, theirs = (conflict.findChild(QLabel, f"scheme_conflict_{n}") for n in ("mine", "stored"))
    assert mine is not None and theirs is not None
    assert "add label quote" in mine.text() and "description" not in mine.text()
    assert "description" in theirs.text() and "quote" not in theirs.text()
    why = conflict.findChild(QLabel, "scheme_conflict_why")
    assert why is not None and "take back their changes" in why.text()
    conflict.grab().save(str(tmp_path / "scheme_conflict.png"))
    project = window.ctx.project
    assert "quote" not in project.scheme.label_names and window.ctx.undo_stack.count() == 0  # nothing saved

    qtbot.mouseClick(conflict.reload_button, Qt.MouseButton.LeftButton)
    assert project.scheme.description == "their description"  # theirs is this window's now
    assert "add label quote" in dialog.to_redo.text() and dialog.to_redo.isVisible()
    assert "quote" not in [dialog.tree.groups["label"].child(i).text(NAME) for i in range(2)]  # type: ignore[union-attr]
    # Made again on top of theirs, my change applies: one undo step, and both changes are kept.
    qtbot.mouseClick(dialog.add_buttons["label"], Qt.MouseButton.LeftButton)
    _type_into(dialog, qtbot, _row(dialog, "label", "new_label_1"), NAME, "quote")
    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    assert "quote" in project.scheme.label_names and project.scheme.description == "their description"
    assert window.ctx.undo_stack.count() == 1 and not dialog.to_redo.isVisible()
    dialog.close()


def test_an_undo_of_a_scheme_change_made_before_theirs_is_refused_and_the_stack_stays(
    qtbot: QtBot, window: MainWindow, project_location: Path | str
) -> None:
    dialog = _add_label_in_editor(qtbot, window, "quote")
    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    dialog.close()
    stack, project = window.ctx.undo_stack, window.ctx.project
    assert (stack.count(), stack.index()) == (1, 1)
    window.live.stop()  # their change lands before its notification reaches this window (see above)
    colleague = Project.open(project_location)
    try:
        schemes.apply(colleague, _described(colleague.scheme, "their description"), "bob")
    finally:
        colleague.close()

    _back_to(qtbot, window)
    press(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # not reloaded: the service refuses
    assert (stack.index(), "quote" in project.scheme.label_names) == (1, True)
    assert "someone else changed the scheme" in window.status.currentMessage()

    dialog = _add_label_in_editor(qtbot, window, "comment")  # refused in turn; keep theirs
    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.conflict_dialog is not None and dialog.conflict_dialog.isVisible())
    assert dialog.conflict_dialog is not None
    qtbot.mouseClick(dialog.conflict_dialog.keep_theirs_button, Qt.MouseButton.LeftButton)
    assert project.scheme.description == "their description"
    dialog.close()

    _back_to(qtbot, window)
    press(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # would take back theirs too
    assert (stack.index(), project.scheme.description) == (1, "their description")
    assert "quote" in project.scheme.label_names
    assert "take back their change" in window.status.currentMessage()


def _colleague_accepts(merged: MainWindow, colleague: Project, key: str, who: str) -> None:
    """Another curator accepts `who`'s version of the item `key` through their own connection."""
    doc_id = merged.ctx.current_doc_id
    assert doc_id is not None
    names = {a.name: a.id for a in colleague.annotators()}
    compared = [names["alice"], names["bob"]]
    review.accept(colleague, doc_id, review.align_document(colleague, doc_id, compared).item(key), names[who])


def test_two_curators_deciding_one_item_the_second_sees_both_and_keeps_mine(
    qtbot: QtBot, merged: MainWindow, colleague: Project
) -> None:
    enter_review(qtbot, merged)
    key = item_of(merged, SpanItem, lambda i: i.text == CONFLICT)
    go_to(qtbot, merged, key)
    _colleague_accepts(merged, colleague, key, "bob")  # official, underneath the window
    stack = merged.ctx.undo_stack
    count = stack.count()

    press(qtbot, merged, Qt.Key.Key_G)  # alice's version (the first column), from what the panel showed
    dialog = _dialog(qtbot, merged)
    assert "source type: named person" in _shown(dialog, "mine") or "named_person" in _shown(dialog, "mine")
    assert "official" in _shown(dialog, "stored")
    assert [s.attributes["source_type"] for s in gold_layer(merged).spans] == ["official"]  # nothing of mine
    assert stack.count() == count  # the refused decision is not an undo step

    qtbot.mouseClick(dialog.keep_mine_button, Qt.MouseButton.LeftButton)
    assert [s.attributes["source_type"] for s in gold_layer(merged).spans] == ["named_person"]
    assert stack.count() == count + 1  # kept: one undo step, which gives theirs back
    merged.review_panel.table.setFocus()
    press(qtbot, merged, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert [s.attributes["source_type"] for s in gold_layer(merged).spans] == ["official"]


def test_a_reject_after_another_curators_decision_kept_theirs(
    qtbot: QtBot, merged: MainWindow, colleague: Project
) -> None:
    enter_review(qtbot, merged)
    key = item_of(merged, SpanItem, lambda i: i.text == CONFLICT)
    go_to(qtbot, merged, key)
    _colleague_accepts(merged, colleague, key, "bob")

    press(qtbot, merged, Qt.Key.Key_X)  # reject, from the item as shown (no gold yet)
    dialog = _dialog(qtbot, merged)
    assert "(removed)" in _shown(dialog, "mine") and "official" in _shown(dialog, "stored")
    qtbot.mouseClick(dialog.keep_theirs_button, Qt.MouseButton.LeftButton)
    assert [s.attributes["source_type"] for s in gold_layer(merged).spans] == ["official"]
    assert not merged.review_panel.model.alignment.item(key).rejected  # type: ignore[union-attr]


def test_an_undo_of_a_decision_over_a_colleagues_gold_edit_asks_first(
    qtbot: QtBot, merged: MainWindow, colleague: Project
) -> None:
    enter_review(qtbot, merged)
    go_to(qtbot, merged, item_of(merged, SpanItem, lambda i: i.text == CONFLICT))
    press(qtbot, merged, Qt.Key.Key_G)
    (gold,) = gold_layer(merged).spans
    svc.set_attribute(colleague, gold.id, "source_type", "media")
    stack = merged.ctx.undo_stack
    index = stack.index()

    merged.review_panel.table.setFocus()
    press(qtbot, merged, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # would remove their edit too
    dialog = _dialog(qtbot, merged)
    assert "media" in _shown(dialog, "stored")
    assert [s.attributes["source_type"] for s in gold_layer(merged).spans] == ["media"]
    assert stack.index() == index  # nothing undone until I choose
    qtbot.mouseClick(dialog.keep_mine_button, Qt.MouseButton.LeftButton)
    assert gold_layer(merged).spans == () and stack.index() == index - 1


def test_undoing_a_source_rename_over_a_colleagues_edit_asks_first(
    qtbot: QtBot, window: MainWindow, project_location: Path | str
) -> None:
    zel = tag_source(qtbot, window, "President Zelensky", "Volodymyr Zelensky")
    sources_window = open_sources(qtbot, window)
    act(qtbot, sources_window, "Volodymyr Zelensky", False, "Zelensky", "rename")
    assert canonical_names(window)[zel] == "Zelensky"
    stack = window.ctx.undo_stack
    index = stack.index()
    colleague = Project.open(project_location)
    try:
        svc.set_attribute(colleague, zel, "canonical", "V. Zelensky")  # after my rename, underneath
    finally:
        colleague.close()

    qtbot.keyClick(sources_window.tree, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo my rename
    dialog = _dialog(qtbot, window)
    assert "V. Zelensky" in _shown(dialog, "stored") and "Volodymyr Zelensky" in _shown(dialog, "mine")
    assert canonical_names(window)[zel] == "V. Zelensky" and stack.index() == index  # nothing undone
    qtbot.mouseClick(dialog.keep_theirs_button, Qt.MouseButton.LeftButton)
    assert canonical_names(window)[zel] == "V. Zelensky" and stack.index() == index

    qtbot.keyClick(sources_window.tree, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # asks again
    qtbot.waitUntil(lambda: window.conflict_dialog is not dialog)
    qtbot.mouseClick(_dialog(qtbot, window).keep_mine_button, Qt.MouseButton.LeftButton)
    assert canonical_names(window)[zel] == "Volodymyr Zelensky" and stack.index() == index - 1


def test_accept_all_agreed_after_a_colleague_decided_one_of_them_asks_first(
    qtbot: QtBot, merged: MainWindow, colleague: Project
) -> None:
    enter_review(qtbot, merged)
    agreed = item_of(merged, SpanItem, lambda i: i.text == AGREED)
    merged.live.stop()  # their decision lands before its notification would refresh my table (see above)
    _colleague_accepts(merged, colleague, agreed, "alice")
    assert merged.ctx.current_doc_id is not None
    (theirs,) = review.gold_snapshot(colleague, merged.ctx.current_doc_id).spans  # (gold_layer refreshes my table)
    svc.set_attribute(colleague, theirs.id, "claim_type", "opinion")  # their call on one agreed item
    stack = merged.ctx.undo_stack
    count = stack.count()
    press(qtbot, merged, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    dialog = _dialog(qtbot, merged)
    assert "claim type: opinion" in _shown(dialog, "stored") and "claim type: demand" in _shown(dialog, "mine")
    gold = gold_layer(merged)
    assert [s.attributes["claim_type"] for s in gold.spans] == ["opinion"] and gold.stances == ()  # none of them
    assert stack.count() == count

    qtbot.mouseClick(dialog.keep_mine_button, Qt.MouseButton.LeftButton)  # all agreed items, as they are now
    gold = gold_layer(merged)
    assert [s.attributes["claim_type"] for s in gold.spans] == ["demand"]
    assert {s.target: s.value for s in gold.stances} == {"security_guarantees": "favor"}
    assert stack.count() == count + 1
    merged.review_panel.table.setFocus()
    press(qtbot, merged, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # gives theirs back
    gold = gold_layer(merged)
    assert [s.attributes["claim_type"] for s in gold.spans] == ["opinion"] and gold.stances == ()
