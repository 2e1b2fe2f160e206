"""`ReviewItemModel`: the aligned items of one document as a table for the review panel.

One row per item (spans, then relations, then stances, in `services.alignment.align_document` order).
Columns: the item, its agreement category (text on a category colour), one column per compared
annotator with their version, and gold's version. It only presents an `Alignment`; the panel decides
when to re-align. The column of the annotator whose version the accept key takes is drawn bold.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from annotator.model.types import GOLD, Relation, Span, Stance
from annotator.services.alignment import Agreement, Alignment, RelationItem, ReviewItem, SpanItem

COL_ITEM = 0
COL_AGREEMENT = 1
FIRST_VERSION_COL = 2

ItemKeyRole = Qt.ItemDataRole.UserRole + 1
AgreementRole = Qt.ItemDataRole.UserRole + 2
AnnotatorIdRole = Qt.ItemDataRole.UserRole + 3  # version columns: whose version the cell shows

AGREEMENT_COLORS = {
    Agreement.AGREED: "#2e7d32",
    Agreement.PARTIAL: "#e08a00",
    Agreement.CONFLICTING: "#c62828",
    Agreement.SINGLE: "#757575",
}
AGREEMENT_HELP = {
    Agreement.AGREED: "every annotator has the same label, offsets and attributes",
    Agreement.PARTIAL: "overlapping or not everyone has it",
    Agreement.CONFLICTING: "same text, another label, attributes or value",
    Agreement.SINGLE: "only one annotator has it",
}
ABSENT = "—"

_Index = QModelIndex | QPersistentModelIndex


def elide(text: str, limit: int = 48) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def item_title(item: ReviewItem) -> str:
    if isinstance(item, SpanItem):
        return f"{item.label}: “{elide(item.text)}”"
    if isinstance(item, RelationItem):
        return f"{item.type}: “{elide(item.from_item.text, 24)}” → “{elide(item.to_item.text, 24)}”"
    where = f" @ “{elide(item.span_item.text, 28)}”" if item.span_item is not None else ""
    return f"stance {item.target}{where}"


def version_text(item: ReviewItem, version: Span | Relation | Stance | None) -> str:
    """A short cell text for one version; offsets only when they differ from the item's."""
    if version is None:
        return ABSENT
    if isinstance(version, Span):
        parts = [version.label]
        if isinstance(item, SpanItem) and (version.start, version.end) != (item.start, item.end):
            parts.append(f"{version.start}–{version.end}")
        parts += [str(v) for v in version.attributes.values()]
        return " · ".join(parts)
    if isinstance(version, Relation):
        return "linked"
    return version.value


def version_tooltip(version: Span | Relation | Stance | None, who: str) -> str:
    if version is None:
        return f"{who}: no version"
    if isinstance(version, Span):
        attrs = "".join(f"\n{k}: {v}" for k, v in version.attributes.items())
        return f"{who}: {version.label} {version.start}–{version.end}\n“{elide(version.text, 120)}”{attrs}"
    if isinstance(version, Relation):
        return f"{who}: {version.type}"
    return f"{who}: {version.target} = {version.value}"


class ReviewItemModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._alignment: Alignment | None = None
        self._items: tuple[ReviewItem, ...] = ()
        self._names: dict[int, str] = {}
        self._current = 0  # index into alignment.annotator_ids

    # -- content ---------------------------------------------------------------------------------

    def set_alignment(self, alignment: Alignment | None, names: Mapping[int, str]) -> None:
        self.beginResetModel()
        self._alignment = alignment
        self._items = alignment.items if alignment is not None else ()
        self._names = dict(names)
        if alignment is None or self._current >= len(alignment.annotator_ids):
            self._current = 0
        self.endResetModel()

    @property
    def alignment(self) -> Alignment | None:
        return self._alignment

    def annotator_ids(self) -> tuple[int, ...]:
        return self._alignment.annotator_ids if self._alignment is not None else ()

    def item_at(self, row: int) -> ReviewItem | None:
        return self._items[row] if 0 <= row < len(self._items) else None

    def row_of(self, key: str | None) -> int:
        return next((n for n, item in enumerate(self._items) if item.key == key), -1)

    @property
    def current_index(self) -> int:
        return self._current

    def set_current_index(self, index: int) -> None:
        """Which annotator's version the accept key takes (0-based into `annotator_ids`)."""
        if not 0 <= index < len(self.annotator_ids()) or index == self._current:
            return
        self._current = index
        last = self.columnCount() - 1
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, FIRST_VERSION_COL, last)
        if self._items:
            self.dataChanged.emit(self.index(0, FIRST_VERSION_COL), self.index(len(self._items) - 1, last))

    def current_annotator_id(self) -> int | None:
        ids = self.annotator_ids()
        return ids[self._current] if ids else None

    # -- Qt model interface ----------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt's own default
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else FIRST_VERSION_COL + len(self.annotator_ids()) + 1

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,  # noqa: N802 - Qt override
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < self.columnCount():
            return None
        ids = self.annotator_ids()
        who = section - FIRST_VERSION_COL
        if role == Qt.ItemDataRole.DisplayRole:
            if section == COL_ITEM:
                return "Item"
            if section == COL_AGREEMENT:
                return "Agreement"
            if who < len(ids):
                return f"{who + 1} {self._names.get(ids[who], '?')}"
            return "Gold"
        if role == Qt.ItemDataRole.FontRole and who == self._current and who < len(ids):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and 0 <= who < len(ids):
            return f"Press {who + 1} to accept {self._names.get(ids[who], '?')}'s versions"
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.parent().isValid() or not 0 <= index.row() < len(self._items):
            return None
        item, col = self._items[index.row()], index.column()
        if role == ItemKeyRole:
            return item.key
        if role == AgreementRole:
            return item.agreement.value
        ids = self.annotator_ids()
        who = col - FIRST_VERSION_COL
        if col == COL_ITEM:
            return self._item_data(item, role)
        if col == COL_AGREEMENT:
            return self._agreement_data(item, role)
        if 0 <= who < len(ids):
            return self._version_data(item, ids[who], who == self._current, role)
        if who == len(ids):
            return self._gold_data(item, role)
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    # -- cells -----------------------------------------------------------------------------------

    def _item_data(self, item: ReviewItem, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return item_title(item)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{item_title(item)}\n{item.key}"  # whole, when the column elides it
        return None

    def _agreement_data(self, item: ReviewItem, role: int) -> Any:
        color = QColor(AGREEMENT_COLORS[item.agreement])
        if role == Qt.ItemDataRole.DisplayRole:
            return item.agreement.value
        if role == Qt.ItemDataRole.BackgroundRole:
            color.setAlpha(60)
            return color
        if role == Qt.ItemDataRole.ForegroundRole:
            return color.darker(130)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{item.agreement.value}: {AGREEMENT_HELP[item.agreement]}"
        return None

    def _version_data(self, item: ReviewItem, annotator_id: int, current: bool, role: int) -> Any:
        version = item.versions.get(annotator_id)
        if role == Qt.ItemDataRole.DisplayRole:
            return version_text(item, version)
        if role == Qt.ItemDataRole.ToolTipRole:
            return version_tooltip(version, self._names.get(annotator_id, "?"))
        if role == AnnotatorIdRole:
            return annotator_id
        if role == Qt.ItemDataRole.FontRole and current:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def _gold_data(self, item: ReviewItem, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            if item.rejected:
                return "✗ rejected"
            return f"✓ {version_text(item, item.gold)}" if item.gold is not None else ABSENT
        if role == Qt.ItemDataRole.ToolTipRole:
            if item.rejected:
                return "Rejected: gold has no version of this item"
            return version_tooltip(item.gold, GOLD)
        if role == Qt.ItemDataRole.ForegroundRole and (item.gold is not None or item.rejected):
            return QColor("#8a6d00") if item.gold is not None else QColor(AGREEMENT_COLORS[Agreement.CONFLICTING])
        return None


def is_decided(item: ReviewItem) -> bool:
    """Gold holds a version of it, or it was rejected."""
    return item.gold is not None or item.rejected
