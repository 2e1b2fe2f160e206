"""Which Qt events count as the user's input, for whatever watches for activity or its absence:
the time spent on a document (`doc_timer`) and the full garbage collections kept for pauses
(`gc_collector`)."""

from __future__ import annotations

from PySide6.QtCore import QEvent

# ShortcutOverride: a key press that triggers a shortcut never arrives as a KeyPress. All five are
# QInputEvents: an application-wide filter asks `event.isInputEvent() and event.type() in
# INPUT_EVENTS`, so the other events (about 200 in a first switch and its repaint) leave at a C++
# flag before the slower look-up of a Python enum in this set (2.5 -> 1.5 microseconds an event).
INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.ShortcutOverride,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.Wheel,
        QEvent.Type.MouseMove,
    }
)
