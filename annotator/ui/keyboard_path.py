"""`KeyboardPath`: the keys that take the keyboard from the article into the selected span's fields.

An attribute key arms that attribute's field, A arms the attribution list (as well as picking on
the text), K arms the claim stance of the active stance target; `PanelKeys` then takes one digit or
letter and brings the keyboard back. The status bar lists the choices while a field is armed, and
the hint is withdrawn when the field is no longer armed or another span is selected.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QComboBox, QWidget

from annotator.ui.actions import attribute_keys
from annotator.ui.context import AppContext
from annotator.ui.widgets.panel_keys import PanelKeys
from annotator.ui.widgets.tag_panel import TagPanelWidget


class KeyboardPath(QObject):
    message_posted = Signal(str)
    message_withdrawn = Signal(str)  # a hint posted here no longer holds: clear it if still shown

    def __init__(self, ctx: AppContext, article: QWidget, panel: TagPanelWidget, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._panel = panel
        self.keys = PanelKeys(article, panel.span_editor.fields, self)
        self._hint = ""
        self._hint_span: int | None = None
        # The fields change with the selected span: claim their keys as soon as they are shown.
        ctx.span_selected.connect(self._on_ctx_span_selected)
        ctx.changed.connect(self._on_ctx_span_selected)
        self.keys.escaped.connect(self._on_keys_escaped)
        self.keys.disarmed.connect(self._withdraw_hint)

    def _on_keys_escaped(self) -> None:
        if self._ctx.link_pending:
            self._ctx.set_link_pending(False)

    def _on_ctx_span_selected(self, *_args: object) -> None:
        if self._hint and self._ctx.selected_span_id != self._hint_span:
            self._withdraw_hint()
        for field in self._panel.span_editor.fields():
            self.keys.watch(field)

    def in_panel(self) -> bool:
        return self.keys.owns_focus(QApplication.focusWidget())

    def back_to_article(self) -> None:
        self.keys.back_to_article()

    def arm_attribute(self, key: str) -> bool:
        span = self._panel.span_editor.span
        if span is None:
            self.message_posted.emit("Select a span first (click it, or tag some text).")
            return False
        label = self._ctx.project.scheme.canonical_label(span.label)
        name = next(
            (a for (lab, a), k in attribute_keys(self._ctx.project.scheme).items() if lab == label and k == key), None
        )
        editor = self._panel.span_editor.attributes.editor(name) if name else None
        if editor is None:
            self.message_posted.emit(f"A {label.replace('_', ' ')} has no attribute on {key}.")
            return False
        return self._arm(editor, name.replace("_", " ").capitalize() if name else "")

    def arm_claim_stance(self) -> bool:
        target = self._panel.active_target
        combo = self._panel.span_editor.stance_combos.get(target or "")
        if combo is None:
            self.message_posted.emit("Select a claim first: claim stance is set on a claim.")
            return False
        return self._arm(combo, f"Claim stance on {(target or '').replace('_', ' ')} (T: other target)")

    def arm_link(self) -> bool:
        if not self._panel.start_link_pick():
            return False
        combo = next(iter(self._panel.span_editor.link_combos.values()), None)
        if combo is None:
            return False
        return self._arm(combo, "Source: click it on the text, or", alone="Source: click it on the text (Esc back)")

    def _arm(self, field: QWidget, title: str, alone: str = "") -> bool:
        """`alone` is the hint when a combo offers nothing to choose yet."""
        self.keys.arm(field)
        if isinstance(field, QComboBox):
            choices = " · ".join(f"{i} {field.itemText(i)}" for i in range(1, min(field.count(), 10)))
            self._hint = (
                f"{title}: {choices} (or a first letter; 0 clears, Esc back)" if choices or not alone else alone
            )
        else:
            self._hint = f"{title}: type (Tab/↓ completes), Enter to keep, Esc back"
        self._hint_span = self._ctx.selected_span_id
        self.message_posted.emit(self._hint)
        return True

    def _withdraw_hint(self) -> None:
        hint, self._hint = self._hint, ""
        if hint:
            self.message_withdrawn.emit(hint)
