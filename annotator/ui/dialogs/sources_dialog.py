"""`SourcesDialog`: the Sources window (Annotate > Sources…, Ctrl+Shift+S).

It lists the project's canonical source names, most used first, each with its spelling variants
(aliases) and how many live spans use each, and offers the three registry edits: rename a name,
merge a name into another, move an alias to another name. Each is one undoable command
(`source_commands.py`) on the main undo stack; Ctrl+Z and Ctrl+Shift+Z work inside the window too.
Keyboard path: the tree has focus, arrows pick a row, Tab to the name field (which completes canonical
names), then Alt+R / Alt+M / Alt+A.
"""

from __future__ import annotations

from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtGui import QKeySequence, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QCompleter,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from annotator.model.changes import Changes
from annotator.services import sources
from annotator.ui.commands import push_command
from annotator.ui.context import AppContext
from annotator.ui.source_commands import RegistryEditCommand, merge_command, move_alias_command, rename_command

NAME_ROLE = Qt.ItemDataRole.UserRole + 1  # the canonical name (or alias text) of a row
IS_ALIAS_ROLE = Qt.ItemDataRole.UserRole + 2


class SourcesDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sources_dialog")
        self.setWindowTitle("Sources")
        self._ctx = ctx
        self.model = QStandardItemModel(self)
        self.model.setHorizontalHeaderLabels(["Name / alias", "Spans"])
        self.tree = QTreeView(self)
        self.tree.setObjectName("sources_tree")
        self.tree.setModel(self.model)
        self.tree.setEditTriggers(QTreeView.EditTrigger.NoEditTriggers)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("sources_name")
        self.name_edit.setPlaceholderText("New name, or the name to merge into / move the alias to")
        self._names = QStringListModel(self)
        completer = QCompleter(self._names, self.name_edit)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.name_edit.setCompleter(completer)
        self.rename_button = QPushButton("&Rename", self)
        self.merge_button = QPushButton("&Merge into", self)
        self.move_button = QPushButton("Move &alias to", self)
        self.message = QLabel(self)
        self.message.setObjectName("sources_message")
        self.message.setWordWrap(True)
        buttons = QHBoxLayout()
        for button in (self.rename_button, self.merge_button, self.move_button):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tree)
        layout.addWidget(self.name_edit)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        for action, keys, extra in (
            (ctx.undo_stack.createUndoAction(self), QKeySequence.StandardKey.Undo, "Ctrl+Z"),
            (ctx.undo_stack.createRedoAction(self), QKeySequence.StandardKey.Redo, "Ctrl+Shift+Z"),
        ):
            bindings = QKeySequence.keyBindings(keys)
            action.setShortcuts(bindings + [QKeySequence(extra)] if QKeySequence(extra) not in bindings else bindings)
            self.addAction(action)
        self._connect_signals()
        self.reload()
        self.resize(520, 560)

    @classmethod
    def show_for(cls, ctx: AppContext, parent: QWidget) -> SourcesDialog:
        """One Sources window per main window: raise it if it is open."""
        dialog = parent.findChild(SourcesDialog, "sources_dialog")
        if not isinstance(dialog, SourcesDialog):
            dialog = cls(ctx, parent)
        dialog.reload()
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        dialog.tree.setFocus()
        return dialog

    def _connect_signals(self) -> None:
        self.rename_button.clicked.connect(self.rename_selected)
        self.merge_button.clicked.connect(self.merge_selected)
        self.move_button.clicked.connect(self.move_selected)
        self._ctx.changed.connect(self._on_ctx_changed)
        self._ctx.project_replaced.connect(self.reload)
        self.tree.selectionModel().currentChanged.connect(lambda *_: self._sync_buttons())

    # -- contents --------------------------------------------------------------------------------

    def reload(self) -> None:
        """Rebuild the tree from the store, keeping the current row by its name."""
        current = self.selected()
        names = sources.source_names(self._ctx.project)
        self.model.removeRows(0, self.model.rowCount())
        for name in names:
            row = _row(name.name, name.count, alias=False)
            for alias in name.aliases:
                row[0].appendRow(_row(alias.text, alias.count, alias=True))
            self.model.appendRow(row)
        self.tree.expandAll()
        self._names.setStringList([n.name for n in names])
        if current is not None:
            self.select(*current)
        elif self.model.rowCount():
            self.tree.setCurrentIndex(self.model.index(0, 0))
        self._sync_buttons()

    def rows(self) -> list[tuple[str, int, list[tuple[str, int]]]]:
        """What the tree shows: (name, count, [(alias, count), ...]) per top-level row."""
        out = []
        for r in range(self.model.rowCount()):
            top = self.model.item(r, 0)
            kids = [(top.child(k, 0).text(), int(top.child(k, 1).text())) for k in range(top.rowCount())]
            out.append((top.text(), int(self.model.item(r, 1).text()), kids))
        return out

    def selected(self) -> tuple[str, bool] | None:
        """(name or alias, is it an alias) of the current row."""
        index = self.tree.currentIndex().siblingAtColumn(0)
        if not index.isValid():
            return None
        return str(index.data(NAME_ROLE)), bool(index.data(IS_ALIAS_ROLE))

    def select(self, text: str, alias: bool = False) -> bool:
        for r in range(self.model.rowCount()):
            top = self.model.item(r, 0)
            candidates = [top] if not alias else [top.child(k, 0) for k in range(top.rowCount())]
            for item in candidates:
                if item.data(NAME_ROLE) == text:
                    self.tree.setCurrentIndex(item.index())
                    return True
        return False

    # -- edits -----------------------------------------------------------------------------------

    def rename_selected(self) -> None:
        chosen = self._chosen(alias=False, verb="rename")
        if chosen is not None:
            self._push(rename_command(self._ctx, chosen[0], chosen[1]), chosen[1])

    def merge_selected(self) -> None:
        chosen = self._chosen(alias=False, verb="merge")
        if chosen is not None:
            self._push(merge_command(self._ctx, chosen[0], chosen[1]), chosen[1])

    def move_selected(self) -> None:
        chosen = self._chosen(alias=True, verb="move")
        if chosen is not None:
            self._push(move_alias_command(self._ctx, chosen[0], chosen[1]), chosen[1])

    def _chosen(self, *, alias: bool, verb: str) -> tuple[str, str] | None:
        current, target = self.selected(), self.name_edit.text().strip()
        if current is None or current[1] != alias:
            self.message.setText(f"Pick {'an alias' if alias else 'a canonical name'} to {verb} first.")
            return None
        if not target:
            self.message.setText("Type the other name in the field first.")
            self.name_edit.setFocus()
            return None
        return current[0], target

    def _push(self, command: RegistryEditCommand, then_select: str) -> None:
        error = push_command(self._ctx, command)
        if error:
            self.message.setText(error)
            return
        self.message.setText(f"{command.text()} (Ctrl+Z undoes it)")
        self.name_edit.clear()
        self.select(then_select)
        self.tree.setFocus()

    def _sync_buttons(self) -> None:
        current = self.selected()
        alias = current is not None and current[1]
        self.rename_button.setEnabled(current is not None and not alias)
        self.merge_button.setEnabled(current is not None and not alias)
        self.move_button.setEnabled(alias)

    def _on_ctx_changed(self, changes: Changes) -> None:
        if changes.spans and self.isVisible():
            self.reload()


def _row(text: str, count: int, *, alias: bool) -> list[QStandardItem]:
    name = QStandardItem(text)
    name.setData(text, NAME_ROLE)
    name.setData(alias, IS_ALIAS_ROLE)
    if alias:
        name.setToolTip(f"Spans written “{text}” get the canonical name above")
    number = QStandardItem(str(count))
    number.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return [name, number]
