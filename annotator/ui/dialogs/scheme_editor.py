"""`SchemeEditorDialog` (Project › Scheme editor) and `ApplySchemeCommand`, its one undoable step.

The dialog edits a copy of the scheme in a tree (`ui/scheme_tree.py`) and the project's Markdown
guidelines. Every edit updates the preview: the problems that stop the scheme (clashing keys or
colours, bad names), or what applying it would change with the number of annotations each change
touches, as `annotator scheme apply --dry-run` prints it. Apply is refused while anything is
refused; otherwise it pushes one command that `services.schemes.apply` carries out and Ctrl+Z
takes back (renames return to their old names). An apply refused because someone else changed the
scheme first opens `SchemeConflictDialog` (both changes; reload theirs, then make mine again).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QUndoCommand
from PySide6.QtWidgets import (
    QColorDialog,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTabWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.model.errors import AnnotatorError, StaleWriteError
from annotator.model.scheme import Scheme
from annotator.model.scheme_diff import undo_target
from annotator.model.scheme_parse import DEFAULT_COLORS, check_scheme
from annotator.model.scheme_toml import scheme_to_toml
from annotator.model.scheme_usage import SchemePlan
from annotator.services import schemes
from annotator.ui.context import AppContext
from annotator.ui.dialogs.scheme_conflict_dialog import SchemeConflictDialog
from annotator.ui.scheme_tree import ARCHIVED_ROLE, COLOUR, KIND_ROLE, NAME, SchemeTreeWidget

OUTDATED = (
    "someone else changed the scheme after this step, so undoing or redoing it here would take back "
    "their change; nothing was changed (make the change in the Scheme editor)"
)


class ApplySchemeCommand(QUndoCommand):
    """Install a scheme; undo installs the one before with the new names as its aliases.

    A later undo or redo the service refuses (another program holds the write lock, a colleague
    changed the scheme since) changes nothing: as for the annotation commands, `ctx.step_refused`
    puts the stack's index back (this command skips the inverse step that does it) and the one-line
    reason goes to the status bar."""

    def __init__(self, ctx: AppContext, new: Scheme) -> None:
        super().__init__("Change the scheme")
        self.ctx, self.new = ctx, new
        self.before: Scheme = ctx.project.scheme
        self.after: Scheme | None = None
        self.error: str | None = None
        self.stale: StaleWriteError | None = None  # the first apply met a scheme someone else changed
        self.outdated = False  # someone else's scheme was loaded after this step: it stays as it is
        self._skip_step = False

    def redo(self) -> None:
        if self._skip_step:
            self._skip_step = False
            return
        if self.after is not None:
            self._attempt(self.new)
            return
        try:
            schemes.apply(self.ctx.project, self.new, self.ctx.annotator.name)
        except AnnotatorError as exc:
            self.error = str(exc)
            self.stale = exc if isinstance(exc, StaleWriteError) else None
            self.setObsolete(True)
            return
        self.after = self.ctx.project.scheme
        self.ctx.reload_scheme()

    def undo(self) -> None:
        if self._skip_step:
            self._skip_step = False
            return
        assert self.after is not None
        self._attempt(undo_target(self.before, self.after))

    def _attempt(self, target: Scheme) -> None:
        if self.outdated:
            self._skip_step = True
            self.ctx.step_refused(OUTDATED)
            return
        try:
            schemes.apply(self.ctx.project, target, self.ctx.annotator.name)
        except AnnotatorError as exc:
            self._skip_step = True
            self.ctx.step_refused(str(exc))
            return
        self.ctx.reload_scheme()


class _ColumnDelegate(QStyledItemDelegate):
    """Only the columns that mean something for a row's kind get an editor."""

    def __init__(self, tree: SchemeTreeWidget) -> None:
        super().__init__(tree)
        self._tree = tree

    def createEditor(
        self, parent: QWidget, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> Any:
        model_index = self._tree.model().index(index.row(), index.column(), index.parent())
        item = self._tree.itemFromIndex(model_index)
        if item is None or not self._tree.editable(item, index.column()):
            return None
        return super().createEditor(parent, option, index)


class SchemeEditorDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scheme_editor")
        self.setWindowTitle(f"Scheme editor — {ctx.project.scheme.name}")
        self.ctx = ctx
        self.plan: SchemePlan | None = None
        self.problems: list[str] = []
        self.conflict_dialog: SchemeConflictDialog | None = None  # the last one asked (tests press its buttons)
        self.tree = SchemeTreeWidget(self)
        self.tree.setItemDelegate(_ColumnDelegate(self.tree))
        self.guidelines = QPlainTextEdit(ctx.project.scheme.guidelines)
        self.guidelines.setObjectName("scheme_guidelines")
        self.guidelines.setPlaceholderText("Guidelines for annotators (Markdown), shown in the Guidelines dock")
        tabs = QTabWidget()
        tabs.addTab(self.tree, "Elements")
        tabs.addTab(self.guidelines, "Guidelines")
        self.preview = QPlainTextEdit()
        self.preview.setObjectName("scheme_preview")
        self.preview.setReadOnly(True)
        self.buttons_row = QHBoxLayout()
        self.add_buttons: dict[str, QPushButton] = {}
        for kind, text in (
            ("label", "Add label"),
            ("attribute", "Add attribute"),
            ("value", "Add value"),
            ("relation", "Add relation type"),
            ("target", "Add target"),
            ("stance_value", "Add stance value"),
        ):
            button = QPushButton(text)
            button.setObjectName(f"add_{kind}")
            button.clicked.connect(lambda _c=False, k=kind: self.add(k))
            self.buttons_row.addWidget(button)
            self.add_buttons[kind] = button
        self.archive_button = QPushButton("Archive / restore")
        self.remove_button = QPushButton("Remove")
        self.buttons_row.addWidget(self.archive_button)
        self.buttons_row.addWidget(self.remove_button)
        self.box = QDialogButtonBox(QDialogButtonBox.StandardButton.Apply | QDialogButtonBox.StandardButton.Close)
        self.apply_button = self.box.button(QDialogButtonBox.StandardButton.Apply)
        split = QSplitter()
        split.setOrientation(split.orientation().Vertical)
        split.addWidget(tabs)
        preview_box = QWidget()
        preview_layout = QVBoxLayout(preview_box)
        preview_layout.setContentsMargins(0, 0, 0, 0)
        self.to_redo = QLabel()  # after reloading a colleague's scheme: my change, to make again
        self.to_redo.setObjectName("scheme_to_redo")
        self.to_redo.setWordWrap(True)
        self.to_redo.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.to_redo.hide()
        preview_layout.addWidget(self.to_redo)
        preview_layout.addWidget(QLabel("What applying changes (like <tt>annotator scheme apply --dry-run</tt>):"))
        preview_layout.addWidget(self.preview)
        split.addWidget(preview_box)
        split.setSizes([420, 160])
        layout = QVBoxLayout(self)
        layout.addLayout(self.buttons_row)
        layout.addWidget(split)
        layout.addWidget(self.box)
        self.resize(980, 680)
        self._connect_signals()
        self.reload()

    def _connect_signals(self) -> None:
        self.tree.itemChanged.connect(self._on_tree_item_changed)
        self.tree.itemActivated.connect(self._on_tree_item_activated)
        self.guidelines.textChanged.connect(self.refresh_preview)
        self.archive_button.clicked.connect(self.toggle_archived)
        self.remove_button.clicked.connect(self.remove_current)
        self.apply_button.clicked.connect(self.apply)
        self.box.rejected.connect(self.reject)

    def reload(self) -> None:
        """Fill the tree from the project's scheme as it is now."""
        self.tree.blockSignals(True)
        self.tree.fill(self.ctx.project.scheme, schemes.usage(self.ctx.project))
        self.tree.blockSignals(False)
        self.refresh_preview()

    # -- editing ---------------------------------------------------------------------------------

    def add(self, kind: str) -> QTreeWidgetItem | None:
        """A new row of `kind` with a fresh name (and key and colour for a label), ready to rename."""
        current = self.tree.currentItem()
        if kind in ("attribute", "value"):
            want = "label" if kind == "attribute" else "attribute"
            while current is not None and current.data(0, KIND_ROLE) != want:
                current = current.parent()
            if current is None:
                self.preview.setPlainText(f"Select a {want} first, then add its {kind}.")
                return None
            parent = current
        else:
            parent = self.tree.groups[kind]
        taken = {child.text(NAME) for i in range(parent.childCount()) if (child := parent.child(i)) is not None}
        name = next(f"new_{kind}_{n}" for n in range(1, 1000) if f"new_{kind}_{n}" not in taken)
        texts = [name, "", "", "", ""]
        if kind == "label":
            scheme = self.tree.scheme("")
            keys = {lab.key for lab in scheme.labels}
            colors = {lab.color.lower() for lab in scheme.labels}
            texts[1] = next(k for k in "QWERTYUIOPLKJHGFDZXVBNM1234567890" if k not in keys)
            texts[2] = next((c for c in DEFAULT_COLORS if c not in colors), "#888888")
        elif kind == "attribute":
            texts[3] = "choice"
        elif kind == "relation":
            names = [lab.name for lab in self.tree.scheme("").labels]
            texts[3] = f"{names[0]} -> {names[-1]}"
        item = self.tree.add_row(kind, parent, None, texts)
        if kind == "attribute":
            self.tree.add_row("value", item, None, ["value_1", "", "", "", ""])
        parent.setExpanded(True)
        self.tree.setCurrentItem(item)
        self.refresh_preview()
        return item

    def toggle_archived(self) -> None:
        item = self.tree.currentItem()
        if item is None or item.data(0, KIND_ROLE) not in ("label", "relation", "target", "value", "stance_value"):
            self.preview.setPlainText("Labels, relation types, targets and values can be archived.")
            return
        self.tree.set_archived(item, not item.data(0, ARCHIVED_ROLE))
        self.refresh_preview()

    def remove_current(self) -> None:
        item = self.tree.currentItem()
        if item is None or str(item.data(0, KIND_ROLE)).startswith("group:"):
            return
        parent = item.parent()
        if parent is not None:
            parent.removeChild(item)
        self.refresh_preview()

    def _on_tree_item_activated(self, item: QTreeWidgetItem, column: int) -> None:
        if column == COLOUR and item.data(0, KIND_ROLE) == "label":
            self.choose_colour(item)

    def choose_colour(self, item: QTreeWidgetItem) -> None:
        colour = QColorDialog.getColor(QColor(item.text(COLOUR)), self, f"Colour of {item.text(NAME)}")
        if colour.isValid():
            item.setText(COLOUR, colour.name())

    def _on_tree_item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        self.tree.blockSignals(True)
        self.tree.paint_row(item)
        if column == NAME and item.data(0, KIND_ROLE) == "label":
            self.tree.follow_label_rename(item)
        self.tree.blockSignals(False)
        self.refresh_preview()

    # -- preview and apply -----------------------------------------------------------------------

    def edited_scheme(self) -> Scheme | None:
        """The scheme as edited, checked like a file (None and `problems` set when it is not valid)."""
        text = scheme_to_toml(self.tree.scheme(self.guidelines.toPlainText()))
        scheme, problems = check_scheme(text)
        self.problems = [p.message for p in problems]
        return scheme

    def refresh_preview(self) -> None:
        scheme = self.edited_scheme()
        self.plan = None
        if scheme is None:
            lines = ["Cannot apply; fix these first:", *(f"  {p}" for p in self.problems)]
        else:
            self.plan = schemes.plan(self.ctx.project, scheme)
            lines = self.plan.lines()
            if self.plan.refused:
                lines.append(f"Cannot apply: {len(self.plan.refused)} change(s) refused.")
        self.preview.setPlainText("\n".join(lines))
        changed = self.plan is not None and bool(self.plan.changes)
        self.apply_button.setEnabled(changed and self.plan is not None and not self.plan.refused)

    def apply(self) -> None:
        scheme = self.edited_scheme()
        if scheme is None or self.plan is None or self.plan.refused:
            return
        command = ApplySchemeCommand(self.ctx, scheme)
        self.ctx.push(command)
        if command.stale is not None and isinstance(command.stale.stored, Scheme):
            self._ask_after_stale(command, command.stale.stored, scheme)
            return
        if command.error:
            self.preview.setPlainText(command.error)
            return
        self.to_redo.hide()
        self.reload()

    def _ask_after_stale(self, command: ApplySchemeCommand, theirs: Scheme, mine: Scheme) -> None:
        """Someone else changed the scheme first: show both changes and reload theirs (see
        `SchemeConflictDialog` for why keeping mine as it is is not offered)."""
        self.preview.setPlainText(command.error or "")
        dialog = SchemeConflictDialog(command.before, theirs, mine, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        mine_lines = dialog.mine_lines
        dialog.finished.connect(
            lambda result: self.reload_theirs(mine_lines if result == QDialog.DialogCode.Accepted else None)
        )
        self.conflict_dialog = dialog
        dialog.open()

    def reload_theirs(self, mine_lines: list[str] | None) -> None:
        """Make the stored scheme this window's; the scheme changes on the undo stack were made
        from the one before it and stay as they are (undoing one would take back theirs)."""
        schemes.reload(self.ctx.project)
        for i in range(self.ctx.undo_stack.count()):
            step = self.ctx.undo_stack.command(i)
            if isinstance(step, ApplySchemeCommand):
                step.outdated = True
        self.ctx.reload_scheme()
        self.setWindowTitle(f"Scheme editor — {self.ctx.project.scheme.name}")
        self.reload()
        if mine_lines is None:
            self.ctx.message_posted.emit("Kept the scheme now stored; your change was not saved.")
            return
        lines = ["Their scheme is loaded. Your change was not saved; make it again here, then apply:"]
        self.to_redo.setText("\n".join([*lines, *(f"  {line}" for line in mine_lines)]))
        self.to_redo.show()
        self.ctx.message_posted.emit("Reloaded the scheme now stored; make your change again and apply.")
