"""`SpanPainter`: draws span highlights under the article text, one visible paragraph at a time.

The article view asks it to paint each paragraph (`QTextBlock`) on screen before Qt draws the text on
top. Painting only what is visible, from spans indexed by UTF-16 start, is what keeps opening a long
article with hundreds of spans cheap: nothing is laid out or formatted for paragraphs off screen
(Qt's extra selections would lay out every paragraph holding a span). It also draws what character
formats cannot: translucent fills that blend where spans overlap, stacked underlines for nested spans,
and a frame around the selected span. Colleagues' layers (read-only) are underlines in the span's
label colour (a claim looks like a claim whoever tagged it) with a per-person dash pattern
(`layer_styles`); the underlines of one stretch of text stack, one row per person, drawn over my
fills and frames, so identical spans from several people all show. Attribution links are
`link_painter.py`'s. A discontinuous span is drawn piece by piece, with a dotted line in its colour
joining the pieces across the text between them (the joining mark).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from heapq import heappop, heappush
from typing import cast

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QTextBlock, QTextLayout, QTextLine

from annotator.model.types import Annotator, Span
from annotator.ui.offsets import OffsetMap

FILL_ALPHA = 90
SELECTED_ALPHA = 200
OUTLINE_WIDTH = 2.0
CURRENT_OUTLINE_WIDTH = 3.5  # the current find match (F3): a heavier frame, the others stay light
_UNDERLINE_STEP = 3.0
_MAX_UNDERLINES = 3
_LAYER_STEP = 2.5  # colleagues' rows sit tighter, so two fit in the descent under the baseline
GOLD_COLOR = "#b8860b"
# Per-annotator colours, chosen to stay apart from each other and from typical label fills.
LAYER_PALETTE = ("#d62728", "#2ca02c", "#9467bd", "#e377c2", "#8c564b", "#17becf", "#ff7f0e", "#7f7f7f")


# Per-person dash patterns (in pen widths) for colleagues' underlines: the label colour says what a span
# is, the pattern says whose it is. The first is a solid line, kept for gold.
LAYER_DASHES: tuple[tuple[float, ...], ...] = (
    (),
    (4.0, 2.0),
    (1.0, 1.5),
    (6.0, 2.0, 1.0, 2.0),
    (2.0, 3.0),
    (8.0, 3.0),
    (6.0, 2.0, 1.0, 2.0, 1.0, 2.0),
    (3.0, 1.0, 3.0, 4.0),
)


def layer_styles(annotators: Sequence[Annotator]) -> dict[int, int]:
    """An index into LAYER_DASHES per annotator: gold solid, the others in id order (stable for as
    long as the project keeps its annotators)."""
    people = sorted((a for a in annotators if not a.is_gold), key=lambda a: a.id)
    out = {p.id: 1 + n % (len(LAYER_DASHES) - 1) for n, p in enumerate(people)}
    out.update({a.id: 0 for a in annotators if a.is_gold})
    return out


def layer_pen(color: QColor, style: int, width: float = 2.0) -> QPen:
    pen = QPen(color, width)
    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    dashes = LAYER_DASHES[style % len(LAYER_DASHES)]
    if dashes:
        pen.setDashPattern(list(dashes))
    return pen


def layer_colors(annotators: Sequence[Annotator]) -> dict[int, QColor]:
    """A colour per annotator: gold's fixed, the others from the palette in id order (so an
    annotator keeps their colour as long as the project does)."""
    out: dict[int, QColor] = {}
    people = sorted((a for a in annotators if not a.is_gold), key=lambda a: a.id)
    for n, person in enumerate(people):
        out[person.id] = QColor(LAYER_PALETTE[n % len(LAYER_PALETTE)])
    out.update({a.id: QColor(GOLD_COLOR) for a in annotators if a.is_gold})
    return out


@dataclass(slots=True)  # not frozen: a frozen dataclass's __init__ costs ~3x, and 500 spans are built per change
class _Item:
    span_id: int
    start: int  # UTF-16, like the text blocks
    end: int
    color: QColor
    mine: bool
    depth: int  # how many spans it starts inside
    layer_style: int = 0  # colleagues' spans: their dash pattern (index into LAYER_DASHES)
    layer_step: int = 0  # colleagues' spans: which underline row they take (stacked, never hidden)
    gap: bool = False  # the text between two pieces of a discontinuous span: drawn as the joining mark
    outline: bool = False  # a find match: a frame over the text, so the span fills under it still show
    current: bool = False  # the current find match: framed heavier


class SpanPainter:
    """Holds the spans of one document in UTF-16 positions and paints them paragraph by paragraph."""

    def __init__(self) -> None:
        self._items: list[_Item] = []
        self._starts: list[int] = []
        self._max_len = 0
        self.selected_id: int | None = None

    def set_spans(
        self,
        spans: Sequence[Span],
        offsets: OffsetMap,
        colors: Mapping[str, QColor],
        me: int,
        fallback: QColor,
        layer_styles: Mapping[int, int] | None = None,
    ) -> None:
        """`spans` sorted by (start, -end); colours by label name; `layer_styles` by annotator id
        (colleagues' dash patterns)."""
        depths = nesting_depths(spans)
        others = sorted({s.annotator_id for s in spans if s.annotator_id != me})
        steps = {a: n for n, a in enumerate(others)}
        styles = layer_styles or {}
        u16 = (lambda cp: cp) if offsets.identity else offsets.to_utf16
        items: list[_Item] = []
        for s in spans:
            color = colors.get(s.label, fallback)
            mine = s.annotator_id == me
            step = 0 if mine else steps.get(s.annotator_id, 0)
            style = styles.get(s.annotator_id, 1 + step)
            depth = depths[s.id]
            if s.fragments:
                items += (_Item(s.id, u16(a), u16(b), color, mine, depth, style, step, gap) for a, b, gap in _pieces(s))
            elif s.start < s.end:
                items.append(_Item(s.id, u16(s.start), u16(s.end), color, mine, depth, style, step))
        self._keep(items)

    def set_outlines(
        self,
        ranges: Sequence[tuple[int, int]],
        offsets: OffsetMap,
        color: QColor,
        current: tuple[int, int] | None = None,
    ) -> None:
        """Frames around `ranges` (code points): the find matches, painted over the text; the one
        equal to `current` heavier."""
        u16 = (lambda cp: cp) if offsets.identity else offsets.to_utf16
        self._keep(
            [
                _Item(0, u16(a), u16(b), color, True, 0, outline=True, current=(a, b) == current)
                for a, b in ranges
                if a < b
            ]
        )

    def _keep(self, items: list[_Item]) -> None:
        """Hold `items` sorted by start, with what `paint_block` looks them up by."""
        items.sort(key=lambda item: item.start)
        self._items = items
        self._starts = [item.start for item in items]
        self._max_len = max((i.end - i.start for i in items), default=0)

    def __bool__(self) -> bool:
        return bool(self._items)

    def _items_between(self, start: int, end: int) -> list[_Item]:
        # No span is longer than _max_len, so none starting before `start - _max_len` can reach here.
        lo = bisect_left(self._starts, start - self._max_len)
        hi = bisect_left(self._starts, end)
        return [it for it in self._items[lo:hi] if it.end > start]

    def paint_block(self, painter: QPainter, block: QTextBlock, origin: QPointF, clip: QRectF | None = None) -> None:
        """Paint the spans inside `block`, whose layout is drawn at `origin` (viewport coordinates).

        Only the lines of the block that cross `clip` (the exposed rectangle, viewport coordinates;
        None: every line) are painted, each with the spans found in it by position, so a repaint of a
        long paragraph costs what its visible lines hold, not lines x spans of the whole paragraph."""
        layout = block.layout()
        lo, hi = _lines_crossing(layout, origin.y(), clip)
        if lo >= hi:
            return
        first = block.position()
        top, bottom = layout.lineAt(lo), layout.lineAt(hi - 1)
        start = first + top.textStart()
        end = min(first + bottom.textStart() + bottom.textLength(), first + block.length() - 1)
        items = self._items_between(start, end)
        if not items:
            return
        # Longer spans first so the nested ones show on top; the selected one last of mine.
        # Colleagues' underlines go last, so no fill or selection frame of mine covers them.
        items.sort(key=lambda it: (not it.mine, it.span_id == self.selected_id, it.start - it.end))
        lines = [layout.lineAt(i) for i in range(lo, hi)]
        starts = [first + line.textStart() for line in lines]
        ends = [start + line.textLength() for start, line in zip(starts, lines, strict=True)]
        # Span by span, each over the few lines it crosses (found by bisection), not every line
        # shown against every span on them; pieces on different lines never overlap, so the
        # picture is the same as painting line by line.
        for item in items:
            i = max(bisect_right(starts, item.start) - 1, 0)
            while i < len(lines) and starts[i] < item.end:
                a, b = max(item.start, starts[i]), min(item.end, ends[i])
                if a < b:
                    line = lines[i]
                    x1 = _cursor_x(line, a - first)
                    x2 = _cursor_x(line, b - first)
                    rect = QRectF(origin.x() + min(x1, x2), origin.y() + line.y(), abs(x2 - x1), line.height())
                    self._paint_piece(painter, item, rect)
                i += 1

    def _paint_piece(self, painter: QPainter, item: _Item, rect: QRectF) -> None:
        if item.outline:
            width = CURRENT_OUTLINE_WIDTH if item.current else OUTLINE_WIDTH
            painter.setPen(QPen(item.color, width))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            inset = width / 2
            painter.drawRoundedRect(rect.adjusted(-inset, inset, inset, -inset), 2.0, 2.0)
            return
        if item.gap:
            pen = QPen(item.color.darker(140), 1.5, Qt.PenStyle.DotLine)
            painter.setPen(pen)
            y = rect.center().y() + rect.height() * 0.35
            painter.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))
            return
        if item.span_id == self.selected_id:
            fill = QColor(item.color)
            fill.setAlpha(SELECTED_ALPHA)
            painter.fillRect(rect, fill)
            painter.setPen(QPen(item.color.darker(170), 1.5))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect.adjusted(0.75, 0.75, -0.75, -0.75), 2.0, 2.0)
        elif item.mine:
            fill = QColor(item.color)
            fill.setAlpha(FILL_ALPHA)
            painter.fillRect(rect, fill)
            if item.depth:
                # Nested spans get an underline, stepped up per level so each level stays visible.
                level = min(item.depth, _MAX_UNDERLINES) - 1
                y = rect.bottom() - 1.5 - level * _UNDERLINE_STEP
                painter.setPen(QPen(item.color.darker(150), 2.0))
                painter.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))
        else:
            # Colleagues' layers: an underline in the label's colour and the person's dash pattern,
            # one row per person, stacked up from the line's bottom, so identical spans all show.
            color = item.color.darker(125)
            painter.setPen(layer_pen(color, item.layer_style, 1.6))
            y = rect.bottom() - 1.0 - min(item.layer_step, _MAX_UNDERLINES) * _LAYER_STEP
            painter.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))


def _pieces(span: Span) -> list[tuple[int, int, bool]]:
    """(start, end, is_gap) in code points: the span's pieces and the gaps joining them."""
    out: list[tuple[int, int, bool]] = []
    for a, b in span.parts:
        if out:
            out.append((out[-1][1], a, True))
        out.append((a, b, False))
    return [p for p in out if p[0] < p[1]]


def nesting_depths(spans: Sequence[Span]) -> dict[int, int]:
    """How many earlier-starting spans are still open where each span starts (spans sorted by start)."""
    open_ends: list[int] = []  # a heap: the ends of the spans open so far
    depths: dict[int, int] = {}
    for span in spans:
        while open_ends and open_ends[0] <= span.start:
            heappop(open_ends)
        depths[span.id] = len(open_ends)
        heappush(open_ends, span.end)
    return depths


def _lines_crossing(layout: QTextLayout, top: float, clip: QRectF | None) -> tuple[int, int]:
    """The range [lo, hi) of the layout's lines that cross `clip`, for a layout drawn at y `top`
    (lines are stacked top to bottom, so two bisections find them)."""
    count = layout.lineCount()
    if clip is None:
        return 0, count
    lines = range(count)
    lo = bisect_left(lines, clip.top() - top, key=lambda i: _line_bottom(layout, i))
    hi = bisect_right(lines, clip.bottom() - top, key=lambda i: layout.lineAt(i).y())
    return lo, hi


def _line_bottom(layout: QTextLayout, i: int) -> float:
    line = layout.lineAt(i)
    return line.y() + line.height()


def _cursor_x(line: QTextLine, position: int) -> float:
    """The x of `position` in `line`: PySide6 returns (x, position) where the stubs say `object`."""
    x, _ = cast(tuple[float, int], line.cursorToX(position))
    return x
