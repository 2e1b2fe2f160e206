"""`TagPanelWidget`: the tagging panel on the right of the main window.

It composes the label buttons and legend, the selected span's editors (attributes, attribution,
claim stance), the document stance radio groups, the notes field and the table of my annotations.
It loads the open document's `DocumentView` once per relevant change (`ctx.changed` naming this
document, `ctx.document_opened`, `ctx.project_replaced`) and hands it to every part, which sync
from it under `QSignalBlocker`. Its public methods are what the keyboard actions (ui/actions.py)
call: making a span from the article view's selection, deleting the selected span, the document
stance number keys and target cycling, and "pick the source on the text". The editors sit in a
vertical scroll area above a splitter, so the annotation table below them always stays in view.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QModelIndex, QObject, QSignalBlocker, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGroupBox,
    QHeaderView,
    QPlainTextEdit,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from annotator.model.changes import Changes
from annotator.model.errors import AnnotatorError
from annotator.model.snapping import snap_selection
from annotator.services.documents import DocumentView
from annotator.ui.commands import (
    AddFragmentCommand,
    AddSpanCommand,
    DeleteSpanCommand,
    SetNoteCommand,
    push_command,
)
from annotator.ui.context import AppContext
from annotator.ui.models.annotation_table_model import (
    COL_DETAIL,
    COL_END,
    COL_LABEL,
    COL_START,
    COL_TEXT,
    AnnotationTableModel,
    SpanIdRole,
    elide,
)
from annotator.ui.span_corrections import SpanCorrections
from annotator.ui.widgets.collapsible import CollapsibleBox
from annotator.ui.widgets.label_bar import LabelBarWidget
from annotator.ui.widgets.span_editor import SpanEditorWidget
from annotator.ui.widgets.stance_panel import DocStancePanelWidget

NOTE_SAVE_DELAY_MS = 800
WIDE_TABLE_PX = 440  # below this width the offset columns give their room to the text
TABLE_MIN_PX = 140  # about five rows of the annotation table stay visible whatever is selected
TABLE_START_PX = 220  # the table's share of the panel's height before the user moves the splitter
COMMON_PATH_PX = 540  # the editors' height with a claim selected (span, attribution, both stances)
TABLE_HEADER_PX = 24  # the folding header above the table

SelectionProvider = Callable[[], tuple[int, int] | None]
TextProvider = Callable[[], str]


class VerticalScrollArea(QScrollArea):
    """Scrolls only up and down and is as wide as its content, so no editor is cut off on the right."""

    def __init__(self, widget: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidget(widget)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        widget.installEventFilter(self)

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        inner = self.widget()
        if inner is None:
            return hint
        width = inner.minimumSizeHint().width() + self.verticalScrollBar().sizeHint().width() + 2 * self.frameWidth()
        return QSize(max(width, hint.width()), hint.height())

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(max(hint.width(), self.minimumSizeHint().width()), hint.height())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()  # the content's minimum width may have changed
        return super().eventFilter(watched, event)


class TagPanelWidget(QWidget):
    message_posted = Signal(str)

    def __init__(
        self,
        ctx: AppContext,
        selection_provider: SelectionProvider,
        text_provider: TextProvider,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._selection = selection_provider
        self._text = text_provider
        self._view: DocumentView | None = None
        self._note_doc: int | None = None  # the document the notes field is showing
        # While a new span is added, the refresh leaves the selected span's editor and table row to
        # the selection of the new span that follows (filled once, not for the old selection first).
        self._adding = False
        self._note_timer = QTimer(self)
        self._note_timer.setSingleShot(True)
        self._note_timer.setInterval(NOTE_SAVE_DELAY_MS)
        self._splitter_placed = False
        self._table_auto_folded = False  # folded for a short panel, not by the user

        self.corrections = SpanCorrections(ctx, text_provider, self)
        self.label_bar = LabelBarWidget(ctx.project.scheme)
        self.span_editor = SpanEditorWidget(ctx)
        self.doc_stance = DocStancePanelWidget(ctx)
        self.notes = QPlainTextEdit()
        self.notes.setObjectName("notes")
        self.notes.setPlaceholderText("Notes on this document (saved as you type)")
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(self.notes.fontMetrics().lineSpacing() * 4 + 12)
        self.table_model = AnnotationTableModel(ctx.project.scheme, self)
        self.table = self._build_table()
        self._build_layout()
        self._connect_signals()
        self._reload()

    def _build_table(self) -> QTableView:
        table = QTableView()
        table.setObjectName("annotation_table")
        table.setModel(self.table_model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setWordWrap(False)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        table.verticalHeader().hide()
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 6)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COL_TEXT, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        table.setMinimumHeight(TABLE_MIN_PX)
        self._size_table_columns(table)
        return table

    def _size_table_columns(self, table: QTableView) -> None:
        """Widths from what the columns can hold (label names, offsets), not from the rows: measuring
        every row on each change (ResizeToContents) cost ~50 ms per edit on a 500-span article."""
        metrics, pad = table.fontMetrics(), 24
        labels = [lab.name for lab in self.ctx.project.scheme.labels] or ["Label"]
        label_width = max(metrics.horizontalAdvance(name) for name in [*labels, "Label"])
        table.setColumnWidth(COL_LABEL, label_width + metrics.height() + pad)  # + the colour swatch
        for col in (COL_START, COL_END):
            table.setColumnWidth(col, metrics.horizontalAdvance("000000") + pad)
        table.setColumnWidth(COL_DETAIL, min(130, metrics.horizontalAdvance("x" * 15) + pad))

    def _build_layout(self) -> None:
        stance_box = self.stance_box = QGroupBox(self._stance_title(review=False))
        QVBoxLayout(stance_box).addWidget(self.doc_stance)
        self.notes_box = CollapsibleBox("Notes", self.notes)
        self.notes_box.setObjectName("notes_box")
        self.table_box = CollapsibleBox("Annotations", self.table)
        self.table_box.setObjectName("annotations_box")
        upper = QWidget()
        upper_layout = QVBoxLayout(upper)
        upper_layout.setContentsMargins(0, 0, 0, 0)
        for part in (self.label_bar, self.span_editor, stance_box, self.notes_box):
            upper_layout.addWidget(part)
        upper_layout.addStretch(1)
        # The editors grow when a span is selected; they scroll on their own so that the table
        # below never leaves the window (at 1280x800 it used to) and the panel keeps its height.
        self.upper_scroll = VerticalScrollArea(upper)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("tag_panel_splitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.upper_scroll)
        self.splitter.addWidget(self.table_box)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.splitter)

    def _connect_signals(self) -> None:
        self.ctx.document_opened.connect(self._on_ctx_document_opened)
        self.ctx.changed.connect(self._on_ctx_changed)
        self.ctx.span_selected.connect(self._on_ctx_span_selected)
        self.ctx.project_replaced.connect(self._on_ctx_project_replaced)
        self.label_bar.label_clicked.connect(self._on_label_bar_label_clicked)
        self.span_editor.message_posted.connect(self.message_posted)
        self.corrections.message_posted.connect(self.message_posted)
        self.span_editor.delete_requested.connect(self.delete_selected_span)
        self.doc_stance.message_posted.connect(self.message_posted)
        self.notes.textChanged.connect(self._on_notes_text_changed)
        self.table_box.toggled.connect(self._on_table_box_toggled)
        self.table_box.header.clicked.connect(self._on_table_box_header_clicked)
        self.notes.installEventFilter(self)
        self._note_timer.timeout.connect(self._on_note_timer_timeout)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_row_changed)

    # -- public: what the keyboard actions call ----------------------------------------------

    @property
    def view(self) -> DocumentView | None:
        """The open document with my annotations, as last read from the store."""
        return self._view

    def add_span_from_selection(self, label: str) -> int | None:
        """Tag the article view's selection (snapped to whole words) with `label`; the new span id."""
        doc_id = self.ctx.current_doc_id
        if doc_id is None:
            self.message_posted.emit("Open a document first.")
            return None
        selection = self._selection()
        lab = self.ctx.project.scheme.label(label)
        key = f" and press {lab.key}" if lab else ""
        if selection is None or selection[0] == selection[1]:
            if self.span_editor.span is not None:  # a selected span and no text: relabel it
                self.corrections.relabel(label)
                return None
            self.message_posted.emit(f"Select some text first{key}.")
            return None
        snapped = snap_selection(self._text(), *selection)
        if snapped is None:
            self.message_posted.emit("The selection holds only spaces or punctuation.")
            return None
        existing = self._find_span(label, *snapped)
        if existing is not None:
            self.ctx.select_span(existing)
            self.message_posted.emit(f"That text is already tagged as {label}.")
            return existing
        nesting = self._nesting_note(label, *snapped)
        command = AddSpanCommand(self.ctx, doc_id, label, *snapped)
        self._adding = True
        try:
            error = push_command(self.ctx, command)
        finally:
            self._adding = False
        if error:
            self._sync_selected()
            self.message_posted.emit(error)
            return None
        self.ctx.select_span(command.span_id)
        if nesting:
            self.message_posted.emit(nesting)
        return command.span_id

    def add_fragment_from_selection(self) -> bool:
        """Add the selected text (snapped to whole words) as another piece of the selected span."""
        span = self.span_editor.span
        selection = self._selection()
        if span is None or selection is None or selection[0] == selection[1]:
            self.message_posted.emit("Click a span, select the text of its next piece, then press F.")
            return False
        snapped = snap_selection(self._text(), *selection)
        if snapped is None:
            self.message_posted.emit("The selection holds only spaces or punctuation.")
            return False
        error = push_command(self.ctx, AddFragmentCommand(self.ctx, span.id, *snapped))
        if error:
            self.message_posted.emit(error)
        return error is None

    def delete_selected_span(self) -> bool:
        span = self.span_editor.span
        if span is None:
            self.message_posted.emit("No span selected: click a span first.")
            return False
        error = push_command(self.ctx, DeleteSpanCommand(self.ctx, span.id, span.label))
        if error:
            self.message_posted.emit(error)
        return error is None

    def _stance_title(self, review: bool) -> str:
        values = len(self.ctx.project.scheme.stance_values)
        if not values:
            return "Document stance"
        if review:  # the digits pick whose version (MainWindow.press_digit)
            return "Document stance  [click, or Tab and Space; digits pick a version]"
        return f"Document stance  [1–{values}, T: next target]"

    def set_review_mode(self, on: bool) -> None:
        """The heading's key hint: in review mode the digits are the review panel's."""
        self.stance_box.setTitle(self._stance_title(review=on))

    def set_doc_stance_by_index(self, index: int) -> bool:
        """Number key `index` (1-based) sets that stance value for the active target."""
        return self.doc_stance.set_by_index(index)

    def cycle_active_target(self) -> str | None:
        return self.doc_stance.cycle_active_target()

    @property
    def active_target(self) -> str | None:
        return self.doc_stance.active_target

    def start_link_pick(self) -> bool:
        """Key A: the next span clicked on the text becomes the selected span's source."""
        return self.span_editor.start_link_pick()

    def save_note(self) -> None:
        """Save the notes field now if it has unsaved edits (also runs on focus-out and doc switch)."""
        self._note_timer.stop()
        doc_id = self._note_doc
        if doc_id is None or self._view is None or self._view.document.id != doc_id:
            return
        text = self.notes.toPlainText()
        if text == self._view.status.note:
            return
        error = push_command(self.ctx, SetNoteCommand(self.ctx, doc_id, text))
        if error:
            self.message_posted.emit(error)

    # -- syncing from the store --------------------------------------------------------------

    def _reload(self) -> None:
        doc_id = self.ctx.current_doc_id
        try:
            self._view = None if doc_id is None else self.ctx.view(doc_id)
        except AnnotatorError as exc:
            self._view = None
            self.message_posted.emit(str(exc))
        view, me = self._view, self.ctx.annotator.id
        writable = view is not None and not self.ctx.project.readonly
        for button in self.label_bar.buttons.values():
            button.setEnabled(writable)
        if not self._adding:
            self.span_editor.set_view(view, self.ctx.selected_span_id)
        self.doc_stance.set_view(view)
        self.table_model.set_view(view, me)
        self._sync_notes()
        if not self._adding:
            self._sync_table_selection()

    def _sync_selected(self) -> None:
        self.span_editor.set_view(self._view, self.ctx.selected_span_id)
        self._sync_table_selection()

    def _sync_notes(self) -> None:
        view = self._view
        if view is not None and self._note_timer.isActive() and self._note_doc == view.document.id:
            return  # the user is typing: their unsaved text wins over an unrelated refresh
        text = view.status.note if view is not None else ""
        self._note_doc = view.document.id if view is not None else None
        self.notes.setEnabled(view is not None)
        if self.notes.toPlainText() != text:
            blocker = QSignalBlocker(self.notes)
            self.notes.setPlainText(text)
            del blocker

    def _sync_table_selection(self) -> None:
        row = self.table_model.row_of(self.ctx.selected_span_id)
        selection = self.table.selectionModel()
        blocker = QSignalBlocker(selection)
        if row < 0:
            selection.clear()
        else:
            index = self.table_model.index(row, 0)
            selection.setCurrentIndex(index, selection.SelectionFlag.ClearAndSelect | selection.SelectionFlag.Rows)
            self.table.scrollTo(index)
        del blocker
        self.table.viewport().update()

    def _find_span(self, label: str, start: int, end: int) -> int | None:
        if self._view is None:
            return None
        name = self.ctx.project.scheme.canonical_label(label)
        return next(
            (
                s.id
                for s in self._view.spans
                if s.annotator_id == self.ctx.annotator.id and s.label == name and (s.start, s.end) == (start, end)
            ),
            None,
        )

    def _nesting_note(self, label: str, start: int, end: int) -> str:
        """What the status bar says when a new span of `label` at start..end nests in (or around,
        or across) one of my spans of the same label: allowed, as in brat, but rarely meant."""
        if self._view is None:
            return ""
        name = self.ctx.project.scheme.canonical_label(label)
        me = self.ctx.annotator.id
        same = [
            s for s in self._view.spans if s.annotator_id == me and s.label == name and s.start < end and start < s.end
        ]
        if not same:
            return ""
        other = min(same, key=lambda s: s.end - s.start)
        where = (
            "inside"
            if other.start <= start and end <= other.end
            else "around"
            if start <= other.start and other.end <= end
            else "across"
        )
        shown = name.replace("_", " ")
        text = elide(other.text, 40)
        return f"New {shown} {where} {shown} “{text}” (Ctrl+Z undoes it; Alt+Return selects a span at the caret)."

    # -- slots -------------------------------------------------------------------------------

    def _on_ctx_document_opened(self, _doc_id: int) -> None:
        self.save_note()  # flush the previous document's note before the field is reused
        self._reload()

    def _on_ctx_changed(self, changes: Changes) -> None:
        doc_id = self.ctx.current_doc_id
        if doc_id is not None and (doc_id in changes.doc_ids or changes.documents):
            self._reload()

    def _on_ctx_span_selected(self, span_id: int) -> None:
        self.span_editor.set_view(self._view, span_id or None)
        self._sync_table_selection()

    def _on_ctx_project_replaced(self) -> None:
        self._note_timer.stop()
        scheme = self.ctx.project.scheme
        self.label_bar.set_scheme(scheme)
        self.span_editor.reset()
        self.doc_stance.rebuild()
        self.table_model.set_scheme(scheme)
        self._note_doc = None
        self._reload()

    def _on_label_bar_label_clicked(self, label: str) -> None:
        self.add_span_from_selection(label)

    def _on_table_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        span_id = current.data(SpanIdRole) if current.isValid() else None
        if span_id and span_id != self.ctx.selected_span_id:
            self.ctx.select_span(int(span_id))

    def _on_notes_text_changed(self) -> None:
        if self._note_doc is not None:
            self._note_timer.start()

    def _on_note_timer_timeout(self) -> None:
        self.save_note()

    def resizeEvent(self, event: QResizeEvent) -> None:
        narrow = event.size().width() < WIDE_TABLE_PX
        for col in (COL_START, COL_END):
            self.table.setColumnHidden(col, narrow)
        super().resizeEvent(event)
        room = event.size().height() - COMMON_PATH_PX  # what the table may have
        if self._table_auto_folded and room >= TABLE_MIN_PX + TABLE_HEADER_PX:
            self._table_auto_folded = False  # the window grew (maximised, a bigger screen): unfold
            self.table_box.set_expanded(True)
        if not self._splitter_placed and event.size().height() > 0:
            # First real height: the editors get what the common path needs (the selected span,
            # its attribution, every document stance target), the table the rest up to its
            # starting share; on a short panel (a 1366x768 laptop) the table starts folded.
            self._splitter_placed = True
            if room < TABLE_MIN_PX + TABLE_HEADER_PX:
                self._table_auto_folded = True
                self.table_box.set_expanded(False)
            else:
                self._place_table(min(TABLE_START_PX, room))

    def _on_table_box_header_clicked(self) -> None:
        self._table_auto_folded = False  # the user's choice from now on

    def _on_table_box_toggled(self, expanded: bool) -> None:
        room = self.height() - COMMON_PATH_PX
        self._place_table(min(TABLE_START_PX, max(TABLE_MIN_PX + TABLE_HEADER_PX, room)) if expanded else 0)

    def _place_table(self, table: int) -> None:
        total = sum(self.splitter.sizes()) or self.height()
        table = max(table, self.table_box.header.sizeHint().height())
        self.splitter.setSizes([max(total - table, 1), table])

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.notes and event.type() == QEvent.Type.FocusOut:
            self.save_note()
        return super().eventFilter(watched, event)
