"""`AttributeEditorWidget`: the editors for the selected span's attributes, generated from the scheme.

A choice attribute gets a combo box (first entry "—" = unset); a text attribute gets a line edit,
with completion from the project's source registry when the scheme says `completion =
"source_registry"`: canonical names on live spans, most used first (typing a known alias stores its
canonical name). One page of editors is built
per label on first use and kept. Every edit is one `SetAttributeCommand`.
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, QStringListModel, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QFormLayout,
    QLabel,
    QLineEdit,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from annotator.model.changes import Changes
from annotator.model.scheme import AttributeDef, SpanLabel
from annotator.model.types import Span
from annotator.services import sources
from annotator.services.annotations import REGISTRY
from annotator.ui.actions import attribute_keys
from annotator.ui.commands import SetAttributeCommand, push_command
from annotator.ui.context import AppContext

UNSET = "—"


class _LabelPage(QWidget):
    """The editors of one label's attributes."""

    def __init__(self, label: SpanLabel, completion_model: QStringListModel, keys: dict[str, str]) -> None:
        super().__init__()
        self.label = label
        self.editors: dict[str, QComboBox | QLineEdit] = {}
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for attr in label.attributes:
            editor = self._combo(attr) if attr.kind == "choice" else self._line(attr, completion_model)
            editor.setObjectName(f"attr_{attr.name}")
            editor.setToolTip(attr.description)
            self.editors[attr.name] = editor
            key = f"  [{keys[attr.name]}]" if attr.name in keys else ""
            form.addRow(attr.name.replace("_", " ").capitalize() + key, editor)
        if not label.attributes:
            form.addRow(QLabel("No attributes for this label."))

    def _combo(self, attr: AttributeDef) -> QComboBox:
        combo = QComboBox()
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(10)
        combo.addItem(UNSET, "")
        # Archived values come last, marked: a stored one still shows, new work should not pick them.
        for value in (*attr.active_values, *attr.archived_values):
            archived = " (archived)" if value in attr.archived_values else ""
            combo.addItem(value.replace("_", " ") + archived, value)
            combo.setItemData(combo.count() - 1, attr.value_descriptions.get(value, ""), Qt.ItemDataRole.ToolTipRole)
        return combo

    def _line(self, attr: AttributeDef, completion_model: QStringListModel) -> QLineEdit:
        line = QLineEdit()
        line.setClearButtonEnabled(True)
        if attr.completion == REGISTRY:
            line.setPlaceholderText("Canonical name (type to complete)")
            completer = QCompleter(completion_model, line)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            line.setCompleter(completer)
        return line


class AttributeEditorWidget(QWidget):
    message_posted = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._span: Span | None = None
        self._pages: dict[str, _LabelPage] = {}
        self._registry: dict[str, str] = {}
        self._registry_dirty = True
        self._completion = QStringListModel(self)
        self._stack = QStackedWidget()
        self._empty = QLabel("")
        self._stack.addWidget(self._empty)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._stack)
        self.ctx.changed.connect(self._on_ctx_changed)

    # -- public ------------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget the pages (the scheme changed) and reload the source registry."""
        for page in self._pages.values():
            self._stack.removeWidget(page)
            page.deleteLater()
        self._pages.clear()
        self._span = None
        self._stack.setCurrentWidget(self._empty)
        self.reload_registry()

    def reload_registry(self) -> None:
        """Canonical names only, most used first (a spelling variant is an alias, typed or not)."""
        self._registry = sources.alias_map(self.ctx.project)
        self._completion.setStringList(sources.completions(self.ctx.project))
        self._registry_dirty = False

    def completions(self) -> list[str]:
        return self._completion.stringList()

    def editors(self) -> list[QComboBox | QLineEdit]:
        """The editors of the page now shown, in scheme order (the panel's Tab order)."""
        page = self._stack.currentWidget()
        return list(page.editors.values()) if isinstance(page, _LabelPage) else []

    def editor(self, name: str) -> QComboBox | QLineEdit | None:
        """The editor of attribute `name` on the page now shown (tests and focus handling)."""
        page = self._stack.currentWidget()
        return page.editors.get(name) if isinstance(page, _LabelPage) else None

    def set_span(self, span: Span | None) -> None:
        """Show the editors for `span` holding its stored values (None hides them)."""
        self._span = span
        label = self.ctx.project.scheme.label(span.label) if span else None
        if span is None or label is None:
            self._stack.setCurrentWidget(self._empty)
            return
        if self._registry_dirty and any(a.completion == REGISTRY for a in label.attributes):
            self.reload_registry()  # spans changed since: a deleted span's name is no longer offered
        page = self._pages.get(label.name) or self._build_page(label)
        self._stack.setCurrentWidget(page)
        for name, editor in page.editors.items():
            value = span.attributes.get(name, "")
            blocker = QSignalBlocker(editor)
            if isinstance(editor, QComboBox):
                editor.setCurrentIndex(max(0, editor.findData(value)))
            elif editor.text() != value:
                editor.setText(value)
            del blocker

    # -- building ----------------------------------------------------------------------------

    def _build_page(self, label: SpanLabel) -> _LabelPage:
        keys = {attr: key for (lab, attr), key in attribute_keys(self.ctx.project.scheme).items() if lab == label.name}
        page = _LabelPage(label, self._completion, keys)
        for name, editor in page.editors.items():
            if isinstance(editor, QComboBox):
                editor.currentIndexChanged.connect(
                    lambda _i, n=name, e=editor: self._on_editor_edited(n, e.currentData() or "")
                )
            else:
                editor.editingFinished.connect(lambda n=name, e=editor: self._on_editor_edited(n, e.text().strip()))
        self._pages[label.name] = page
        self._stack.addWidget(page)
        return page

    def _on_ctx_changed(self, changes: Changes) -> None:
        if changes.spans:
            self._registry_dirty = True

    def _on_editor_edited(self, name: str, value: str) -> None:
        span = self._span
        if span is None:
            return
        label = self.ctx.project.scheme.label(span.label)
        attr = label.attribute(name) if label else None
        if attr is not None and attr.completion == REGISTRY:
            value = self._registry.get(value, value)
        if value == span.attributes.get(name, ""):
            return
        error = push_command(
            self.ctx, SetAttributeCommand(self.ctx, span.id, name, value, expected_version=span.version)
        )
        if error:
            self.message_posted.emit(error)
            self.set_span(self._span)  # put the stored value back (reloaded if someone else changed it)
        elif attr is not None and attr.completion == REGISTRY:
            # The span's text is now an alias of that name. Reload once the completer has finished
            # the activation that may have led here: resetting its model mid-way made it write its
            # stale row's text (another name) into the field.
            QTimer.singleShot(0, self.reload_registry)
