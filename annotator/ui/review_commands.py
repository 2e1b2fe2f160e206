"""Undo commands for review decisions: accept a version into gold, reject an item, accept all agreed,
and switching which layer my edits go to (mine or gold) when review mode starts or ends.

A review decision can touch several gold rows at once (a relation brings its spans along, a label
change drops links), so these commands do not invert the service call piece by piece: the first
`redo()` calls the service with a `review.Trail`, which records gold as the decision's own
transaction found and left it; `undo()` puts the first back with `review.restore_gold` and a later `redo()` the second
(both keep row ids, so later commands on those gold spans still apply). Like `ui/commands.py`, a
command the service refuses on its first redo records the one-line reason in `error` and marks itself
obsolete, and a later undo/redo first opens the command's document (`show_document`). No lost update:
a decision on an item whose gold version someone else changed since it was shown, and an undo/redo
over gold someone else changed since this step, are refused (`conflict`, `ctx.refuse`): the user
sees both versions and keeps one; the undo index moves only when the step is done.
`SwitchLayerCommand` sits on the same stack because the tagging commands act on
`ctx.annotator` when they run: undoing past a mode switch first switches back, so every edit is
undone and redone in the layer it was made in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtGui import QUndoCommand

from annotator.model.changes import Changes
from annotator.model.errors import AnnotatorError, StaleWriteError
from annotator.model.types import Annotator
from annotator.services import review
from annotator.services.alignment import Alignment, ReviewItem
from annotator.services.review import GoldSnapshot, Trail, describe_item
from annotator.ui.commands import show_document
from annotator.ui.context import AppContext, Conflict


class _GoldCommand(QUndoCommand):
    """Snapshot gold, decide, snapshot again; undo/redo restore the snapshots."""

    def __init__(self, ctx: AppContext, doc_id: int, text: str) -> None:
        super().__init__(text)
        self.ctx, self.doc_id = ctx, doc_id
        self.error: str | None = None
        self.conflict: Conflict | None = None  # the first redo met a gold version someone else changed
        self._before: GoldSnapshot | None = None
        self._after: GoldSnapshot | None = None
        self._left: GoldSnapshot | None = None  # gold as this command's last step left it
        self._overwrite = False  # "keep mine" after a refused step: put the snapshot back over theirs
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
            if (changes := self._restore(self._after, undoing=False)) is not None:
                self.ctx.notify(changes)
            return
        trail = Trail()
        try:
            changes = self._decide(trail)
        except StaleWriteError as exc:
            self.error = str(exc)
            self.conflict = Conflict(exc, self._decide_again)
            self.setObsolete(True)
            return
        except AnnotatorError as exc:
            self.error = str(exc)
            self.setObsolete(True)
            return
        self._before, self._after = trail.before, trail.after
        self._left = self._after
        # The first decision creates the gold annotator: the layers list needs to know.
        self.ctx.notify(changes | Changes(annotators=self._new_gold))

    def undo(self) -> None:
        if self._skip_step:
            self._skip_step = False
            return
        assert self._before is not None
        show_document(self.ctx, self.doc_id)
        changes = self._restore(self._before, undoing=True)
        if changes is None:
            return
        selected = self.ctx.selected_span_id
        if (
            selected is not None
            and selected not in {s.id for s in self._before.spans}
            and selected in {s.id for s in (self._after.spans if self._after else ())}
        ):
            self.ctx.select_span(None)  # the gold span it made goes away
        self.ctx.notify(changes)

    def _restore(self, target: GoldSnapshot, *, undoing: bool) -> Changes | None:
        """Put `target` back unless gold changed since this command's last step (someone else's
        decision or gold edit): then nothing changes, the index stays and the user is asked."""
        expected = None if self._overwrite else self._left
        self._overwrite = False
        trail = Trail()
        try:
            changes = review.restore_gold(self.ctx.project, target, expected=expected, trail=trail)
        except StaleWriteError as exc:
            self._refused(exc)
            self.ctx.refuse(Conflict(exc, lambda: self._step_again(undoing)))
            return None
        except AnnotatorError as exc:
            self._refused(exc)
            return None
        self._left = trail.after
        return changes

    def _step_again(self, undoing: bool) -> str | None:
        """Keep mine after a refused undo/redo: the same step through the stack, over theirs."""
        stack = self.ctx.undo_stack
        if stack.command(stack.index() - 1 if undoing else stack.index()) is not self:
            return "The undo history has moved on since; nothing was changed."
        self._overwrite = True
        if undoing:
            stack.undo()
        else:
            stack.redo()
        return None

    def _decide_again(self) -> str | None:
        """Keep mine after a refused first decision: the same decision on the item as it is now."""
        fresh = review.fresh_item(self.ctx.project, self.doc_id, self._item())
        if fresh is None:
            return "That item is no longer there; nothing was changed."
        again = self._on(fresh)
        self.ctx.push(again)
        if again.conflict is not None:
            self.ctx.refuse(again.conflict)
            return None
        return again.error

    def _item(self) -> ReviewItem:
        raise NotImplementedError

    def _on(self, item: ReviewItem) -> _GoldCommand:
        raise NotImplementedError

    def _decide(self, trail: Trail) -> Changes:
        raise NotImplementedError


class AcceptItemCommand(_GoldCommand):
    """Copy `annotator`'s version of `item` into gold."""

    def __init__(self, ctx: AppContext, doc_id: int, item: ReviewItem, annotator: Annotator) -> None:
        super().__init__(ctx, doc_id, f"Accept {annotator.name}'s {describe_item(item)}")
        self.item, self.annotator, self.annotator_id = item, annotator, annotator.id

    def _decide(self, trail: Trail) -> Changes:
        return review.accept(self.ctx.project, self.doc_id, self.item, self.annotator_id, trail=trail)

    def _item(self) -> ReviewItem:
        return self.item

    def _on(self, item: ReviewItem) -> _GoldCommand:
        return AcceptItemCommand(self.ctx, self.doc_id, item, self.annotator)


class RejectItemCommand(_GoldCommand):
    """Remove gold's version of `item` and record it as rejected."""

    def __init__(self, ctx: AppContext, doc_id: int, item: ReviewItem, author_id: int | None = None) -> None:
        super().__init__(ctx, doc_id, f"Reject {describe_item(item)}")
        self.item, self.author_id = item, author_id

    def _decide(self, trail: Trail) -> Changes:
        return review.reject(self.ctx.project, self.doc_id, self.item, author_id=self.author_id, trail=trail)

    def _item(self) -> ReviewItem:
        return self.item

    def _on(self, item: ReviewItem) -> _GoldCommand:
        return RejectItemCommand(self.ctx, self.doc_id, item, self.author_id)


class AcceptAllAgreedCommand(_GoldCommand):
    """Accept every agreed item of the document; `accepted` says how many (0 makes it obsolete).

    With `shown` (the alignment the review panel shows) it takes the items shown as agreed, and none
    of them when gold's version of any changed since (`conflict`; keep mine accepts all agreed
    items as the document holds them now)."""

    def __init__(
        self, ctx: AppContext, doc_id: int, annotator_ids: Sequence[int], shown: Alignment | None = None
    ) -> None:
        super().__init__(ctx, doc_id, "Accept all agreed items")
        self.annotator_ids, self.shown = tuple(annotator_ids), shown
        self.accepted = 0

    def _decide_again(self) -> str | None:
        fresh = review.align_document(self.ctx.project, self.doc_id, self.annotator_ids)
        again = AcceptAllAgreedCommand(self.ctx, self.doc_id, self.annotator_ids, fresh)
        self.ctx.push(again)
        if again.conflict is not None:
            self.ctx.refuse(again.conflict)
            return None
        return again.error

    def _decide(self, trail: Trail) -> Changes:
        self.accepted = review.accept_all_agreed(
            self.ctx.project, self.doc_id, self.annotator_ids, shown=self.shown, trail=trail
        )
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
