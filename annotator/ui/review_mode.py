"""`ReviewController`: review mode, blind mode and which layers the article view shows.

It owns the rules that join the Layers dock, the article view and the review panel. The layers
shown are the ones ticked in the Layers dock, filtered by blind mode (`services.review.visible_layers`:
while the project setting is on, colleagues' layers and gold stay hidden from me on a document until
I mark it done), with the layer my edits go to always among them. Review mode makes gold that layer:
`ctx.annotator` becomes the `gold` annotator, so the tagging panel, the number keys and Ctrl+Enter
work on gold (an accepted span is edited like one of my own), and leaving review mode makes me the
editing layer again. The switch is a `SwitchLayerCommand` on the undo stack, because the tagging
commands act on `ctx.annotator` when they run: undoing past the switch switches back first. The
reviewer's own identity (`me`) is kept here for blind mode, comments and rejections.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from annotator.model.changes import Changes
from annotator.model.errors import AnnotatorError
from annotator.model.types import GOLD, Annotator
from annotator.services import review
from annotator.ui.context import AppContext
from annotator.ui.review_commands import SwitchLayerCommand
from annotator.ui.widgets.article_view import ArticleViewWidget
from annotator.ui.widgets.layers_panel import LayersPanelWidget
from annotator.ui.widgets.review_panel import ReviewPanelWidget

if TYPE_CHECKING:
    from annotator.services.merge import MergeReport

_BLIND_NOTE = (
    "Blind mode: {n} colleague layer{s} hidden on this document until you mark it done "
    "(Ctrl+Enter{where}). Review > Blind mode turns it off for the project."
)


class ReviewController(QObject):
    mode_changed = Signal(bool)  # review mode on/off (also after undo/redo of the switch)
    layer_switching = Signal()  # about to change the editing layer: flush per-annotator state
    message_posted = Signal(str)

    def __init__(
        self,
        ctx: AppContext,
        article_view: ArticleViewWidget,
        layers_panel: LayersPanelWidget,
        review_panel: ReviewPanelWidget,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._view = article_view
        self._layers = layers_panel
        self._panel = review_panel
        self.me: Annotator = ctx.annotator
        self.active = False
        self._me_left_out = False  # the reviewer unticked their own layer during review mode
        self._connect_signals()
        self.apply_layers()

    def _connect_signals(self) -> None:
        self._layers.layers_changed.connect(self.apply_layers)
        self._ctx.document_opened.connect(self._on_ctx_document_opened)
        self._ctx.changed.connect(self._on_ctx_changed)
        self._ctx.project_replaced.connect(self._on_ctx_project_replaced)
        self._ctx.annotator_recorded.connect(self._on_ctx_annotator_recorded)

    # -- modes -----------------------------------------------------------------------------------

    def set_review_mode(self, on: bool) -> None:
        """Enter or leave review mode (an undoable switch of the editing layer)."""
        if on == self.active:
            return
        if on:
            try:
                gold = self._ctx.project.identity(GOLD)  # recorded by the first edit that needs it
            except AnnotatorError as exc:
                self.message_posted.emit(str(exc))
                self.mode_changed.emit(False)
                return
            people = {a.id for a in self._ctx.project.annotators()} - {self.me.id, gold.id}
            if not people & set(self._layers.checked_ids()):
                self._layers.show_all()  # reviewing means seeing colleagues: show them unless chosen
            # My own layer is compared too (it stops being the editing layer, which is always
            # shown), unless I unticked it in an earlier review of this session.
            if not self._me_left_out:
                self._layers.show_layers({self.me.id})
            command = SwitchLayerCommand(self._ctx.annotator, gold, "Enter review mode", self._act_as)
        else:
            self._me_left_out = self.me.id not in self._layers.checked_ids()
            command = SwitchLayerCommand(self._ctx.annotator, self.me, "Leave review mode", self._act_as)
        self._ctx.push(command)
        self.message_posted.emit(
            "Review mode: your edits go to the gold layer" if on else f"Review mode off: editing as {self.me.name}"
        )

    def set_blind(self, on: bool) -> None:
        try:
            changes = review.set_blind(self._ctx.project, on)
        except AnnotatorError as exc:
            self.message_posted.emit(str(exc))
            return
        self._ctx.notify(changes)
        self.message_posted.emit(
            "Blind mode on: colleagues' layers stay hidden until you mark a document done" if on else "Blind mode off"
        )

    def show_merged(self, reports: Sequence[MergeReport]) -> None:
        """Show the layers a merge brought in."""
        names = {name for r in reports for name in r.annotators.values()}
        self._layers.show_layers({a.id for a in self._ctx.project.annotators() if a.name in names})

    def is_blind(self) -> bool:
        return self._ctx.blind()

    def _act_as(self, annotator: Annotator) -> None:
        self.layer_switching.emit()
        if annotator.id == 0:  # a switch pushed before my first annotation: I may have a row by now
            annotator = self._ctx.project.identity(annotator.name)
        self._ctx.annotator = annotator
        self.active = annotator.name != self.me.name  # by name: I may have been recorded since
        if self._ctx.link_pending:
            self._ctx.set_link_pending(False)
        self._layers.reload()
        self._panel.set_active(self.active)
        doc_id = self._ctx.current_doc_id
        # "Mine" changed meaning for every view: the article fills, the tagging panel, counts, progress.
        self._ctx.notify(
            Changes(
                frozenset({doc_id}) if doc_id is not None else frozenset(),
                spans=True,
                relations=True,
                stances=True,
                status=True,
                annotators=True,
            )
        )
        self.mode_changed.emit(self.active)

    # -- layers ----------------------------------------------------------------------------------

    def apply_layers(self) -> None:
        """Show the ticked layers that blind mode allows, and compare them in the review panel."""
        wanted = self._layers.checked_ids()
        doc_id, editing = self._ctx.current_doc_id, self._ctx.annotator.id
        visible = list(wanted)
        if doc_id is not None:
            try:
                visible = review.visible_layers(self._ctx.project, self.me.id, doc_id, wanted, blind=self.is_blind())
            except AnnotatorError:
                visible = [i for i in wanted if i == editing]
        if editing not in visible:
            visible.insert(0, editing)
        hidden = [i for i in wanted if i not in visible]
        if hidden:
            where = "; in review mode, in your own layer" if self.active else ""
            self._layers.set_note(_BLIND_NOTE.format(n=len(hidden), s="s" if len(hidden) > 1 else "", where=where))
        else:
            self._layers.set_note("")
        if visible != self._view.visible_layers:
            self._view.set_visible_layers(visible)
        self._panel.set_layers(visible)

    def visible_layers(self) -> list[int]:
        return self._view.visible_layers

    # -- slots -----------------------------------------------------------------------------------

    def _on_ctx_document_opened(self, _doc_id: int) -> None:
        self.apply_layers()

    def _on_ctx_changed(self, changes: Changes) -> None:
        if changes.status and not changes.annotators and self.is_blind():
            self.apply_layers()  # marking a document done lifts blind mode's curtain

    def _on_ctx_annotator_recorded(self, who: Annotator) -> None:
        if self.me.id == 0 and who.name == self.me.name:
            self.me = who
            self._panel.reviewer = who
            self._layers.set_me(who)

    def _on_ctx_project_replaced(self) -> None:
        self.me = self._ctx.annotator
        self.active = False
        self._me_left_out = False
        self._panel.reviewer = self.me
        self._panel.set_active(False)
        self._layers.set_me(self.me)
        self.mode_changed.emit(False)
