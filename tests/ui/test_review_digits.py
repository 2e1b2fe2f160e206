"""Review mode's digits pick whose version wherever the keys are in the main window (trial2,
finding 1): a digit pressed in the article or the Layers dock used to write a gold document stance
unseen, and G then accepted the wrong version. Outside review mode a digit sets the document stance
and the status bar says so."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from annotator.services import documents
from annotator.services.alignment import SpanItem
from annotator.ui.main_window import MainWindow
from tests.ui.test_review import CONFLICT, enter_review, files, go_to, gold_layer, ids_by_name, item_of, merged, window

__all__ = ["files", "merged", "window"]  # fixtures, imported to be used here


def test_a_digit_in_the_layers_dock_or_the_article_picks_whose_version_not_a_gold_stance(
    qtbot: QtBot, merged: MainWindow
) -> None:
    enter_review(qtbot, merged)
    key = item_of(merged, SpanItem, lambda i: i.text == CONFLICT)
    go_to(qtbot, merged, key)
    bob = ids_by_name(merged)["bob"]
    alice = ids_by_name(merged)["alice"]
    panel = merged.review_panel

    merged.layers_panel.list_view.setFocus()  # the trial clicked a layer's checkbox
    qtbot.keyClick(merged.layers_panel.list_view, Qt.Key.Key_2)
    assert panel.model.current_annotator_id() == bob
    assert "bob" in merged.status.currentMessage()
    assert gold_layer(merged).stances == ()  # no gold stance written behind the reviewer's back

    merged.article_view.setFocus()
    qtbot.keyClick(merged.article_view, Qt.Key.Key_1)
    assert panel.model.current_annotator_id() == alice
    qtbot.keyClick(merged.article_view, Qt.Key.Key_2)
    assert panel.model.current_annotator_id() == bob
    assert gold_layer(merged).stances == ()

    qtbot.keyClick(merged.article_view, Qt.Key.Key_G)
    (gold,) = gold_layer(merged).spans
    assert gold.attributes["source_type"] == "official"  # bob's version, not alice's named_person
    assert merged.status.currentMessage().startswith("Accepted bob's")
    assert "digits pick a version" in merged.tag_panel.stance_box.title()
    assert merged.action_map["stance.2"].text() == "Accept version of column 2"  # the menu row says so too
    qtbot.keyClick(merged.article_view, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)  # leave review mode
    assert not merged.review.active
    assert merged.action_map["stance.2"].text() == "Document stance: against"
    assert "1–4, T: next target" in merged.tag_panel.stance_box.title()


def test_outside_review_mode_a_digit_sets_the_document_stance_and_says_so(qtbot: QtBot, merged: MainWindow) -> None:
    merged.article_view.setFocus()
    qtbot.keyClick(merged.article_view, Qt.Key.Key_2)
    doc_id = merged.ctx.current_doc_id
    assert doc_id is not None
    me = ids_by_name(merged)[merged.review.me.name]
    stances = documents.load_view(merged.ctx.project, doc_id, me).stances
    assert [(s.target, s.value) for s in stances] == [("nato_membership", "against")]
    assert merged.status.currentMessage().startswith("Document stance on nato membership: against")
    assert "1–4, T: next target" in merged.tag_panel.stance_box.title()
    assert merged.action_map["stance.2"].text() == "Document stance: against"


def test_a_digit_no_stance_value_has_picks_a_version_in_review_mode_only(qtbot: QtBot, merged: MainWindow) -> None:
    """Four stance values take 1-4; with more annotators than that, 5-9 pick their columns too."""
    merged.article_view.setFocus()
    merged.status.post("before")
    qtbot.keyClick(merged.article_view, Qt.Key.Key_5)  # outside review mode: nothing
    assert merged.status.currentMessage() == "before"
    enter_review(qtbot, merged)
    versions = len(merged.review_panel.model.annotator_ids())
    merged.article_view.setFocus()
    qtbot.keyClick(merged.article_view, Qt.Key.Key_5)
    assert merged.status.currentMessage() == f"There are {versions} versions to choose from"
