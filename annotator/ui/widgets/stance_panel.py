"""`DocStancePanelWidget`: the document-level stance, one radio group per scheme target.

One target is *active* (highlighted); the number keys set its value (`set_by_index`, 1-based in
the scheme's value order) and T moves to the next target (`cycle_active_target`); showing another
document makes the first target active again. Each radio group
has a small clear button. Every edit is one `SetStanceCommand`; `set_view` re-syncs from the store.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from annotator.services.documents import DocumentView
from annotator.ui.commands import SetStanceCommand, push_command
from annotator.ui.context import AppContext

_ACTIVE_STYLE = (
    'QFrame#stance_target[active="true"] { border: 2px solid palette(highlight); '
    "border-radius: 4px; background: palette(alternate-base); }"
)
_COLUMNS = 2  # radio buttons per row: four values fit a ~340 px dock in two rows


class _TargetGroup(QFrame):
    def __init__(
        self,
        target: str,
        description: str,
        values: tuple[str, ...],
        tips: Mapping[str, str] | None = None,
        archived: tuple[str, ...] = (),
    ) -> None:
        super().__init__()
        self.setObjectName("stance_target")
        self.target = target
        self.group = QButtonGroup(self)
        self.title = QLabel()
        self.title.setToolTip(description)
        self.clear_button = QToolButton()
        self.clear_button.setText("×")
        self.clear_button.setToolTip("Clear this stance")
        self.clear_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.clear_button)
        grid = QGridLayout()
        grid.setContentsMargins(8, 0, 0, 0)
        for i, value in enumerate(values):
            button = QRadioButton(f"{i + 1}  {value.replace('_', ' ')}")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setProperty("stance_value", value)
            button.setToolTip((tips or {}).get(value, ""))
            button.setEnabled(value not in archived)
            self.group.addButton(button, i)
            grid.addWidget(button, i // _COLUMNS, i % _COLUMNS)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(2)
        layout.addLayout(head)
        layout.addLayout(grid)
        self.set_active(False)

    def set_active(self, active: bool) -> None:
        self.setProperty("active", active)
        marker = "▶ " if active else ""
        self.title.setText(f"<b>{marker}{self.target.replace('_', ' ')}</b>")
        self.style().unpolish(self)
        self.style().polish(self)

    def set_value(self, value: str | None) -> None:
        blocker = QSignalBlocker(self.group)
        # An exclusive group cannot show "nothing checked" unless exclusivity is lifted briefly.
        self.group.setExclusive(False)
        for button in self.group.buttons():
            button.setChecked(button.property("stance_value") == value)
        self.group.setExclusive(True)
        del blocker

    def value(self) -> str | None:
        button = self.group.checkedButton()
        return str(button.property("stance_value")) if button else None


class DocStancePanelWidget(QWidget):
    message_posted = Signal(str)
    active_target_changed = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.groups: dict[str, _TargetGroup] = {}
        self._active = 0
        self._doc_id: int | None = None  # the document `set_view` last showed
        self._stored: dict[str, str] = {}  # my document stances as last read from the store
        self._versions: dict[str, int] = {}
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.setStyleSheet(_ACTIVE_STYLE)
        self.rebuild()

    # -- public ------------------------------------------------------------------------------

    def rebuild(self) -> None:
        """Build the radio groups from the current project's scheme."""
        for group in self.groups.values():
            self._layout.removeWidget(group)
            group.deleteLater()
        self.groups.clear()
        scheme = self.ctx.project.scheme
        for target in scheme.active_targets:
            group = _TargetGroup(
                target.name,
                target.description,
                scheme.stance_values,
                scheme.stance_value_descriptions,
                scheme.archived_stance_values,
            )
            group.group.idClicked.connect(lambda i, t=target.name: self._on_group_clicked(t, i))
            group.clear_button.clicked.connect(lambda _c=False, t=target.name: self._set(t, None))
            self._layout.addWidget(group)
            self.groups[target.name] = group
        self._active = 0
        self._highlight()

    @property
    def active_target(self) -> str | None:
        names = list(self.groups)
        return names[self._active] if names else None

    def set_active_target(self, target: str) -> None:
        if target in self.groups:
            self._active = list(self.groups).index(target)
            self._highlight()

    def cycle_active_target(self) -> str | None:
        if self.groups:
            self._active = (self._active + 1) % len(self.groups)
            self._highlight()
        return self.active_target

    def set_by_index(self, index: int) -> bool:
        """Set value `index` (1-based) for the active target; False when there is no such value."""
        values = self.ctx.project.scheme.stance_values
        target = self.active_target
        if target is None or not 1 <= index <= len(values):
            return False
        if values[index - 1] in self.ctx.project.scheme.archived_stance_values:
            return False
        if not self._set(target, values[index - 1]):
            return False
        # A number key writes with no click to show for it: say what it wrote, and where.
        self.message_posted.emit(
            f"Document stance on {target.replace('_', ' ')}: {values[index - 1].replace('_', ' ')} (Ctrl+Z undoes)"
        )
        return True

    def set_view(self, view: DocumentView | None) -> None:
        mine = (
            {}
            if view is None
            else {
                st.target: st.value
                for st in view.stances
                if st.span_id is None and st.annotator_id == self.ctx.annotator.id
            }
        )
        self._stored = mine
        # The versions shown: a stance someone else set or changed since is not overwritten unasked.
        self._versions = (
            {}
            if view is None
            else {
                st.target: st.version
                for st in view.stances
                if st.span_id is None and st.annotator_id == self.ctx.annotator.id
            }
        )
        doc_id = None if view is None else view.document.id
        if doc_id != self._doc_id:
            self._doc_id = doc_id
            if self._active != 0:
                # A target moved to with T is for this document only: on the next one, 1 must set
                # the first target again, not silently the one left active.
                self._active = 0
                self._highlight()
        for name, group in self.groups.items():
            group.set_value(mine.get(name))
        self.setEnabled(view is not None)

    # -- internals ---------------------------------------------------------------------------

    def _highlight(self) -> None:
        for i, group in enumerate(self.groups.values()):
            group.set_active(i == self._active)
        if self.active_target:
            self.active_target_changed.emit(self.active_target)

    def _on_group_clicked(self, target: str, button_id: int) -> None:
        self.set_active_target(target)
        self._set(target, self.ctx.project.scheme.stance_values[button_id])

    def _set(self, target: str, value: str | None) -> bool:
        doc_id = self.ctx.current_doc_id
        if doc_id is None:
            self.message_posted.emit("Open a document first.")
            return False
        if self._stored.get(target) == value:
            return True  # pressing the same number again is not a new undo step
        command = SetStanceCommand(self.ctx, doc_id, target, value, expected_version=self._versions.get(target, 0))
        error = push_command(self.ctx, command)
        if error:
            self.message_posted.emit(error)
            self.groups[target].set_value(self._stored.get(target))
            return False
        return True
