"""Garbage-collection pauses while editing in the real main window of one checkout: run it on two
checkouts (this one and, say, `git archive <commit> | tar -x -C /tmp/old`) to compare them.

The project is bench_paint.py's (a 50,000-character article, 3 x 500 spans). For `--seconds` the
script edits as a fast user does, a key press every 150 ms with the event loop running between
(select a word, C tags it, the next round deletes it), then leaves the window idle for 6 s. Every
collection is timed through `gc.callbacks`, with its generation and the time since the last key.
Prints one JSON object: per phase (editing, idle) the count and the median and longest duration of
full (generation 2) collections and of young ones, the full collections that came within 2 s of a
key press, and, as the floor of the same run, a full `gc.collect()` of the same process at the end
(median of 3). Usage: python scripts/bench_gc_pauses.py [CHECKOUT] [--seconds N]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

_parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
_parser.add_argument("checkout", nargs="?", type=Path, default=Path(__file__).resolve().parent.parent)
_parser.add_argument("--seconds", type=float, default=60.0, help="how long to edit")
ARGS = _parser.parse_args()
ROOT, SECONDS = ARGS.checkout.resolve(), ARGS.seconds
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_HOME = tempfile.mkdtemp(prefix="annotator-bench-gc-")
os.environ["ANNOTATOR_CONFIG_DIR"] = str(Path(_HOME) / "config")
os.environ["ANNOTATOR_DATA_DIR"] = str(Path(_HOME) / "data")
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))

import bench_paint as bp  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from annotator.services import annotations as svc  # noqa: E402

KEY_EVERY_S = 0.15
NEAR_INPUT_S = 2.0


class Recorder:
    """Each collection as (generation, milliseconds, seconds since the last key press)."""

    def __init__(self) -> None:
        self.last_key = time.monotonic()
        self.started = 0.0
        self.seen: list[tuple[int, float, float]] = []

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self.started = time.perf_counter()
        else:
            ms = (time.perf_counter() - self.started) * 1000
            self.seen.append((info["generation"], ms, time.monotonic() - self.last_key))


def summary(seen: list[tuple[int, float, float]]) -> dict[str, object]:
    full = [ms for gen, ms, _ in seen if gen == 2]
    young = [ms for gen, ms, _ in seen if gen < 2]
    return {
        "full": len(full),
        "full_ms_median": round(statistics.median(full), 1) if full else None,
        "full_ms_max": round(max(full), 1) if full else None,
        "full_within_2s_of_a_key": sum(1 for gen, _, since in seen if gen == 2 and since < NEAR_INPUT_S),
        "young": len(young),
        "young_ms_max": round(max(young), 1) if young else None,
    }


def run_loop(app: QApplication, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.005)


def main() -> int:
    app = QApplication.instance() or QApplication([])
    path = Path(tempfile.mkdtemp(prefix="annotator-bench-gc-")) / "bench.db"
    _flat, para, _unbroken, paragraphs = bp.three_layer_project(path)
    win = bp.bench_window(path)
    run_loop(app, 1.0)
    ctx, view = win.ctx, win.article_view
    ctx.open_document(para)
    run_loop(app, 1.0)
    words = [i + 1 for i, ch in enumerate(paragraphs) if ch == " "][100:400]
    out: dict[str, object] = {
        "checkout": str(ROOT),
        "seconds": SECONDS,
        "load_before": [round(x, 2) for x in os.getloadavg()],
    }
    recorder = Recorder()
    gc.collect()
    gc.callbacks.append(recorder)
    end, n = time.monotonic() + SECONDS, 0
    while time.monotonic() < end:
        where = words[n % len(words)]
        view.setFocus()
        view.select_cp(where, paragraphs.index(" ", where))
        recorder.last_key = time.monotonic()
        QTest.keyClick(view, "c")
        run_loop(app, KEY_EVERY_S)
        if ctx.selected_span_id is not None:
            _removed, changes = svc.delete_span(ctx.project, ctx.selected_span_id)
            ctx.notify(changes)
        n += 1
    editing, recorder.seen = recorder.seen, []
    counts = gc.get_count()  # the old generation's count past its threshold (10): a full collection due
    run_loop(app, 6.0)
    idle = recorder.seen
    gc.callbacks.remove(recorder)
    floor = []
    for _ in range(3):
        t0 = time.perf_counter()
        gc.collect()
        floor.append((time.perf_counter() - t0) * 1000)
    out |= {
        "key_presses": n,
        "gc_counts_after_editing": counts,
        "editing": summary(editing),
        "idle": summary(idle),
        "floor_full_collect_ms": round(statistics.median(floor), 1),
        "load_after": [round(x, 2) for x in os.getloadavg()],
    }
    win.close()
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
