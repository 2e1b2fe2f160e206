"""Live updates: what other clients commit to the open project, as the app's `Changes`.

`LiveFeed` runs a thread that waits on the store's watcher (PostgreSQL LISTEN/NOTIFY on a server
project, `PRAGMA data_version` polling on a project file) and hands each batch of other clients'
changes, as a `RemoteChanges`, to `deliver` (called from that thread: the GUI queues it to its
own). This process's own changes are not delivered: its views were told when they were made.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from annotator.model.changes import Changes
from annotator.services.project import Project
from annotator.store import live

POLL_S = 0.25  # how long one wait lasts: the feed stops within this, a project file is polled at it
LISTEN_WAIT_S = 15.0  # at most this long a view waits for the feed to listen (a server's connect timeout: 10 s)
# What a change to each table means for the views ("comments" and "rejections" touch a document only).
_FLAGS: dict[str, Changes] = {
    "spans": Changes(spans=True),  # which spans is not known: views read the document's anew
    "relations": Changes(relations=True),
    "stances": Changes(stances=True),
    "doc_status": Changes(status=True),
    "comments": Changes(),
    "rejections": Changes(),
    "documents": Changes(documents=True),
    "annotators": Changes(annotators=True),
    "meta": Changes(annotators=True),  # project settings (blind mode)
    "source_aliases": Changes(spans=True),  # the source registry
}


@dataclass(frozen=True)
class RemoteChanges:
    """Other clients' changes: `changes` for the views; `layers` the (document, layer) pairs they
    touched; `unknown` when the store cannot say what changed (a project file, or a lost server
    connection made again): refresh what is shown; `scheme` when the project's scheme changed."""

    changes: Changes
    layers: frozenset[tuple[int, int]] = frozenset()
    unknown: bool = False
    scheme: bool = False


def remote_changes(found: Iterable[live.TableChange]) -> RemoteChanges:
    changes, layers, unknown, scheme = Changes(), set[tuple[int, int]](), False, False
    for change in found:
        if change.table == "schemes":
            scheme = True
            continue
        if change.kind == live.UNKNOWN:
            unknown = True
            continue
        flags = _FLAGS.get(change.table, Changes())  # a table this version does not know: its document only
        docs = frozenset() if change.doc_id is None else frozenset({int(change.doc_id)})
        if change.kind == "truncate" and change.table in live.LAYER_TABLES:
            unknown = True
        changes |= Changes(docs) | flags
        if change.doc_id is not None and change.layer is not None:
            layers.add((int(change.doc_id), int(change.layer)))
    return RemoteChanges(changes, frozenset(layers), unknown, scheme)


class LiveFeed:
    """Delivers other clients' changes to the open project until `stop()`."""

    def __init__(self, project: Project, deliver: Callable[[RemoteChanges], None]) -> None:
        self._deliver = deliver
        self._stop = threading.Event()
        self._engine = project.store.engine
        self._watcher: live.Watcher | None = None
        self._listening = threading.Event()
        self._thread = threading.Thread(target=self._run, name="annotator-live", daemon=True)
        self._thread.start()

    def wait_listening(self, timeout: float = LISTEN_WAIT_S) -> bool:
        """Wait until the feed listens (its connection is made in its own thread, while the window
        builds itself): what a view reads after this is followed by every later change. False when
        it did not within `timeout` (the feed keeps trying; the view reads all the same)."""
        return self._listening.wait(timeout)

    def _run(self) -> None:
        try:
            self._watcher = live.watcher(self._engine)  # a server's LISTEN: a round trip or two
        except Exception:  # noqa: BLE001 - no live updates then, as with a project that has no triggers
            return
        finally:
            self._listening.set()
        watcher = self._watcher
        while not self._stop.is_set():
            if not watcher.blocks:
                self._stop.wait(POLL_S)  # pace the polls, and stop at once when asked
            found = watcher.wait(POLL_S)
            if found and not self._stop.is_set():
                self._deliver(remote_changes(found))

    def stop(self) -> None:
        """Stop the thread (within POLL_S) and close the watcher's connection."""
        self._stop.set()
        self._thread.join()
        if self._watcher is not None:
            self._watcher.close()
