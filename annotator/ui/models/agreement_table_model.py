"""`AgreementTableModel`: one read-only Qt table model for every table of the agreement report.

It displays a `Table` from `agreement_tables.py`: numbers to three decimals, right-aligned, followed
by "(n)" where the cell says how many items the value rests on;
undefined values as "–" in grey with the reason as tooltip; a sort role carrying the raw value (so
a QSortFilterProxyModel sorts numbers as numbers, undefined last) and a row-key role for drill-down.
A new table replaces the old one with a model reset: the report is recomputed as a whole. Roles
the model has nothing for are answered first, and each cell's text is formatted once: sizing the
columns of the 3,000-row documents table asks for tens of thousands of them.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from annotator.ui.models.agreement_tables import Cell, Table

SortRole = Qt.ItemDataRole.UserRole + 1
RowKeyRole = Qt.ItemDataRole.UserRole + 2
UNDEFINED = "–"
_GREY = QBrush(QColor("#8a8a8a"))
Index = QModelIndex | QPersistentModelIndex


_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_ROLES = frozenset({_DISPLAY, _TOOLTIP, _ALIGNMENT, _FOREGROUND, int(SortRole), int(RowKeyRole)})
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)


def format_value(value: object) -> str:
    if value is None:
        return UNDEFINED
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _display(cell: Cell) -> str:
    shown = format_value(cell.value)
    return shown if cell.n is None else f"{shown} ({cell.n})"


class AgreementTableModel(QAbstractTableModel):
    def __init__(self, table: Table | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self._table = table or Table(())
        self._shown: dict[tuple[int, int], str] = {}  # display text, made once per cell

    @property
    def table(self) -> Table:
        return self._table

    def set_table(self, table: Table) -> None:
        self.beginResetModel()
        self._table = table
        self._shown = {}
        self.endResetModel()

    def cell(self, row: int, column: int) -> Cell:
        return self._table.rows[row][column]

    def row_key(self, row: int) -> Any:
        keys = self._table.keys
        return keys[row] if row < len(keys) else None

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008 - Qt override
        # The base class asks rowCount() and columnCount() (two Python calls) for every index.
        if parent.isValid() or not 0 <= row < len(self._table.rows) or not 0 <= column < len(self._table.columns):
            return QModelIndex()
        return self.createIndex(row, column)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008,N802 - Qt override
        return 0 if parent.isValid() else len(self._table.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008,N802 - Qt override
        return 0 if parent.isValid() else len(self._table.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Sizing a column to its contents asks every row for a dozen roles (font, decoration, check
        # state, size hint...): those this model has nothing for are answered before anything else.
        if role not in _ROLES:
            return None
        r, c = index.row(), index.column()
        rows = self._table.rows
        if not 0 <= r < len(rows) or not 0 <= c < len(rows[r]):
            return None
        cell = rows[r][c]
        if role == _DISPLAY:
            shown = self._shown.get((r, c))
            if shown is None:
                shown = self._shown[(r, c)] = _display(cell)
            return shown
        if role == _TOOLTIP:
            if cell.why:
                return cell.why
            return f"{cell.value:.6g}" if isinstance(cell.value, float) else None
        if role == _ALIGNMENT:
            return _RIGHT if cell.value is None or isinstance(cell.value, int | float) else _LEFT
        if role == _FOREGROUND:
            return _GREY if cell.value is None else None
        if role == SortRole:
            # Undefined sorts below every number; text sorts as text.
            if cell.value is None:
                return float("-inf")
            return cell.value if isinstance(cell.value, int | float) else str(cell.value).casefold()
        return self.row_key(r)  # RowKeyRole

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,  # noqa: N802 - Qt override
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._table.columns):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._table.columns[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            tips = self._table.column_tips
            return (tips[section] or None) if section < len(tips) else None
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
