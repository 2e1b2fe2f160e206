"""`CuratorLock`: one curator per document on a server project, as the review window sees it.

While review mode is on, the document under review is locked for me (`services.team.curate`, a
PostgreSQL advisory lock held by a connection of its own); moving to another document, leaving
review mode or closing the project releases it. When another session holds it, the status bar says
who ("bob is curating this document") and the review actions are refused with that message; each
refused action asks again, so the lock is mine as soon as the holder moves on. A project file has
one user at a time: its lock is always granted and says nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from annotator.model.errors import AnnotatorError
from annotator.services import team
from annotator.ui.context import AppContext


class CuratorLock(QObject):
    note_changed = Signal(str)  # "" when I hold the lock or need none, else who holds it

    def __init__(self, ctx: AppContext, reviewing: Callable[[], bool], me: Callable[[], str], parent: QObject) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._reviewing = reviewing
        self._me = me
        self._held: team.DocumentLock | None = None
        self.refusal: str | None = None  # why review actions are refused on this document, if they are
        self._connect_signals()

    def _connect_signals(self) -> None:
        self._ctx.document_opened.connect(lambda _doc: self.update())
        self._ctx.project_closing.connect(self.release)

    def update(self) -> None:
        """Hold the lock of the document under review, and only that one."""
        doc_id = self._ctx.current_doc_id if self._reviewing() else None
        if self._held is not None and self._held.doc_id == doc_id:
            return
        self.release()
        if doc_id is None:
            return
        try:
            got = team.curate(self._ctx.project, doc_id)
        except AnnotatorError as exc:
            self._refuse(f"Review actions wait: {exc}")
            return
        if isinstance(got, str):
            who = "You are" if got == self._me() else f"{got} is"
            where = " in another window" if got == self._me() else ""
            self._refuse(f"{who} curating this document{where}: review actions wait until the lock is free")
            return
        self._held = got

    def check(self) -> str | None:
        """Before a review action: None when it may go ahead, else the message refusing it."""
        if self.refusal is not None:
            self.refusal = None
            self.update()  # the holder may have moved on since
            if self.refusal is None:
                self.note_changed.emit("")
        return self.refusal

    def release(self) -> None:
        if self._held is not None:
            self._held.release()
            self._held = None
        if self.refusal is not None:
            self.refusal = None
            self.note_changed.emit("")

    def held_doc(self) -> int | None:
        return None if self._held is None else self._held.doc_id

    def _refuse(self, message: str) -> None:
        self.refusal = message
        self.note_changed.emit(message)
