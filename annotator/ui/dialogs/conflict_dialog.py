"""The choice after a refused write: someone else changed the row (a gold span, a stance) since I
saw it, so my change was not saved. The dialog shows my version beside the one now stored and lets
me keep one: "Keep mine" writes mine over theirs, "Keep theirs" leaves the stored one (the views
already show it). Nothing is written until I choose, and closing the dialog keeps theirs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from annotator.model.types import Span, Stance
from annotator.ui.context import Conflict


def describe(item: object | None) -> str:
    """A version as the user knows it: label, text and attributes of a span, a stance's value."""
    if item is None:
        return "(removed)"
    if isinstance(item, Span):
        lines = [f"{item.label.replace('_', ' ')}: “{item.text}”"]
        lines += [f"{k.replace('_', ' ')}: {v}" for k, v in sorted(_shown(item.attributes).items())]
        return "\n".join(lines)
    if isinstance(item, Stance):
        return f"{item.target.replace('_', ' ')}: {item.value.replace('_', ' ')}"
    return str(item)


def _shown(attributes: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in attributes.items() if v}


class ConflictDialog(QDialog):
    """Mine beside theirs; the buttons say which is kept."""

    def __init__(self, conflict: Conflict, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conflict_dialog")
        self.setWindowTitle("Changed by someone else")
        self.conflict = conflict
        layout = QVBoxLayout(self)
        said = str(conflict.error)
        intro = QLabel(f"{said[:1].upper()}{said[1:]}.\nWhich version do you want to keep?")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        grid = QGridLayout()
        for column, (title, item, name) in enumerate(
            (
                ("Yours (not saved)", conflict.error.mine, "mine"),
                ("Now stored", conflict.error.stored, "stored"),
            )
        ):
            heading = QLabel(f"<b>{title}</b>")
            text = QLabel(describe(item))
            text.setObjectName(f"conflict_{name}")
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            text.setFrameShape(QLabel.Shape.StyledPanel)
            text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
            text.setMinimumWidth(220)
            grid.addWidget(heading, 0, column)
            grid.addWidget(text, 1, column)
        layout.addLayout(grid)
        buttons = QDialogButtonBox()
        self.keep_mine_button = QPushButton("Keep &mine")
        self.keep_mine_button.setObjectName("keep_mine")
        gone = conflict.error.stored is None and isinstance(conflict.error.mine, Span)  # nothing to write over
        self.keep_mine_button.setEnabled(conflict.keep_mine is not None and not gone)
        self.keep_theirs_button = QPushButton("Keep &theirs")
        self.keep_theirs_button.setObjectName("keep_theirs")
        self.keep_theirs_button.setDefault(True)
        buttons.addButton(self.keep_mine_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.keep_theirs_button, QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def keep_mine(self) -> str | None:
        """Write mine over the stored version; the reason when that was refused in turn."""
        return self.conflict.keep_mine() if self.conflict.keep_mine is not None else None


def ask_which_to_keep(parent: QWidget | None, conflict: Conflict, post: Callable[[str], None]) -> ConflictDialog:
    """Open the dialog without blocking (window-modal); "Keep mine" writes mine at once, and a
    refusal of that in turn (yet another change meanwhile) opens the dialog again through the
    same path. Returns the dialog (tests press its buttons)."""
    dialog = ConflictDialog(conflict, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def on_finished(result: int) -> None:
        if result == QDialog.DialogCode.Accepted:
            error = dialog.keep_mine()
            post(error or "Kept your version.")
        else:
            post("Kept the version now stored.")

    dialog.finished.connect(on_finished)
    dialog.open()
    return dialog
