"""Add a span by key press, and switch to the document, in the real main window of one checkout:
run it on two checkouts (this one and, say, `git archive <commit> | tar -x -C /tmp/old`) alternately
to compare two commits in the same conditions (issue 14's unbroken-article row).

The project is bench_paint.py's (a 50,000-character article without line breaks and the same text in
paragraphs, 3 x 500 spans). "add" is the CPU of the key press that tags a selected word, then a
synchronous repaint of the article view (median of 15); "after" is the CPU of the event-loop turn
that follows (a window that defers the disagreement score computes it there); "switch" opens the
document from another one with the window's view cache emptied (a document not read before), then
repaints (median of 9), "switch_after" the event-loop turn after it (the time spent stored, the next
document read ahead); "switch_next" opens it as Alt+Right or Ctrl+Enter does from the document before
it, after an edit there (a window that reads ahead has read it). Prints one JSON object.
Usage: python scripts/bench_edit_ab.py [CHECKOUT]  (default: this one)
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_HOME = tempfile.mkdtemp(prefix="annotator-bench-ab-")
os.environ["ANNOTATOR_CONFIG_DIR"] = str(Path(_HOME) / "config")
os.environ["ANNOTATOR_DATA_DIR"] = str(Path(_HOME) / "data")
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))

import bench_paint as bp  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from annotator.model.changes import Changes  # noqa: E402
from annotator.services import annotations as svc  # noqa: E402


def main() -> int:
    app = QApplication.instance() or QApplication([])
    path = Path(tempfile.mkdtemp(prefix="annotator-bench-ab-")) / "bench.db"
    flat, para, unbroken, paragraphs = bp.three_layer_project(path)
    win = bp.bench_window(path)
    ctx, view = win.ctx, win.article_view
    out: dict[str, object] = {"checkout": str(ROOT), "load_before": [round(x, 2) for x in os.getloadavg()]}
    for doc, other, text, name in ((flat, para, unbroken, "unbroken"), (para, flat, paragraphs, "paragraphs")):
        ctx.open_document(doc)
        QApplication.processEvents()
        where = text.index(" ", len(text) // 2) + 1
        end = text.index(" ", where)
        added, after, switched = [], [], []
        for i in range(16):  # the first round warms caches and is not counted
            view.setFocus()
            view.select_cp(where, end)
            QApplication.processEvents()
            t0 = time.process_time()
            QTest.keyClick(view, "c")
            view.viewport().repaint()
            t1 = time.process_time()
            QApplication.processEvents()
            t2 = time.process_time()
            if i:
                added.append((t1 - t0) * 1000)
                after.append((t2 - t1) * 1000)
            assert ctx.selected_span_id is not None
            _removed, changes = svc.delete_span(ctx.project, ctx.selected_span_id)
            ctx.notify(changes)
            QApplication.processEvents()
        ahead, switch_after = [], []
        for _ in range(9):
            ctx.open_document(other)
            QApplication.processEvents()
            ctx.forget_documents()  # nothing read: the document is opened for the first time
            QApplication.processEvents()
            t0 = time.process_time()
            ctx.open_document(doc)
            view.viewport().repaint()
            t1 = time.process_time()
            QApplication.processEvents()  # what the switch left for later (time spent, reading ahead)
            switched.append((t1 - t0) * 1000)
            switch_after.append((time.process_time() - t1) * 1000)
            # Alt+Right or Ctrl+Enter from the document before: the loop has turned since that switch
            # (a window that reads ahead has read this one), and an edit there came in between.
            ctx.open_document(other)
            QApplication.processEvents()
            ctx.notify(Changes(frozenset({other}), status=True))
            QApplication.processEvents()
            t0 = time.process_time()
            ctx.open_document(doc)
            view.viewport().repaint()
            ahead.append((time.process_time() - t0) * 1000)
            QApplication.processEvents()
        out[name] = {
            "add_cpu_ms": round(statistics.median(added), 1),
            "after_cpu_ms": round(statistics.median(after), 1),
            "switch_cpu_ms": round(statistics.median(switched), 1),
            "switch_after_cpu_ms": round(statistics.median(switch_after), 1),
            "switch_next_cpu_ms": round(statistics.median(ahead), 1),
        }
    out["load_after"] = [round(x, 2) for x in os.getloadavg()]
    win.close()
    print(json.dumps(out))
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
