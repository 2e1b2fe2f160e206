"""`AnnotationTableModel`: the table of my spans in the open document, under the tagging panel.

It is fed a `DocumentView` (the panel loads it once per change and shares it), so it runs no query
of its own. Adding or removing one span inserts or removes one row, and edits in place emit
`dataChanged`, so the view keeps its selection and scroll position; only other changes reset it.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from annotator.model.scheme import Scheme
from annotator.model.types import Span
from annotator.services.documents import DocumentView

Index = QModelIndex | QPersistentModelIndex

COL_LABEL, COL_TEXT, COL_START, COL_END, COL_DETAIL = range(5)
HEADERS = ("Label", "Text", "Start", "End", "Details")
TEXT_CHARS = 60  # the view elides further; this keeps tooltips and clipboard short

DocIdRole = Qt.ItemDataRole.UserRole + 1
SpanIdRole = Qt.ItemDataRole.UserRole + 2
SpanRole = Qt.ItemDataRole.UserRole + 3


def elide(text: str, limit: int = TEXT_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class AnnotationTableModel(QAbstractTableModel):
    def __init__(self, scheme: Scheme, parent: Any = None) -> None:
        super().__init__(parent)
        self._scheme = scheme
        self._spans: list[Span] = []
        self._details: dict[int, list[str]] = {}

    # -- feeding -----------------------------------------------------------------------------

    def set_scheme(self, scheme: Scheme) -> None:
        self.beginResetModel()
        self._scheme = scheme
        self._spans, self._details = [], {}
        self.endResetModel()

    def set_view(self, view: DocumentView | None, annotator_id: int | None = None) -> None:
        """Show the spans of `view` (only `annotator_id`'s when given)."""
        spans = (
            [] if view is None else [s for s in view.spans if annotator_id is None or s.annotator_id == annotator_id]
        )
        self._details = {} if view is None else self._detail_texts(view, spans)
        old_ids = [s.id for s in self._spans]
        new_ids = [s.id for s in spans]
        old_set, new_set = set(old_ids), set(new_ids)
        if old_ids == new_ids:
            self._spans = spans
            if spans:
                self.dataChanged.emit(self.index(0, 0), self.index(len(spans) - 1, len(HEADERS) - 1))
        elif len(new_ids) == len(old_ids) + 1 and [i for i in new_ids if i in old_set] == old_ids:
            row = next(r for r, i in enumerate(new_ids) if r >= len(old_ids) or old_ids[r] != i)
            self.beginInsertRows(QModelIndex(), row, row)
            self._spans = spans
            self.endInsertRows()
        elif len(new_ids) == len(old_ids) - 1 and [i for i in old_ids if i in new_set] == new_ids:
            row = next(r for r, i in enumerate(old_ids) if r >= len(new_ids) or new_ids[r] != i)
            self.beginRemoveRows(QModelIndex(), row, row)
            self._spans = spans
            self.endRemoveRows()
        else:
            self.beginResetModel()
            self._spans = spans
            self.endResetModel()

    def _detail_texts(self, view: DocumentView, spans: list[Span]) -> dict[int, list[str]]:
        """Per span with any: what it links to (e.g. "→ Zelensky", as in the span tooltip) and its
        claim stances. Its attribute values go first, added when the row is shown (`_detail`): only
        the links and stances, which are few, are worked out for every span on each change."""
        shown = {s.id for s in spans}
        out: dict[int, list[str]] = {}
        if view.relations:
            by_id = {s.id: s for s in view.spans}
            for rel in view.relations:
                target = by_id.get(rel.to_span)
                if rel.from_span in shown and target is not None:
                    out.setdefault(rel.from_span, []).append("→ " + elide(target.text, 30))
        for st in view.stances:
            if st.span_id is not None and st.span_id in shown:
                out.setdefault(st.span_id, []).append(f"{st.target}: {st.value}")
        return out

    def _detail(self, span: Span) -> str:
        return ", ".join([*(v for v in span.attributes.values() if v), *self._details.get(span.id, ())])

    # -- look-ups ----------------------------------------------------------------------------

    def span_at(self, row: int) -> Span | None:
        return self._spans[row] if 0 <= row < len(self._spans) else None

    def row_of(self, span_id: int | None) -> int:
        return next((r for r, s in enumerate(self._spans) if s.id == span_id), -1)

    # -- Qt overrides ------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._spans)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(HEADERS)
        ):
            return HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._spans):
            return None
        span, col = self._spans[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(span, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(span)
        if role == Qt.ItemDataRole.DecorationRole and col == COL_LABEL:
            label = self._scheme.label(span.label)
            return QColor(label.color) if label else None
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (COL_START, COL_END):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == DocIdRole:
            return span.doc_id
        if role == SpanIdRole:
            return span.id
        if role == SpanRole:
            return span
        return None

    def _display(self, span: Span, col: int) -> Any:
        if col == COL_LABEL:
            return span.label
        if col == COL_TEXT:
            return elide(span.text)
        if col == COL_START:
            return span.start
        if col == COL_END:
            return span.end
        if col == COL_DETAIL:
            return self._detail(span)
        return None

    def _tooltip(self, span: Span) -> str:
        lines = [f"{span.label} {span.start}–{span.end}", elide(span.text, 300)]
        lines += [f"{k}: {v}" for k, v in span.attributes.items()]
        return "\n".join(lines)
