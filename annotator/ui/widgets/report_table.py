"""`ReportTableView`: the sortable, read-only table the agreement report window uses for every table.

It wraps an `AgreementTableModel` in a QSortFilterProxyModel sorting on the model's raw values, so
numbers sort as numbers and undefined values last; `key_at(index)` gives the row's drill-down key.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtWidgets import QAbstractItemView, QGroupBox, QHeaderView, QTableView, QVBoxLayout, QWidget

from annotator.ui.models.agreement_table_model import AgreementTableModel, RowKeyRole, SortRole
from annotator.ui.models.agreement_tables import Table


class ReportTableView(QTableView):
    """A sortable read-only table over an AgreementTableModel."""

    def __init__(self, name: str, parent: QWidget | None = None, stretch_column: int | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self._stretch_column = stretch_column
        self.source = AgreementTableModel(parent=self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.source)
        self.proxy.setSortRole(SortRole)
        self.setModel(self.proxy)
        self.setSortingEnabled(True)
        self.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # report order until the user sorts
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.verticalHeader().hide()
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.horizontalHeader().setMinimumSectionSize(70)
        # Columns fit the visible rows and the first 100 (Qt's default, 1,000, read ~40,000 cells of the
        # 3,000-row documents table after every report: ~0.3 s with the GUI thread busy).
        self.horizontalHeader().setResizeContentsPrecision(100)

    def set_table(self, table: Table) -> None:
        self.source.set_table(table)
        if self._stretch_column is not None and self._stretch_column < len(table.columns):
            # Long titles share the width rather than pushing the numbers out of sight.
            self.horizontalHeader().setSectionResizeMode(self._stretch_column, QHeaderView.ResizeMode.Stretch)

    def key_at(self, index: QModelIndex) -> Any:
        return index.data(RowKeyRole) if index.isValid() else None


def group_box(title: str, *widgets: QWidget) -> QGroupBox:
    box = QGroupBox(title)
    layout = QVBoxLayout(box)
    for widget in widgets:
        layout.addWidget(widget)
    return box
