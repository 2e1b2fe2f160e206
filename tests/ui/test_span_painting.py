"""Span painting of a long article without line breaks (issue 14): a repaint paints only the lines
that cross the exposed rectangle, with the spans in them, and the picture is the one painting every
line of the paragraph gives."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPointF, QRect, QRectF
from PySide6.QtGui import QImage, QPainter, QTextBlock
from pytestqt.qtbot import QtBot

from annotator.model.types import Annotator, Span
from annotator.services.project import Project
from annotator.store.bulk import add_spans
from annotator.ui.context import AppContext
from annotator.ui.widgets import span_painter
from annotator.ui.widgets.article_view import ArticleViewWidget
from annotator.ui.widgets.span_painter import SpanPainter
from tests.helpers import add_texts

WORDS = ("security", "guarantees", "said", "the", "minister", "of", "allies", "Kyiv", "NATO", "talks", "é", "😀")


def unbroken_article(n_chars: int, seed: int) -> str:
    """One paragraph of words (some outside the BMP, so UTF-16 and code points differ), no line break."""
    rng = random.Random(seed)
    words: list[str] = []
    size = 0
    while size < n_chars:
        words.append(rng.choice(WORDS))
        size += len(words[-1]) + 1
    return " ".join(words)


def random_spans(text: str, doc: int, people: list[Annotator], n: int, seed: int) -> list[Span]:
    """`n` spans: mostly short, some nested, a few long ones crossing many lines, spread over people."""
    rng = random.Random(seed)
    spans: list[Span] = []
    for i in range(n):
        length = rng.choice((5, 12, 30, 80, 400)) if i % 25 else 3000
        start = rng.randrange(0, len(text) - length)
        who = people[i % len(people)] if i % 4 == 0 else people[0]
        label = ("claim", "source")[i % 2]
        spans.append(Span(0, doc, who.id, label, start, start + length, text[start : start + length]))
    return spans


@pytest.fixture
def view(qtbot: QtBot, project: Project) -> Iterator[ArticleViewWidget]:
    """The article view on a 20,000-character article without line breaks holding 300 spans of mine
    and a colleague's (visible), one of mine selected, scrolled to the middle of the paragraph."""
    me, colleague = project.annotator("me"), project.annotator("colleague")
    text = unbroken_article(20_000, seed=14)
    (doc,) = add_texts(project, text)
    with project.session() as s:
        ids = add_spans(s, random_spans(text, doc, [me, colleague], 300, seed=7))
    ctx = AppContext(project, me)
    widget = ArticleViewWidget(ctx)
    qtbot.addWidget(widget)
    widget.resize(900, 600)
    widget.show()
    qtbot.waitExposed(widget)
    ctx.open_document(doc)
    widget.set_visible_layers([me.id, colleague.id])
    ctx.select_span(ids[10])
    bar = widget.verticalScrollBar()
    bar.setValue(bar.maximum() // 2)
    assert widget.document().blockCount() == 1
    assert widget.firstVisibleBlock().layout().lineCount() > 200
    middle = widget.cursorForPosition(widget.viewport().rect().center()).position()
    assert 5_000 < middle < 15_000  # the lines on screen are deep inside the paragraph
    yield widget


def grab(widget: ArticleViewWidget) -> QImage:
    return widget.viewport().grab().toImage()


def test_clipped_painting_gives_the_picture_of_painting_every_line(
    view: ArticleViewWidget, monkeypatch: pytest.MonkeyPatch
) -> None:
    clipped = grab(view)
    paint_block = SpanPainter.paint_block

    def every_line(self: SpanPainter, p: QPainter, block: QTextBlock, origin: QPointF, clip: object = None) -> None:
        paint_block(self, p, block, origin, None)

    monkeypatch.setattr(SpanPainter, "paint_block", every_line)
    assert grab(view) == clipped

    def nothing(*_args: object) -> None:
        return None

    monkeypatch.setattr(SpanPainter, "paint_block", nothing)
    assert grab(view) != clipped  # the spans on screen are painted at all


@pytest.mark.parametrize("band", [(0, 600), (250, 40), (0, 1), (590, 10)])
def test_a_repaint_paints_exactly_the_pieces_of_the_exposed_lines(
    view: ArticleViewWidget, monkeypatch: pytest.MonkeyPatch, band: tuple[int, int]
) -> None:
    painted: list[tuple[int, float, float, float, float]] = []
    paint_piece = SpanPainter._paint_piece

    def record(self: SpanPainter, p: QPainter, item: span_painter._Item, rect: QRectF) -> None:
        painted.append((item.span_id, rect.x(), rect.y(), rect.width(), rect.height()))
        paint_piece(self, p, item, rect)

    monkeypatch.setattr(SpanPainter, "_paint_piece", record)
    exposed = QRect(0, band[0], view.viewport().width(), band[1])
    view.viewport().repaint(exposed)
    expected = brute_force_pieces(view, QRectF(exposed))
    assert expected  # the band holds spans
    assert sorted(painted) == sorted(expected)
    assert len(painted) < len(brute_force_pieces(view, None)) / 4  # not the whole paragraph's


def brute_force_pieces(view: ArticleViewWidget, clip: QRectF | None) -> list[tuple[int, float, float, float, float]]:
    """Every line of the paragraph against every span shown, kept where the line crosses `clip`."""
    block = view.firstVisibleBlock()
    origin = view.blockBoundingGeometry(block).translated(view.contentOffset()).topLeft()
    layout = block.layout()
    offsets = view.offsets()
    out = []
    for i in range(layout.lineCount()):
        line = layout.lineAt(i)
        top, bottom = origin.y() + line.y(), origin.y() + line.y() + line.height()
        if clip is not None and (bottom < clip.top() or top > clip.bottom()):
            continue
        for span in view.spans():
            a = max(offsets.to_utf16(span.start), line.textStart())
            b = min(offsets.to_utf16(span.end), line.textStart() + line.textLength())
            if a < b:
                x1, x2 = line.cursorToX(a)[0], line.cursorToX(b)[0]
                out.append((span.id, origin.x() + min(x1, x2), top, abs(x2 - x1), line.height()))
    return out
