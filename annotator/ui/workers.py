"""Long jobs (import, export) off the GUI thread, with a cancellable progress dialog.

A job is a plain function `job(progress, cancel) -> result`, the calling convention of the io
functions: `progress(done, total)` reports, `cancel()` returns True once the user pressed Cancel, and
the io function then raises `Cancelled` and keeps nothing. `BackgroundTask` runs the job in a
one-thread pool (jobs that write to the project never overlap), relays progress through queued
signals to a window-modal QProgressDialog, and calls back on the GUI thread when it ends. The dialog
is window-modal so the window keeps repainting while no edit can race the job. A job that only reads
plain values (the agreement report's intervals) can run without the dialog (`modal=False`): the
window stays usable and shows its own "computing…" state.

Threads: the runnable and its relay are kept alive by a module-level set until the job has returned,
whatever happens to the window that started it (a window destroyed mid-job must not free a QRunnable
that the pool thread is still running); `wait()` joins the job. The exception of a failed job is sent with
its traceback's frames cleared (the lines stay, for the bug log): their locals are the worker's objects
(an open database cursor, a session), which would otherwise be freed on the GUI thread, by the garbage
collector, while the next job uses the same connection. Python's cyclic collector itself runs on the
GUI thread only from the first pool on (`gc_collector`): on a pool thread it would free widgets.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from annotator.model.errors import Cancelled
from annotator.ui.gc_collector import collect_on_gui_thread

ProgressFn = Callable[[int, int], None]
CancelFn = Callable[[], bool]
Job = Callable[[ProgressFn, CancelFn], Any]
_EMIT_EVERY = 0.05  # seconds: progress calls per record would flood the GUI thread's queue

_pool: QThreadPool | None = None
_running: set[_Runnable] = set()  # runnables whose job has not returned yet (see the module docstring)
_running_lock = threading.Lock()


def job_pool() -> QThreadPool:
    global _pool
    if _pool is None:
        collect_on_gui_thread()
        _pool = QThreadPool()
        _pool.setMaxThreadCount(1)
    return _pool


class _Relay(QObject):
    """Lives in the GUI thread; the worker emits on it, Qt queues the calls across threads."""

    progressed = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(object)


class _Runnable(QRunnable):
    def __init__(self, job: Job, relay: _Relay, cancel_flag: threading.Event) -> None:
        super().__init__()
        self._job, self._relay, self._cancel_flag = job, relay, cancel_flag
        self._last = 0.0
        self.returned = threading.Event()
        with _running_lock:
            _running.difference_update([r for r in _running if r.returned.is_set()])  # windows gone mid-job
            _running.add(self)

    def _progress(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done >= total or now - self._last >= _EMIT_EVERY:
            self._last = now
            self._relay.progressed.emit(int(done), int(total))

    def run(self) -> None:
        try:
            result = self._job(self._progress, self._cancel_flag.is_set)
        except BaseException as exc:  # noqa: BLE001 - every failure is reported on the GUI thread
            traceback.clear_frames(exc.__traceback__)  # their locals: this thread's cursor, session (docstring)
            self._relay.failed.emit(exc)
        else:
            self._relay.succeeded.emit(result)
        finally:
            self.returned.set()  # `_running` lets go of it on the GUI thread: in `_finish`, or later


def _release(runnable: _Runnable) -> None:
    with _running_lock:
        _running.discard(runnable)


class BackgroundTask(QObject):
    """One job with its progress dialog. `state` ends as "done", "failed" or "cancelled"; `ended`
    is emitted after the callback ran."""

    ended = Signal(str)

    def __init__(
        self,
        parent: QWidget,
        title: str,
        label: str,
        job: Job,
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
        on_cancelled: Callable[[], None] | None = None,
        *,
        modal: bool = True,
    ) -> None:
        super().__init__(parent)
        self.state = "pending"
        self._on_done, self._on_error, self._on_cancelled = on_done, on_error, on_cancelled
        self._cancel_flag = threading.Event()
        self._relay = _Relay()  # no parent: it must outlive the window while the job may still emit
        self.dialog: QProgressDialog | None = None
        if modal:
            self.dialog = QProgressDialog(label, "Cancel", 0, 0, parent)
            self.dialog.setObjectName("progress_dialog")
            self.dialog.setWindowTitle(title)
            self.dialog.setAutoClose(False)
            self.dialog.setAutoReset(False)
            self.dialog.setMinimumDuration(400)
            self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self._runnable = _Runnable(job, self._relay, self._cancel_flag)
        self._runnable.setAutoDelete(False)
        self._connect_signals()

    def _connect_signals(self) -> None:
        self._relay.progressed.connect(self._on_relay_progressed)
        self._relay.succeeded.connect(self._on_relay_succeeded)
        self._relay.failed.connect(self._on_relay_failed)
        if self.dialog is not None:
            self.dialog.canceled.connect(self.cancel)

    def start(self) -> BackgroundTask:
        self.state = "running"
        job_pool().start(self._runnable)
        return self

    def cancel(self) -> None:
        if self.state == "running" and not self._cancel_flag.is_set():
            self._cancel_flag.set()
            if self.dialog is not None:
                self.dialog.setLabelText("Cancelling…")

    def is_running(self) -> bool:
        return self.state == "running"

    def wait(self, timeout: float = 30.0) -> bool:
        """Block until the job has returned (True) or `timeout` seconds passed (False); its outcome
        is still delivered through the event loop. For a window about to be destroyed: cancel, then wait."""
        return self.state == "pending" or self._runnable.returned.wait(timeout)

    def _on_relay_progressed(self, done: int, total: int) -> None:
        if total > 0 and self.dialog is not None:
            self.dialog.setMaximum(total)
            self.dialog.setValue(min(done, total))

    def _finish(self, state: str) -> None:
        self.state = state
        _release(self._runnable)
        if self.dialog is not None:
            self.dialog.reset()
            self.dialog.hide()
            self.dialog.deleteLater()

    def _on_relay_succeeded(self, result: Any) -> None:
        self._finish("done")
        self._on_done(result)
        self.ended.emit(self.state)

    def _on_relay_failed(self, exc: BaseException) -> None:
        if isinstance(exc, Cancelled):
            self._finish("cancelled")
            if self._on_cancelled is not None:
                self._on_cancelled()
        else:
            self._finish("failed")
            self._on_error(exc)
        self.ended.emit(self.state)


def run_in_background(
    parent: QWidget,
    title: str,
    label: str,
    job: Job,
    on_done: Callable[[Any], None],
    on_error: Callable[[BaseException], None],
    on_cancelled: Callable[[], None] | None = None,
    *,
    modal: bool = True,
) -> BackgroundTask:
    return BackgroundTask(parent, title, label, job, on_done, on_error, on_cancelled, modal=modal).start()
