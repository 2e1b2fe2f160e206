"""`ReviewTableView`: the review panel's item table, which keeps the review keys for itself.

While it has focus, G / Enter (accept), X (reject), E (edit) and the digits (whose version) are its
own: it claims them in ShortcutOverride, before the window's single-key shortcuts (label keys,
stance number keys) could take them, and reports each as `key_pressed`. Arrow keys move as usual.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QTableView

_DIGITS = {getattr(Qt.Key, f"Key_{i}"): i for i in range(1, 10)}


class ReviewTableView(QTableView):
    """The item table; it keeps the review keys (digits and letters would otherwise be shortcuts)."""

    key_pressed = Signal(str)  # "accept", "reject", "edit", or a digit

    _LETTERS = {
        Qt.Key.Key_G: "accept",
        Qt.Key.Key_Return: "accept",
        Qt.Key.Key_Enter: "accept",
        Qt.Key.Key_X: "reject",
        Qt.Key.Key_E: "edit",
    }

    def _command(self, event: QKeyEvent) -> str | None:
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if mods != Qt.KeyboardModifier.NoModifier:
            return None
        key = Qt.Key(event.key())
        if key in _DIGITS:
            return str(_DIGITS[key])
        return self._LETTERS.get(key)

    def event(self, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and self._command(event) is not None
        ):
            event.accept()  # handled in keyPressEvent, before any window shortcut
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        command = self._command(event)
        if command is None:
            super().keyPressEvent(event)
        else:
            self.key_pressed.emit(command)
