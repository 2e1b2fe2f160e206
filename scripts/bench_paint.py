"""Repaint time of the article view on a 50,000-character article without line breaks holding 500
spans, beside the same text with paragraphs (the floor: Qt lays out and draws short blocks cheaply).

Both documents have the same characters and spans (a paragraph break replaces a space every ~600
characters), are open in two real `ArticleViewWidget`s of 900x600 scrolled to the middle, and are
repainted in full (`viewport().repaint()`, synchronous) alternately, median of --runs. The third row
paints the unbroken article the way painting worked before issue 14 (every line of the paragraph
against every span in it) for comparison. Runs offscreen unless QT_QPA_PLATFORM is set. Not part of
pytest.

The second table drives the real main window (`app.build_main_window`, annotator "me", two
colleagues with --spans spans each on both documents, so keeping the disagreement score current has
three layers to compare): "switch to" opens the document (ctx.open_document) and repaints the
article view, with the window's cache of documents read emptied first, so the switch reads the
document and its spans (a document not opened before); "switch to the next (read ahead)" opens it as
Alt+Right or Ctrl+Enter does from the document before it, after an edit there, with the event loop
turned since that switch (the window reads the next document of the list ahead then); "add a span"
selects a word range and presses the claim key (QTest.keyClick), then repaints: the committed span,
its highlight and its row in the annotation table are all there when the time is taken (checked).
The edit leaves the document's disagreement score to the next turn of the event loop: "until its
score is stored" also runs the event loop until it is. Each is measured on the unbroken article and
on the same text in paragraphs, "add a span" also with the score refresh skipped (patched out); the
floor rows are a bare QPlainTextEdit of the same size and font showing the same text (setPlainText
and a repaint: what Qt alone needs, and what an unbroken paragraph costs it). Alternated, median of
--runs; wall milliseconds and the CPU milliseconds of this process; the load average before and
after. The last line is one JSON object with every figure.

Usage: python scripts/bench_paint.py [--chars 50000] [--spans 500] [--runs 15]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_HOME = tempfile.mkdtemp(prefix="annotator-bench-paint-")  # no settings of the user's are read or written
os.environ["ANNOTATOR_CONFIG_DIR"] = str(Path(_HOME) / "config")
os.environ["ANNOTATOR_DATA_DIR"] = str(Path(_HOME) / "data")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QPointF, Qt  # noqa: E402
from PySide6.QtGui import QPainter, QTextBlock  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QPlainTextEdit  # noqa: E402

from annotator.app import build_main_window  # noqa: E402
from annotator.model.changes import Changes  # noqa: E402
from annotator.model.types import Span  # noqa: E402
from annotator.services import annotations as svc  # noqa: E402
from annotator.services import documents  # noqa: E402
from annotator.services.project import Project  # noqa: E402
from annotator.store import disagreement  # noqa: E402
from annotator.store.bulk import add_spans  # noqa: E402
from annotator.ui.context import AppContext  # noqa: E402
from annotator.ui.main_window import MainWindow  # noqa: E402
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


def spans_for(text: str, doc: int, who: int, n: int, seed: int = 7) -> list[Span]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        length = rng.choice((8, 20, 40, 120))
        start = rng.randrange(0, len(text) - length)
        out.append(Span(0, doc, who, ("claim", "source")[i % 2], start, start + length, text[start : start + length]))
    return out


def three_layer_project(path: Path, chars: int = 50_000, spans: int = 500) -> tuple[int, int, str, str]:
    """A project file at `path` with the unbroken article and the same text in paragraphs, each with
    `spans` spans of mine ("me") and of two colleagues: (unbroken doc, paragraphs doc, their texts).
    The project of bench_edit_ab.py and profile_switch.py."""
    project = Project.open(path)
    me = project.annotator("me").id
    unbroken, paragraphs = texts(chars)
    flat, para = add_texts(project, unbroken, paragraphs)
    colleagues = [project.annotator(name).id for name in ("colleague1", "colleague2")]
    with project.session() as s:
        for doc, text in ((flat, unbroken), (para, paragraphs)):
            add_spans(s, spans_for(text, doc, me, spans))
            for n, who in enumerate(colleagues):
                add_spans(s, spans_for(text, doc, who, spans, seed=8 + n))
    project.close()
    return flat, para, unbroken, paragraphs


def bench_window(path: Path) -> MainWindow:
    """The real main window on the bench project, 1400 x 900, shown and settled (the benchmarks of
    switching and adding, here and in bench_edit_ab, profile_switch and bench_gc_pauses)."""
    win = build_main_window(path, annotator_name="me")
    win.resize(1400, 900)
    win.show()
    QApplication.processEvents()
    return win


def bare_editor(view: ArticleViewWidget) -> QPlainTextEdit:
    """The floor: a bare read-only QPlainTextEdit, shown, with the article view's font and size (Qt
    alone showing the same text); it does not take the keys from the main window."""
    bare = QPlainTextEdit()
    bare.setReadOnly(True)
    bare.setFont(view.font())
    bare.resize(view.viewport().size())
    bare.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
    bare.show()
    return bare


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
    result: dict[str, object] = {"chars": args.chars, "spans": args.spans, "runs": args.runs}
    result["load_before"] = [round(x, 2) for x in os.getloadavg()]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        project = Project.open(path)
        me = project.annotator("me").id
        unbroken, paragraphs = texts(args.chars)
        flat_doc, para_doc = add_texts(project, unbroken, paragraphs)
        with project.session() as s:
            add_spans(s, spans_for(unbroken, flat_doc, me, args.spans))
            add_spans(s, spans_for(paragraphs, para_doc, me, args.spans))
        result["repaint_ms"] = repaints(project, flat_doc, para_doc, args)
        colleagues = [project.annotator(name).id for name in ("colleague1", "colleague2")]
        with project.session() as s:
            for n, who in enumerate(colleagues):
                add_spans(s, spans_for(unbroken, flat_doc, who, args.spans, seed=8 + n))
                add_spans(s, spans_for(paragraphs, para_doc, who, args.spans, seed=8 + n))
        project.close()
        result["edit_ms"] = edits(path, flat_doc, para_doc, unbroken, args.runs)
    result["load_after"] = [round(x, 2) for x in os.getloadavg()]
    print(f"load average before {result['load_before']}, after {result['load_after']}")
    print(json.dumps(result))
    del app
    return 0


def repaints(project: Project, flat_doc: int, para_doc: int, args: argparse.Namespace) -> dict[str, float]:
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
    return {name: round(statistics.median(values), 2) for name, values in times.items()}


def edits(path: Path, flat_doc: int, para_doc: int, text: str, runs: int) -> dict[str, dict[str, float]]:
    """Switch to each article and add a span on it by key press, in the real main window."""
    win = bench_window(path)
    ctx, view = win.ctx, win.article_view
    me = ctx.recorded_annotator().id
    where = text.index(" ", len(text) // 2) + 1  # a word in the middle of the article
    word_end = text.index(" ", where)
    real_refresh = disagreement.refresh

    def unscored(session: object, deferred: object = None) -> None:
        session.info.pop("annotator.disagreement.pending", None)  # type: ignore[attr-defined]

    def switch(doc: int) -> tuple[float, float]:
        ctx.forget_documents()  # nothing read: the switch reads the document, as on opening it the first time
        wall, cpu = time.perf_counter(), time.process_time()
        ctx.open_document(doc)
        view.viewport().repaint()
        return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000

    def switch_next(doc: int) -> tuple[float, float]:
        """Alt+Right or Ctrl+Enter from the document before (the loop has turned since that switch:
        the window read this one ahead), after an edit there."""
        before = para_doc if doc == flat_doc else flat_doc
        if ctx.current_doc_id != before:
            ctx.open_document(before)
        QApplication.processEvents()
        ctx.notify(Changes(frozenset({before}), status=True))
        QApplication.processEvents()
        wall, cpu = time.perf_counter(), time.process_time()
        ctx.open_document(doc)
        view.viewport().repaint()
        return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000

    def add(doc: int, scored: bool, until_scored: bool = False) -> tuple[float, float]:
        win.activateWindow()
        view.setFocus()
        view.select_cp(where, word_end)
        QApplication.processEvents()
        disagreement.refresh = real_refresh if scored else unscored  # type: ignore[assignment]
        try:
            wall, cpu = time.perf_counter(), time.process_time()
            QTest.keyClick(view, "c")
            view.viewport().repaint()
            if until_scored:  # the score the edit left stale is computed on the next turn of the event loop
                while ctx.project.scores_pending():
                    QApplication.processEvents()
            took = (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000
        finally:
            disagreement.refresh = real_refresh
        QApplication.processEvents()
        assert not ctx.project.scores_pending()
        span_id = ctx.selected_span_id
        assert span_id is not None and win.tag_panel.table_model.row_of(span_id) is not None
        assert any(sp.id == span_id for sp in view.spans())
        assert any(sp.id == span_id for sp in documents.load_view(ctx.project, doc, me).spans)
        _removed, changes = svc.delete_span(ctx.project, span_id)  # back to the same state, not timed
        ctx.notify(changes)
        return took

    bare = bare_editor(view)
    win.activateWindow()
    paragraphs = ctx.view(para_doc).document.text

    def bare_switch(content: str) -> tuple[float, float]:
        bare.setPlainText("")
        QApplication.processEvents()
        wall, cpu = time.perf_counter(), time.process_time()
        bare.setPlainText(content)
        bare.viewport().repaint()
        return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000

    variants = {
        "floor: bare QPlainTextEdit shows it, unbroken": lambda: bare_switch(text),
        "floor: bare QPlainTextEdit shows it, paragraphs": lambda: bare_switch(paragraphs),
        "switch to, unbroken": lambda: switch(flat_doc),
        "switch to, paragraphs": lambda: switch(para_doc),
        "switch to the next (read ahead), unbroken": lambda: switch_next(flat_doc),
        "switch to the next (read ahead), paragraphs": lambda: switch_next(para_doc),
        "add a span, unbroken": lambda: add(flat_doc, True),
        "add a span, unbroken, until its score is stored": lambda: add(flat_doc, True, True),
        "add a span, unbroken, score refresh skipped": lambda: add(flat_doc, False),
        "add a span, paragraphs": lambda: add(para_doc, True),
    }
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in variants}
    for run in range(runs + 1):  # the first round warms caches and is not counted
        for name, task in variants.items():
            if name.startswith("add"):
                doc = flat_doc if "unbroken" in name else para_doc
                if ctx.current_doc_id != doc:
                    ctx.open_document(doc)
            took = task()
            if run:
                times[name].append(took)
    win.close()
    bare.close()
    QApplication.processEvents()
    out = {
        name: {
            "wall_ms": round(statistics.median(t[0] for t in values), 2),
            "cpu_ms": round(statistics.median(t[1] for t in values), 2),
        }
        for name, values in times.items()
    }
    for name, figures in out.items():  # each row beside the bare editor showing the same shape of text
        floor = out[f"floor: bare QPlainTextEdit shows it, {'paragraphs' if 'paragraphs' in name else 'unbroken'}"]
        figures["x_floor_cpu"] = round(figures["cpu_ms"] / floor["cpu_ms"], 2) if floor["cpu_ms"] else 0.0
        figures["over_floor_cpu_ms"] = round(figures["cpu_ms"] - floor["cpu_ms"], 2)
    print(f"main window, {len(text):,}-char article, 3 layers of spans; median of {runs} (wall, CPU of this process)")
    print(f"  {'':<48} {'wall':>8}     {'CPU':>8}         x floor (CPU)")
    for name, figures in out.items():
        wall, cpu, ratio = figures["wall_ms"], figures["cpu_ms"], figures["x_floor_cpu"]
        print(f"  {name:<48} {wall:8.2f} ms  {cpu:8.2f} ms CPU  {ratio:5.2f}x")
    return out


if __name__ == "__main__":
    sys.exit(main())
