"""`AppContext`: the state the widgets share, and the one app-wide change signal.

It holds the open project, who I am, the current document and selected span, and the undo stack.
Views never talk to each other directly: a mutation goes through an undo command (`ui/commands.py`)
that calls a service and then `notify(changes)`; every view listens to `changed` and refreshes only
what the `Changes` value says was touched (Anki's `OpChanges` idea).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from annotator.model.changes import Changes
from annotator.model.errors import AnnotatorError, StaleWriteError
from annotator.model.types import Annotator
from annotator.services import documents, review
from annotator.services.project import UNRECORDED, Project


@dataclass(frozen=True)
class Conflict:
    """A write refused because someone else changed the row first: the error holds both versions;
    `keep_mine` writes mine over the stored one and returns why it could not, if it could not (the
    attribute is None when it cannot be offered)."""

    error: StaleWriteError
    keep_mine: Callable[[], str | None] | None


class AppContext(QObject):
    changed = Signal(object)  # Changes
    document_opened = Signal(int)  # doc id
    span_selected = Signal(int)  # span id, or 0 for none
    link_target_chosen = Signal(int)  # span id clicked while a link was pending
    link_pending_changed = Signal(bool)
    project_replaced = Signal()
    project_closing = Signal()  # the open project is about to close (File > Open, quitting)
    annotator_recorded = Signal(object)  # Annotator: my first annotation in this project added my row
    write_refused = Signal(object)  # Conflict: the main window asks which version to keep
    message_posted = Signal(str)  # a one-line message for the status bar (a refused undo or redo)
    scores_updated = Signal(object)  # frozenset of doc ids: their disagreement scores were just computed

    def __init__(self, project: Project, annotator: Annotator, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.annotator = annotator
        self.undo_stack = QUndoStack(self)
        self.undo_stack.indexChanged.connect(self._on_undo_index_changed)
        self._refused_step: tuple[int, str] | None = None  # (index to go back to, why)
        self._undo_index = 0  # the stack's index as last seen: an undo or redo moves it by one
        self._pushing = False  # a push moves the index too, and says what it did itself
        self.current_doc_id: int | None = None
        self.selected_span_id: int | None = None
        self.link_pending = False
        # Asked before a new edit: None, or why it is refused (another curator holds the document under review).
        self.edit_guard: Callable[[], str | None] = lambda: None
        self.remote = False  # True while `changed` reports other clients' changes (notify_remote)
        self._views: dict[tuple[int, tuple[int, ...]], documents.DocumentView] = {}
        self._progress: dict[int, documents.Progress] = {}  # by annotator id; cleared with the views
        self._blind: bool | None = None  # blind mode, read once until a change to the project's settings
        # Views read before the last changes, with those changes: `view` brings one up to date from
        # them when they name the spans that changed (`Changes.known_spans`) instead of reading anew.
        self._earlier: dict[tuple[int, tuple[int, ...]], tuple[documents.DocumentView, Changes]] = {}
        # The version this window last wrote to each shared row it changed (ui/commands.py): an undo
        # names it, so only someone else's write since is a conflict, not this window's own.
        self.written_versions: dict[tuple[object, ...], int] = {}
        # An edit leaves the disagreement score of its document stale; it is computed on the next
        # turn of the event loop, after the edit is shown (a key press does not wait for it).
        self._score_timer = QTimer(self)
        self._score_timer.setSingleShot(True)
        self._score_timer.setInterval(0)
        self._score_timer.timeout.connect(self._on_score_timer_timeout)
        project.defer_scores()

    def view(self, doc_id: int, layer_ids: Sequence[int] | None = None) -> documents.DocumentView:
        """The document with the given layers (default: mine), loaded once per change.

        Several widgets redraw after each change; they share this cache, which `notify` clears.
        """
        layers = tuple(layer_ids) if layer_ids is not None else (self.annotator.id,)
        key = (doc_id, layers)
        if key not in self._views:
            if len(self._views) > 8:
                self._views.clear()
            old, since = self._earlier.pop(key, (None, Changes()))
            if old is not None and self._untouched(doc_id, layers, since):
                view = old  # read before (ahead of a switch, say) and nothing since changed it
            elif old is not None and doc_id in since.doc_ids and since.known_spans:
                # Only what the edits since say changed is read again (one span, not all 500).
                view = documents.refresh_view(self.project, old, since, self.annotator.id, layers)
            else:
                view = documents.load_view(self.project, doc_id, self.annotator.id, layers)
            self._views[key] = view
        return self._views[key]

    def _untouched(self, doc_id: int, layers: tuple[int, ...], since: Changes) -> bool:
        """Whether `since` certainly left the view of `doc_id` with `layers` as it was: it names
        other documents only, changed no documents or people, and the view holds my editing layer
        alone, whose every change is named: my own edits name their document, and the live feed
        names the documents of my layers that other clients change (`LiveUpdates.narrowed`; when
        it cannot tell, it reports documents and people changed). Colleagues' layers on documents
        not shown are not reported by the feed, so views holding them are read again."""
        return (
            doc_id not in since.doc_ids
            and not (since.documents or since.annotators)
            and set(layers) <= {self.annotator.id}
        )

    def read_ahead(self, doc_id: int) -> None:
        """Read my layer of the document a switch is likely to open next (the next one in the list),
        so the switch finds it read; called once the switch before is shown. Only my layer: the
        live feed does not report colleagues' changes to a document not shown, so a view holding
        their layers must be read when the document opens. Failures are left for the switch."""
        with suppress(AnnotatorError):
            self.view(doc_id)

    def progress(self) -> documents.Progress:
        """How many documents I have marked done of how many, read once per change (the status bar
        and the article's empty hint both ask: two counts over every document on a server)."""
        if self.annotator.id not in self._progress:
            self._progress[self.annotator.id] = documents.progress(self.project, self.annotator.id)
        return self._progress[self.annotator.id]

    def blind(self) -> bool:
        """Whether blind mode is on, read once until a change reports the project's settings or
        people changed (`Changes.annotators`: turning it on here, or another client's change that the
        live feed brings in), so opening a document does not ask the store every time."""
        if self._blind is None:
            self._blind = review.is_blind(self.project)
        return self._blind

    def open_document(self, doc_id: int) -> None:
        if doc_id == self.current_doc_id:
            return
        self.current_doc_id = doc_id
        self.selected_span_id = None
        if self.link_pending:
            self.set_link_pending(False)
        self.document_opened.emit(doc_id)

    def select_span(self, span_id: int | None) -> None:
        self.selected_span_id = span_id
        self.span_selected.emit(span_id or 0)

    def click_span(self, span_id: int) -> None:
        """A span was clicked in the article view: it completes a pending link, or is selected."""
        if self.link_pending:
            self.set_link_pending(False)
            self.link_target_chosen.emit(span_id)
        else:
            self.select_span(span_id)

    def set_link_pending(self, pending: bool) -> None:
        self.link_pending = pending
        self.link_pending_changed.emit(pending)

    def recorded_annotator(self) -> Annotator:
        """The layer edits go to, recorded in the project. Opening a project records nobody: my
        annotator row is added here, by the first edit that needs it."""
        self.annotator = self.record(self.annotator)
        return self.annotator

    def record(self, who: Annotator) -> Annotator:
        """`who` with a row in the project (added now if they have none yet)."""
        if who.id != UNRECORDED:
            return who
        recorded = self.project.annotator(who.name)
        if self.annotator.id == UNRECORDED and self.annotator.name == who.name:
            self.annotator = recorded
        self.forget_views()
        self.annotator_recorded.emit(recorded)
        return recorded

    def step_refused(self, message: str) -> None:
        """Called by a command whose undo, or later redo, the service refused (another program
        holds the write lock, say): nothing changed. QUndoStack moves its index anyway once the
        command returns; the next `indexChanged` puts it back to where it is now (the command skips
        the inverse step this makes) and the one-line reason is posted."""
        self._refused_step = (self.undo_stack.index(), message)

    def _on_undo_index_changed(self, index: int) -> None:
        before, self._undo_index = self._undo_index, index
        if self._refused_step is not None:
            back, message = self._refused_step
            self._refused_step = None
            self._pushing = True  # putting the index back is no step of its own
            try:
                self.undo_stack.setIndex(back)
            finally:
                self._pushing = False
            self.message_posted.emit(message)
            return
        if self._pushing:
            return
        # Ctrl+Z / Ctrl+Shift+Z say what they did: the message of the edit would stay up otherwise.
        if index == before - 1:
            verb, command = "Undone", self.undo_stack.command(index)
        elif index == before + 1:
            verb, command = "Redone", self.undo_stack.command(before)
        else:
            return  # cleared, or moved by more than one step at once
        if command is not None:
            self.message_posted.emit(f"{verb}: {command.text()}")

    def push(self, command: QUndoCommand) -> None:
        """Run a command (its redo) and keep it for undo."""
        self._pushing = True
        try:
            self.undo_stack.push(command)
        finally:
            self._pushing = False
            self._undo_index = self.undo_stack.index()

    def refuse(self, conflict: Conflict) -> None:
        """A write met a row someone else had changed; nothing was saved. The views reload (they
        show the stored version) and the user is asked which version to keep."""
        self.notify(
            Changes(
                doc_ids=frozenset({self.current_doc_id}) if self.current_doc_id else frozenset(),
                spans=True,
                relations=True,
                stances=True,
            )
        )
        self.write_refused.emit(conflict)

    def forget_views(self) -> None:
        """Read every document anew on the next `view` (the project, or who I am, changed)."""
        self.forget_documents()
        self._progress.clear()
        self._blind = None

    def forget_documents(self) -> None:
        """Read every document anew on the next `view`, keeping what no document's view holds (the
        progress count, blind mode): what a window has not read yet, as for a document opened the
        first time in a session (the benchmarks' "switch to a document not read before")."""
        self._views.clear()
        self._earlier.clear()

    def notify(self, changes: Changes) -> None:
        earlier = {key: (view, since | changes) for key, (view, since) in self._earlier.items()}
        earlier.update((key, (view, changes)) for key, view in self._views.items())
        self._earlier = earlier if len(earlier) <= 8 else {}
        self._views.clear()
        if not changes.done_count_kept:
            self._progress.clear()
        if changes.annotators:
            self._blind = None
        if changes.annotators and self.annotator.id == UNRECORDED:
            # a service recorded the layer I edit (the first review decision adds the gold row)
            found = self.project.identity(self.annotator.name)
            if found.id != UNRECORDED:
                self.annotator = found
                self.annotator_recorded.emit(found)
        self.changed.emit(changes)
        if self.project.scores_pending():
            self._score_timer.start()

    def score_pending(self) -> None:
        """Compute the disagreement scores my edits left stale now (also done on the next turn of the
        event loop); a failure leaves them stale, and every reader recomputes a stale score."""
        self._score_timer.stop()
        try:
            done = self.project.score_deferred()
        except AnnotatorError:
            return
        if done:
            self.scores_updated.emit(frozenset(done))

    def _on_score_timer_timeout(self) -> None:
        self.score_pending()

    def notify_remote(self, changes: Changes) -> None:
        """Another client committed `changes` (live updates): views refresh as for my own edits,
        and may tell the two apart through `remote`."""
        self.remote = True
        try:
            self.notify(changes)
        finally:
            self.remote = False

    def reload_scheme(self) -> None:
        """The project's scheme changed (Scheme editor, or its undo): every view rebuilds from the
        new scheme as on opening a project, but the undo history stays."""
        shown = self.current_doc_id
        self.forget_views()
        self.selected_span_id = None
        self.current_doc_id = None  # so the document shown is opened again under the new scheme
        self.project_replaced.emit()
        if shown is not None and self.current_doc_id is None:
            self.open_document(shown)

    def replace_project(self, project: Project, annotator: Annotator) -> None:
        """Switch to another project file (File > Open): state and undo history start afresh."""
        self.undo_stack.clear()
        self.score_pending()
        self.project_closing.emit()
        self.written_versions.clear()
        self.project.close()
        self.project, self.annotator = project, annotator
        project.defer_scores()
        self.current_doc_id = None
        self.selected_span_id = None
        self.forget_views()
        self.project_replaced.emit()
