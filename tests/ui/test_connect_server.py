"""File > Connect to server…: a URL tested against the real test server, opened, remembered without
its password."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot
from sqlalchemy.engine import make_url

from annotator.app import build_main_window, seed_project
from annotator.services import team
from annotator.services.project import Project
from annotator.ui import settings
from annotator.ui.dialogs.connect_dialog import ConnectDialog
from annotator.ui.main_window import MainWindow

SHOTS = os.environ.get("ANNOTATOR_TEST_SHOTS")  # a folder: the dialog is rendered there as PNG


def _server_project(url: str) -> None:
    project = Project.open(url)
    try:
        seed_project(project)
    finally:
        project.close()


def _open_dialog(qtbot: QtBot, window: MainWindow) -> ConnectDialog:
    window.action_map["connect_server"].trigger()
    dialog = window.files.connect_dialog
    assert isinstance(dialog, ConnectDialog)
    qtbot.waitExposed(dialog)
    return dialog


def _type_url(qtbot: QtBot, dialog: ConnectDialog, url: str) -> None:
    line = dialog.url_box.lineEdit()
    assert line is not None
    line.selectAll()
    qtbot.keyClick(line, Qt.Key.Key_Delete)
    qtbot.keyClicks(line, url)
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)


def test_connect_refuses_in_one_line_then_opens_and_remembers_no_password(
    qtbot: QtBot, tmp_path: Path, pg_database: str
) -> None:
    _server_project(pg_database)
    window = build_main_window(tmp_path / "local.db", annotator_name="alice", seed=True)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    local = window.ctx.project

    dialog = _open_dialog(qtbot, window)
    missing = make_url(pg_database).set(database="no_such_db").render_as_string(hide_password=False)
    _type_url(qtbot, dialog, missing)
    assert dialog.isVisible()  # stays open for a correction
    assert dialog.error_label.isVisible()
    error = dialog.error_label.text()
    assert "no_such_db" in error and "does not exist" in error and "\n" not in error
    assert window.ctx.project is local  # nothing switched

    _type_url(qtbot, dialog, "/home/alice/news.db")
    assert "not a server URL" in dialog.error_label.text()
    if SHOTS:
        dialog.grab().save(str(Path(SHOTS) / "connect_dialog_error.png"))

    # A password typed into the URL serves this connection and is never written down.
    url = make_url(pg_database)
    with_password = url.set(password="s3cret-pw").render_as_string(hide_password=False)
    _type_url(qtbot, dialog, with_password)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert window.ctx.project is not local
    assert team.remembered_url(window.ctx.project) == url.render_as_string(hide_password=False)
    assert window.ctx.annotator.name == url.username  # the login is the annotator on a server
    assert window.document_list.model.rowCount() == 5  # the server project's documents
    assert window.ctx.current_doc_id is not None
    assert url.database is not None and url.database in window.windowTitle()

    remembered = settings.recent_servers()
    assert remembered == [url.render_as_string(hide_password=False)]
    assert "s3cret-pw" not in settings.settings_path().read_text(encoding="utf-8")

    # Open recent offers it back, and the dialog proposes it first next time.
    window.files.open_path(tmp_path / "local.db")
    window._on_recent_menu_about_to_show()
    assert remembered[0] in [a.text() for a in window.recent_menu.actions()]
    again = _open_dialog(qtbot, window)
    assert again.url() == remembered[0]
    if SHOTS:
        again.grab().save(str(Path(SHOTS) / "connect_dialog.png"))
    again.reject()


def test_connect_to_a_database_without_a_project_says_how_to_make_one(
    qtbot: QtBot, tmp_path: Path, pg_database: str
) -> None:
    window = build_main_window(tmp_path / "local.db", annotator_name="alice")
    qtbot.addWidget(window)
    window.show()
    dialog = _open_dialog(qtbot, window)
    _type_url(qtbot, dialog, pg_database)
    assert dialog.isVisible()
    assert "annotator server init" in dialog.error_label.text()
    assert not team.remembered_url(window.ctx.project)  # still the file
    assert not settings.recent_servers()
