"""Cyclic garbage is collected on the GUI thread only, once the app can run Python on other threads
(ui.gc_collector): automatic collection is off, the GUI thread's timer frees cycles, and a thread
making cycles never collects them itself."""

from __future__ import annotations

import gc
import threading
import weakref
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot

from annotator.services.project import Project
from annotator.ui import gc_collector, workers
from annotator.ui.context import AppContext
from annotator.ui.dialogs.search_window import SearchWindow
from annotator.ui.gc_collector import IDLE_BEFORE_FULL_S, OVERDUE_FACTOR, GuiThreadCollector, collect_on_gui_thread
from annotator.ui.live_updates import LiveUpdates
from annotator.ui.workers import job_pool


class _Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: reference counting alone never frees it


def _cycles(n: int) -> list[weakref.ref[_Node]]:
    return [weakref.ref(_Node()) for _ in range(n)]


def test_the_gui_thread_collects_the_cycles_of_every_thread(qtbot: QtBot) -> None:
    job_pool()  # the first worker pool hands collection to the GUI thread
    assert not gc.isenabled()
    collector = collect_on_gui_thread()
    assert collector is not None and collect_on_gui_thread() is collector
    threads: list[str] = []

    def seen(phase: str, _info: dict[str, int]) -> None:
        if phase == "start":
            threads.append(threading.current_thread().name)

    made: list[weakref.ref[_Node]] = []
    worker = threading.Thread(target=lambda: made.extend(_cycles(5000)), name="cycle-maker")
    gc.callbacks.append(seen)
    try:
        worker.start()
        worker.join()
        made.extend(_cycles(1000))
        qtbot.waitUntil(lambda: all(ref() is None for ref in made), timeout=10000)
    finally:
        gc.callbacks.remove(seen)
    assert set(threads) == {threading.main_thread().name}


def test_automatic_collection_switched_back_on_is_switched_off_again(qtbot: QtBot) -> None:
    collector = collect_on_gui_thread()
    assert collector is not None
    gc.enable()  # a pause that began before the collector ends after it
    try:
        collector.check()
        assert not gc.isenabled()
    finally:
        gc.disable()


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def typed(qtbot: QtBot) -> Iterator[tuple[GuiThreadCollector, _Clock]]:
    """A collector on a fake clock that saw the user type a moment ago (its timer stopped: the test
    calls `check()` itself)."""
    clock = _Clock()
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    collector = GuiThreadCollector(app, clock)
    collector.timer.stop()
    field = QLineEdit()
    qtbot.addWidget(field)
    field.show()
    qtbot.waitExposed(field)
    clock.now += 60
    qtbot.keyClicks(field, "typing")
    assert collector.last_input == clock.now
    yield collector, clock
    app.removeEventFilter(collector)
    collector.setParent(None)


def _full_due(young: int = 0) -> list[list[int]]:
    """Gets the old generation's count past its threshold, then allocates `young` containers."""
    while gc.get_count()[2] <= gc.get_threshold()[2]:
        gc.collect(1)
    return [[] for _ in range(young)]


def test_a_full_collection_waits_for_a_pause_in_the_input(typed: tuple[GuiThreadCollector, _Clock]) -> None:
    collector, clock = typed
    kept = _full_due(young=2 * gc.get_threshold()[0])
    clock.now += 0.5  # still typing: the youngest generation only, no 100-ms hitch
    due = gc.get_count()[2]
    assert collector.check() == 0
    assert gc.get_count()[2] == due  # as CPython counts: the safety net stays OVERDUE_FACTOR away
    kept += _full_due(young=10)  # a pause allocates little: the full collection comes all the same
    clock.now += IDLE_BEFORE_FULL_S
    assert collector.check() == 2
    assert gc.get_count()[2] == 0
    assert collector.check() is None  # nothing due
    del kept


def test_a_full_collection_long_overdue_comes_under_unbroken_input(
    typed: tuple[GuiThreadCollector, _Clock],
) -> None:
    collector, _clock = typed
    kept = _full_due(young=2 * gc.get_threshold()[0])
    assert collector.check() == 0
    while gc.get_count()[2] <= OVERDUE_FACTOR * gc.get_threshold()[2]:
        gc.collect(1)
    kept += [[] for _ in range(2 * gc.get_threshold()[0])]
    assert collector.check() == 2
    del kept


def test_nothing_is_collected_while_a_worker_report_has_the_collector_paused(
    typed: tuple[GuiThreadCollector, _Clock],
) -> None:
    """The agreement report runs in a worker inside `cyclic_gc_paused()`; the GUI thread's timer
    collected its young objects anyway (two 28-ms collections while the first figures were computed)."""
    from annotator.model.gc_pause import cyclic_gc_paused, paused

    collector, clock = typed
    clock.now += IDLE_BEFORE_FULL_S
    kept = _full_due(young=2 * gc.get_threshold()[0])
    entered, leave = threading.Event(), threading.Event()

    def report() -> None:
        with cyclic_gc_paused():
            entered.set()
            leave.wait(10)

    worker = threading.Thread(target=report)
    worker.start()
    try:
        assert entered.wait(10) and paused()
        assert collector.check() is None
    finally:
        leave.set()
        worker.join()
    assert not paused()
    assert collector.check() == 2  # due all along: collected once the report is done
    del kept


@pytest.fixture
def no_collector_yet(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The process as before its first thread: automatic collection on, no collector, no job pool
    (put back afterwards: the collector of earlier tests goes on collecting)."""
    before = gc.isenabled()
    monkeypatch.setattr(gc_collector, "_collector", None)
    monkeypatch.setattr(workers, "_pool", None)
    gc.enable()
    yield
    made = gc_collector._collector
    if made is not None:
        made.timer.stop()
        made.setParent(None)
    (gc.enable if before else gc.disable)()


def _search_window(ctx: AppContext) -> QObject:
    return SearchWindow(ctx)


def _live_feed(ctx: AppContext) -> QObject:
    live = LiveUpdates(ctx)
    live.stop()
    return live


def _job_pool(_ctx: AppContext) -> QObject:
    return job_pool()


@pytest.mark.sqlite_only
@pytest.mark.parametrize("start", [_job_pool, _search_window, _live_feed], ids=["jobs", "search", "live feed"])
def test_every_thread_that_runs_python_starts_after_the_gui_thread_took_collection(
    qtbot: QtBot, project: Project, no_collector_yet: None, start: Callable[[AppContext], QObject]
) -> None:
    ctx = AppContext(project, project.annotator("alice"))
    made = start(ctx)
    assert not gc.isenabled() and gc_collector._collector is not None
    if isinstance(made, SearchWindow):
        qtbot.addWidget(made)
