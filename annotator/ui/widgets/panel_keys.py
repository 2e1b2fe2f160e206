"""`PanelKeys`: the keyboard path through the tagging panel's fields for the selected span.

An attribute key (from the scheme, shown beside its field), A (attribution) or K (claim stance)
*arms* one field: the next digit chooses that value (1 = the first; 0 clears) or a letter the next
value starting with it, and the keyboard goes back to the article. Tab / Shift+Tab walk the fields
in panel order (attributes, attribution, claim stance) from the article and back to it; Esc returns
to the article from any field (with a line edit's completion list open, Esc closes the list only
and keeps what was typed). Inside a field the digits and letters choose values instead of
firing the window's single-key shortcuts (a line edit types them, with completion).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QWidget

FieldsProvider = Callable[[], list[QWidget]]

_ARMED_PROPERTY = "armed"
_WATCHED_PROPERTY = "panel_keys_watched"
ARMED_STYLE = (
    'QComboBox[armed="true"], QLineEdit[armed="true"] { border: 2px solid palette(highlight); border-radius: 3px; }'
)
_TAB_KEYS = (Qt.Key.Key_Tab, Qt.Key.Key_Backtab)


class PanelKeys(QObject):
    escaped = Signal()  # Esc in a field: what Esc cancels elsewhere (a pending link) ends too
    disarmed = Signal()  # the armed field is no longer armed (chosen, Enter, Esc, Tab, focus gone)

    def __init__(self, article: QWidget, fields: FieldsProvider, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._article = article
        self._fields = fields
        self._armed: QWidget | None = None
        article.installEventFilter(self)

    # -- public ----------------------------------------------------------------------------------

    def watch(self, field: QWidget) -> None:
        """Handle the keys of `field` (a panel combo or line edit); safe to call again."""
        if not field.property(_WATCHED_PROPERTY):
            field.setProperty(_WATCHED_PROPERTY, True)
            field.installEventFilter(self)
            if isinstance(field, QLineEdit):
                # after the line edit has committed, unless the keyboard went elsewhere meanwhile
                field.returnPressed.connect(lambda f=field: QTimer.singleShot(0, lambda: self._back_from(f)))

    def arm(self, field: QWidget) -> None:
        """Focus `field` for one choice; the keyboard returns to the article after it."""
        self.watch(field)
        self._set_armed(field)
        field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if isinstance(field, QLineEdit):
            field.selectAll()

    def back_to_article(self) -> None:
        self._set_armed(None)
        self._article.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _back_from(self, line: QLineEdit) -> None:
        if QApplication.focusWidget() is line:
            popup = line.completer().popup() if line.completer() is not None else None
            if popup is not None and popup.isVisible():
                popup.hide()
            self.back_to_article()

    def owns_focus(self, widget: QWidget | None) -> bool:
        return widget is not None and widget in self._fields()

    # -- event handling --------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        kind = event.type()
        if watched is self._article:
            if kind == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) and event.key() in _TAB_KEYS:
                return self._step(None, _forward(event))
            return False
        if not isinstance(watched, (QComboBox, QLineEdit)) or not isinstance(event, QKeyEvent):
            if kind == QEvent.Type.FocusOut and watched is self._armed:
                self._set_armed(None)
            return False
        if kind == QEvent.Type.ShortcutOverride and self._is_field_key(watched, event):
            event.accept()
            return True
        if kind != QEvent.Type.KeyPress:
            return False
        key = event.key()
        if key in _TAB_KEYS:
            return self._step(watched, _forward(event))
        if key == Qt.Key.Key_Escape:
            popup = _visible_popup(watched) if isinstance(watched, QLineEdit) else None
            if popup is not None:
                popup.hide()  # Esc closes the completion list only: the typed name and the keyboard stay
                return True
            self.escaped.emit()
            self.back_to_article()
            return True
        if isinstance(watched, QLineEdit):
            return False  # Enter commits there (returnPressed brings the keyboard back)
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.back_to_article()
            return True
        if self._choose(watched, event.text()):
            if watched is self._armed:
                self.back_to_article()
            return True
        return False

    def _is_field_key(self, field: QWidget, event: QKeyEvent) -> bool:
        if event.key() == Qt.Key.Key_Escape:
            return True
        if event.modifiers() & ~Qt.KeyboardModifier.ShiftModifier & ~Qt.KeyboardModifier.KeypadModifier:
            return False
        if isinstance(field, QComboBox):
            return bool(event.text()) and event.text().isalnum()
        return False  # a line edit claims its printable keys itself

    def _choose(self, combo: QComboBox, text: str) -> bool:
        """A digit picks that entry (0: the empty first entry); a letter the next entry starting
        with it, wrapping. Changing the index commits through the combo's own signal."""
        if not text or not text.isalnum():
            return False
        if text.isdigit():
            index = int(text)
            if index < combo.count():
                combo.setCurrentIndex(index)
            return True
        letter = text.lower()
        count = combo.count()
        for step in range(1, count + 1):
            index = (combo.currentIndex() + step) % count
            if index > 0 and combo.itemText(index).lower().startswith(letter):
                combo.setCurrentIndex(index)
                break
        return True

    def _step(self, current: QWidget | None, forward: bool) -> bool:
        fields = [f for f in self._fields() if f.isVisibleTo(f.window()) and f.isEnabled()]
        for field in fields:
            self.watch(field)
        self._set_armed(None)
        if not fields:
            return current is not None  # from a field: keep focus; from the article: Qt's own chain
        ring: list[QWidget | None] = [None, *fields]
        index = ring.index(current) if current in ring else 0
        target = ring[(index + (1 if forward else -1)) % len(ring)]
        if target is None:
            self.back_to_article()
        else:
            target.setFocus(Qt.FocusReason.TabFocusReason)
        return True

    def _set_armed(self, field: QWidget | None) -> None:
        for widget in (self._armed, field):
            if widget is not None:
                widget.setProperty(_ARMED_PROPERTY, widget is field)
                widget.style().unpolish(widget)
                widget.style().polish(widget)
        was_armed, self._armed = self._armed, field
        if was_armed is not None and field is None:
            self.disarmed.emit()


def _forward(event: QKeyEvent) -> bool:
    return event.key() == Qt.Key.Key_Tab and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier


def _visible_popup(line: QLineEdit) -> QWidget | None:
    """The line edit's completion list when it is open."""
    completer = line.completer()
    popup = completer.popup() if completer is not None else None
    return popup if popup is not None and popup.isVisible() else None
