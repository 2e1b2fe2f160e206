"""Time spent per document: active time only, written to the document's status when I leave it.

A QElapsedTimer measures the gaps between the user's input events (keys, mouse, wheel) while a
document is open. A gap longer than IDLE_LIMIT counts for nothing: the analyst went for coffee. The
time is added through `services.annotations.add_time` when another document opens, the project is
replaced, or the window closes; it is bookkeeping, not an edit, so it is not on the undo stack.

Opening another document stores the time of the one left on the next turn of the event loop, right
after the new document is shown (a transaction costs a few milliseconds the switch need not wait
for); a kill -9 in between loses that document's time, as it would have lost it a moment earlier.
Replacing the project, switching the editing layer and closing the window store it at once.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QElapsedTimer, QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

from annotator.services import annotations as svc
from annotator.services.project import UNRECORDED
from annotator.ui.context import AppContext
from annotator.ui.input_events import INPUT_EVENTS

IDLE_LIMIT_MS = 5 * 60 * 1000


class DocumentTimer(QObject):
    """Counts active milliseconds on the open document. `flush()` stores them."""

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._doc_id: int | None = None
        self._active_ms = 0
        self._last_input_ms = 0
        self._pending: dict[int, float] = {}
        # Time of documents left, not yet stored: (doc id, annotator id) -> seconds; `save` stores it.
        self._unsaved: dict[tuple[int, int], float] = {}
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(0)
        self._save_timer.timeout.connect(self._on_save_timer_timeout)
        self._clock = QElapsedTimer()
        self._clock.start()
        self._now: Callable[[], int] = self._clock.elapsed  # milliseconds; tests swap in a fake clock
        self._last_input_ms = self._now()
        self._connect_signals()
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def _connect_signals(self) -> None:
        self._ctx.document_opened.connect(self._on_ctx_document_opened)
        self._ctx.annotator_recorded.connect(self._on_ctx_annotator_recorded)
        self._ctx.project_replaced.connect(self._on_ctx_project_replaced)
        self._ctx.project_closing.connect(self.save)

    @property
    def doc_id(self) -> int | None:
        return self._doc_id

    def active_seconds(self) -> float:
        """Active time on the open document so far, including the gap up to now."""
        return (self._active_ms + self._gap_ms()) / 1000.0

    def record_input(self) -> None:
        self._active_ms += self._gap_ms()
        self._last_input_ms = self._now()

    def flush(self, later: bool = False) -> float:
        """Add the open document's active time to the store (with `later`, on the next turn of the
        event loop, together with any time not stored yet); returns the seconds added."""
        seconds = self.active_seconds()
        doc_id, self._active_ms, self._last_input_ms = self._doc_id, 0, self._now()
        if doc_id is not None and seconds > 0 and not self._ctx.project.readonly:
            if self._ctx.annotator.id == UNRECORDED:
                # Time alone records nobody: it waits here until my first annotation adds my row.
                self._pending[doc_id] = self._pending.get(doc_id, 0.0) + seconds
            else:
                key = (doc_id, self._ctx.annotator.id)
                self._unsaved[key] = self._unsaved.get(key, 0.0) + seconds
        if later:
            if self._unsaved:
                self._save_timer.start()
        else:
            self.save()
        return seconds

    def save(self) -> None:
        """Store the time of documents left that is not stored yet."""
        self._save_timer.stop()
        unsaved, self._unsaved = self._unsaved, {}
        for (doc_id, annotator_id), seconds in unsaved.items():
            svc.add_time(self._ctx.project, doc_id, annotator_id, seconds)

    def unsaved_seconds(self) -> dict[tuple[int, int], float]:
        """Time of documents left that the next turn of the event loop stores."""
        return dict(self._unsaved)

    def pending_seconds(self) -> dict[int, float]:
        """Time spent before my first annotation in this project, not yet stored."""
        return dict(self._pending)

    def start(self, doc_id: int | None) -> None:
        """Count time on `doc_id` from now; the time on the document left is stored right after the
        new one is shown (at once when no document follows: the project is about to close)."""
        self.flush(later=doc_id is not None)
        self._doc_id = doc_id

    def stop(self) -> None:
        self.flush()
        self._doc_id = None
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def _on_ctx_project_replaced(self) -> None:
        self._pending = {}

    def _on_save_timer_timeout(self) -> None:
        self.save()

    def _on_ctx_annotator_recorded(self, who: object) -> None:
        pending, self._pending = self._pending, {}
        for doc_id, seconds in pending.items():
            if who is self._ctx.annotator:
                svc.add_time(self._ctx.project, doc_id, self._ctx.annotator.id, seconds)

    def _gap_ms(self) -> int:
        gap = self._now() - self._last_input_ms
        return gap if 0 <= gap <= IDLE_LIMIT_MS else 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.isInputEvent() and event.type() in INPUT_EVENTS and self._doc_id is not None:
            self.record_input()
        return False

    def _on_ctx_document_opened(self, doc_id: int) -> None:
        self.start(doc_id)
