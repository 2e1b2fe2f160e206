"""How the GUI tells the user something went wrong: a dialog with what happened and what to do.

Messages come from `AnnotatorError` (already written for users: one line naming the file, line or
field). Anything else is a bug: its traceback goes to the log file, and the dialog says only that
something unexpected happened and where the details are. No dialog ever shows a traceback.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from annotator.bug_log import unexpected
from annotator.model.errors import AnnotatorError

_unowned: set[QMessageBox] = set()


def describe(exc: BaseException, doing: str) -> str:
    """One user-facing message for an exception raised while `doing` something."""
    if isinstance(exc, AnnotatorError):
        return f"Could not {doing}: {exc}"
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        return f"Could not {doing}: {exc.strerror or exc}{where}. Check the path and its permissions."
    return unexpected(exc, doing)


def error_box(parent: QWidget | None, title: str, message: str, hint: str = "") -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("error_box")
    if hint:
        box.setInformativeText(hint)
    return box


def show_error(parent: QWidget | None, title: str, message: str, hint: str = "") -> QMessageBox:
    """Show the message without blocking (window-modal); returns the box so callers/tests can act on it."""
    box = error_box(parent, title, message, hint)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if parent is None:  # nothing owns a parentless box: keep it alive until it is closed
        _unowned.add(box)
        box.finished.connect(lambda _result: _unowned.discard(box))
    box.open()
    return box


def exec_error(parent: QWidget | None, title: str, message: str, hint: str = "") -> None:
    """Show the message and wait (used before the main window exists)."""
    error_box(parent, title, message, hint).exec()
