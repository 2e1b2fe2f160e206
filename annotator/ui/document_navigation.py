"""`DocumentNavigation`: which document comes next (Go › Next / Previous document, Done and next,
the document a project opens on), and what the status bar says when there is none.

"Next" follows the document list as it is shown (sorted, filtered): Alt+Right / Alt+Left step through
its rows and say so at either end; Ctrl+Enter marks the document done and opens the next unfinished
one, looking a few rows ahead in the list first, then in import order (`documents.next_unfinished`),
within the list's filter when it has one (a filtered list is the work queue).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from annotator.model.types import Status
from annotator.services import documents
from annotator.ui.commands import SetStatusCommand, push_command
from annotator.ui.context import AppContext
from annotator.ui.widgets.document_list import DocumentListWidget

LOOK_AHEAD = 20  # rows of the list looked at for an unfinished document before asking the store


class DocumentNavigation(QObject):
    message_posted = Signal(str)

    def __init__(
        self,
        ctx: AppContext,
        document_list: DocumentListWidget,
        open_document: Callable[[int | None], None],
        save_note: Callable[[], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._list = document_list
        self._open = open_document
        self._save_note = save_note

    def first(self, last_id: int | None) -> int | None:
        """The document a project opens on: `last_id` (my last session's) if it still exists, else
        the list's first one if I have not marked it done, else the next unfinished one. Cheap on
        100,000 documents: single-row look-ups, no scan of the whole list."""
        me, project = self._ctx.annotator.id, self._ctx.project
        if last_id is not None and documents.list_rows(project, [last_id], me):
            return last_id
        first = self._list.next_doc_id(None)
        rows = documents.list_rows(project, [first], me) if first is not None else {}
        if first is not None and first in rows and rows[first].status != Status.DONE:
            return first
        return self.next_unfinished(first)

    def next_unfinished(self, after: int | None) -> int | None:
        """The next document after `after` that I have not marked done (`documents.next_unfinished`),
        looking first at a few rows ahead in the list as it is shown."""
        ahead: list[int] = []
        doc_id = after
        for _ in range(LOOK_AHEAD if after is not None else 0):
            doc_id = self._list.next_doc_id(doc_id)
            if doc_id is None:
                break
            ahead.append(doc_id)
        model = self._list.model
        return documents.next_unfinished(
            self._ctx.project,
            self._ctx.annotator.id,
            after,
            ahead,
            status=model.status_filter,
            search=model.search_text,
        )

    def previous(self) -> None:
        if self._ctx.current_doc_id is not None:
            self._open_or_say(self._list.prev_doc_id(self._ctx.current_doc_id), "first")

    def next(self) -> None:
        if self._ctx.current_doc_id is not None:
            self._open_or_say(self._list.next_doc_id(self._ctx.current_doc_id), "last")

    def done_and_next(self) -> None:
        """Mark the open document done and open the next unfinished one (Ctrl+Enter)."""
        doc_id = self._ctx.current_doc_id
        if doc_id is None:
            return
        self._save_note()
        error = push_command(self._ctx, SetStatusCommand(self._ctx, doc_id, Status.DONE))
        if error:
            self.message_posted.emit(error)
            return
        next_id = self.next_unfinished(doc_id)
        if next_id is None and self._list.filtered():
            self.message_posted.emit(
                "Done. Every document the filtered list shows is done; clear the filter for the rest."
            )
        elif next_id is None:
            self.message_posted.emit("Done. Every document is marked done.")
        else:
            self._open(next_id)

    def _open_or_say(self, doc_id: int | None, end: str) -> None:
        """Open `doc_id`; None (Alt+Right past the list's end, say) is said, not silently ignored."""
        if doc_id is None:
            shown = "the filtered list shows" if self._list.filtered() else "in the list"
            self.message_posted.emit(f"This is the {end} document {shown}.")
        else:
            self._open(doc_id)
