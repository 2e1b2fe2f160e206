"""Help dialogs: the keyboard shortcuts page (generated from the action table) and About."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMessageBox, QTextBrowser, QVBoxLayout, QWidget

import annotator
from annotator.model.scheme import Scheme
from annotator.ui.actions import shortcuts_html


class ShortcutsDialog(QDialog):
    def __init__(self, scheme: Scheme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shortcuts_dialog")
        self.setWindowTitle("Keyboard shortcuts")
        self.browser = QTextBrowser(self)
        self.browser.setHtml(shortcuts_html(scheme))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        self.resize(520, 620)


def show_about(parent: QWidget | None) -> QMessageBox:
    box = QMessageBox(
        QMessageBox.Icon.Information,
        "About annotator",
        f"<b>annotator {annotator.__version__}</b><p>Keyboard-first annotation of claims, "
        "sources, attribution and stance in news articles.</p><p>MIT licence.</p>",
        QMessageBox.StandardButton.Ok,
        parent,
    )
    box.setObjectName("about_box")
    box.open()
    return box
