"""Undo commands that correct a span in place: move its edges, or give it another label.

Each stores the span id and the service's `SpanEdit` (plain before/after values and whatever the
edit dropped, never ORM rows); undo puts the old span and the dropped links and stances back with
their old ids, redo repeats the same outcome.
"""

from __future__ import annotations

from annotator.model.changes import Changes
from annotator.services import span_edits as svc
from annotator.ui.commands import _ServiceCommand
from annotator.ui.context import AppContext


class SpanEditCommand(_ServiceCommand):
    """Resize (start/end given) or relabel (label given) one span."""

    def __init__(
        self,
        ctx: AppContext,
        span_id: int,
        *,
        label: str | None = None,
        start: int | None = None,
        end: int | None = None,
    ) -> None:
        text = f"Relabel as {label.replace('_', ' ')}" if label else "Resize span"
        super().__init__(ctx, text)
        self.span_id, self.label, self.start, self.end = span_id, label, start, end
        self.edit: svc.SpanEdit | None = None

    def _redo(self) -> Changes:
        if self.edit is not None:
            return svc.redo_span_edit(self.ctx.project, self.edit)
        if self.label is not None:
            self.edit, changes = svc.relabel_span(self.ctx.project, self.span_id, self.label)
        else:
            assert self.start is not None and self.end is not None
            self.edit, changes = svc.resize_span(self.ctx.project, self.span_id, self.start, self.end)
        return changes

    def _undo(self) -> Changes:
        assert self.edit is not None
        return svc.revert_span_edit(self.ctx.project, self.edit)

    def summary(self) -> str:
        """The status-bar line: what the edit did and what it dropped."""
        if self.edit is None:
            return ""
        after = self.edit.after
        done = (
            f"Relabelled as {after.label.replace('_', ' ')}"
            if self.label is not None
            else f"Span now “{_elide(after.text)}” ({after.start}–{after.end})"
        )
        dropped = self.edit.dropped_text()
        return f"{done}; dropped {dropped}" if dropped else f"{done}; nothing dropped"


def _elide(text: str, limit: int = 50) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
