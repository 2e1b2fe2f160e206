"""File > Connect to server…: the URL of a project on a PostgreSQL server, tested before it opens.

The URL is `postgresql+psycopg://USER@HOST/DATABASE` (recent ones are offered). Connect tries it at
once: a failure (server not running, unknown login, no such database, no project in it) shows one
line under the URL and the dialog stays open for a correction; success switches the window to that
project and closes the dialog. Passwords come the libpq way (~/.pgpass, PGPASSWORD, a service file);
a password typed into the URL serves this connection only and is never written down.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

PLACEHOLDER = "postgresql+psycopg://alice@db.example.org/news"
INTRO = (
    "The project's database on a PostgreSQL server, as a URL: postgresql+psycopg://USER@HOST/DATABASE. "
    "Your login is your annotator name there. Passwords come from ~/.pgpass, PGPASSWORD or a service "
    "file; annotator never saves one."
)


class ConnectDialog(QDialog):
    """`connect(url)` opens the project and returns None, or returns why it could not."""

    def __init__(
        self, recent: Sequence[str], connect: Callable[[str], str | None], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("connect_dialog")
        self.setWindowTitle("Connect to server")
        self._connect = connect
        intro = QLabel(INTRO, self)
        intro.setWordWrap(True)
        self.url_box = QComboBox(self)
        self.url_box.setObjectName("server_url")
        self.url_box.setEditable(True)
        self.url_box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.url_box.addItems(list(recent))
        self.url_box.setCurrentIndex(0 if recent else -1)
        line = self.url_box.lineEdit()
        assert line is not None  # an editable combo box always has one
        line.setPlaceholderText(PLACEHOLDER)
        line.selectAll()
        self.error_label = QLabel(self)
        self.error_label.setObjectName("connect_error")
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.setStyleSheet("color: #b00020;")
        self.error_label.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Connect")
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.url_box)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)
        self._connect_signals()
        self._on_url_edited(self.url())

    def _connect_signals(self) -> None:
        self.buttons.accepted.connect(self.try_connect)
        self.buttons.rejected.connect(self.reject)
        self.url_box.editTextChanged.connect(self._on_url_edited)

    def url(self) -> str:
        return self.url_box.currentText().strip()

    def try_connect(self) -> None:
        """Test the URL by opening its project: close on success, else say why in one line."""
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            error = self._connect(self.url())
        finally:
            QApplication.restoreOverrideCursor()
        if error is None:
            self.accept()
            return
        self.error_label.setText(" ".join(error.split()))
        self.error_label.show()
        self.adjustSize()  # room for the wrapped lines of the message
        self.url_box.setFocus()

    def _on_url_edited(self, text: str) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(text.strip()))
