"""`SpanEditorWidget`: everything about the selected span, generated from the scheme.

It shows the span's label and text, its attribute editors, its links for every relation type that
starts at its label (a combo of the document's spans of the target label, plus "Pick on text [A]",
which arms `ctx.link_pending` so the next click on a span in the article view completes the link),
its claim-level stance per target when the scheme allows stance on its label, and a delete button.
Every edit is one undo command; the widget is re-synced from the store by `set_view`.
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from annotator.model.scheme import RelationType
from annotator.model.types import Span
from annotator.services.documents import DocumentView
from annotator.ui.actions import EDGE_KEYS_HELP
from annotator.ui.commands import LinkCommand, SetStanceCommand, UnlinkCommand, push_command
from annotator.ui.context import AppContext
from annotator.ui.models.annotation_table_model import elide
from annotator.ui.models.span_choice_model import SpanChoiceModel
from annotator.ui.widgets.attribute_editor import UNSET, AttributeEditorWidget
from annotator.ui.widgets.panel_keys import ARMED_STYLE

PICK_TEXT = "Pick [A]"
PICKING_TEXT = "Picking…"  # as wide as PICK_TEXT: the button keeps its width (the panel must not widen)
PICK_TIP = "Pick the {label} on the text [A]"
PICKING_TIP = "Click a {label} on the text… (Esc cancels)"


class SpanEditorWidget(QGroupBox):
    message_posted = Signal(str)
    delete_requested = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__("Selected span", parent)
        self.ctx = ctx
        self._view: DocumentView | None = None
        self._span: Span | None = None
        self._built_for: str | None = None
        self._pending: tuple[str, int] | None = None  # (relation type, from span) while picking
        # The link and stance rows of the last label shown; kept (hidden) while no span is selected, so
        # selecting a span of that label again does not build them anew.
        self._link_combos: dict[str, QComboBox] = {}
        self._link_choices: dict[str, SpanChoiceModel] = {}  # each link combo's entries
        self._pick_buttons: dict[str, QPushButton] = {}
        self._stance_combos: dict[str, QComboBox] = {}

        self.setStyleSheet(ARMED_STYLE)  # the field an attribute key armed is outlined
        self._header = QLabel("Select text and press a label key, or click a span.")
        self._header.setWordWrap(True)
        self._header.setTextFormat(Qt.TextFormat.RichText)
        self.attributes = AttributeEditorWidget(ctx)
        self._links = QFormLayout()
        self._stances = QFormLayout()
        for form in (self._links, self._stances):
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._stance_title = QLabel("<b>Claim stance</b>")
        self.delete_button = QPushButton("Delete [Del]")
        self.delete_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._keys_help = QLabel(f"<small>{_html(EDGE_KEYS_HELP)} · another label's key relabels</small>")
        self._keys_help.setWordWrap(True)
        layout = self._layout = QVBoxLayout(self)
        layout.setSpacing(4)
        layout.addWidget(self._header)
        # What only a selected span has is shown and hidden a box at a time: each widget shown on
        # its own made the editor lay itself out again (about 1 ms each on a claim's selection).
        self._keys_row = QWidget()
        row = QHBoxLayout(self._keys_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self._keys_help, 1)
        row.addWidget(self.delete_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self._keys_row)
        layout.addWidget(self.attributes)
        self._rows = QWidget()
        rows = QVBoxLayout(self._rows)
        rows.setContentsMargins(0, 0, 0, 0)
        rows.setSpacing(4)
        rows.addLayout(self._links)
        rows.addWidget(self._stance_title)
        rows.addLayout(self._stances)
        layout.addWidget(self._rows)
        self._connect_signals()
        self._show(None)

    def _connect_signals(self) -> None:
        self.attributes.message_posted.connect(self.message_posted)
        self.delete_button.clicked.connect(self.delete_requested)
        self.ctx.link_target_chosen.connect(self._on_ctx_link_target_chosen)
        self.ctx.link_pending_changed.connect(self._on_ctx_link_pending_changed)

    # -- public ------------------------------------------------------------------------------

    def reset(self) -> None:
        """The project (and maybe the scheme) changed."""
        self.attributes.reset()
        self._view, self._pending = None, None
        self._span = None
        self._rebuild_rows(None)  # the scheme may have changed: the kept rows go
        self._show(None)

    def set_view(self, view: DocumentView | None, span_id: int | None) -> None:
        self._view = view
        span = next((s for s in view.spans if s.id == span_id), None) if view and span_id else None
        self._show(span if span is None or span.annotator_id == self.ctx.annotator.id else None)

    @property
    def span(self) -> Span | None:
        return self._span

    @property
    def link_combos(self) -> dict[str, QComboBox]:
        """The selected span's link fields by relation type (none while no span is selected)."""
        return self._link_combos if self._span is not None else {}

    @property
    def pick_buttons(self) -> dict[str, QPushButton]:
        return self._pick_buttons if self._span is not None else {}

    @property
    def stance_combos(self) -> dict[str, QComboBox]:
        """The selected span's claim-stance fields by target (none while no span is selected)."""
        return self._stance_combos if self._span is not None else {}

    def fields(self) -> list[QWidget]:
        """The span's fields in Tab order: attributes, links, claim stances."""
        if self._span is None:
            return []
        return [*self.attributes.editors(), *self.link_combos.values(), *self.stance_combos.values()]

    def relation_types(self) -> list[RelationType]:
        """Relation types that start at the selected span's label."""
        if self._span is None:
            return []
        name = self.ctx.project.scheme.canonical_label(self._span.label)
        return [r for r in self.ctx.project.scheme.relations if r.from_label == name]

    def start_link_pick(self, rel_type: str | None = None) -> bool:
        """Arm "click a span on the text to link it" for the selected span."""
        types = [r for r in self.relation_types() if rel_type in (None, r.name)]
        if self._span is None or not types:
            self.message_posted.emit("Select a span that can be attributed first (e.g. a claim).")
            return False
        self._pending = (types[0].name, self._span.id)
        self.ctx.set_link_pending(True)
        self.message_posted.emit(f"Click the {types[0].to_label} on the text (Esc cancels).")
        return True

    # -- showing -----------------------------------------------------------------------------

    def _show(self, span: Span | None) -> None:
        # Laid out once, when filled: with the layout on, each box shown or hidden lays the editor
        # out at once (the first claim after a switch: 2.5 ms of a 4 ms fill).
        self._layout.setEnabled(False)
        try:
            self._show_now(span)
        finally:
            self._layout.setEnabled(True)
            self._layout.activate()

    def _show_now(self, span: Span | None) -> None:
        self._span = span
        scheme = self.ctx.project.scheme
        label = scheme.label(span.label) if span else None
        self.attributes.set_span(span)
        self.delete_button.setEnabled(span is not None)
        self._keys_row.setVisible(span is not None)
        if span is None or label is None:
            self._header.setText("Select text and press a label key, or click a span.")
            self._show_rows(False)
            return
        self._header.setText(
            f'<span style="background:{label.color}">&nbsp;&nbsp;&nbsp;</span> '
            f"<b>{label.name.replace('_', ' ').capitalize()}</b> "
            f"{' + '.join(f'{a}–{b}' for a, b in span.parts)}<br>“{_html(elide(span.text, 90))}”"
        )
        if self._built_for != label.name:
            self._rebuild_rows(label.name)
        self._show_rows(True)
        self._sync_rows(span)

    def _show_rows(self, shown: bool) -> None:
        """Show or hide the kept link and stance rows (they stay built for their label)."""
        self._rows.setVisible(shown)

    def _rebuild_rows(self, label: str | None) -> None:
        for form in (self._links, self._stances):
            while form.rowCount():
                form.removeRow(0)
        self._link_combos.clear()
        self._link_choices.clear()
        self._pick_buttons.clear()
        self._stance_combos.clear()
        self._built_for = label
        scheme = self.ctx.project.scheme
        for rel in self.relation_types() if label else []:
            combo = _compact_combo()
            combo.setObjectName(f"link_{rel.name}")
            choices = SpanChoiceModel(combo)
            combo.setModel(choices)
            self._link_choices[rel.name] = choices
            combo.currentIndexChanged.connect(lambda _i, r=rel.name: self._on_link_combo_changed(r))
            button = QPushButton(PICK_TEXT)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setCheckable(True)  # checked while picking
            button.setToolTip(PICK_TIP.format(label=rel.to_label))
            button.setFixedWidth(button.sizeHint().width())
            button.clicked.connect(lambda _c=False, r=rel.name: self.start_link_pick(r))
            box = QHBoxLayout()
            box.addWidget(combo, 1)
            box.addWidget(button)
            self._links.addRow(rel.name.replace("_", " ").capitalize(), box)
            combo.show()  # at once, not on the next event-loop turn: a key may focus it right away
            button.show()
            self._link_combos[rel.name], self._pick_buttons[rel.name] = combo, button
        has_stance = label is not None and label in scheme.stance_span_labels
        self._stance_title.setVisible(has_stance and bool(scheme.active_targets))
        for target in scheme.active_targets if has_stance else ():
            combo = _compact_combo()
            combo.setObjectName(f"claim_stance_{target.name}")
            combo.setToolTip(target.description)
            combo.addItem(UNSET, "")
            for value in scheme.stance_values:
                combo.addItem(value.replace("_", " "), value)
            combo.currentIndexChanged.connect(lambda _i, t=target.name: self._on_stance_combo_changed(t))
            self._stances.addRow(target.name.replace("_", " "), combo)
            combo.show()
            self._stance_combos[target.name] = combo
        self._on_ctx_link_pending_changed(self.ctx.link_pending)

    def _sync_rows(self, span: Span) -> None:
        view = self._view
        if view is None:
            return
        for rel in self.relation_types():
            combo = self.link_combos.get(rel.name)
            if combo is None:
                continue
            targets = [
                s
                for s in view.spans
                if s.annotator_id == span.annotator_id
                and self.ctx.project.scheme.canonical_label(s.label) == rel.to_label
            ]
            linked = next((r.to_span for r in view.relations if r.from_span == span.id and r.type == rel.name), 0)
            items = tuple((f"{elide(t.text, 40)}  ({t.start})", t.id) for t in targets)
            choices = self._link_choices[rel.name]
            blocker = QSignalBlocker(combo)
            if choices.items != items:
                choices.set_items(items)
            combo.setCurrentIndex(max(0, choices.row_of(linked)))
            del blocker
        for target_name, combo in self.stance_combos.items():
            value = next((st.value for st in view.stances if st.span_id == span.id and st.target == target_name), "")
            blocker = QSignalBlocker(combo)
            combo.setCurrentIndex(max(0, combo.findData(value)))
            del blocker

    # -- edits -------------------------------------------------------------------------------

    def _push(self, command: LinkCommand | UnlinkCommand | SetStanceCommand) -> None:
        error = push_command(self.ctx, command)
        if error:
            self.message_posted.emit(error)
            if self._span is not None:
                self._sync_rows(self._span)

    def _on_link_combo_changed(self, rel_type: str) -> None:
        span, view = self._span, self._view
        if span is None or view is None:
            return
        to_span = int(self.link_combos[rel_type].currentData() or 0)
        if self._pending is not None and self.ctx.link_pending:
            self._pending = None  # chosen from the list instead of on the text
            self.ctx.set_link_pending(False)
        if to_span:
            self._push(LinkCommand(self.ctx, rel_type, span.id, to_span))
            return
        old = [r for r in view.relations if r.from_span == span.id and r.type == rel_type]
        if len(old) > 1:
            self.ctx.undo_stack.beginMacro(f"Unlink {rel_type.replace('_', ' ')}")
        for rel in old:
            self._push(UnlinkCommand(self.ctx, rel))
        if len(old) > 1:
            self.ctx.undo_stack.endMacro()

    def _on_stance_combo_changed(self, target: str) -> None:
        span = self._span
        if span is None:
            return
        value = self.stance_combos[target].currentData() or None
        # The version of the stance the combo showed (0: none): a claim stance someone else set,
        # changed or cleared since is not overwritten unasked (the two-version dialog asks).
        shown = self._view.stances if self._view is not None else ()
        version = next((st.version for st in shown if st.span_id == span.id and st.target == target), 0)
        self._push(SetStanceCommand(self.ctx, span.doc_id, target, value, span_id=span.id, expected_version=version))

    def _on_ctx_link_target_chosen(self, to_span: int) -> None:
        if self._pending is None:
            return
        rel_type, from_span = self._pending
        self._pending = None
        self._push(LinkCommand(self.ctx, rel_type, from_span, to_span))

    def _on_ctx_link_pending_changed(self, pending: bool) -> None:
        rel = self.ctx.project.scheme.relation(self._pending[0]) if self._pending else None
        scheme = self.ctx.project.scheme
        for name, button in self._pick_buttons.items():  # the kept rows too, shown or not
            active = pending and rel is not None and rel.name == name
            relation = scheme.relation(name)
            to_label = relation.to_label if relation else ""
            room = button.width() - 2 * button.fontMetrics().horizontalAdvance(" ")
            text = button.fontMetrics().elidedText(PICKING_TEXT, Qt.TextElideMode.ElideRight, room)
            button.setText(text if active else PICK_TEXT)
            button.setChecked(active)
            button.setToolTip((PICKING_TIP if active else PICK_TIP).format(label=to_label))


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _compact_combo() -> QComboBox:
    """A combo that does not widen the dock to its longest entry (span texts can be long)."""
    combo = QComboBox()
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(12)
    return combo
