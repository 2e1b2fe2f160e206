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
from pytestqt.qtbot import QtBot

from annotator.services.project import Project
from annotator.ui import gc_collector, workers
from annotator.ui.context import AppContext
from annotator.ui.dialogs.search_window import SearchWindow
from annotator.ui.gc_collector import collect_on_gui_thread
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
