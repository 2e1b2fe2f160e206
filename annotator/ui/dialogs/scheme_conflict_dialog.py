"""A scheme change refused because someone else changed the scheme first (Scheme editor › Apply).

Both versions are shown as what each changed, from the scheme this window opened with: theirs (now
stored) beside mine (not saved). "Keep mine" is not offered for a scheme: mine was made from the
scheme before theirs, so writing it as it is would take back their changes (their renames renamed
back, what they added removed). Instead "Reload theirs" makes the stored scheme this window's, and
the editor lists my changes to make again on top of it; "Keep theirs" reloads it without the list.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from annotator.model.scheme import Scheme
from annotator.model.scheme_diff import diff_schemes

WHY_NOT_MINE = (
    "Your change was made from the scheme before theirs, so saving it as it is would take back "
    "their changes. Reload their scheme, then make your changes again on top of it and apply."
)


def changes_between(before: Scheme, after: Scheme) -> list[str]:
    """What `after` changes in `before`, one readable line each (as the editor's preview says it)."""
    return [change.describe() for change in diff_schemes(before, after)] or ["(no change)"]


class SchemeConflictDialog(QDialog):
    """Their change beside mine; Reload theirs (default) or Keep theirs (Esc), never Keep mine."""

    def __init__(self, base: Scheme, theirs: Scheme, mine: Scheme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scheme_conflict_dialog")
        self.setWindowTitle("Scheme changed by someone else")
        self.mine_lines = changes_between(base, mine)
        layout = QVBoxLayout(self)
        intro = QLabel("Someone else changed the scheme since you opened it; your change was not saved.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        grid = QGridLayout()
        for column, (title, lines, name) in enumerate(
            (
                ("Yours (not saved)", self.mine_lines, "mine"),
                ("Theirs (now stored)", changes_between(base, theirs), "stored"),
            )
        ):
            text = QLabel("\n".join(lines))
            text.setObjectName(f"scheme_conflict_{name}")
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            text.setFrameShape(QLabel.Shape.StyledPanel)
            text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
            text.setMinimumWidth(260)
            grid.addWidget(QLabel(f"<b>{title}</b>"), 0, column)
            grid.addWidget(text, 1, column)
        layout.addLayout(grid)
        why = QLabel(WHY_NOT_MINE)
        why.setObjectName("scheme_conflict_why")
        why.setWordWrap(True)
        layout.addWidget(why)
        buttons = QDialogButtonBox()
        self.reload_button = QPushButton("&Reload theirs, then reapply mine")
        self.reload_button.setObjectName("reload_theirs")
        self.reload_button.setDefault(True)
        self.keep_theirs_button = QPushButton("Keep &theirs")
        self.keep_theirs_button.setObjectName("keep_theirs")
        buttons.addButton(self.reload_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.keep_theirs_button, QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
