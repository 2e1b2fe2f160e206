"""`ArticleViewWidget`: the read-only article text in the centre, with its spans highlighted.

It owns how a document reads (font, zoom, line length, the empty-state hint), how spans are drawn
(label colour, overlaps, the selected span, other annotators' layers, attribution links as arcs from
claim to source), and how mouse positions and text
selections translate into stored code-point offsets (through `OffsetMap`). It never writes: a click on a
span goes to `AppContext.click_span`, and edits are made by the tagging panel's undo commands.
Highlights are painted under the text for the visible paragraphs only (`SpanPainter`), so a refresh
never touches the document's text or lays out paragraphs off screen, which keeps switching cheap.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QSize, Qt, Signal
from PySide6.QtGui import QMouseEvent, QTextCursor
from PySide6.QtWidgets import QApplication, QToolTip, QWidget

from annotator.model.changes import Changes
from annotator.model.errors import NotFoundError
from annotator.model.types import Relation, Span
from annotator.ui.context import AppContext
from annotator.ui.offsets import OffsetMap
from annotator.ui.settings import qsettings
from annotator.ui.widgets.article_page import (
    DEFAULT_FONT_SIZE,
    FONT_SIZE_KEY,
    LINE_CHARS,
    MAX_FONT_SIZE,
    MIN_FONT_SIZE,
    SHOW_LINKS_KEY,
    ArticlePage,
)
from annotator.ui.widgets.edge_drag import SpanEdgeDrag
from annotator.ui.widgets.span_painter import layer_styles

__all__ = [
    "DEFAULT_FONT_SIZE",
    "FONT_SIZE_KEY",
    "LINE_CHARS",
    "MAX_FONT_SIZE",
    "MIN_FONT_SIZE",
    "SHOW_LINKS_KEY",
    "ArticleViewWidget",
]
_HINT_NO_DOCUMENTS = "Import articles with File > Import…"
_HINT_PICK = "Pick a document on the left"


class ArticleViewWidget(ArticlePage):
    span_edge_dragged = Signal(int, int, int)  # span id, new start, new end (code points, unsnapped)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._targets: dict[int, list[int]] = {}  # span id -> ids of the spans it links to
        self._layers: list[int] | None = None  # None: only mine
        self._has_documents = False
        self._press_pos: QPoint | None = None
        self._edges = SpanEdgeDrag(self, self._selected_own_span, self.offsets, self.span_edge_dragged.emit)
        self.viewport().setMouseTracking(True)  # the resize cursor over the selected span's ends
        self._connect_signals()
        self._refresh_has_documents()

    # -- set-up ----------------------------------------------------------------------------------

    def _connect_signals(self) -> None:
        self._ctx.document_opened.connect(self._on_ctx_document_opened)
        self._ctx.changed.connect(self._on_ctx_changed)
        self._ctx.span_selected.connect(self._on_ctx_span_selected)
        self._ctx.project_replaced.connect(self._on_ctx_project_replaced)
        self._ctx.link_pending_changed.connect(self._on_ctx_link_pending_changed)

    # -- public ----------------------------------------------------------------------------------

    @property
    def doc_id(self) -> int | None:
        return self._doc_id

    @property
    def visible_layers(self) -> list[int]:
        """Annotator ids whose spans are shown; mine is the default and the only editable one."""
        return list(self._layers) if self._layers is not None else [self._ctx.annotator.id]

    def set_visible_layers(self, annotator_ids: Sequence[int]) -> None:
        self._layers = list(annotator_ids)
        self._reload_spans()

    def document_text(self) -> str:
        return self._text

    def offsets(self) -> OffsetMap:
        return self._offsets

    def spans(self) -> tuple[Span, ...]:
        """The spans shown (all visible layers), ordered by start."""
        return self._spans

    def selection_cp(self) -> tuple[int, int] | None:
        """The current text selection in code points, or None when nothing is selected."""
        cursor = self.textCursor()
        if self._doc_id is None or not cursor.hasSelection():
            return None
        return self._offsets.to_cp(cursor.selectionStart()), self._offsets.to_cp(cursor.selectionEnd())

    def select_cp(self, start: int, end: int) -> None:
        """Select text by code points, as a user dragging over it would."""
        cursor = self.textCursor()
        cursor.setPosition(self._offsets.to_utf16(start))
        cursor.setPosition(self._offsets.to_utf16(end), QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)

    def span_at(self, cp: int) -> int | None:
        """The span a click at code point `cp` picks: my innermost span there, else anyone's."""
        hits = [s for s in self._spans if any(a <= cp < b for a, b in s.parts)]
        if not hits:
            return None
        me = self._ctx.annotator.id
        return min(hits, key=lambda s: (s.annotator_id != me, s.end - s.start, -s.start)).id

    def cp_at_point(self, point: QPoint) -> int | None:
        """The code point under a viewport position, or None over margins, line ends and blank space."""
        u16 = self._char_at(point)
        return None if u16 is None else self._offsets.to_cp(u16)

    def scroll_to_span(self, span_id: int) -> None:
        span = self._span_by_id.get(span_id)
        if span is None:
            return
        cursor = QTextCursor(self.document())
        cursor.setPosition(self._offsets.to_utf16(span.start))
        if self.viewport().rect().contains(self.cursorRect(cursor).center()):
            return
        self.setTextCursor(cursor)
        self.centerCursor()

    def global_rect_of(self, start: int, end: int) -> QRect:
        """The lines holding code points start..end, the viewport's width across, in global coordinates."""
        first, last = QTextCursor(self.document()), QTextCursor(self.document())
        first.setPosition(self._offsets.to_utf16(start))
        last.setPosition(self._offsets.to_utf16(end))
        top, bottom = self.cursorRect(first).top(), self.cursorRect(last).bottom()
        return QRect(self.viewport().mapToGlobal(QPoint(0, top)), QSize(self.viewport().width(), bottom - top + 1))

    @property
    def show_links(self) -> bool:
        return self._show_links

    def set_show_links(self, on: bool) -> None:
        """Draw attribution links in the text (View > Show attribution links); remembered."""
        self._show_links = on
        settings = qsettings()
        settings.setValue(SHOW_LINKS_KEY, on)
        settings.sync()
        self.viewport().update()

    def link_geometry(self) -> list[tuple[QPointF, QPointF]]:
        """(claim anchor, source anchor) in viewport coordinates for each link drawn."""
        return [(a, b) for a, b, _ in self._link_anchors()] if self._show_links else []

    def zoom_in(self) -> None:
        self._set_font_size(self.font().pointSize() + 1)

    def zoom_out(self) -> None:
        self._set_font_size(self.font().pointSize() - 1)

    def zoom_reset(self) -> None:
        self._set_font_size(DEFAULT_FONT_SIZE)

    def font_size(self) -> int:
        return self.font().pointSize()

    # -- loading ---------------------------------------------------------------------------------

    def _load(self, doc_id: int | None) -> None:
        self._doc_id = doc_id
        if doc_id is None:
            self._show_text(None, "")
            self._set_spans((), ())
            return
        try:
            view = self._ctx.view(doc_id, self.visible_layers)  # shared with the tagging panel
        except NotFoundError:  # deleted or from a project since replaced: show the empty state
            self._load(None)
            return
        self._show_text(doc_id, view.document.text)
        self._set_spans(view.spans, view.relations)

    def _reload_spans(self) -> None:
        if self._doc_id is None:
            return
        view = self._ctx.view(self._doc_id, self.visible_layers)
        self._set_spans(view.spans, view.relations)

    def _set_spans(self, spans: Sequence[Span], relations: Sequence[Relation]) -> None:
        archived = {lab.name for lab in self._ctx.project.scheme.labels if lab.archived}
        shown = [s for s in spans if s.label not in archived]  # archived: kept and exported, not drawn
        self._targets = {}
        for rel in relations:
            self._targets.setdefault(rel.from_span, []).append(rel.to_span)
        scheme = self._ctx.project.scheme
        colors = {lab.name: lab.color for lab in scheme.labels}
        colors.update({alias: lab.color for lab in scheme.labels for alias in lab.aliases})
        me = self._ctx.annotator.id
        others = any(s.annotator_id != me for s in shown)
        by_layer = layer_styles(self._ctx.project.annotators()) if others else None
        # Each layer's arcs rise one step higher, so identical links from several people all show.
        steps = {a: n for n, a in enumerate(sorted({r.annotator_id for r in relations} - {me}), start=1)}
        links = [(r.from_span, r.to_span, steps.get(r.annotator_id, 0)) for r in relations]
        self._show_spans(shown, links, colors, me, by_layer)

    def _refresh_has_documents(self) -> None:
        self._has_documents = self._ctx.progress().total > 0
        self.viewport().update()

    # -- drawing spans ---------------------------------------------------------------------------

    def _apply_highlights(self) -> None:
        self._painter.selected_id = self._ctx.selected_span_id
        self.viewport().update()

    # -- mouse and tooltips ----------------------------------------------------------------------

    def _char_at(self, point: QPoint) -> int | None:
        """The UTF-16 position of the character drawn under `point`, if any."""
        if self._doc_id is None:
            return None
        hit = self.cursorForPosition(point)
        pos = hit.position()
        for start in (pos - 1, pos):
            if start < 0:
                continue
            left = QTextCursor(self.document())
            left.setPosition(start)
            if left.atBlockEnd():
                continue
            right = QTextCursor(left)
            right.movePosition(QTextCursor.MoveOperation.NextCharacter)
            a, b = self.cursorRect(left), self.cursorRect(right)
            same_line = a.top() == b.top()
            if same_line and a.top() <= point.y() <= a.bottom() and a.left() <= point.x() < b.left():
                return start
        return None

    def _selected_own_span(self) -> Span | None:
        span = self._span_by_id.get(self._ctx.selected_span_id or 0)
        return span if span is not None and span.annotator_id == self._ctx.annotator.id else None

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if not self._edges.move(event):
            super().mouseMoveEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self._edges.press(event):
            self._press_pos = None
            return
        self._press_pos = event.position().toPoint() if event.button() == Qt.MouseButton.LeftButton else None
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._edges.release(event):
            return
        super().mouseReleaseEvent(event)
        press, self._press_pos = self._press_pos, None
        pos = event.position().toPoint()
        if press is None or event.button() != Qt.MouseButton.LeftButton or self._doc_id is None:
            return
        if (pos - press).manhattanLength() >= QApplication.startDragDistance() or self.textCursor().hasSelection():
            return  # a drag selects text; it is not a click
        cp = self.cp_at_point(pos)
        span_id = self.span_at(cp) if cp is not None else None
        if span_id is not None:
            self._ctx.click_span(span_id)
        elif self._ctx.selected_span_id is not None and not self._ctx.link_pending:
            self._ctx.select_span(None)

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            cp = self.cp_at_point(event.pos())  # type: ignore[attr-defined]
            text = self.tooltip_for_cp(cp) if cp is not None else ""
            if text:
                QToolTip.showText(event.globalPos(), text, self.viewport())  # type: ignore[attr-defined]
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().viewportEvent(event)

    def tooltip_for_cp(self, cp: int) -> str:
        """Rich text naming each span at `cp` (innermost first) with its attributes and links."""
        hits = sorted((s for s in self._spans if any(a <= cp < b for a, b in s.parts)), key=lambda s: s.end - s.start)
        me = self._ctx.annotator.id
        names = (
            {a.id: a.name for a in self._ctx.project.annotators()} if any(s.annotator_id != me for s in hits) else {}
        )
        blocks = []
        for span in hits:
            head = f"<b>{html.escape(span.label)}</b>"
            if span.annotator_id != me:
                head += f" <i>({html.escape(names.get(span.annotator_id, '?'))})</i>"
            lines = [head]
            lines += [f"{html.escape(k)}: {html.escape(str(v))}" for k, v in span.attributes.items()]
            for target in self._targets.get(span.id, []):
                other = self._span_by_id.get(target)
                if other is not None:
                    lines.append(f"→ {html.escape(other.label)}: “{html.escape(_elide(other.text))}”")
            blocks.append("<br>".join(lines))
        return "<hr>".join(blocks)

    # -- layout, zoom, empty state ---------------------------------------------------------------

    def _set_font_size(self, size: int) -> None:
        size = min(max(size, MIN_FONT_SIZE), MAX_FONT_SIZE)
        font = self.font()
        font.setPointSize(size)
        self.setFont(font)
        self._update_margins()
        settings = qsettings()
        settings.setValue(FONT_SIZE_KEY, size)
        settings.sync()

    def empty_hint(self) -> str | None:
        """The hint shown instead of a document, or None when one is open."""
        if self._doc_id is not None:
            return None
        return _HINT_PICK if self._has_documents else _HINT_NO_DOCUMENTS

    # -- context signals -------------------------------------------------------------------------

    def _on_ctx_document_opened(self, doc_id: int) -> None:
        self._load(doc_id)

    def _on_ctx_changed(self, changes: Changes) -> None:
        if changes.documents:
            self._refresh_has_documents()
        if (
            self._doc_id is not None
            and self._doc_id in changes.doc_ids
            and (changes.spans or changes.relations or changes.documents)
        ):
            self._reload_spans()

    def _on_ctx_span_selected(self, span_id: int) -> None:
        if span_id and span_id in self._span_by_id:
            # A selected span replaces the text selection that made it, so its highlight shows.
            cursor = self.textCursor()
            if cursor.hasSelection():
                cursor.clearSelection()
                self.setTextCursor(cursor)
            self._apply_highlights()
            self.scroll_to_span(span_id)
        else:
            self._apply_highlights()

    def _on_ctx_project_replaced(self) -> None:
        self._layers = None
        self._load(None)
        self._refresh_has_documents()

    def _on_ctx_link_pending_changed(self, pending: bool) -> None:
        shape = Qt.CursorShape.PointingHandCursor if pending else Qt.CursorShape.IBeamCursor
        self.viewport().setCursor(shape)


def _elide(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
