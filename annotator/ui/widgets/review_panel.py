"""`ReviewPanelWidget`: the review dock: one document's aligned items and the adjudication keys.

It owns review mode's reading and deciding: it aligns the shown colleagues' layers of the current
document (`services.alignment.align_document`, only annotators with work on it), lists the items with
their agreement and every version (`ReviewItemModel`), and follows the current row in the article
view (selecting gold's span, else the chosen annotator's). Decisions are undo commands
(`ui/review_commands.py`): accept the chosen annotator's version (G or Enter; 1..N choose whose),
reject (X), edit (E: accept if gold lacks it, then select gold's span, which the tagging panel edits
because review mode makes gold the layer my edits go to), accept all agreed (Ctrl+Shift+A). The
comment box under the table adds a comment on the current item. The keys work while the table has
focus; the main window's Review menu calls the same methods from anywhere.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QSignalBlocker, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from annotator.model.changes import Changes
from annotator.model.errors import AnnotatorError
from annotator.model.types import Annotator
from annotator.services import review
from annotator.services.alignment import RelationItem, ReviewItem, SpanItem, align_document
from annotator.services.review import describe_item
from annotator.ui.context import AppContext
from annotator.ui.models.review_model import (
    AGREEMENT_COLORS,
    COL_ITEM,
    ReviewItemModel,
    is_decided,
)
from annotator.ui.review_commands import AcceptAllAgreedCommand, AcceptItemCommand, RejectItemCommand
from annotator.ui.widgets.review_table import ReviewTableView

_NO_DOCUMENT = "Open a document to review it."
_NO_WORK = (
    "Nobody whose layer is shown has annotated this document yet. Merge colleagues' work with "
    "File > Merge colleague's work…, and tick their layers in the Layers panel."
)
_KEYS_HELP = "↑↓ move · G/Enter accept · 1–{n} whose version · X reject · E edit · Ctrl+Shift+A accept agreed"


class ReviewPanelWidget(QWidget):
    message_posted = Signal(str)
    edit_requested = Signal(int)  # gold span id the tagging panel should edit (0: a document stance)

    def __init__(self, ctx: AppContext, reviewer: Annotator, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.reviewer = reviewer  # comments and rejections are recorded under my own name
        # Asked before each review action: None, or why it is refused (another curator holds the document).
        self.guard: Callable[[], str | None] = lambda: None
        self._active = False
        self._layers: list[int] = []
        self._comment_key: str | None = None  # the item a comment is for, when not the current one
        self._advancing = False
        self._empty: str | None = None  # the text of the empty state shown; None: a document compared
        self.model = ReviewItemModel(self)
        self.summary_label = QLabel(self)
        self.summary_label.setObjectName("review_summary")
        self.summary_label.setWordWrap(True)
        self.version_combo = QComboBox(self)
        self.version_combo.setToolTip("Whose version G / Enter accepts (or press 1..N in the table)")
        self.accept_button = QPushButton("Accept [G]", self)
        self.reject_button = QPushButton("Reject [X]", self)
        self.edit_button = QPushButton("Edit [E]", self)
        self.accept_all_button = QPushButton("Accept all agreed", self)
        self.accept_all_button.setToolTip("Accept every item all annotators agree on (Ctrl+Shift+A)")
        self.table = ReviewTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.keys_label = QLabel(self)
        self.keys_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.keys_label.setWordWrap(True)
        self.comments_label = QLabel(self)
        self.comments_label.setObjectName("review_comments")
        self.comments_label.setWordWrap(True)
        self.comments_label.setTextFormat(Qt.TextFormat.RichText)
        self.comment_edit = QLineEdit(self)
        self.comment_edit.setPlaceholderText("Comment on this item (Enter saves)")
        self._build_layout()
        self._connect_signals()
        self.reload()

    def _build_layout(self) -> None:
        choose = QHBoxLayout()
        choose.addWidget(QLabel("Accept version of:", self))
        choose.addWidget(self.version_combo, 1)
        buttons = QHBoxLayout()
        for button in (self.accept_button, self.reject_button, self.edit_button, self.accept_all_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the keys stay with the table
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.summary_label)
        layout.addLayout(choose)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.keys_label)
        layout.addWidget(self.comments_label)
        layout.addWidget(self.comment_edit)

    def _connect_signals(self) -> None:
        self.table.key_pressed.connect(self._on_table_key_pressed)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_row_changed)
        self.version_combo.currentIndexChanged.connect(self._on_version_combo_index_changed)
        self.accept_button.clicked.connect(self.accept_current)
        self.reject_button.clicked.connect(self.reject_current)
        self.edit_button.clicked.connect(self.edit_current)
        self.accept_all_button.clicked.connect(self.accept_all_agreed)
        self.comment_edit.returnPressed.connect(self._on_comment_edit_return_pressed)
        self._ctx.document_opened.connect(self._on_ctx_document_opened)
        self._ctx.changed.connect(self._on_ctx_changed)
        self._ctx.project_replaced.connect(self.reload)

    # -- public ----------------------------------------------------------------------------------

    def set_active(self, active: bool) -> None:
        """Review mode on or off: the panel aligns only while it is on."""
        self._active = active
        self.reload()

    def set_layers(self, annotator_ids: list[int]) -> None:
        """The shown layers; the panel compares those (not gold) with work on the document."""
        if annotator_ids != self._layers:
            self._layers = list(annotator_ids)
            self.reload()

    def current_item(self) -> ReviewItem | None:
        return self.model.item_at(self.table.currentIndex().row())

    def select_item(self, key: str) -> bool:
        row = self.model.row_of(key)
        if row < 0:
            return False
        self.table.setCurrentIndex(self.model.index(row, COL_ITEM))
        return True

    def pick_version(self, number: int) -> None:
        """1-based: whose version the accept key takes."""
        ids = self.model.annotator_ids()
        if not 1 <= number <= len(ids):
            self.message_posted.emit(f"There are {len(ids)} versions to choose from")
            return
        self.version_combo.setCurrentIndex(number - 1)

    def _allowed(self) -> bool:
        refusal = self.guard()
        if refusal is not None:
            self.message_posted.emit(refusal)
        return refusal is None

    def accept_current(self) -> bool:
        if not self._allowed():
            return False
        item, doc_id = self.current_item(), self._ctx.current_doc_id
        if item is None or doc_id is None:
            self.message_posted.emit("Pick an item to accept")
            return False
        who = self._version_owner(item)
        if who is None:
            return False
        command = AcceptItemCommand(self._ctx, doc_id, item, who)
        self._ctx.push(command)
        if command.conflict is not None:
            self._ctx.refuse(command.conflict)  # gold's version changed since: which to keep
        if command.error:
            self.message_posted.emit(command.error)
            return False
        self.message_posted.emit(f"Accepted {who.name}'s {describe_item(item)} into gold")
        self._advance(item.key)
        return True

    def reject_current(self) -> bool:
        if not self._allowed():
            return False
        item, doc_id = self.current_item(), self._ctx.current_doc_id
        if item is None or doc_id is None:
            self.message_posted.emit("Pick an item to reject")
            return False
        self.reviewer = self._ctx.record(self.reviewer)
        command = RejectItemCommand(self._ctx, doc_id, item, self.reviewer.id)
        self._ctx.push(command)
        if command.conflict is not None:
            self._ctx.refuse(command.conflict)  # gold's version changed since: which to keep
        if command.error:
            self.message_posted.emit(command.error)
            return False
        self.message_posted.emit(f"Rejected {describe_item(item)}: gold leaves it out")
        self._advance(item.key)
        return True

    def edit_current(self) -> None:
        """Make sure gold has the item, then select gold's span for the tagging panel."""
        if not self._allowed():
            return
        item = self.current_item()
        if item is None:
            self.message_posted.emit("Pick an item to edit")
            return
        if item.gold is None:
            key = item.key
            if not self.accept_current():
                return
            self.select_item(key)
            item = self.current_item()
            if item is None:
                return
        target = _span_item(item)
        gold = target.gold if target is not None else None
        if gold is not None:
            self._ctx.select_span(gold.id)
        self.edit_requested.emit(gold.id if gold is not None else 0)
        self.message_posted.emit(f"Editing gold's {describe_item(item)} in the Tagging panel")

    def accept_all_agreed(self) -> int:
        if not self._allowed():
            return 0
        doc_id, ids = self._ctx.current_doc_id, self.model.annotator_ids()
        if doc_id is None or len(ids) < 2:
            self.message_posted.emit("Accepting agreed items needs two annotators' work on this document")
            return 0
        shown = self.model.alignment  # what the table shows: gold changed under it refuses them all
        command = AcceptAllAgreedCommand(self._ctx, doc_id, ids, shown if shown and shown.doc_id == doc_id else None)
        self._ctx.push(command)
        if command.conflict is not None:
            self._ctx.refuse(command.conflict)  # gold changed under one of them: which to keep
        if command.error:
            self.message_posted.emit(command.error)
            return 0
        n = command.accepted
        self.message_posted.emit(
            f"Accepted {n} agreed item{'s' if n != 1 else ''} into gold" if n else "No agreed items left to accept"
        )
        return n

    def has_table_focus(self) -> bool:
        return self.table.hasFocus()

    # -- loading ---------------------------------------------------------------------------------

    def reload(self) -> None:
        doc_id = self._ctx.current_doc_id
        if not self._active or doc_id is None:
            empty = _NO_DOCUMENT if self._active else ""
            if empty != self._empty:  # shown already: a switch need not reset and refit it again
                self.model.set_alignment(None, {})
                self._sync_header(empty)
                self._empty = empty
            return
        self._empty = None
        keep = self.current_item()
        row = self.table.currentIndex().row()
        try:
            ids = self._layers_with_work(doc_id)
            alignment = align_document(self._ctx.project, doc_id, ids) if ids else None
        except AnnotatorError as exc:
            self.message_posted.emit(str(exc))
            alignment = None
        names = {a.id: a.name for a in self._ctx.project.annotators()}
        self.model.set_alignment(alignment, names)
        self._sync_header(_NO_WORK if alignment is None else "")
        # Keep the place (by key, else by row) without re-selecting spans in the article.
        new_row = self.model.row_of(keep.key) if keep is not None else -1
        if new_row < 0 and self.model.rowCount():
            new_row = min(max(row, 0), self.model.rowCount() - 1)
        if new_row >= 0:
            selection = self.table.selectionModel()
            with QSignalBlocker(selection):
                selection.setCurrentIndex(
                    self.model.index(new_row, COL_ITEM),
                    QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
                )
            self.table.viewport().update()
            if keep is None or keep.key != self.model.item_at(new_row).key:  # type: ignore[union-attr]
                self._show_in_article(self.model.item_at(new_row))  # a new place: the article follows
        self._sync_comments()

    def _layers_with_work(self, doc_id: int) -> list[int]:
        gold = {a.id for a in self._ctx.project.annotators() if a.is_gold}
        wanted = [i for i in self._layers if i not in gold]
        return review.annotated_layers(self._ctx.project, doc_id, wanted) if wanted else []

    def _sync_header(self, empty_text: str) -> None:
        alignment = self.model.alignment
        names = [
            self.model.headerData(c, Qt.Orientation.Horizontal) for c in range(2, 2 + len(self.model.annotator_ids()))
        ]
        with QSignalBlocker(self.version_combo):
            self.version_combo.clear()
            self.version_combo.addItems([str(n) for n in names])
            self.version_combo.setCurrentIndex(self.model.current_index if names else -1)
        if alignment is None:
            self.summary_label.setText(empty_text)
        else:
            counts = alignment.counts()
            parts = [
                f"<span style='color:{AGREEMENT_COLORS[a]}'><b>{counts[a.value]}</b> {a.value}</span>"
                for a in AGREEMENT_COLORS
            ]
            who = ", ".join(str(n).split(" ", 1)[-1] for n in names)
            more = "" if len(names) > 1 else " — only one annotator's work here, so every item is single"
            n = len(alignment.items)
            size = f"{n} item{'s' if n != 1 else ''} in 1 document"
            self.summary_label.setText(f"Comparing {html.escape(who)}: {size}{more}<br>" + " · ".join(parts))
        self.keys_label.setText(_KEYS_HELP.format(n=max(len(names), 1)) if alignment is not None else "")
        enabled = alignment is not None and bool(alignment.items)
        for widget in (
            self.accept_button,
            self.reject_button,
            self.edit_button,
            self.accept_all_button,
            self.comment_edit,
        ):
            widget.setEnabled(enabled)
        self.table.fit_columns()

    def _sync_comments(self) -> None:
        item, doc_id = self.comment_item(), self._ctx.current_doc_id
        notes = (
            []
            if item is None or doc_id is None
            else [c for c in review.comments(self._ctx.project, doc_id) if c.item_key == item.key]
        )
        lines = [f"<b>{html.escape(c.author)}</b>: {html.escape(c.text)}" for c in notes]
        self.comments_label.setText("<br>".join(lines))
        self.comments_label.setVisible(bool(lines))

    # -- helpers ---------------------------------------------------------------------------------

    def _version_owner(self, item: ReviewItem) -> Annotator | None:
        """The chosen annotator if they have a version of `item`; the only annotator who has one when
        there is nothing to choose; otherwise None, with a message (never someone else's silently)."""
        people = {a.id: a for a in self._ctx.project.annotators()}
        chosen = self.model.current_annotator_id()
        owners = [a for a, v in item.versions.items() if v is not None]
        if chosen in owners:
            return people.get(chosen)
        if len(owners) == 1:
            return people.get(owners[0])
        name = people[chosen].name if chosen in people else "the chosen annotator"
        self.message_posted.emit(f"{name} has no version of this item; choose another with the number keys")
        return None

    def _advance(self, key: str) -> None:
        """After a decision, move to the next item that is still undecided (else just the next).
        The comment box stays with the item just decided until the reviewer moves by hand."""
        self._bind_comment(key)
        row = self.model.row_of(key)
        rows = range(row + 1, self.model.rowCount())
        target = next(
            (r for r in rows if not is_decided(self.model.item_at(r))),  # type: ignore[arg-type]
            row + 1 if row + 1 < self.model.rowCount() else row,
        )
        if target >= 0:
            self._advancing = True
            try:
                self.table.setCurrentIndex(self.model.index(target, COL_ITEM))
            finally:
                self._advancing = False

    def comment_item(self) -> ReviewItem | None:
        """The item a comment typed now is saved on: the one just decided, else the current one."""
        if self._comment_key is not None:
            row = self.model.row_of(self._comment_key)
            if row >= 0:
                return self.model.item_at(row)
        return self.current_item()

    def _bind_comment(self, key: str | None) -> None:
        self._comment_key = key
        item = self.comment_item()
        about = f" {describe_item(item)}" if item is not None else " this item"
        if isinstance(item, SpanItem):
            about += f" “{item.text[:40]}{'…' if len(item.text) > 40 else ''}”"
        self.comment_edit.setPlaceholderText(f"Comment on{about} (Enter saves)")

    def _show_in_article(self, item: ReviewItem | None) -> None:
        target = _span_item(item) if item is not None else None
        if target is None:
            return
        chosen = self.model.current_annotator_id()
        version = target.versions.get(chosen) if chosen is not None else None
        span = target.gold or version or next((v for v in target.versions.values() if v is not None), None)
        if span is not None and span.id != self._ctx.selected_span_id:
            self._ctx.select_span(span.id)

    # -- slots -----------------------------------------------------------------------------------

    def _on_table_key_pressed(self, command: str) -> None:
        if command == "accept":
            self.accept_current()
        elif command == "reject":
            self.reject_current()
        elif command == "edit":
            self.edit_current()
        else:
            self.pick_version(int(command))

    def _on_table_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not self._advancing:
            self._bind_comment(None)  # moved by hand: comments are for the new current item
        self._show_in_article(self.model.item_at(current.row()))
        self._sync_comments()

    def _on_version_combo_index_changed(self, index: int) -> None:
        self.model.set_current_index(index)
        self._show_in_article(self.current_item())
        who = self.version_combo.currentText().split(" ", 1)[-1]
        if who:
            self.message_posted.emit(f"G accepts {who}'s versions")

    def _on_comment_edit_return_pressed(self) -> None:
        item, doc_id, text = self.comment_item(), self._ctx.current_doc_id, self.comment_edit.text()
        if item is None or doc_id is None or not text.strip():
            return
        try:
            self.reviewer = self._ctx.record(self.reviewer)
            review.add_comment(self._ctx.project, doc_id, self.reviewer.id, item.key, text)
        except AnnotatorError as exc:
            self.message_posted.emit(str(exc))
            return
        self.comment_edit.clear()
        self._sync_comments()
        self.message_posted.emit(f"Comment saved on {describe_item(item)}")

    def _on_ctx_document_opened(self, _doc_id: int) -> None:
        self._comment_key = None
        self.table.clearSelection()
        self.table.setCurrentIndex(QModelIndex())
        self.reload()

    def _on_ctx_changed(self, changes: Changes) -> None:
        doc_id = self._ctx.current_doc_id
        if doc_id is not None and (doc_id in changes.doc_ids or changes.documents or changes.annotators):
            self.reload()


def _span_item(item: ReviewItem) -> SpanItem | None:
    """The span an item is about: itself, a relation's claim, a claim stance's claim."""
    if isinstance(item, SpanItem):
        return item
    if isinstance(item, RelationItem):
        return item.from_item
    return item.span_item
