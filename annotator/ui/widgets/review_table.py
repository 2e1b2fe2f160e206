"""`ReviewTableView`: the review panel's item table, which keeps the review keys for itself.

While it has focus, G / Enter (accept), X (reject), E (edit) and the digits (whose version) are its
own: it claims them in ShortcutOverride, before the window's single-key shortcuts (label keys,
stance number keys) could take them, and reports each as `key_pressed`. Arrow keys move as usual.

Its columns fit the panel: each as wide as its content up to a cap, and when that is wider than the
table (a 1366-pixel screen with two colleagues), the item column gives way first, then the versions,
so every annotator's column and Gold stay in view (`fit_columns`, again whenever the viewport
resizes).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QTableView

from annotator.ui.models.review_model import COL_ITEM, FIRST_VERSION_COL

ITEM_MAX_PX = 360  # the item column's text beyond this is elided (the tooltip has it whole)
ITEM_MIN_PX = 150
VERSION_MAX_PX = 280
VERSION_MIN_PX = 90
GOLD_MIN_PX = 120  # the last column (Gold) stretches into what is left, never below this
COLUMN_PAD_PX = 8  # a little air after the longest content

_DIGITS = {getattr(Qt.Key, f"Key_{i}"): i for i in range(1, 10)}


class ReviewTableView(QTableView):
    """The item table; it keeps the review keys (digits and letters would otherwise be shortcuts)."""

    key_pressed = Signal(str)  # "accept", "reject", "edit", or a digit

    _natural: list[int] = []  # the widths fit_columns found, before giving way to the table's width

    def fit_columns(self) -> None:
        """Each column but the last as wide as its content (plus air), the item column at most
        ITEM_MAX_PX and a version at most VERSION_MAX_PX, then narrowed to the table's width."""
        model = self.model()
        last = model.columnCount() - 1 if model is not None else 0
        header = self.horizontalHeader()
        self._natural = [
            min(
                max(self.sizeHintForColumn(col), header.sectionSizeHint(col)) + COLUMN_PAD_PX,
                ITEM_MAX_PX if col == COL_ITEM else VERSION_MAX_PX,
            )
            for col in range(last)
        ]
        self._give_way()

    def _give_way(self) -> None:
        """Set the natural widths, narrowed so that they and GOLD_MIN_PX fit the viewport: the item
        column down to ITEM_MIN_PX first, then the versions evenly down to VERSION_MIN_PX."""
        widths = list(self._natural)
        excess = sum(widths) + GOLD_MIN_PX - self.viewport().width()
        if excess > 0 and widths:
            cut = min(excess, max(widths[COL_ITEM] - ITEM_MIN_PX, 0))
            widths[COL_ITEM] -= cut
            excess -= cut
        versions = list(range(FIRST_VERSION_COL, len(widths)))
        while excess > 0 and versions:
            room = [col for col in versions if widths[col] > VERSION_MIN_PX]
            if not room:
                break
            share = max(excess // len(room), 1)
            for col in room:
                cut = min(share, widths[col] - VERSION_MIN_PX, excess)
                widths[col] -= cut
                excess -= cut
        for col, width in enumerate(widths):
            self.setColumnWidth(col, width)

    def viewportEvent(self, event: QEvent) -> bool:  # noqa: N802 - Qt override
        # The viewport, not the view: it also narrows when the vertical scroll bar appears.
        if event.type() == QEvent.Type.Resize and self._natural:
            self._give_way()
        return super().viewportEvent(event)

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
