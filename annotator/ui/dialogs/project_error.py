"""The way out when the project given at start-up cannot be opened (not SQLite, corrupt, newer).

Before the main window exists there is no File menu, so a plain error box would leave a mouse-only
user stuck with a broken default project. This dialog names the problem and offers "Open another
project…", "New project…" and "Quit", and for a damaged file "Rescue a copy", which writes what
SQLite can still read into `<name>.rescued.db` beside it and opens that. The file dialogs that follow
return the path to try next. The file that failed is never written to: choosing it again is treated
like cancelling.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from annotator.model.errors import AnnotatorError
from annotator.services.project import rescue_copy
from annotator.ui.file_operations import PROJECT_FILTER

RESCUE_HINT = "annotator rescue"
"""The phrase a damaged file's message carries (store.engine): only then is a rescue offered."""


class Choice(Enum):
    OPEN = "open"
    NEW = "new"
    QUIT = "quit"
    RESCUE = "rescue"


def ask_choice(parent: QWidget | None, path: Path, message: str) -> Choice:
    """Show the error with the three ways on; closing the box (Esc) means Quit."""
    box = QMessageBox(
        QMessageBox.Icon.Warning, "Could not open the project", message, QMessageBox.StandardButton.NoButton, parent
    )
    box.setObjectName("project_error_box")
    box.setInformativeText(f"{path} was not changed. Open another project, start a new one, or quit.")
    open_button = box.addButton("Open another project…", QMessageBox.ButtonRole.AcceptRole)
    new_button = box.addButton("New project…", QMessageBox.ButtonRole.ActionRole)
    rescue_button = None
    if RESCUE_HINT in message:
        rescue_button = box.addButton("Rescue a copy", QMessageBox.ButtonRole.ActionRole)
        box.setDefaultButton(rescue_button)
    quit_button = box.addButton("Quit", QMessageBox.ButtonRole.RejectRole)
    if rescue_button is None:
        box.setDefaultButton(open_button)
    box.setEscapeButton(quit_button)
    box.exec()
    clicked = box.clickedButton()
    if clicked is open_button:
        return Choice.OPEN
    if clicked is new_button:
        return Choice.NEW
    if rescue_button is not None and clicked is rescue_button:
        return Choice.RESCUE
    return Choice.QUIT


def ask_path(parent: QWidget | None, choice: Choice, start_dir: Path) -> Path | None:
    """The file dialog for `choice`; None when it is cancelled (or `choice` is Quit)."""
    if choice is Choice.OPEN:
        chosen, _ = QFileDialog.getOpenFileName(parent, "Open project", str(start_dir), PROJECT_FILTER)
        return Path(chosen) if chosen else None
    if choice is Choice.NEW:
        chosen, _ = QFileDialog.getSaveFileName(parent, "New project", str(start_dir), PROJECT_FILTER)
        if not chosen:
            return None
        path = Path(chosen)
        return path.with_suffix(".db") if path.suffix == "" else path
    return None


def choose_other_project(failed: Path, message: str, parent: QWidget | None = None) -> Path | None:
    """Ask until the user picks a project to try next (returned) or quits (None)."""
    failed_resolved = failed.expanduser().resolve()
    while True:
        choice = ask_choice(parent, failed, message)
        if choice is Choice.QUIT:
            return None
        if choice is Choice.RESCUE:
            try:
                return rescue_copy(failed)
            except AnnotatorError as exc:
                message = f"Could not rescue a copy: {exc}"
                continue
        path = ask_path(parent, choice, failed_resolved.parent)
        if path is not None and path.expanduser().resolve() != failed_resolved:
            return path
