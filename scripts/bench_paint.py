"""Repaint time of the article view on a 50,000-character article without line breaks holding 500
spans, beside the same text with paragraphs (the floor: Qt lays out and draws short blocks cheaply).

Both documents have the same characters and spans (a paragraph break replaces a space every ~600
characters), are open in two real `ArticleViewWidget`s of 900x600 scrolled to the middle, and are
repainted in full (`viewport().repaint()`, synchronous) alternately, median of --runs. The third row
paints the unbroken article the way painting worked before issue 14 (every line of the paragraph
against every span in it) for comparison. Runs offscreen unless QT_QPA_PLATFORM is set. Not part of
pytest.

Usage: python scripts/bench_paint.py [--chars 50000] [--spans 500] [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QPointF  # noqa: E402
from PySide6.QtGui import QPainter, QTextBlock  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from annotator.model.types import Span  # noqa: E402
from annotator.services.project import Project  # noqa: E402
from annotator.store.bulk import add_spans  # noqa: E402
from annotator.ui.context import AppContext  # noqa: E402
from annotator.ui.widgets.article_view import ArticleViewWidget  # noqa: E402
from annotator.ui.widgets.span_painter import SpanPainter  # noqa: E402
from tests.helpers import add_texts  # noqa: E402

WORDS = ("security", "guarantees", "said", "the", "minister", "of", "allies", "Kyiv", "NATO", "talks")


def texts(n_chars: int) -> tuple[str, str]:
    rng = random.Random(14)
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < n_chars:
        words.append(rng.choice(WORDS))
    unbroken = " ".join(words)
    chars = list(unbroken)
    mark = 0
    for i, ch in enumerate(chars):
        if ch == " " and i - mark >= 600:
            chars[i], mark = "\n", i
    return unbroken, "".join(chars)


def spans_for(text: str, doc: int, who: int, n: int) -> list[Span]:
    rng = random.Random(7)
    out = []
    for i in range(n):
        length = rng.choice((8, 20, 40, 120))
        start = rng.randrange(0, len(text) - length)
        out.append(Span(0, doc, who, ("claim", "source")[i % 2], start, start + length, text[start : start + length]))
    return out


def open_view(project: Project, doc: int) -> ArticleViewWidget:
    ctx = AppContext(project, project.annotator("me"))
    view = ArticleViewWidget(ctx)
    view.resize(900, 600)
    view.show()
    ctx.open_document(doc)
    QApplication.processEvents()
    bar = view.verticalScrollBar()
    bar.setValue(bar.maximum() // 2)
    QApplication.processEvents()
    return view


def repaint_ms(view: ArticleViewWidget) -> float:
    t0 = time.perf_counter()
    view.viewport().repaint()
    return (time.perf_counter() - t0) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chars", type=int, default=50_000)
    parser.add_argument("--spans", type=int, default=500)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        project = Project.open(Path(tmp) / "bench.db")
        me = project.annotator("me").id
        unbroken, paragraphs = texts(args.chars)
        flat_doc, para_doc = add_texts(project, unbroken, paragraphs)
        with project.session() as s:
            add_spans(s, spans_for(unbroken, flat_doc, me, args.spans))
            add_spans(s, spans_for(paragraphs, para_doc, me, args.spans))
        flat, para = open_view(project, flat_doc), open_view(project, para_doc)
        assert flat.document().blockCount() == 1 and para.document().blockCount() > 50

        clipped = SpanPainter.paint_block

        def every_line(self: SpanPainter, p: QPainter, block: QTextBlock, origin: QPointF, clip: object = None) -> None:
            clipped(self, p, block, origin, None)  # the old loop: every line x every span of the block

        times: dict[str, list[float]] = {"unbroken": [], "paragraphs (floor)": [], "unbroken, all lines": []}
        for _ in range(args.runs):
            times["unbroken"].append(repaint_ms(flat))
            times["paragraphs (floor)"].append(repaint_ms(para))
            SpanPainter.paint_block = every_line  # type: ignore[method-assign]
            times["unbroken, all lines"].append(repaint_ms(flat))
            SpanPainter.paint_block = clipped  # type: ignore[method-assign]
        floor = statistics.median(times["paragraphs (floor)"])
        print(f"repaint of a 900x600 article view, {args.chars:,} chars, {args.spans} spans, median of {args.runs}")
        for name, values in times.items():
            median = statistics.median(values)
            print(f"  {name:<22} {median:8.2f} ms  {median / floor:6.2f}x floor")
        flat.close()
        para.close()
        project.close()
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
