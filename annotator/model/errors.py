"""The error types every layer raises and every entry point knows how to show.

Each error carries a message written for the user: it names the file, line or field and says what
is wrong, so the CLI can print it on one line and the GUI can put it in a dialog as it is.
"""

from __future__ import annotations


class AnnotatorError(Exception):
    """Base of all errors meant to be shown to the user as they are."""


class SchemeError(AnnotatorError):
    """A scheme file is malformed or inconsistent."""


class ProjectFileError(AnnotatorError):
    """A project file cannot be opened: not SQLite, corrupt, truncated or from a newer version."""


class StorageError(AnnotatorError):
    """The project could not be written or read part-way through an action: the disk is full, the
    folder or file is read-only, or another program kept it busy too long. The action was rolled back."""


class ValidationError(AnnotatorError):
    """An annotation breaks the scheme or the document (bad label, value or offsets)."""


class NotFoundError(AnnotatorError):
    """An id names nothing in the project."""


class StaleWriteError(AnnotatorError):
    """A shared row (a gold span, a stance, a comment, a source alias, the scheme) was changed by
    someone else since the user read it: the write was refused and nothing of it was saved.
    `stored` is the row as it is now (None when it is gone) and `mine` what the refused write would
    have stored; the GUI shows both and lets the user keep one."""

    def __init__(self, message: str, *, stored: object | None = None, mine: object | None = None) -> None:
        super().__init__(message)
        self.stored = stored
        self.mine = mine


class Cancelled(AnnotatorError):
    """The user cancelled a long operation; nothing of it was kept."""
