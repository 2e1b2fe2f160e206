"""`SpanNavigation`: selecting an existing span from the keyboard (Go › Next span, Previous span,
Span at caret).

The spans of the layer I am editing (mine; gold in review mode), in document order (by start, the
longer first), are walked from the selected span, or from the caret when none is selected (a
colleague's layer shown beside mine is read-only, so its spans are not stops: Delete and the label
keys could not act on them); past the last one the walk wraps
to the first (and back), and the status bar says so. Selecting moves the caret to the span's start
and selects it as a click would, so the span editor shows it and Delete, the label keys (relabel),
the attribute keys and the edge keys act on it.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from annotator.model.types import Span
from annotator.ui.context import AppContext
from annotator.ui.models.annotation_table_model import elide
from annotator.ui.widgets.article_view import ArticleViewWidget

KEYS_HINT = "Alt+N next, Alt+Shift+N previous"


class SpanNavigation(QObject):
    message_posted = Signal(str)

    def __init__(self, ctx: AppContext, view: ArticleViewWidget, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._view = view

    def step(self, forward: bool = True) -> int | None:
        """Select the span after (or before) the selected span or the caret; its id."""
        spans = self._editable()
        if not spans:
            self.message_posted.emit("No spans of yours in this document yet: select text and press a label key.")
            return None
        ids = [s.id for s in spans]
        selected = self._ctx.selected_span_id
        if selected in ids:
            index = ids.index(selected) + (1 if forward else -1)
        else:
            caret = self._caret_cp()
            # A span starting right at the caret counts as the next one, as a match does for F3.
            index = sum(1 for s in spans if s.start < caret) - (0 if forward else 1)
        wrapped = ""
        if index >= len(spans):
            index, wrapped = 0, " (after the last span: back to the first)"
        elif index < 0:
            index, wrapped = len(spans) - 1, " (before the first span: on to the last)"
        self._select(spans[index], f"Span {index + 1} of {len(spans)}", wrapped)
        return spans[index].id

    def select_at_caret(self) -> int | None:
        """Select the span under the caret (my innermost there, as a click picks); its id."""
        caret = self._caret_cp()
        span_id = self._view.span_at(caret)
        if span_id is None and caret > 0:
            span_id = self._view.span_at(caret - 1)  # the caret just after a span's last character
        span = next((s for s in self._view.spans() if s.id == span_id), None)
        if span is not None and span.annotator_id != self._ctx.annotator.id:
            self.message_posted.emit(f"Only a colleague's span at the caret: read-only ({KEYS_HINT} go to yours).")
            return None
        if span is None:
            self.message_posted.emit(f"No span at the caret ({KEYS_HINT} go to one).")
            return None
        self._select(span, "Selected", "")
        return span.id

    def _editable(self) -> list[Span]:
        me = self._ctx.annotator.id
        return [span for span in self._view.spans() if span.annotator_id == me]

    def _caret_cp(self) -> int:
        return self._view.offsets().to_cp(self._view.textCursor().position())

    def _select(self, span: Span, what: str, wrapped: str) -> None:
        cursor = self._view.textCursor()
        cursor.setPosition(self._view.offsets().to_utf16(span.start))
        self._view.setTextCursor(cursor)
        self._view.ensureCursorVisible()
        self._ctx.select_span(span.id)
        label = span.label.replace("_", " ")
        self.message_posted.emit(f"{what}: {label} “{elide(span.text, 50)}”{wrapped} ({KEYS_HINT})")
