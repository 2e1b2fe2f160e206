"""`DocumentListWidget`: the left dock: a search box, a status filter and the lazy document list.

It owns how the user finds and opens a document: typing filters titles and text (debounced, so each
keystroke does not query a 100,000-document project), the combo filters by my status, the sort combo
puts the documents with the most disagreement between annotators first, and a click,
Enter or moving the current row opens the document through `AppContext.open_document`. It follows
documents opened elsewhere (Ctrl+Enter, Alt+Left/Right) without re-opening them, and answers which
document comes before or after one in the list's order.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable

from PySide6.QtCore import (
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSignalBlocker,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QKeyEvent, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from annotator.model.changes import Changes
from annotator.model.types import Status
from annotator.ui.context import AppContext
from annotator.ui.models.document_list_model import STATUS_TEXT, CountRole, DocIdRole, DocumentListModel

SEARCH_DELAY_MS = 250
_NO_DOCUMENTS = "No documents yet.\nImport articles with File > Import…"
_NO_MATCH = "No documents match this filter."


class DocumentListWidget(QWidget):
    search_applied = Signal(str)  # the search term the list now filters by
    first_match_opened = Signal()  # Enter in the search box: the open document or the first match to search
    nothing_found = Signal(str)  # Enter in the search box found the term in no document listed

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        # Whether the open document has the search term (the window's find highlights say): Enter in
        # the search box then stays in it, as an analyst looking for a claim in the article read expects.
        self.keeps_open_document: Callable[[], bool] = lambda: False
        self.model = DocumentListModel(ctx, self)
        self.search_edit = QLineEdit(self)
        self.search_edit.setPlaceholderText("Search titles and text")
        self.search_edit.setClearButtonEnabled(True)
        self.status_combo = QComboBox(self)
        self.status_combo.addItem("All", None)
        for status in Status:
            self.status_combo.addItem(STATUS_TEXT[status], status.value)
        self.status_combo.setToolTip("Show documents by my status")
        self.sort_combo = QComboBox(self)
        self.sort_combo.setObjectName("sort_combo")
        self.sort_combo.addItem("List order", False)
        self.sort_combo.addItem("Most disagreement first", True)
        self.sort_combo.setToolTip("Order documents by how much annotators disagree on them (for review)")
        self.list_view = QListView(self)
        self.list_view.setModel(self.model)
        self.list_view.setItemDelegate(_DocumentDelegate(self.list_view))
        self.list_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list_view.setUniformItemSizes(True)  # lets the view skip measuring 100,000 rows
        # Batched layout: showing the view lays out 500 rows at a time instead of all of them.
        self.list_view.setLayoutMode(QListView.LayoutMode.Batched)
        self.list_view.setBatchSize(500)
        self.list_view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.empty_label = QLabel(self)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)

        filters = QHBoxLayout()
        filters.addWidget(self.search_edit, 1)
        filters.addWidget(self.status_combo)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(filters)
        layout.addWidget(self.sort_combo)
        layout.addWidget(self.list_view, 1)
        layout.addWidget(self.empty_label, 1)
        self._connect_signals()
        self._update_empty_state()

    def _connect_signals(self) -> None:
        self.search_edit.textChanged.connect(self._on_search_edit_text_changed)
        self.search_edit.returnPressed.connect(self._on_search_edit_return_pressed)
        self.search_edit.installEventFilter(self)
        self._search_timer.timeout.connect(self._on_search_timer_timeout)
        self.status_combo.currentIndexChanged.connect(self._on_status_combo_index_changed)
        self.sort_combo.currentIndexChanged.connect(self._on_sort_combo_index_changed)
        self.list_view.selectionModel().currentChanged.connect(self._on_list_current_changed)
        self.list_view.activated.connect(self._on_list_activated)
        self.list_view.clicked.connect(self._on_list_activated)
        self.model.modelReset.connect(self._on_model_reset)
        self._ctx.document_opened.connect(self._on_ctx_document_opened)
        self._ctx.changed.connect(self._on_ctx_changed)

    # -- public ----------------------------------------------------------------------------------

    def select_doc(self, doc_id: int) -> bool:
        """Make `doc_id` the current row (which opens it). False when the filter hides it."""
        self.model.fetch_through(doc_id)
        row = self.model.row_of(doc_id)
        if row is None:
            return False
        self.list_view.setCurrentIndex(self.model.index(row, 0))
        self._ctx.open_document(doc_id)  # current may not change if it was already current
        return True

    def filtered(self) -> bool:
        """Whether a search text or a status filter hides some documents."""
        return bool(self.model.search_text) or self.model.status_filter is not None

    def reveal(self, doc_id: int) -> bool:
        """Clear the search text and status filter when they hide `doc_id` (opened from elsewhere,
        the Search window say), so it can be listed and selected. True when a filter was cleared."""
        if not self.filtered():
            return False
        self.model.fetch_through(doc_id)
        if self.model.row_of(doc_id) is not None:
            return False
        with QSignalBlocker(self.search_edit), QSignalBlocker(self.status_combo):
            self.search_edit.clear()
            self.status_combo.setCurrentIndex(0)  # "All"
        self._search_timer.stop()
        self._apply_filter()
        return True

    def next_doc_id(self, doc_id: int | None) -> int | None:
        """The document after `doc_id` in the list (the first when None), or None at the end."""
        if doc_id is not None:
            self.model.fetch_through(doc_id)
        ids = self.model.doc_ids()
        if doc_id is None:
            return ids[0] if ids else None
        row = self.model.row_of(doc_id)
        if row is None and self.model.by_disagreement:
            return ids[0] if ids else None  # a hidden document has no place in that order
        # A document the filter hides still has a place: the list is in id order.
        pos = row + 1 if row is not None else bisect_right(ids, doc_id)
        return ids[pos] if pos < len(ids) else None

    def prev_doc_id(self, doc_id: int | None) -> int | None:
        """The document before `doc_id` in the list (the last when None), or None at the start."""
        if doc_id is None:
            self.model.fetch_all()
        else:
            self.model.fetch_through(doc_id)
        ids = self.model.doc_ids()
        if doc_id is None:
            return ids[-1] if ids else None
        row = self.model.row_of(doc_id)
        if row is None and self.model.by_disagreement:
            return ids[-1] if ids else None
        pos = row - 1 if row is not None else bisect_left(ids, doc_id) - 1
        return ids[pos] if pos >= 0 else None

    def focus_search(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    def set_sort_by_disagreement(self, on: bool) -> None:
        self.sort_combo.setCurrentIndex(1 if on else 0)

    def set_status_filter(self, status: Status | None) -> None:
        index = self.status_combo.findData(status.value if status else None)
        self.status_combo.setCurrentIndex(max(index, 0))

    # -- slots -----------------------------------------------------------------------------------

    def _on_search_edit_text_changed(self, _text: str) -> None:
        self._search_timer.start()

    def _on_search_timer_timeout(self) -> None:
        self._search_timer.stop()
        self._apply_filter()

    def _on_search_edit_return_pressed(self) -> None:
        self._search_timer.stop()
        self._apply_filter()
        if self.keeps_open_document() or self._open_first_match():
            self.first_match_opened.emit()
        elif self.search_edit.text().strip():
            self.nothing_found.emit(self.search_edit.text().strip())

    def _open_first_match(self) -> bool:
        """Apply the search now and open the first document it finds."""
        self._search_timer.stop()
        self._apply_filter()
        ids = self.model.doc_ids()
        if not ids:
            return False
        self.select_doc(ids[0])
        return True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if (
            watched is self.search_edit
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Down
        ):
            if self._open_first_match():
                self.list_view.setFocus(Qt.FocusReason.OtherFocusReason)  # Down keeps going down the list
            return True
        return super().eventFilter(watched, event)

    def _on_status_combo_index_changed(self, _index: int) -> None:
        self._apply_filter()

    def _on_sort_combo_index_changed(self, _index: int) -> None:
        self.model.set_sort_by_disagreement(bool(self.sort_combo.currentData()))

    def _apply_filter(self) -> None:
        value = self.status_combo.currentData()
        self.model.set_filter(Status(value) if value else None, self.search_edit.text())
        self.search_applied.emit(self.search_edit.text())

    def _on_list_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        doc_id = current.data(DocIdRole) if current.isValid() else None
        if doc_id is not None:
            self._ctx.open_document(doc_id)

    def _on_list_activated(self, index: QModelIndex) -> None:
        doc_id = index.data(DocIdRole)
        if doc_id is not None:
            self._ctx.open_document(doc_id)

    def _on_model_reset(self) -> None:
        self._sync_current(self._ctx.current_doc_id)
        self._update_empty_state()

    def _on_ctx_document_opened(self, doc_id: int) -> None:
        self._sync_current(doc_id)

    def _on_ctx_changed(self, changes: Changes) -> None:
        if changes.documents:
            self._update_empty_state()

    def _sync_current(self, doc_id: int | None) -> None:
        """Show `doc_id` as the current row without opening it again."""
        row = self.model.row_of(doc_id) if doc_id is not None else None
        selection = self.list_view.selectionModel()
        changed = [selection.currentIndex(), *selection.selectedIndexes()]
        with QSignalBlocker(selection):
            if row is None:
                selection.clear()
            else:
                index = self.model.index(row, 0)
                selection.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
                changed.append(index)
                self.list_view.scrollTo(index)
        # The view repaints from the selection model's signals, which were blocked: the rows left
        # and reached, not every row shown (a scroll repaints what it uncovers).
        for index in changed:
            if index.isValid():
                self.list_view.update(index)

    def _update_empty_state(self) -> None:
        empty = self.model.rowCount() == 0
        self.empty_label.setText(_NO_MATCH if self.filtered() else _NO_DOCUMENTS)
        self.empty_label.setVisible(empty)
        self.list_view.setVisible(not empty)


class _DocumentDelegate(QStyledItemDelegate):
    """Draws the row as usual, with my annotation count right-aligned in a muted colour."""

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        # A narrow hint makes QListView stretch rows to the viewport, so long titles elide before
        # the count instead of widening the list behind a horizontal scroll bar.
        size = super().sizeHint(option, index)
        return QSize(min(size.width(), 64), size.height())

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        count = index.data(CountRole)
        if not count:
            super().paint(painter, option, index)
            return
        text = str(count)
        width = option.fontMetrics.horizontalAdvance(text) + 12
        rect: QRect = option.rect
        # The row's background spans the full width; the title is drawn (and elided) left of the count.
        full = QStyleOptionViewItem(option)
        self.initStyleOption(full, index)
        widget = full.widget
        style = widget.style() if widget else QApplication.style()
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, full, painter, widget)
        narrowed = QStyleOptionViewItem(option)
        narrowed.rect = rect.adjusted(0, 0, -width, 0)
        super().paint(painter, narrowed, index)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.PlaceholderText
        painter.save()
        painter.setPen(option.palette.color(role))
        align = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        painter.drawText(rect.adjusted(0, 0, -6, 0), align, text)
        painter.restore()
