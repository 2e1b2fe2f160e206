"""The main window's status bar: transient messages, "Saved", progress and who I am in this project.

Permanent widgets on the right: who holds the curator lock of the document under review (on a
server, when it is not me), the save indicator (updated after every committed change), the
progress ("3 of 5 done", recomputed only when a document may have been marked done or
no longer done, or the document set changed) and a button with
my name in this project ("alice in news.db") that asks for another one. Messages from the panels
go to the left, for a few seconds.
"""

from __future__ import annotations

import time

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QStatusBar, QToolButton, QWidget

from annotator.model.changes import Changes
from annotator.ui.context import AppContext

MESSAGE_MS = 6000


class ShellStatusBar(QStatusBar):
    name_change_requested = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("status_bar")
        self._ctx = ctx
        self.saved_label = QLabel(self)
        self.saved_label.setObjectName("saved_label")
        self.progress_label = QLabel(self)
        self.progress_label.setObjectName("progress_label")
        self.name_button = QToolButton(self)
        self.name_button.setObjectName("name_button")
        self.name_button.setAutoRaise(True)
        self.lock_label = QLabel(self)
        self.lock_label.setObjectName("lock_label")
        self.lock_label.setStyleSheet("color: #b00020;")
        self.lock_label.hide()
        self.addPermanentWidget(self.lock_label)
        self.addPermanentWidget(self.saved_label)
        self.addPermanentWidget(self.progress_label)
        self.addPermanentWidget(self.name_button)
        self._connect_signals()
        self.refresh()

    def _connect_signals(self) -> None:
        self.name_button.clicked.connect(self.name_change_requested)
        self._ctx.changed.connect(self._on_ctx_changed)
        self._ctx.project_replaced.connect(self.refresh)
        self._ctx.annotator_recorded.connect(lambda _who: self.refresh())
        self._ctx.link_pending_changed.connect(self._on_ctx_link_pending_changed)

    def refresh(self) -> None:
        who = self._ctx.annotator
        self.name_button.setText(f"{who.name} in {self._ctx.project.path.name}")
        first = "" if who.id else " Nothing is recorded under it until your first annotation here."
        self.name_button.setToolTip(
            f"You annotate as {who.name} in this project (remembered for this project file).{first} Click to change it."
        )
        self.saved_label.clear()
        self.refresh_progress()

    def refresh_progress(self) -> None:
        prog = self._ctx.progress()
        self.progress_label.setText(f"{prog.done:,} of {prog.total:,} done")

    def set_lock_note(self, note: str) -> None:
        """Who holds the curator lock of the document under review ("" hides it)."""
        self.lock_label.setText(note.split(":")[0])
        self.lock_label.setToolTip(note)
        self.lock_label.setVisible(bool(note))
        if note:
            self.post(note)

    def post(self, message: str) -> None:
        self.showMessage(message, MESSAGE_MS)

    def withdraw(self, message: str) -> None:
        """Clear `message` if it is still the one shown (a hint whose mode has ended)."""
        if self.currentMessage() == message:
            self.clearMessage()

    def _on_ctx_changed(self, changes: Changes) -> None:
        if (changes.doc_ids or changes.documents) and not self._ctx.remote:
            # every service call has committed before it notifies, so this is true when shown
            self.saved_label.setText(f"✓ Saved {time.strftime('%H:%M:%S')}")
            self.saved_label.setToolTip("Every edit is written to the project file at once.")
        if not changes.done_count_kept:
            self.refresh_progress()

    def _on_ctx_link_pending_changed(self, pending: bool) -> None:
        if pending:
            self.showMessage("Click the span to link to (Esc cancels)")
        else:
            self.clearMessage()
