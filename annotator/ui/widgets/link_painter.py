"""Attribution links on the page, as brat draws them: an arc from the claim over the text to its
source, with an arrowhead at the source. Anchors are the middle of each span's first line, on its top
edge, found through the view's cursor rectangles (only the two blocks concerned are laid out). My
links are solid; each colleague's rise one step higher and are dashed, so identical links from
several people all show. Only arcs that reach into the exposed rectangle are painted.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRect, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen, QPolygonF, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit

from annotator.model.types import Span
from annotator.ui.offsets import OffsetMap

LINK_COLOR = "#455a64"
_LINK_ALPHA = 200
_ARROW = 6.0
_LAYER_LIFT = 4.0


def span_anchor(view: QPlainTextEdit, offsets: OffsetMap, span: Span) -> QPointF:
    """The middle of a span's first line, on its top edge (viewport coordinates)."""
    start = QTextCursor(view.document())
    start.setPosition(offsets.to_utf16(span.start))
    a = view.cursorRect(start)
    end = QTextCursor(view.document())
    end.setPosition(offsets.to_utf16(span.end))
    b = view.cursorRect(end)
    if b.top() != a.top():  # the span wraps: anchor over its first line's part
        end = QTextCursor(start)
        end.movePosition(QTextCursor.MoveOperation.EndOfLine)
        b = view.cursorRect(end)
    return QPointF((a.left() + b.left()) / 2, a.top() + 1)


def link_anchors(
    view: QPlainTextEdit, offsets: OffsetMap, links: Sequence[tuple[Span | None, Span | None, int]]
) -> list[tuple[QPointF, QPointF, int]]:
    """(claim anchor, source anchor, layer step) for each link whose two spans are shown."""
    return [
        (span_anchor(view, offsets, claim), span_anchor(view, offsets, source), step)
        for claim, source, step in links
        if claim is not None and source is not None
    ]


def paint_links(painter: QPainter, clip: QRect, anchors: Sequence[tuple[QPointF, QPointF, int]], lift: float) -> None:
    painter.setClipRect(clip)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    for a, b, step in anchors:
        rise = lift + step * _LAYER_LIFT
        if max(a.y(), b.y()) < clip.top() or min(a.y(), b.y()) - rise > clip.bottom():
            continue  # nothing of this arc in the exposed rect
        paint_link(painter, a, b, rise, dashed=step > 0)


def paint_link(painter: QPainter, start: QPointF, end: QPointF, lift: float, *, dashed: bool = False) -> None:
    """An arc from `start` (the claim) to `end` (its source), both on the top edge of their spans,
    rising `lift` above the higher one, with an arrowhead at `end`: brat's connector."""
    color = QColor(LINK_COLOR)
    color.setAlpha(_LINK_ALPHA)
    pen = QPen(color, 1.4)
    if dashed:
        pen.setDashPattern([4.0, 2.0])
    top = min(start.y(), end.y()) - lift
    path = QPainterPath(start)
    path.cubicTo(QPointF(start.x(), top), QPointF(end.x(), top), end)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPath(path)
    # The arrow points down into the source along the curve's last tangent (vertical at the end).
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(color)
    painter.drawPolygon(
        QPolygonF(
            [
                end,
                QPointF(end.x() - _ARROW / 2, end.y() - _ARROW),
                QPointF(end.x() + _ARROW / 2, end.y() - _ARROW),
            ]
        )
    )
    painter.drawEllipse(start, 2.0, 2.0)
