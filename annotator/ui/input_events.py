"""Which Qt events count as the user's input, for whatever watches for activity or its absence:
the time spent on a document (`doc_timer`) and the full garbage collections kept for pauses
(`gc_collector`)."""

from __future__ import annotations

from PySide6.QtCore import QEvent

# ShortcutOverride: a key press that triggers a shortcut never arrives as a KeyPress
INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.ShortcutOverride,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.Wheel,
        QEvent.Type.MouseMove,
    }
)
