"""`LayersPanelWidget`: the "Layers" dock: which annotators' work the article view shows.

One checkable row per annotator with their colour swatch: me first, then gold, then colleagues.
The layer my edits go to (mine, or gold in review mode) is always shown and cannot be unchecked;
the others are read-only and drawn as dashed underlines in their colour. Other layers start hidden
(the article shows only my work until I ask for more); the choice is remembered per project file in
the settings, and a merge shows the layers it brought in. The panel only records the choice and says
when it changed (`layers_changed`);
the review controller applies it to the article view, filtered by blind mode, and puts the
explanation of hidden layers in `note_label`.
"""

from __future__ import annotations

import hashlib
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QLabel, QListView, QVBoxLayout, QWidget

from annotator.model.changes import Changes
from annotator.model.types import Annotator
from annotator.ui import settings
from annotator.ui.context import AppContext
from annotator.ui.widgets.span_painter import layer_colors, layer_pen, layer_styles

AnnotatorIdRole = Qt.ItemDataRole.UserRole + 1
SWATCH_SIZE = QSize(28, 16)  # px shown: wide enough for two turns of most line patterns
_SWATCH_DASH_SCALE = 0.75  # the swatch's line is twice the article's underline: its dashes a bit shorter
_SHOWN_KEY = "layers/shown"

_Index = QModelIndex | QPersistentModelIndex


class LayerListModel(QAbstractListModel):
    """Annotators as checkable rows; `shown` holds the ids ticked besides the editing layer."""

    def __init__(self, ctx: AppContext, me: Annotator, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._me = me
        self._rows: list[Annotator] = []
        self._colors: dict[int, QColor] = {}
        self._styles: dict[int, int] = {}
        self.shown: set[int] = _stored_shown(ctx)
        self.reload()

    def set_me(self, me: Annotator) -> None:
        """A new project or name: start from what was remembered for that project file."""
        self._me = me
        self.shown = _stored_shown(self._ctx)
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        people = self._ctx.project.annotators()
        me, gold = self._me.id, [a for a in people if a.is_gold]
        colleagues = sorted((a for a in people if a.id != me and not a.is_gold), key=lambda a: a.name.lower())
        # Until my first annotation I have no row in the project, but my (empty) layer is still mine.
        mine = [a for a in people if a.id == me] or ([self._me] if self._me.id == 0 else [])
        self._rows = mine + gold + colleagues
        self._colors = layer_colors(people)
        self._styles = layer_styles(people)
        self.endResetModel()

    def checked_ids(self) -> list[int]:
        """Shown layers in row order; the editing layer always among them."""
        editing = self._ctx.annotator.id
        return [a.id for a in self._rows if a.id == editing or a.id in self.shown]

    def set_shown(self, annotator_ids: set[int]) -> None:
        self.shown = set(annotator_ids)
        _store_shown(self._ctx, self.shown)
        if self._rows:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._rows) - 1, 0), [Qt.ItemDataRole.CheckStateRole]
            )

    def annotator_ids(self) -> list[int]:
        return [a.id for a in self._rows]

    def row_of(self, annotator_id: int) -> int:
        return next((n for n, a in enumerate(self._rows) if a.id == annotator_id), -1)

    def color(self, annotator_id: int) -> QColor | None:
        return self._colors.get(annotator_id)

    # -- Qt model interface ----------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt's own default
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.parent().isValid() or not 0 <= index.row() < len(self._rows):
            return None
        person = self._rows[index.row()]
        editing = person.id == self._ctx.annotator.id
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{person.name}  ({self._role_text(person, editing)})"
        if role == Qt.ItemDataRole.CheckStateRole:
            shown = editing or person.id in self.shown
            return Qt.CheckState.Checked if shown else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.DecorationRole:
            color = self._colors.get(person.id)
            if color is None or QGuiApplication.instance() is None:
                return None
            return swatch_icon(color, dashed=not editing, style=self._styles.get(person.id, 1))
        if role == Qt.ItemDataRole.ToolTipRole:
            if editing:
                return f"{person.name}: the layer your edits go to, filled in label colours"
            return f"{person.name}: read-only, underlined in the label's colour with this line pattern"
        if role == AnnotatorIdRole:
            return person.id
        return None

    def _role_text(self, person: Annotator, editing: bool) -> str:
        parts = ["me" if person.id == self._me.id else "adjudicated" if person.is_gold else "colleague"]
        parts.append("editing" if editing else "read-only")
        return ", ".join(parts)

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if role != Qt.ItemDataRole.CheckStateRole or not index.isValid() or index.row() >= len(self._rows):
            return False
        person = self._rows[index.row()]
        if person.id == self._ctx.annotator.id:
            return False
        checked = Qt.CheckState(value) == Qt.CheckState.Checked if not isinstance(value, bool) else value
        if checked:
            self.shown.add(person.id)
        else:
            self.shown.discard(person.id)
        _store_shown(self._ctx, self.shown)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        return True

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
        if self._rows[index.row()].id != self._ctx.annotator.id:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags


class LayersPanelWidget(QWidget):
    layers_changed = Signal()

    def __init__(self, ctx: AppContext, me: Annotator, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.model = LayerListModel(ctx, me, self)
        self.list_view = QListView(self)
        self.list_view.setModel(self.model)
        self.list_view.setIconSize(SWATCH_SIZE)
        self.list_view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.list_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.note_label = QLabel(self)
        self.note_label.setObjectName("layers_note")
        self.note_label.setWordWrap(True)
        self.note_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.note_label.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.list_view, 1)
        layout.addWidget(self.note_label)
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.model.dataChanged.connect(self._on_model_data_changed)
        self._ctx.changed.connect(self._on_ctx_changed)

    # -- public ----------------------------------------------------------------------------------

    def checked_ids(self) -> list[int]:
        return self.model.checked_ids()

    def set_checked(self, annotator_id: int, shown: bool) -> None:
        """Show or hide a layer, as clicking its checkbox does."""
        row = self.model.row_of(annotator_id)
        if row >= 0:
            state = Qt.CheckState.Checked if shown else Qt.CheckState.Unchecked
            self.model.setData(self.model.index(row, 0), state, Qt.ItemDataRole.CheckStateRole)

    def show_layers(self, annotator_ids: set[int] | list[int]) -> None:
        """Tick these layers too (after a merge, or when review mode needs colleagues)."""
        self.model.set_shown(self.model.shown | set(annotator_ids))

    def show_all(self) -> None:
        self.show_layers(self.model.annotator_ids())

    def set_me(self, me: Annotator) -> None:
        self.model.set_me(me)
        self.layers_changed.emit()

    def reload(self) -> None:
        """Re-read the annotators (after a merge, a mode switch, a project switch)."""
        self.model.reload()
        self.layers_changed.emit()

    def set_note(self, text: str) -> None:
        self.note_label.setText(text)
        self.note_label.setVisible(bool(text))

    # -- slots -----------------------------------------------------------------------------------

    def _on_model_data_changed(self, *_args: object) -> None:
        self.layers_changed.emit()

    def _on_ctx_changed(self, changes: Changes) -> None:
        if changes.annotators:
            self.reload()


def _settings_key(ctx: AppContext) -> str:
    # Annotator ids belong to one project file: key by its full path (hashed: keys stay flat).
    digest = hashlib.sha1(str(ctx.project.path.resolve()).encode()).hexdigest()[:16]
    return f"{_SHOWN_KEY}/{digest}"


def _stored_shown(ctx: AppContext) -> set[int]:
    raw = settings.value(_settings_key(ctx), "")
    items = raw if isinstance(raw, list) else str(raw or "").split(",")
    return {int(x) for x in items if str(x).strip().isdigit()}


def _store_shown(ctx: AppContext, shown: set[int]) -> None:
    settings.set_value(_settings_key(ctx), ",".join(str(i) for i in sorted(shown)))


def swatch_icon(color: QColor, *, dashed: bool, style: int = 1) -> QIcon:
    """A colour chip for an editable layer; for a read-only one, the person's line pattern (as drawn
    under their spans, in each label's colour) on a tint of their colour. Drawn at twice
    `SWATCH_SIZE`, and wide: every colleague's pattern shows a gap along the line, where a square
    16-px icon showed the longer ones (a 6- or 8-unit first dash) as solid as gold's line."""
    width, height = SWATCH_SIZE.width() * 2, SWATCH_SIZE.height() * 2
    pixmap = QPixmap(width, height)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    if dashed:
        fill = QColor(color)
        fill.setAlpha(40)
        painter.fillRect(QRectF(4, 4, width - 8, height - 8), fill)
        pen = layer_pen(QColor("#333333"), style, 4.0)
        pen.setDashPattern([d * _SWATCH_DASH_SCALE for d in pen.dashPattern()] if pen.dashPattern() else [])
        painter.setPen(pen)
        painter.drawLine(4, height - 6, width - 4, height - 6)
    else:
        painter.setBrush(color)
        painter.setPen(QPen(color.darker(140), 2))
        painter.drawRoundedRect(QRectF(4, 4, width - 8, height - 8), 4, 4)
    painter.end()
    return QIcon(pixmap)
