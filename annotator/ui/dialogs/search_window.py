"""`SearchWindow`: corpus search over the whole project (Edit > Search the project…, Ctrl+Shift+F).

A query line, filters (label, attribute value, in spans only, annotator, stance target and value,
status) and the results as keyword-in-context rows: document, left context, match, right context and
the spans the match lies in. Enter (or a double click) on a row opens the document with the match
selected in the article. The search itself (`services.search.hits_by_document`) runs on a worker
thread and sends its results as it finds them, so the first rows show while it reads on, and typing
and scrolling go on meanwhile; Cancel stops it (keeping what it found), and a newer search makes an
older one stop and its results are dropped. In blind mode the annotation filters see only my own layer.
Python's cyclic collector runs on the GUI thread only once that thread exists (`ui.gc_collector`).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from PySide6.QtCore import QObject, QRect, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtGui import QFont, QGuiApplication, QKeyEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from annotator.model.errors import AnnotatorError
from annotator.model.types import Status
from annotator.services import review
from annotator.services.project import Project
from annotator.services.search import Hit, SearchQuery, checked_filters, hits_by_document
from annotator.ui.context import AppContext
from annotator.ui.gc_collector import collect_on_gui_thread

ANY = "(any)"
HIT_ROLE = Qt.ItemDataRole.UserRole + 1
LIMIT = 500
CONTEXT = 50
WHOLE_DOCUMENT = "whole document"
COLUMNS = ("Document", "Left context", "Match", "Right context", "In span")


SEND_EVERY = 0.1
"""Seconds between batches of results sent to the window (the first result goes at once)."""


@dataclass(frozen=True)
class _Done:
    count: int
    more: bool  # results were left out to keep to LIMIT
    stopped: bool  # Cancel (or a newer search) stopped it


class _Relay(QObject):
    found = Signal(int, object)  # generation, a list of Hits
    finished = Signal(int, object)  # generation, _Done or the AnnotatorError


class _SearchJob(QRunnable):
    """Reads results on the worker thread and sends them on as they come."""

    def __init__(
        self, project: Project, query: SearchQuery, generation: int, relay: _Relay, stop: threading.Event
    ) -> None:
        super().__init__()
        self._project, self._query, self._generation = project, query, generation
        self._relay, self._stop = relay, stop

    def run(self) -> None:
        try:
            done: object = self._read()
        except AnnotatorError as exc:
            done = exc
        self._relay.finished.emit(self._generation, done)

    def _read(self) -> _Done:
        filters = checked_filters(self._project, self._query)
        chunk: list[Hit] = []
        sent, more, last = 0, False, 0.0
        for found in hits_by_document(self._project, filters, CONTEXT, self._stop.is_set):
            if sent + len(chunk) + len(found) > LIMIT:
                chunk.extend(found[: LIMIT - sent - len(chunk)])
                more = True
                break
            chunk.extend(found)
            if chunk and (sent == 0 or time.monotonic() - last >= SEND_EVERY):
                self._relay.found.emit(self._generation, chunk)
                sent, chunk, last = sent + len(chunk), [], time.monotonic()
        if chunk:
            self._relay.found.emit(self._generation, chunk)
        return _Done(sent + len(chunk), more, self._stop.is_set())


class SearchWindow(QDialog):
    document_requested = Signal(int, int, int)  # doc id, match start, match end (code points)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("search_window")
        self.setWindowTitle("Search the project")
        self._ctx = ctx
        self._generation = 0
        self._stop = threading.Event()
        collect_on_gui_thread()
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._relay = _Relay(self)
        self._relay.found.connect(self._on_found)
        self._relay.finished.connect(self._on_finished)
        self.searching = False

        self.query_edit = QLineEdit(self)
        self.query_edit.setObjectName("search_query")
        self.query_edit.setPlaceholderText("Words or a phrase, e.g. NATO membership")
        self.query_edit.setClearButtonEnabled(True)
        self.search_button = QPushButton("&Search", self)
        self.search_button.setAutoDefault(False)
        self.cancel_button = QPushButton("&Cancel", self)
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.setEnabled(False)
        self.label_box = self._combo("search_label")
        self.attribute_box = self._combo("search_attribute")
        self.in_spans_box = QCheckBox("Only inside &spans", self)
        self.annotator_box = self._combo("search_annotator")
        self.target_box = self._combo("search_target")
        self.value_box = self._combo("search_value")
        self.status_box = self._combo("search_status")
        self.model = QStandardItemModel(self)
        self.model.setHorizontalHeaderLabels(list(COLUMNS))
        self.results = QTreeView(self)
        self.results.setObjectName("search_results")
        self.results.setModel(self.model)
        self.results.setRootIsDecorated(False)
        self.results.setUniformRowHeights(True)
        self.results.setAlternatingRowColors(True)
        self.results.setEditTriggers(QTreeView.EditTrigger.NoEditTriggers)
        header = self.results.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.ResizeToContents)
        self.results.setColumnWidth(0, 160)
        self.message = QLabel("Type words or a phrase and press Enter.", self)
        self.message.setObjectName("search_message")

        top = QHBoxLayout()
        top.addWidget(self.query_edit, 1)
        top.addWidget(self.search_button)
        top.addWidget(self.cancel_button)
        filters = QGridLayout()
        for column, (text, box) in enumerate(
            (("&Label", self.label_box), ("A&ttribute", self.attribute_box), ("A&nnotator", self.annotator_box))
        ):
            filters.addWidget(self._buddy(text, box), 0, 2 * column)
            filters.addWidget(box, 0, 2 * column + 1)
        for column, (text, box) in enumerate(
            (("Stance &target", self.target_box), ("Stance &value", self.value_box), ("Stat&us", self.status_box))
        ):
            filters.addWidget(self._buddy(text, box), 1, 2 * column)
            filters.addWidget(box, 1, 2 * column + 1)
        filters.addWidget(self.in_spans_box, 0, 6)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.message)

        self.query_edit.returnPressed.connect(self.run_search)
        self.search_button.clicked.connect(self.run_search)
        self.cancel_button.clicked.connect(self.cancel)
        self.results.activated.connect(lambda index: self.open_row(index.row()))
        self.resize(1000, 560)
        self.reload_filters()

    def _combo(self, name: str) -> QComboBox:
        box = QComboBox(self)
        box.setObjectName(name)
        box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        return box

    def _buddy(self, text: str, box: QWidget) -> QLabel:
        label = QLabel(text, self)
        label.setBuddy(box)
        return label

    @classmethod
    def show_for(cls, ctx: AppContext, parent: QWidget, text: str | None = None) -> SearchWindow:
        """One Search window per main window: raise it if it is open; `text` replaces the query."""
        window = parent.findChild(SearchWindow, "search_window")
        if not isinstance(window, SearchWindow):
            window = cls(ctx, parent)
        else:
            window.reload_filters()
        window.show()
        window.raise_()
        window.activateWindow()
        window.query_edit.setFocus()
        if text is not None:
            window.query_edit.setText(text)
            window.run_search()
        else:
            window.query_edit.selectAll()
        return window

    def reload_filters(self) -> None:
        """Fill the filter boxes from the scheme and the project's annotators, keeping the choices."""
        scheme = self._ctx.project.scheme
        attributes = [f"{a.name}={v}" for label in scheme.active_labels for a in label.attributes for v in a.values]
        blind = review.is_blind(self._ctx.project)
        names = [self._ctx.annotator.name] if blind else [a.name for a in self._ctx.project.annotators()]
        for box, items in (
            (self.label_box, [lab.name for lab in scheme.active_labels]),
            (self.attribute_box, list(dict.fromkeys(attributes))),
            (self.annotator_box, names),
            (self.target_box, list(scheme.target_names)),
            (self.value_box, list(scheme.stance_values)),
            (self.status_box, [s.value for s in Status]),
        ):
            chosen = box.currentText()
            box.blockSignals(True)
            box.clear()
            box.addItems(([] if box is self.annotator_box and blind else [ANY]) + items)
            box.setCurrentIndex(max(0, box.findText(chosen)))
            box.blockSignals(False)
        self.annotator_box.setToolTip("Blind mode: only your own annotations" if blind else "")

    def query(self) -> SearchQuery:
        def chosen(box: QComboBox) -> str | None:
            return None if box.currentText() in (ANY, "") else box.currentText()

        attribute = chosen(self.attribute_box)
        status = chosen(self.status_box)
        annotator = chosen(self.annotator_box)
        annotation_filters = self.in_spans_box.isChecked() or any(
            chosen(box)
            for box in (self.label_box, self.attribute_box, self.target_box, self.value_box, self.status_box)
        )
        if review.is_blind(self._ctx.project) and not annotation_filters:
            annotator = None  # blind mode's own layer matters only where annotations are looked at
        return SearchQuery(
            text=self.query_edit.text(),
            in_spans=self.in_spans_box.isChecked(),
            labels=tuple(x for x in [chosen(self.label_box)] if x),
            attribute=tuple(attribute.split("=", 1)) if attribute else None,  # type: ignore[arg-type]
            stance_target=chosen(self.target_box),
            stance_value=chosen(self.value_box),
            annotators=(annotator,) if annotator else (),
            status=Status(status) if status else None,
        )

    def run_search(self) -> None:
        """Start a search with what the window shows; an older one still running stops."""
        query = self.query()
        filtered = query.labels or query.in_spans or query.attribute or query.stance_target or query.stance_value
        if not query.text.strip() and not (filtered or query.status):
            self.message.setText("Type words or a phrase, or choose a label, a stance or a status.")
            return
        self._stop.set()
        self._stop = threading.Event()
        self._generation += 1
        self.searching = True
        self.cancel_button.setEnabled(True)
        self.model.removeRows(0, self.model.rowCount())
        self.results.setColumnHidden(4, True)
        self.message.setText("Searching…")
        self._pool.start(_SearchJob(self._ctx.project, query, self._generation, self._relay, self._stop))

    def cancel(self) -> None:
        """Stop the running search; the results found so far stay."""
        self._stop.set()

    def _on_found(self, generation: int, hits: list[Hit]) -> None:
        if generation != self._generation:
            return  # a newer search replaced this one
        self.add_rows(hits)
        count = self.model.rowCount()
        self.message.setText(f"Searching… {count} result{'s' if count != 1 else ''} so far")

    def _on_finished(self, generation: int, done: object) -> None:
        if generation != self._generation:
            return
        self.searching = False
        self.cancel_button.setEnabled(False)
        if isinstance(done, AnnotatorError):
            self.message.setText(str(done))
            return
        assert isinstance(done, _Done)
        hits = [h for h in (self.hit(row) for row in range(self.model.rowCount())) if h is not None]
        documents = len({h.doc_id for h in hits})
        count = f"{len(hits)} result{'s' if len(hits) != 1 else ''} in {documents} document"
        count += "s" if documents != 1 else ""
        if done.stopped:
            count = "Stopped: " + count + " so far"
        more = f" (the first {LIMIT}; narrow the search to see the rest)" if done.more else ""
        self.message.setText(count + more + (". Enter opens a result." if hits else "."))

    def add_rows(self, hits: list[Hit]) -> None:
        bold = QFont(self.font())
        bold.setBold(True)
        italic = QFont(self.font())
        italic.setItalic(True)
        first = self.model.rowCount() == 0
        for hit in hits:
            row = [QStandardItem(hit.title or hit.ext_id), QStandardItem(hit.left), QStandardItem(hit.match)]
            row += [QStandardItem(hit.right), QStandardItem(", ".join(f"{s.label} ({s.annotator})" for s in hit.spans))]
            row[0].setToolTip(f"{hit.ext_id}: {hit.title}")
            row[0].setData(hit, HIT_ROLE)
            row[1].setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            row[2].setFont(bold)
            if hit.start == hit.end:  # no words searched: the whole document passes the filters
                row[2].setText(WHOLE_DOCUMENT)
                row[2].setFont(italic)
                row[2].setForeground(self.palette().placeholderText())
                row[2].setToolTip("The document passes the filters; its opening is shown on the right.")
            self.model.appendRow(row)
        if any(h.spans for h in hits):
            self.results.setColumnHidden(4, False)
        if first and hits:
            self.results.setCurrentIndex(self.model.index(0, 0))

    def hit(self, row: int) -> Hit | None:
        item = self.model.item(row, 0)
        value = item.data(HIT_ROLE) if item is not None else None
        return value if isinstance(value, Hit) else None

    def open_row(self, row: int) -> None:
        found = self.hit(row)
        if found is not None:
            self.document_requested.emit(found.doc_id, found.start, found.end)

    def step_aside(self, avoid: QRect) -> None:
        """Move (and if need be shorten) the window so it leaves `avoid` in view: the lines of the
        match just opened in the article, in global coordinates (`aside_of`)."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        frame = self.frameGeometry()
        extra = frame.height() - self.height()  # the title bar and borders
        placed = aside_of(frame, avoid, screen.availableGeometry(), self.minimumSizeHint().height() + extra)
        if placed != frame:
            self.resize(self.width(), placed.height() - extra)
            self.move(placed.topLeft())

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        """Down from the query line goes to the results; Enter there opens the current one."""
        if event.key() == Qt.Key.Key_Down and self.query_edit.hasFocus() and self.model.rowCount():
            self.results.setFocus()
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.results.hasFocus():
            self.open_row(self.results.currentIndex().row())
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: object) -> None:  # noqa: N802 - Qt override
        self._stop.set()
        super().closeEvent(event)  # type: ignore[arg-type]


def aside_of(frame: QRect, avoid: QRect, screen: QRect, min_height: int, gap: int = 8) -> QRect:
    """Where a window whose frame is `frame` goes to leave `avoid` uncovered: where it is when it does
    not cover it, else above or below it on `screen`, the side where it fits whole (the nearer if
    both), or else the side with more room, shortened to that room (not below `min_height`)."""
    if not frame.intersects(avoid):
        return frame
    above = avoid.top() - gap - screen.top()  # rows free above the match
    below = screen.bottom() - avoid.bottom() - gap
    fits = [side for side, room in (("above", above), ("below", below)) if room >= frame.height()]
    if len(fits) == 2:
        up_move = frame.bottom() - (avoid.top() - gap - 1)
        down_move = avoid.bottom() + gap + 1 - frame.top()
        side = "above" if up_move <= down_move else "below"
    else:
        side = fits[0] if fits else ("above" if above >= below else "below")
    height = max(min(frame.height(), above if side == "above" else below), min_height)
    top = avoid.top() - gap - height if side == "above" else avoid.bottom() + gap + 1
    top = max(screen.top(), min(top, screen.bottom() + 1 - height))
    left = max(screen.left(), min(frame.left(), screen.right() + 1 - frame.width()))
    return QRect(left, top, frame.width(), height)
