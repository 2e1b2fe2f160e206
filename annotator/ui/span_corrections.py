"""`SpanCorrections`: what the span-editing keys and edge drags do to the selected span.

Moving an edge by a character or a word, dragging an end to a new place (snapped so a word is
taken only when at least half of it is covered), and relabelling with another label's key are each
one `SpanEditCommand`; the status bar says what the edit did and what it dropped.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from annotator.model.errors import AnnotatorError
from annotator.model.snapping import Edge, Unit, move_edge, snap_selection
from annotator.model.types import Span
from annotator.ui.commands import push_command
from annotator.ui.context import AppContext
from annotator.ui.span_commands import SpanEditCommand


class SpanCorrections(QObject):
    message_posted = Signal(str)

    def __init__(self, ctx: AppContext, text: Callable[[], str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._text = text

    def selected_span(self) -> Span | None:
        """My selected span on the open document, as stored."""
        span_id, doc_id = self._ctx.selected_span_id, self._ctx.current_doc_id
        if not span_id or doc_id is None:
            return None
        try:
            view = self._ctx.view(doc_id)
        except AnnotatorError:
            return None
        return next((s for s in view.spans if s.id == span_id and s.annotator_id == self._ctx.annotator.id), None)

    def relabel(self, label: str) -> bool:
        span = self.selected_span()
        if span is None:
            self.message_posted.emit("Select some text first, or click a span to relabel it.")
            return False
        name = self._ctx.project.scheme.canonical_label(label)
        if span.label == name:
            self.message_posted.emit(f"That span is already a {name.replace('_', ' ')}.")
            return False
        return self._push(SpanEditCommand(self._ctx, span.id, label=name))

    def move_edge(self, edge: Edge, step: int, unit: Unit) -> bool:
        span = self.selected_span()
        if span is None:
            self.message_posted.emit("Select a span first (click it, or pick it in the Annotations table).")
            return False
        moved = move_edge(self._text(), span.start, span.end, edge, step, unit)
        if moved is None:
            self.message_posted.emit("The span cannot move that way (it would be empty or leave the text).")
            return False
        return self._push(SpanEditCommand(self._ctx, span.id, start=moved[0], end=moved[1]))

    def drag_edge(self, span_id: int, start: int, end: int) -> bool:
        """An end dragged with the mouse: snap the new range and resize the span to it."""
        snapped = snap_selection(self._text(), start, end)
        if snapped is None:
            self.message_posted.emit("Nothing would be left of the span there.")
            return False
        return self._push(SpanEditCommand(self._ctx, span_id, start=snapped[0], end=snapped[1]))

    def _push(self, command: SpanEditCommand) -> bool:
        error = push_command(self._ctx, command)
        if error:
            self.message_posted.emit(error)
            return False
        self.message_posted.emit(command.summary())
        return True
