"""`ArticlePage`: how an article reads and how its spans and links are drawn, without a project.

The article view (`ArticleViewWidget`) is this page bound to the open project. At start-up the
window shows the document I left on a bare page (`ui/first_page.py`) before the project is open, so
both draw the same text, spans and links in the same font and column. The page never reads or
writes a project: it is given the text, the spans in their colours and the links to draw.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from PySide6.QtCore import QEvent, QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPalette, QResizeEvent, QTextOption
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from annotator.model.types import Span
from annotator.ui.offsets import OffsetMap
from annotator.ui.settings import qsettings
from annotator.ui.widgets.link_painter import link_anchors, paint_links
from annotator.ui.widgets.span_painter import SpanPainter

FONT_SIZE_KEY = "view/font_size"
SHOW_LINKS_KEY = "view/show_links"
DEFAULT_FONT_SIZE = 13
MIN_FONT_SIZE, MAX_FONT_SIZE = 8, 36
LINE_CHARS = 74
FALLBACK_COLOR = "#b0b0b0"
_SERIF_FAMILIES = ["Source Serif 4", "Charter", "Georgia", "Noto Serif", "DejaVu Serif", "Liberation Serif"]

# A paragraph this long costs Qt's layout 10+ ms, most of it shaping (see `unshaped`).
LONG_PARAGRAPH = 10_000
# Characters that read the same without OpenType shaping: ASCII and Latin-1 (no C1 controls), Latin
# Extended A/B, IPA, spacing modifiers, Greek, Cyrillic without its combining marks, Latin and Greek
# precomposed letters, spaces, dashes, quotes and other punctuation (no zero-width or direction
# controls), currency and letterlike symbols. Anything else (combining marks, Arabic, Hebrew, Indic
# scripts, CJK, emoji and their joiners, even arrows) keeps Qt's shaping.
_NEEDS_SHAPING = re.compile(
    "[^\t\n\r\x20-\x7e\xa0-\u02ff\u0370-\u0482\u048a-\u04ff\u1e00-\u1fff"
    "\u2000-\u200a\u2010-\u2027\u202f-\u205f\u20a0-\u20c0\u2100-\u214f]"
)

Link = tuple[int, int, int]
"""(claim span id, source span id, layer step: 0 for mine); each layer's arcs rise one step higher."""


class ArticlePage(QPlainTextEdit):
    """Read-only text in a centred column of about LINE_CHARS characters, spans painted under it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._doc_id: int | None = None
        self._text = ""
        self._offsets = OffsetMap("")
        self._spans: tuple[Span, ...] = ()
        self._span_by_id: dict[int, Span] = {}
        self._links: list[Link] = []
        self._colors: dict[str, str] = {}
        self._me = 0
        self._layer_styles: dict[int, int] | None = None
        self._show_links = _stored_show_links()
        self._painter = SpanPainter()
        self._find_painter = SpanPainter()  # the find matches, framed over the text
        self._find_ranges: list[tuple[int, int]] = []
        self._current_find: tuple[int, int] | None = None  # the match F3 selected (code points)
        self._clear_selection = False  # its selection is shown unfilled (`_sync_selection_colour`)
        self._plain_palette = QPalette()  # the palette to go back to when it is not
        self._unshaped = False  # the text is laid out without OpenType shaping (`unshaped`)
        self._setup_page()

    def _setup_page(self) -> None:
        self.setReadOnly(True)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.setUndoRedoEnabled(False)
        self.setFrameShape(QPlainTextEdit.Shape.NoFrame)
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.selectionChanged.connect(self._sync_selection_colour)
        # The side margins that centre the text column belong to the frame, not the viewport:
        # paint them in the text background so the page reads as one sheet.
        self.setBackgroundRole(QPalette.ColorRole.Base)
        self.setAutoFillBackground(True)
        self.document().setDocumentMargin(18)
        font = QFont()
        font.setFamilies(_SERIF_FAMILIES)
        font.setStyleHint(QFont.StyleHint.Serif)
        font.setPointSize(self._stored_font_size())
        self.setFont(font)

    def _sync_selection_colour(self) -> None:
        """The current find match (F3) is selected, so a label key tags it, but its selection is not
        filled: a fill hid the span colour under it (opaque) or mixed with it into another colour
        (translucent blue over a yellow claim reads green). Its heavier frame and the caret mark it."""
        cursor = self.textCursor()
        u16 = None if self._current_find is None else tuple(self._offsets.to_utf16(cp) for cp in self._current_find)
        clear = cursor.hasSelection() and (cursor.selectionStart(), cursor.selectionEnd()) == u16
        if clear == self._clear_selection:
            return
        self._clear_selection = clear
        if not clear:
            self.setPalette(self._plain_palette)
            return
        self._plain_palette = QPalette(self.palette())
        palette = QPalette(self._plain_palette)
        for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
            palette.setColor(group, QPalette.ColorRole.Highlight, Qt.GlobalColor.transparent)
            palette.setColor(group, QPalette.ColorRole.HighlightedText, palette.color(group, QPalette.ColorRole.Text))
        self.setPalette(palette)

    # -- what the page shows -----------------------------------------------------------------------

    def _show_text(self, doc_id: int | None, text: str) -> None:
        self._doc_id = doc_id
        self._text = text
        self._offsets = OffsetMap(text)
        self._find_ranges = []
        self._current_find = None
        self._find_painter.set_outlines((), self._offsets, QColor())
        long_paragraph = has_long_paragraph(text)
        unshaped = long_paragraph and reads_unshaped(text)
        if unshaped != self._unshaped:
            # Before the new text goes in: a font changed under the old text lays it out again.
            self.document().clear()
            self._unshaped = unshaped
            self._apply_shaping()
        # Qt stores "\r\n" as one paragraph break; a space keeps every later position where it was.
        self.setPlainText(text.replace("\r\n", " \n"))
        if long_paragraph:
            self._keep_long_layouts()

    def _keep_long_layouts(self) -> None:
        """Keep what Qt worked out laying out each paragraph longer than LONG_PARAGRAPH (the glyphs of
        its 50,000 characters: 0.7 MB more memory): by default a QTextLayout drops it once laid out, and
        every later repaint (a key press, a scroll, a selection dragged) shapes the lines shown again
        (the bench's unbroken article: 2.7 ms a repaint of the text instead of 1.3)."""
        block = self.document().firstBlock()
        while block.isValid():
            if block.length() > LONG_PARAGRAPH:
                block.layout().setCacheEnabled(True)
            block = block.next()

    @property
    def unshaped(self) -> bool:
        """Whether the text is laid out without OpenType shaping (`unshaped_text`)."""
        return self._unshaped

    def _apply_shaping(self) -> None:
        font = self.font()
        strategy = QFont.StyleStrategy.PreferNoShaping if self._unshaped else QFont.StyleStrategy.PreferDefault
        font.setStyleStrategy(strategy)
        self.document().setDefaultFont(font)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        super().changeEvent(event)  # a font change (zoom) sets the document's font to the page's
        if event.type() == QEvent.Type.FontChange and self._unshaped:
            self._apply_shaping()

    def _show_spans(
        self,
        spans: Sequence[Span],
        links: Sequence[Link],
        colors: Mapping[str, str],
        me: int,
        layer_styles: Mapping[int, int] | None,
    ) -> None:
        """`spans` to draw (any order), coloured by label (`colors`: label or alias -> "#rrggbb");
        `me` draws solid, colleagues' layers in `layer_styles`' dash patterns."""
        self._spans = tuple(sorted(spans, key=lambda s: (s.start, -s.end, s.id)))
        self._span_by_id = {s.id: s for s in self._spans}
        self._links = list(links)
        self._colors, self._me = dict(colors), me
        self._layer_styles = dict(layer_styles) if layer_styles is not None else None
        qcolors = {name: QColor(color) for name, color in colors.items()}
        self._painter.set_spans(self._spans, self._offsets, qcolors, me, QColor(FALLBACK_COLOR), layer_styles)
        self._apply_highlights()

    def _apply_highlights(self) -> None:
        self.viewport().update()

    def set_find_ranges(
        self, ranges: Sequence[tuple[int, int]], color: QColor, current: tuple[int, int] | None = None
    ) -> None:
        """Frame these code-point ranges (the find matches) over the text, `current` (the one F3
        selected) heavier; none clears them."""
        self._find_ranges = sorted(ranges)
        self._current_find = current
        self._find_painter.set_outlines(self._find_ranges, self._offsets, color, current)
        self._sync_selection_colour()
        self.viewport().update()

    def find_ranges(self) -> list[tuple[int, int]]:
        """The find matches framed now (code points)."""
        return list(self._find_ranges)

    def page_state(self) -> dict[str, object] | None:
        """What the page draws, as JSON-ready data (`ui.first_page` keeps it); None when it shows
        no document."""
        if self._doc_id is None:
            return None
        return {
            "doc_id": self._doc_id,
            "text": self._text,
            "spans": [
                [s.id, s.annotator_id, s.label, s.start, s.end, [list(f) for f in s.fragments]] for s in self._spans
            ],
            "links": [list(link) for link in self._links],
            "colors": self._colors,
            "me": self._me,
            "layer_styles": None if self._layer_styles is None else [[a, b] for a, b in self._layer_styles.items()],
        }

    # -- drawing -----------------------------------------------------------------------------------

    def _paint_spans(self, clip: QRect, spans: SpanPainter) -> None:
        painter = QPainter(self.viewport())
        painter.setClipRect(clip)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        offset = self.contentOffset()
        block = self.firstVisibleBlock()
        while block.isValid():
            geometry = self.blockBoundingGeometry(block).translated(offset)
            if geometry.top() > clip.bottom():
                break
            if block.isVisible() and geometry.bottom() >= clip.top():
                spans.paint_block(painter, block, geometry.topLeft(), QRectF(clip))
            block = block.next()
        painter.end()

    def _link_anchors(self) -> list[tuple[QPointF, QPointF, int]]:
        spans = self._span_by_id
        return link_anchors(self, self._offsets, [(spans.get(a), spans.get(b), n) for a, b, n in self._links])

    def _paint_links(self, clip: QRect) -> None:
        painter = QPainter(self.viewport())
        paint_links(painter, clip, self._link_anchors(), self.fontMetrics().height() * 0.9)
        painter.end()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        if self._doc_id is not None:
            if self._painter:
                self._paint_spans(event.rect(), self._painter)
            super().paintEvent(event)
            if self._find_painter:
                self._paint_spans(event.rect(), self._find_painter)
            if self._show_links and self._links:
                self._paint_links(event.rect())
            return
        painter = QPainter(self.viewport())
        painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
        flags = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
        painter.drawText(self.viewport().rect(), flags, self.empty_hint() or "")

    def empty_hint(self) -> str | None:
        """The hint shown instead of a document, or None when one is open."""
        return None if self._doc_id is not None else ""

    # -- layout ------------------------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._update_margins()

    def _update_margins(self) -> None:
        metrics = self.fontMetrics()
        sample = "the quick brown fox jumps over a lazy dog "
        column = int(metrics.horizontalAdvance(sample) / len(sample) * LINE_CHARS)
        column += 2 * int(self.document().documentMargin())
        scrollbar = self.verticalScrollBar().sizeHint().width()
        side = max(0, (self.width() - scrollbar - column) // 2)
        if side == self.viewportMargins().left():
            return
        self.setViewportMargins(side, 0, side, 0)
        # QPlainTextEdit lays its lines out in its own resizeEvent, which ran before the margins
        # narrowed the viewport: without this, a window widened (e.g. to 1920 px) kept lines as
        # wide as the old viewport and cut them off behind a horizontal scroll bar.
        # (It relayouts only when the width changed, hence the "old" size one pixel narrower.)
        QPlainTextEdit.resizeEvent(self, QResizeEvent(self.size(), QSize(self.width() - 1, self.height())))

    def _stored_font_size(self) -> int:
        try:
            size = int(str(qsettings().value(FONT_SIZE_KEY, DEFAULT_FONT_SIZE)))
        except (TypeError, ValueError):
            size = DEFAULT_FONT_SIZE
        return min(max(size, MIN_FONT_SIZE), MAX_FONT_SIZE)


def has_long_paragraph(text: str) -> bool:
    """Whether a paragraph of `text` is longer than LONG_PARAGRAPH characters."""
    return len(text) > LONG_PARAGRAPH and max(map(len, text.splitlines()), default=0) > LONG_PARAGRAPH


def unshaped_text(text: str) -> bool:
    """Whether `text` is laid out without OpenType shaping (`QFont.PreferNoShaping`): only when it
    has a paragraph longer than LONG_PARAGRAPH characters, which Qt lays out in one piece (a
    50,000-character one: 11-13 ms shaped, 8 ms not), and every character is of a script that reads
    the same unshaped. The cost is typographic: no kerning and no ligatures ("fi" drawn as two
    letters) in such an article."""
    return has_long_paragraph(text) and reads_unshaped(text)


def reads_unshaped(text: str) -> bool:
    """Whether every character of `text` is of a script that reads the same without shaping."""
    return text.isascii() or _NEEDS_SHAPING.search(text) is None  # isascii: 50,000 chars in microseconds


def _stored_show_links() -> bool:
    return str(qsettings().value(SHOW_LINKS_KEY, "true")).lower() not in ("false", "0")
