"""`DocumentListModel`: the lazy list of documents in the left dock, with my status and span count.

It holds only the ordered ids that match the current filter (status and search text), in list (id)
order or with the most disagreement between annotators first (`services.review.disagreement_scores`: the
scores the store keeps current, read in one query when the list is re-read; an edit updates the shown
score of the documents it touched but does not re-sort, so rows do not jump while one works), and fetches the
rows it is asked to show in pages of `PAGE` through `services.documents.list_rows`, keeping at most
`CACHE_LIMIT` of them, so a 100,000-document project costs one id list and a few small queries.
A search (in list order) reads its ids a page of `ID_PAGE` at a time, straight from the full-text
index: the first screenful of a common word does not wait for every matching id; the view asks for
more (`canFetchMore`/`fetchMore`) as it scrolls to the end, and moving past the last row loaded does too.
A filter change resets the model; an edit (`AppContext.changed`) only drops and repaints the rows of
the documents it touched. The status icons are drawn here with QPainter, once per process.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QAbstractListModel, QByteArray, QModelIndex, QObject, QPersistentModelIndex, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPainterPath, QPen, QPixmap

from annotator.model.changes import Changes
from annotator.model.types import Status
from annotator.services import documents
from annotator.services.documents import ListRow
from annotator.ui.context import AppContext

DocIdRole = Qt.ItemDataRole.UserRole + 1
StatusRole = Qt.ItemDataRole.UserRole + 2
CountRole = Qt.ItemDataRole.UserRole + 3
DisagreementRole = Qt.ItemDataRole.UserRole + 4  # float in [0, 1], or None when not sorted by it

PAGE = 200
ID_PAGE = 500
CACHE_LIMIT = 2000

STATUS_TEXT = {Status.NOT_STARTED: "Not started", Status.IN_PROGRESS: "In progress", Status.DONE: "Done"}

_Index = QModelIndex | QPersistentModelIndex


class DocumentListModel(QAbstractListModel):
    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._status: Status | None = None
        self._search = ""
        self._ids: list[int] = []
        self._more = False  # a search whose further ids are not read yet
        self._rows_by_id: dict[int, int] = {}
        self._cache: dict[int, ListRow] = {}
        self._by_disagreement = False
        self._scores: dict[int, float] = {}
        self._load_ids()
        self._connect_signals()

    def _connect_signals(self) -> None:
        self._ctx.changed.connect(self._on_ctx_changed)
        self._ctx.project_replaced.connect(self._on_ctx_project_replaced)
        self._ctx.scores_updated.connect(self._on_ctx_scores_updated)

    # -- filter and ids --------------------------------------------------------------------------

    @property
    def status_filter(self) -> Status | None:
        return self._status

    @property
    def search_text(self) -> str:
        return self._search

    def set_filter(self, status: Status | None = None, search: str = "") -> None:
        """Show only documents with my `status` (None: all) whose title or text contains `search`."""
        search = search.strip()
        if (status, search) == (self._status, self._search):
            return
        self._status, self._search = status, search
        self.reload()

    @property
    def by_disagreement(self) -> bool:
        return self._by_disagreement

    def set_sort_by_disagreement(self, on: bool) -> None:
        """Most disagreement first (True) or list order (False)."""
        if on != self._by_disagreement:
            self._by_disagreement = on
            self.reload()

    def disagreement(self, doc_id: int) -> float | None:
        return self._scores.get(doc_id, 0.0) if self._by_disagreement else None

    def reload(self) -> None:
        """Re-read the id list (after an import, a project switch or a filter change)."""
        self.beginResetModel()
        self._load_ids()
        self.endResetModel()

    def _load_ids(self) -> None:
        self._cache.clear()
        self._more = False
        if self._search and not self._by_disagreement:
            self._ids = self._id_page(None)
            self._more = len(self._ids) == ID_PAGE
        elif self._status is None and not self._search:
            self._ids = documents.document_ids(self._ctx.project)
        else:
            self._ids = documents.document_ids(self._ctx.project, self._ctx.annotator.id, self._status, self._search)
        if self._by_disagreement:
            from annotator.services.review import disagreement_scores

            self._scores = disagreement_scores(self._ctx.project)
            self._ids.sort(key=lambda doc_id: -self._scores.get(doc_id, 0.0))  # stable: ties keep id order
        else:
            self._scores = {}
        self._rows_by_id = {doc_id: row for row, doc_id in enumerate(self._ids)}

    def _id_page(self, after: int | None) -> list[int]:
        project, me = self._ctx.project, self._ctx.annotator.id
        return documents.document_id_page(project, me, self._status, self._search, after=after, limit=ID_PAGE)

    def canFetchMore(self, parent: _Index) -> bool:  # noqa: N802 - Qt override
        return self._more and not parent.isValid()

    def fetchMore(self, parent: _Index) -> None:  # noqa: N802 - Qt override
        """Read the next page of a search's ids (in list order, after the last one shown)."""
        if not self.canFetchMore(parent):
            return
        page = self._id_page(self._ids[-1] if self._ids else None)
        self._more = len(page) == ID_PAGE
        if not page:
            return
        first = len(self._ids)
        self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
        self._ids.extend(page)
        self._rows_by_id.update((doc_id, first + i) for i, doc_id in enumerate(page))
        self.endInsertRows()

    def fetch_through(self, doc_id: int) -> None:
        """Read pages until the list holds every match up to and one past `doc_id` (list order is id
        order whenever pages are read), so its row, and the rows around it, are known."""
        while self._more and (not self._ids or self._ids[-1] <= doc_id):
            self.fetchMore(QModelIndex())

    def fetch_all(self) -> None:
        while self._more:
            self.fetchMore(QModelIndex())

    def all_loaded(self) -> bool:
        return not self._more

    def doc_ids(self) -> list[int]:
        """The listed ids read so far (all of them unless a search is still paging), in list order."""
        return list(self._ids)

    def row_of(self, doc_id: int) -> int | None:
        return self._rows_by_id.get(doc_id)

    def doc_id_at(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    # -- Qt model interface ----------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's own default
        return 0 if parent.isValid() else len(self._ids)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.parent().isValid() or not 0 <= index.row() < len(self._ids):
            return None
        doc_id = self._ids[index.row()]
        if role == DocIdRole:
            return doc_id
        if role == DisagreementRole:
            return self.disagreement(doc_id)
        if role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.DecorationRole,
            Qt.ItemDataRole.ToolTipRole,
            StatusRole,
            CountRole,
        ):
            return None
        row = self._row(index.row())
        if row is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return row.info.title or row.info.ext_id
        if role == Qt.ItemDataRole.DecorationRole:
            # Pixmaps need a GUI application; a headless model user (a script, a test) gets none.
            return status_icon(row.status) if QGuiApplication.instance() is not None else None
        if role == StatusRole:
            return row.status.value
        if role == CountRole:
            return row.n_mine
        score = self.disagreement(doc_id)
        return _tooltip(row) + (f"\nDisagreement {score:.2f} (0 none, 1 complete)" if score is not None else "")

    def roleNames(self) -> dict[int, QByteArray]:
        names = dict(super().roleNames())
        own = {DocIdRole: b"docId", StatusRole: b"status", CountRole: b"count", DisagreementRole: b"disagreement"}
        names.update({role: QByteArray(name) for role, name in own.items()})
        return names

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    # -- lazy rows -------------------------------------------------------------------------------

    def _row(self, row: int) -> ListRow | None:
        doc_id = self._ids[row]
        cached = self._cache.get(doc_id)
        if cached is not None:
            return cached
        self._fetch_page(row)
        return self._cache.get(doc_id)

    def _fetch_page(self, row: int) -> None:
        if len(self._cache) + PAGE > CACHE_LIMIT:
            # The view asks for what is on screen, so a cleared cache refills with one page.
            self._cache.clear()
        # Fetch a page around the row: views scroll both ways.
        first = max(0, row - PAGE // 4)
        wanted = [i for i in self._ids[first : first + PAGE] if i not in self._cache]
        self._cache.update(documents.list_rows(self._ctx.project, wanted, self._ctx.annotator.id))

    def cached_count(self) -> int:
        """How many rows are held in memory (for tests of the laziness)."""
        return len(self._cache)

    # -- changes ---------------------------------------------------------------------------------

    def _on_ctx_changed(self, changes: Changes) -> None:
        if changes.documents or changes.annotators:
            self.reload()
            return
        if not (changes.spans or changes.status or changes.stances):
            return
        deferred = self._ctx.project.scores_pending() and not self._ctx.remote
        if self._by_disagreement and changes.doc_ids and not deferred:
            # (My own edit's score is computed on the next turn of the event loop: `_on_ctx_scores_updated`.)
            self._read_scores(changes.doc_ids)
        for doc_id in changes.doc_ids:
            row = self._rows_by_id.get(doc_id)
            if row is None:
                continue
            # Rows keep their place even when they no longer match a status filter: a row vanishing
            # under the cursor while one works on it is worse than a stale filter.
            self._cache.pop(doc_id, None)
            index = self.index(row, 0)
            self.dataChanged.emit(index, index)

    def _on_ctx_project_replaced(self) -> None:
        self.reload()

    def _on_ctx_scores_updated(self, doc_ids: frozenset[int]) -> None:
        if self._by_disagreement:
            self._read_scores(doc_ids)

    def _read_scores(self, doc_ids: Iterable[int]) -> None:
        from annotator.services.review import disagreement_of

        ids = sorted(doc_ids)
        self._scores.update(disagreement_of(self._ctx.project, ids))
        for doc_id in ids:
            row = self._rows_by_id.get(doc_id)
            if row is not None:
                self.dataChanged.emit(self.index(row, 0), self.index(row, 0))


# -- status icons -----------------------------------------------------------------------------------

_ICONS: dict[Status, QIcon] = {}
STATUS_COLORS = {Status.NOT_STARTED: "#9e9e9e", Status.IN_PROGRESS: "#e0a020", Status.DONE: "#3a9d4a"}


def status_icon(status: Status) -> QIcon:
    """A small drawn icon: hollow circle (not started), half-filled (in progress), check (done)."""
    icon = _ICONS.get(status)
    if icon is None:
        icon = _ICONS[status] = QIcon(_status_pixmap(status, 32))
    return icon


def _status_pixmap(status: Status, size: int) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    color = QColor(STATUS_COLORS[status])
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    circle = QRectF(3, 3, size - 6, size - 6)
    painter.setPen(QPen(color, size / 12))
    if status == Status.NOT_STARTED:
        painter.drawEllipse(circle)
    elif status == Status.IN_PROGRESS:
        painter.drawEllipse(circle)
        half = QPainterPath()
        half.moveTo(circle.center())
        half.arcTo(circle, 90, 180)
        half.closeSubpath()
        painter.fillPath(half, color)
    else:
        painter.setBrush(color)
        painter.drawEllipse(circle)
        painter.setPen(
            QPen(QColor("white"), size / 9, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
        )
        s = size / 32
        path = QPainterPath()
        path.moveTo(9 * s, 16.5 * s)
        path.lineTo(14 * s, 21.5 * s)
        path.lineTo(23 * s, 11 * s)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(path)
    painter.end()
    return pixmap


def _tooltip(row: ListRow) -> str:
    info = row.info
    parts = [
        info.title or info.ext_id,
        f"{info.ext_id} · {info.n_chars:,} characters",
        f"{STATUS_TEXT[row.status]} · {row.n_mine} annotation{'s' if row.n_mine != 1 else ''} of mine",
    ]
    return "\n".join(parts)
