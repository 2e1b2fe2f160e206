"""The curator lock in the review window, against the real test server: a second connection holds
the document, the status bar names it and the review keys are refused; moving on releases it."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy.engine import make_url

from annotator.app import build_main_window, seed_project
from annotator.cli import main
from annotator.model.types import GOLD
from annotator.services import annotations as svc
from annotator.services import documents, team
from annotator.services.project import Project
from tests.ui.test_main_window import CLAIM_WORDS, drag_select
from tests.ui.test_review import enter_review, press

SHOTS = os.environ.get("ANNOTATOR_TEST_SHOTS")  # a folder: the refused window is rendered there as PNG


def _gold_spans(project: Project, doc_id: int) -> int:
    gold = [a for a in project.annotators() if a.name == GOLD]
    return len(documents.load_view(project, doc_id, gold[0].id, [gold[0].id]).spans) if gold else 0


def test_a_document_another_curator_holds_is_named_and_refused_until_released(qtbot: QtBot, pg_database: str) -> None:
    carol = f"carol_{uuid.uuid4().hex[:8]}"
    assert main(["server", "init", pg_database]) == 0
    assert main(["--project", pg_database, "server", "add-user", carol, "--role", "curator"]) == 0
    other = Project.open(pg_database)  # a second connection: another curator's client (login postgres)
    try:
        seed_project(other)
        first, second = documents.next_unfinished(other, 0, None, []), None
        assert first is not None
        text = documents.load_view(other, first, 0, []).document.text
        start = text.index(CLAIM_WORDS)
        bob = other.annotator("bob")
        svc.add_span(other, first, bob.id, "claim", start, start + len(CLAIM_WORDS))
        held = team.curate(other, first)
        assert not isinstance(held, str)
        holder = team.login_name(other)

        window = build_main_window(make_url(pg_database).set(username=carol).render_as_string(hide_password=False))
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        qtbot.waitUntil(lambda: window.ctx.current_doc_id == first)
        window.layers_panel.show_all()
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)
        enter_review(qtbot, window)

        # Refused: the status bar says who holds the document, and G (accept) changes nothing.
        assert window.status.lock_label.isVisible()
        assert window.status.lock_label.text() == f"{holder} is curating this document"
        window.review_panel.table.setFocus()
        press(qtbot, window, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
        press(qtbot, window, Qt.Key.Key_G)
        assert _gold_spans(other, first) == 0
        assert window.status.currentMessage().startswith(f"{holder} is curating this document")
        if SHOTS:
            window.grab().save(str(Path(SHOTS) / "curator_lock_refused.png"))
        # Editing gold from the article is refused the same way.
        window.article_view.setFocus()
        drag_select(qtbot, window.article_view, start + 1, start + len(CLAIM_WORDS) - 1)
        press(qtbot, window, Qt.Key.Key_C)
        assert _gold_spans(other, first) == 0
        assert window.ctx.undo_stack.count() == 1  # only the switch into review mode
        assert window.status.currentMessage().startswith(f"{holder} is curating this document")

        # The holder moves on: the next G takes the lock and is accepted.
        held.release()
        press(qtbot, window, Qt.Key.Key_G)
        assert _gold_spans(other, first) == 1
        assert not window.status.lock_label.isVisible()
        assert window.curator.held_doc() == first
        assert team.curate(other, first) == carol  # now the other client is refused, naming carol

        # Moving to another document releases the first and locks the second.
        window.article_view.setFocus()
        press(qtbot, window, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
        second = window.ctx.current_doc_id
        assert second is not None and second != first
        assert window.curator.held_doc() == second
        free = team.curate(other, first)
        assert not isinstance(free, str)
        free.release()
        assert team.curate(other, second) == carol

        # Leaving review mode releases it too.
        window.article_view.setFocus()
        press(qtbot, window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
        assert not window.review.active and window.curator.held_doc() is None
        last = team.curate(other, second)
        assert not isinstance(last, str)
        last.release()
    finally:
        other.close()
