"""Python's cyclic garbage collector runs on the GUI thread only, from before the first worker starts.

CPython collects cycles in whichever thread allocates when a generation's count passes its threshold.
On a worker thread (a background job, the search, the live feed) that collection frees whatever
cyclic garbage the GUI thread left behind, a closed dialog's wrapper say, and Shiboken then deletes
that C++ widget on the worker thread while the GUI thread may be painting it: a segfault (seen in the
agreement report's tests, the GUI thread in `QWidget::event` on a wrapper the pool thread was
freeing). Nothing in PySide stops it, so `collect_on_gui_thread()`, called wherever the app starts a
thread that runs Python, switches automatic collection off and a timer on the GUI thread collects
instead, a generation at a time, when the counts pass the thresholds Python would have used (the
cure of PyQt and PySide apps such as qutebrowser and calibre). Reference counting still frees
everything else at once; a cycle waits at most `INTERVAL_MS`, or while the GUI thread is busy.

A full collection (the oldest generation) walks every object the process holds: 85-110 ms on a big
project, a visible hitch in the middle of typing. So when one falls due it waits for a pause, until
`IDLE_BEFORE_FULL_S` without input events, and the timer collects the young generations meanwhile;
`OVERDUE_FACTOR` times the threshold collects it anyway, so that garbage that survived into the old
generation never piles up for good under unbroken input. While a worker is inside
`model.gc_pause.cyclic_gc_paused()` (the agreement report), the timer collects nothing.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer

from annotator.model import gc_pause
from annotator.ui.input_events import INPUT_EVENTS

INTERVAL_MS = 500
IDLE_BEFORE_FULL_S = 2.0
OVERDUE_FACTOR = 10

_collector: GuiThreadCollector | None = None


class GuiThreadCollector(QObject):
    """Lives in the GUI thread as a child of the application; `check()` is its timer's slot. It
    watches the application's events for the time of the last input (`clock`: seconds, for tests)."""

    def __init__(self, app: QCoreApplication, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(app)
        self.thresholds = gc.get_threshold()
        self._clock = clock
        self.last_input = clock()
        app.installEventFilter(self)
        gc.disable()
        self.timer = QTimer(self)
        self.timer.setInterval(INTERVAL_MS)
        self.timer.timeout.connect(self.check)
        self.timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.isInputEvent() and event.type() in INPUT_EVENTS:
            self.last_input = self._clock()
        return False

    def check(self) -> int | None:
        """Collect the oldest generation whose count passed its threshold, as CPython would at an
        allocation, the oldest one only in a pause or when long overdue, but then also in a pause
        that allocates too little to pass the youngest threshold (None: nothing collected).
        Automatic collection switched back on meanwhile (by a pause that began before this
        collector did) is switched off again."""
        if gc.isenabled():
            gc.disable()
        if gc_pause.paused():  # a worker's report holds many objects it keeps: collect after it
            return None
        counts = gc.get_count()
        full_due = counts[2] > self.thresholds[2]
        idle = self._clock() - self.last_input >= IDLE_BEFORE_FULL_S
        if full_due and (idle or counts[2] > OVERDUE_FACTOR * self.thresholds[2]):
            generation: int | None = 2
        elif counts[0] <= self.thresholds[0]:
            generation = None
        else:
            generation = 1 if counts[1] > self.thresholds[1] else 0
        if generation is not None:
            gc.collect(generation)
        return generation


def collect_on_gui_thread() -> GuiThreadCollector | None:
    """Switch cyclic collection to the GUI thread for the rest of the process (once; None when there
    is no application yet or when not called on its thread, where a timer could not run)."""
    global _collector
    app = QCoreApplication.instance()
    if _collector is None and app is not None and threading.current_thread() is threading.main_thread():
        _collector = GuiThreadCollector(app)
    return _collector
