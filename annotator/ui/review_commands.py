"""Undo commands for review decisions: accept a version into gold, reject an item, accept all agreed,
and switching which layer my edits go to (mine or gold) when review mode starts or ends.

A review decision can touch several gold rows at once (a relation brings its spans along, a label
change drops links), so these commands do not invert the service call piece by piece: the first
`redo()` takes `review.gold_snapshot` of the document, calls the service, and takes a second
snapshot; `undo()` puts the first back with `review.restore_gold` and a later `redo()` the second
(both keep row ids, so later commands on those gold spans still apply). Like `ui/commands.py`, a
command the service refuses on its first redo records the one-line reason in `error` and marks itself
obsolete, and a later undo/redo first opens the command's document (`show_document`).
`SwitchLayerCommand` sits on the same stack because the tagging commands act on
`ctx.annotator` when they run: undoing past a mode switch first switches back, so every edit is
undone and redone in the layer it was made in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtGui import QUndoCommand

from annotator.model.changes import Changes
from annotator.model.errors import AnnotatorError
from annotator.model.types import Annotator
from annotator.services import review
from annotator.services.alignment import RelationItem, ReviewItem, SpanItem
from annotator.services.review import GoldSnapshot
from annotator.ui.commands import show_document
from annotator.ui.context import AppContext


def describe_item(item: ReviewItem) -> str:
    """A few words naming an item, for command texts and messages."""
    if isinstance(item, SpanItem):
        return item.label.replace("_", " ")
    if isinstance(item, RelationItem):
        return item.type.replace("_", " ")
    where = " (claim)" if item.span_item is not None else ""
    return f"stance {item.target.replace('_', ' ')}{where}"


class _GoldCommand(QUndoCommand):
    """Snapshot gold, decide, snapshot again; undo/redo restore the snapshots."""

    def __init__(self, ctx: AppContext, doc_id: int, text: str) -> None:
        super().__init__(text)
        self.ctx, self.doc_id = ctx, doc_id
        self.error: str | None = None
        self._before: GoldSnapshot | None = None
        self._after: GoldSnapshot | None = None
        self._new_gold = not any(a.is_gold for a in ctx.project.annotators())
        self._skip_step = False  # the stack is putting its index back after a refused undo/redo

    def _refused(self, exc: AnnotatorError) -> None:
        """A later undo/redo the service refused changed nothing: see `AppContext.step_refused`."""
        self._skip_step = True
        self.ctx.step_refused(str(exc))

    def redo(self) -> None:
        if self._skip_step:
            self._skip_step = False
            return
        if self._after is not None:
            show_document(self.ctx, self.doc_id)
            try:
                changes = review.restore_gold(self.ctx.project, self._after)
            except AnnotatorError as exc:
                self._refused(exc)
                return
            self.ctx.notify(changes)
            return
        try:
            self._before = review.gold_snapshot(self.ctx.project, self.doc_id)
            changes = self._decide()
        except AnnotatorError as exc:
            self.error = str(exc)
            self.setObsolete(True)
            return
        self._after = review.gold_snapshot(self.ctx.project, self.doc_id)
        # The first decision creates the gold annotator: the layers list needs to know.
        self.ctx.notify(changes | Changes(annotators=self._new_gold))

    def undo(self) -> None:
        if self._skip_step:
            self._skip_step = False
            return
        assert self._before is not None
        show_document(self.ctx, self.doc_id)
        try:
            changes = review.restore_gold(self.ctx.project, self._before)
        except AnnotatorError as exc:
            self._refused(exc)
            return
        selected = self.ctx.selected_span_id
        if (
            selected is not None
            and selected not in {s.id for s in self._before.spans}
            and selected in {s.id for s in (self._after.spans if self._after else ())}
        ):
            self.ctx.select_span(None)  # the gold span it made goes away
        self.ctx.notify(changes)

    def _decide(self) -> Changes:
        raise NotImplementedError


class AcceptItemCommand(_GoldCommand):
    """Copy `annotator`'s version of `item` into gold."""

    def __init__(self, ctx: AppContext, doc_id: int, item: ReviewItem, annotator: Annotator) -> None:
        super().__init__(ctx, doc_id, f"Accept {annotator.name}'s {describe_item(item)}")
        self.item, self.annotator_id = item, annotator.id

    def _decide(self) -> Changes:
        return review.accept(self.ctx.project, self.doc_id, self.item, self.annotator_id)


class RejectItemCommand(_GoldCommand):
    """Remove gold's version of `item` and record it as rejected."""

    def __init__(self, ctx: AppContext, doc_id: int, item: ReviewItem, author_id: int | None = None) -> None:
        super().__init__(ctx, doc_id, f"Reject {describe_item(item)}")
        self.item, self.author_id = item, author_id

    def _decide(self) -> Changes:
        return review.reject(self.ctx.project, self.doc_id, self.item, author_id=self.author_id)


class AcceptAllAgreedCommand(_GoldCommand):
    """Accept every agreed item of the document; `accepted` says how many (0 makes it obsolete)."""

    def __init__(self, ctx: AppContext, doc_id: int, annotator_ids: Sequence[int]) -> None:
        super().__init__(ctx, doc_id, "Accept all agreed items")
        self.annotator_ids = tuple(annotator_ids)
        self.accepted = 0

    def _decide(self) -> Changes:
        self.accepted = review.accept_all_agreed(self.ctx.project, self.doc_id, self.annotator_ids)
        if self.accepted == 0:
            self.setObsolete(True)  # nothing to undo
        self.setText(f"Accept {self.accepted} agreed item{'s' if self.accepted != 1 else ''}")
        return Changes(frozenset({self.doc_id}), spans=True, relations=True, stances=True)


class SwitchLayerCommand(QUndoCommand):
    """Make `to` the layer my edits go to (`ctx.annotator`); undo switches back to `from_`.

    `apply` is the review controller's hook: it sets `ctx.annotator` and brings the widgets along.
    """

    def __init__(self, from_: Annotator, to: Annotator, text: str, apply: Callable[[Annotator], None]) -> None:
        super().__init__(text)
        self.from_, self.to, self._apply = from_, to, apply

    def redo(self) -> None:
        self._apply(self.to)

    def undo(self) -> None:
        self._apply(self.from_)
