"""The real window on a shared PostgreSQL project, as a server login of the annotator role."""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy.engine import make_url

from annotator.app import build_main_window, seed_project
from annotator.cli import main
from annotator.services.project import Project
from tests.ui.test_main_window import CLAIM_WORDS, key, make_span, stored


def test_an_annotator_login_tags_undoes_and_redoes_on_the_server(qtbot: QtBot, pg_database: str) -> None:
    alice = f"alice_{uuid.uuid4().hex[:8]}"
    assert main(["server", "init", pg_database]) == 0
    assert main(["--project", pg_database, "server", "add-user", alice, "--role", "annotator"]) == 0
    project = Project.open(pg_database)
    try:
        seed_project(project)
    finally:
        project.close()
    as_alice = make_url(pg_database).set(username=alice).render_as_string(hide_password=False)

    window = build_main_window(as_alice, annotator_name="someone else")
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.wait(50)  # the first document opens from the event loop once the window is shown
    window.article_view.setFocus()

    assert window.ctx.annotator.name == alice  # on a server the annotator is the login
    span_id = make_span(qtbot, window, CLAIM_WORDS, "c")
    (span,) = stored(window).spans
    assert (span.id, span.label, span.text, span.annotator_id) == (
        span_id,
        "claim",
        CLAIM_WORDS,
        window.ctx.annotator.id,
    )
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert stored(window).spans == ()
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    (again,) = stored(window).spans
    assert again.id == span_id  # the database's id comes back with the row
