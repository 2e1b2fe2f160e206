"""The annotator-name dialog: asked on first run (prefilled from the OS user) and from File > Change name."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget


class AnnotatorNameDialog(QDialog):
    """Asks for the name annotations are recorded under. OK stays disabled while the name is blank."""

    def __init__(self, suggestion: str, parent: QWidget | None = None, *, first_run: bool = True) -> None:
        super().__init__(parent)
        self.setObjectName("annotator_name_dialog")
        self.setWindowTitle("Welcome to annotator" if first_run else "Change annotator name")
        intro = (
            (
                "Your annotations are recorded under this name, so colleagues' work and yours stay apart. "
                "You can change it later from File > Change annotator name."
            )
            if first_run
            else "New annotations are recorded under this name. Annotations made under the old name stay theirs."
        )
        text = QLabel(intro, self)
        text.setWordWrap(True)
        self.name_edit = QLineEdit(suggestion, self)
        self.name_edit.setPlaceholderText("Your name")
        self.name_edit.selectAll()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(self.name_edit)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(380)
        self._connect_signals()
        self._on_name_edit_changed(suggestion)

    def _connect_signals(self) -> None:
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.name_edit.textChanged.connect(self._on_name_edit_changed)

    def _on_name_edit_changed(self, text: str) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(text.strip()))

    def name(self) -> str:
        return self.name_edit.text().strip()


def ask_annotator_name(suggestion: str, parent: QWidget | None = None, *, first_run: bool = True) -> str | None:
    """Blocking helper: the chosen name, or None when the user cancelled."""
    dialog = AnnotatorNameDialog(suggestion, parent, first_run=first_run)
    return dialog.name() if dialog.exec() == QDialog.DialogCode.Accepted and dialog.name() else None
