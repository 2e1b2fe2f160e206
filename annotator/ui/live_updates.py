"""`LiveUpdates`: other clients' changes to the open project, fed into the app's change signal.

A `services.live.LiveFeed` thread watches the project (NOTIFY on a server, `PRAGMA data_version` on
a file); each batch it finds crosses to the GUI thread through a queued signal and becomes one
`ctx.notify_remote(changes)`, narrowed to what this window shows: the open document, and my own
layer elsewhere (the document list counts only mine). When the store cannot say what changed (a
project file, a connection made again) the open document, the list and the progress refresh.
A scheme changed by another client (or, on a file, possibly changed) is read again and, when it
differs, every view rebuilds from it as after the Scheme editor, with one line in the status bar.
The feed stops before its project closes and starts on the next one. Python's cyclic collector runs
on the GUI thread only from the first feed on (`ui.gc_collector`).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from annotator.model.changes import Changes
from annotator.model.errors import StorageError
from annotator.services import schemes
from annotator.services.live import LiveFeed, RemoteChanges
from annotator.ui.context import AppContext
from annotator.ui.gc_collector import collect_on_gui_thread


class LiveUpdates(QObject):
    arrived = Signal(object)  # RemoteChanges, emitted from the feed's thread

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._feed: LiveFeed | None = None
        # My layers: the one my edits go to; the main window adds my own in review mode (gold edits).
        self.my_layers: Callable[[], set[int]] = lambda: {self._ctx.annotator.id}
        self._connect_signals()
        self.start()

    def _connect_signals(self) -> None:
        self.arrived.connect(self._on_arrived)  # queued: emitted from another thread
        self._ctx.project_closing.connect(self.stop)
        self._ctx.project_replaced.connect(self._on_ctx_project_replaced)

    def start(self) -> None:
        self.stop()
        collect_on_gui_thread()
        self._feed = LiveFeed(self._ctx.project, self.arrived.emit)

    def wait_listening(self) -> None:
        """Before reading what the window shows: wait for the feed's LISTEN (made in its thread)."""
        if self._feed is not None:
            self._feed.wait_listening()

    def stop(self) -> None:
        if self._feed is not None:
            self._feed.stop()
            self._feed = None

    def narrowed(self, remote: RemoteChanges) -> Changes:
        """What of `remote` this window shows."""
        current = self._ctx.current_doc_id
        shown = frozenset() if current is None else frozenset({current})
        if remote.unknown:
            return Changes(
                shown, spans=True, relations=True, stances=True, status=True, documents=True, annotators=True
            )
        changes = remote.changes
        mine = self.my_layers()
        docs = (changes.doc_ids & shown) | {doc for doc, layer in remote.layers if layer in mine}
        return Changes(
            frozenset(docs),
            changes.spans,
            changes.relations,
            changes.stances,
            changes.status,
            changes.documents,
            changes.annotators,
        )

    def _on_arrived(self, remote: RemoteChanges) -> None:
        if self._feed is None:
            return  # sent by a feed stopped since: its project is closed
        if (remote.scheme or remote.unknown) and self._scheme_changed():
            self._ctx.reload_scheme()
            self._ctx.message_posted.emit("A colleague changed the scheme: this window uses the new one now.")
            return  # the rebuild shows everything afresh
        changes = self.narrowed(remote)
        if changes.doc_ids or changes.documents or changes.annotators:
            self._ctx.notify_remote(changes)

    def _scheme_changed(self) -> bool:
        before = self._ctx.project.scheme
        try:
            return schemes.reload(self._ctx.project) != before
        except StorageError:
            return False  # the server is away again: the reconnection's refresh checks once more

    def _on_ctx_project_replaced(self) -> None:
        if self._feed is None:
            self.start()
