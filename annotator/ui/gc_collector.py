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
"""

from __future__ import annotations

import gc
import threading

from PySide6.QtCore import QCoreApplication, QObject, QTimer

INTERVAL_MS = 500

_collector: GuiThreadCollector | None = None


class GuiThreadCollector(QObject):
    """Lives in the GUI thread as a child of the application; `check()` is its timer's slot."""

    def __init__(self, app: QCoreApplication) -> None:
        super().__init__(app)
        self.thresholds = gc.get_threshold()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.setInterval(INTERVAL_MS)
        self.timer.timeout.connect(self.check)
        self.timer.start()

    def check(self) -> int | None:
        """Collect the oldest generation whose count passed its threshold, as CPython would at an
        allocation (None: nothing due). Automatic collection switched back on meanwhile (by a pause
        that began before this collector did) is switched off again."""
        if gc.isenabled():
            gc.disable()
        counts = gc.get_count()
        if counts[0] <= self.thresholds[0]:
            return None
        generation = next(g for g in (2, 1, 0) if g == 0 or counts[g] > self.thresholds[g])
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
