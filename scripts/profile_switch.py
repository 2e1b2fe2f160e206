"""Where the milliseconds of a switch and of a key press that adds a span go (issue 14), piece by
piece, in the real main window on bench_paint.py's project (a 50,000-character article without line
breaks and the same text in paragraphs, 3 x 500 spans, my layer shown).

Each piece is a function of the app (or Qt's `setPlainText` / `paintEvent` as the view calls them)
wrapped to add up its CPU time (time.process_time) while the action runs; pieces nest (a slot's
figure includes what it calls). "switch" opens the document with nothing read (as the first time),
"next" opens it as Alt+Right does from the document before it after an edit there (read ahead by
the window), "add" presses the claim key on a selected word; each then repaints the article view
synchronously, as bench_paint.py does. "after (loop turn)" is the event-loop turn that follows
(what was left for later: the time spent stored, the next document read ahead, the disagreement
score). Beside them, in the same run, the floor: a bare QPlainTextEdit of the same size and font
showing the same text (setPlainText and a repaint). Also reports whether the text was laid out
again during the add (the document layout's signals). Medians of --runs; one JSON object last.

Usage: python scripts/profile_switch.py [--runs 15] [--actions switch,next,add] [--shapes unbroken,paragraphs]
"""

from __future__ import annotations

import argparse
import collections
import functools
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_HOME = tempfile.mkdtemp(prefix="annotator-profile-switch-")
os.environ["ANNOTATOR_CONFIG_DIR"] = str(Path(_HOME) / "config")
os.environ["ANNOTATOR_DATA_DIR"] = str(Path(_HOME) / "data")
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bench_paint as bp  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QPlainTextEdit  # noqa: E402

from annotator.model.changes import Changes  # noqa: E402
from annotator.services import annotations as svc  # noqa: E402
from annotator.services import documents  # noqa: E402
from annotator.ui import context, status_bar  # noqa: E402
from annotator.ui.widgets import article_view, span_editor, span_painter, tag_panel  # noqa: E402

_SPENT: collections.defaultdict[str, float] = collections.defaultdict(float)


def _wrap(owner: Any, name: str, label: str) -> None:
    real = getattr(owner, name)

    @functools.wraps(real)
    def timed(*args: Any, **kw: Any) -> Any:
        t0 = time.process_time()
        try:
            return real(*args, **kw)
        finally:
            _SPENT[label] += (time.process_time() - t0) * 1000

    setattr(owner, name, timed)


PIECES = (
    (QPlainTextEdit, "setPlainText", "Qt: setPlainText (lays the text out)"),
    (QPlainTextEdit, "paintEvent", "Qt: paintEvent of the text"),
    (article_view.ArticleViewWidget, "paintEvent", "article view: paintEvent (spans + text + links)"),
    (span_painter.SpanPainter, "paint_block", "  span highlights painted"),
    (span_painter.SpanPainter, "set_spans", "  span highlights built"),
    (documents, "load_view", "reading the document (load_view)"),
    (documents, "refresh_view", "bringing a view up to date (refresh_view)"),
    (svc, "add_span", "service: add_span (the transaction)"),
    (svc, "add_time", "service: add_time (time spent)"),
    (article_view.ArticleViewWidget, "_on_ctx_document_opened", "article view: document opened"),
    (article_view.ArticleViewWidget, "_on_ctx_changed", "article view: changed"),
    (tag_panel.TagPanelWidget, "_on_ctx_document_opened", "tagging panel: document opened"),
    (tag_panel.TagPanelWidget, "_on_ctx_changed", "tagging panel: changed"),
    (tag_panel.TagPanelWidget, "_on_ctx_span_selected", "tagging panel: span selected"),
    (span_editor.SpanEditorWidget, "set_view", "  span editor filled"),
    (status_bar.ShellStatusBar, "_on_ctx_changed", "status bar: changed (progress count)"),
    (context.AppContext, "notify", "ctx.notify (every view's refresh)"),
    (tag_panel.TagPanelWidget, "add_span_from_selection", "key: add_span_from_selection"),
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--actions", default="switch,next,add")
    parser.add_argument("--shapes", default="unbroken,paragraphs")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    path = Path(tempfile.mkdtemp(prefix="annotator-profile-switch-")) / "bench.db"
    flat, para, unbroken, paragraphs = bp.three_layer_project(path)
    for owner, name, label in PIECES:
        _wrap(owner, name, label)
    win = bp.bench_window(path)
    ctx, view = win.ctx, win.article_view
    relaid: collections.Counter[str] = collections.Counter()
    layout = view.document().documentLayout()
    layout.documentSizeChanged.connect(lambda *_: relaid.update(["documentSizeChanged"]))
    layout.updateBlock.connect(lambda *_: relaid.update(["updateBlock"]))
    result: dict[str, Any] = {"runs": args.runs, "load_before": [round(x, 2) for x in os.getloadavg()]}
    shapes = {"unbroken": (flat, para, unbroken), "paragraphs": (para, flat, paragraphs)}

    def timed(action: Callable[[], object]) -> dict[str, float]:
        _SPENT.clear()
        t0 = time.process_time()
        action()
        view.viewport().repaint()
        t1 = time.process_time()
        row = dict(_SPENT, total=(t1 - t0) * 1000)
        _SPENT.clear()
        QApplication.processEvents()
        row["after (loop turn)"] = (time.process_time() - t1) * 1000
        return row

    for shape in args.shapes.split(","):
        doc, other, text = shapes[shape]
        where = text.index(" ", len(text) // 2) + 1
        word_end = text.index(" ", where)

        def switch(ahead: bool, doc: int = doc, other: int = other) -> dict[str, float]:
            ctx.open_document(other)
            QApplication.processEvents()
            if ahead:
                ctx.notify(Changes(frozenset({other}), status=True))
            else:
                ctx.forget_documents()
            QApplication.processEvents()
            return timed(lambda: ctx.open_document(doc))

        def add(doc: int = doc, where: int = where, word_end: int = word_end) -> dict[str, float]:
            if ctx.current_doc_id != doc:
                ctx.open_document(doc)
                QApplication.processEvents()
            win.activateWindow()
            view.setFocus()
            view.select_cp(where, word_end)
            QApplication.processEvents()
            relaid.clear()
            row = timed(lambda: QTest.keyClick(view, "c"))
            row["layout signals during the key press"] = float(sum(relaid.values()))
            span_id = ctx.selected_span_id
            assert span_id is not None and any(s.id == span_id for s in view.spans())
            _removed, changes = svc.delete_span(ctx.project, span_id)
            ctx.notify(changes)
            QApplication.processEvents()
            return row

        actions = {"switch": lambda: switch(False), "next": lambda: switch(True), "add": add}
        for name in args.actions.split(","):
            rows = [actions[name]() for _ in range(args.runs + 1)][1:]  # the first warms caches
            keys = sorted({k for r in rows for k in r}, key=lambda k: -statistics.median(r.get(k, 0.0) for r in rows))
            result[f"{name}, {shape}"] = {k: round(statistics.median(r.get(k, 0.0) for r in rows), 2) for k in keys}
        bare = bp.bare_editor(view)
        floor = []
        for _ in range(args.runs):
            bare.setPlainText("")
            QApplication.processEvents()
            t0 = time.process_time()
            bare.setPlainText(text)
            bare.viewport().repaint()
            floor.append((time.process_time() - t0) * 1000)
        bare.close()
        result[f"floor: bare QPlainTextEdit shows it, {shape}"] = round(statistics.median(floor), 2)
    win.close()
    result["load_after"] = [round(x, 2) for x in os.getloadavg()]
    for name, figures in result.items():
        if isinstance(figures, dict):
            print(f"{name} (CPU ms, medians of {args.runs}):")
            for piece, ms in figures.items():
                print(f"  {piece:<52} {ms:8.2f}")
        else:
            print(f"{name}: {figures}")
    print(json.dumps(result))
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
