"""Time to open the agreement report on a synthetic team project: 3 annotators x 1,000 documents
(scripts/team_corpus.py: ~5 spans per layer with jitter, dropped and added items, attributes, links,
claim and document stances), beside a floor measured in the same run.

Three things are timed, alternated in every run, as wall time and as CPU time of this process (on a
shared machine the CPU time is the steadier figure); medians of --runs:

* **floor**: a bare `sqlite3` read of the rows the report reads (documents' ids and lengths, statuses,
  spans with their attributes' JSON text, relations, stances);
* **first figures**: what the report window computes before it shows its first figures, the service
  call its first background job makes (`ui.models.agreement_tables.compute_report(..., intervals=False,
  overview=True)`: the annotators who worked, the Overview and Spans tabs' sections without α's
  bootstrap intervals, the document titles); with `--gui`, also the window itself, offscreen, from
  the menu action to `figures_shown` and the window painted with them (a synchronous repaint:
  tables, charts), then to `sections_shown` (every tab's figures in) and to the complete report;
* **rest of the report** (`services.agreement.complete_report`: attributes, claim stance, unitizing,
  per document and per annotator) and **intervals** (`with_intervals`), the window's second job in
  its two steps;
* **complete report**: `services.agreement.agreement(project)`, intervals included: what
  `annotator agreement --json` prints.

With `--profile` the first-figures call is run once more under cProfile and the top functions by
cumulative time are printed (stderr). Prints one JSON object on stdout (the table goes to stderr).
Not part of pytest.

Usage: python scripts/bench_agreement.py [--docs 1000] [--annotators 3] [--runs 5] [--project PATH]
[--gui] [--profile] (a kept --project is reused when it exists; --quick: 200 documents, 3 runs).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import team_corpus  # noqa: E402

from annotator.model.agreement_compare import with_intervals  # noqa: E402
from annotator.services.agreement import agreement, complete_report  # noqa: E402
from annotator.services.project import Project  # noqa: E402
from annotator.ui.models.agreement_tables import compute_report  # noqa: E402


def floor(path: Path) -> int:
    """Read every row the report needs with plain sqlite3 (attributes as their JSON text)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        n = 0
        for query in (
            "SELECT id, ext_id, n_chars FROM documents",
            "SELECT doc_id, annotator_id, status FROM doc_status",
            'SELECT id, doc_id, annotator_id, label, start, "end", attributes FROM spans '
            'ORDER BY doc_id, annotator_id, start, "end", id',
            "SELECT id, doc_id, annotator_id, type, from_span_id, to_span_id FROM relations ORDER BY doc_id, id",
            "SELECT id, doc_id, annotator_id, target, value, span_id FROM stances ORDER BY doc_id, id",
        ):
            n += len(conn.execute(query).fetchall())
        return n
    finally:
        conn.close()


def timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """(wall, CPU, result) of one call."""
    t, c = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - t, time.process_time() - c, result


class Gui:
    """The report window offscreen: from triggering the main window's action to the first figures
    painted (`figures_shown`, then the window repainted at once), to every tab's figures in
    (`sections_shown`) and to the complete report."""

    def __init__(self, path: Path) -> None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from PySide6.QtWidgets import QApplication

        from annotator.app import build_main_window

        self.app = QApplication.instance() or QApplication([])
        self.window = build_main_window(path, annotator_name="bench")
        self.window.show()

    def first_figures(self) -> dict[str, tuple[float, float]]:
        """(wall, CPU) to the first figures painted, to every section shown, to the complete report."""
        from PySide6.QtCore import QEventLoop

        from annotator.ui.dialogs.agreement_report import AgreementReportWindow

        marks: dict[str, tuple[float, float]] = {}
        loop = QEventLoop()
        t, c = time.perf_counter(), time.process_time()
        self.window.action_map["agreement_report"].trigger()
        report_window = self.window.findChild(AgreementReportWindow)
        assert report_window is not None

        def mark(name: str) -> Callable[[object], None]:
            def record(_report: object) -> None:
                if name == "figures":
                    report_window.repaint()  # painted, not just handed to the tables
                marks.setdefault(name, (time.perf_counter() - t, time.process_time() - c))
                if name == "complete":
                    loop.quit()

            return record

        report_window.figures_shown.connect(mark("figures"))
        report_window.sections_shown.connect(mark("sections"))
        report_window.report_computed.connect(mark("complete"))
        if "complete" not in marks:
            loop.exec()
        report_window.figures_shown.disconnect()
        report_window.sections_shown.disconnect()
        report_window.report_computed.disconnect()
        report_window.close()
        return marks

    def close(self) -> None:
        self.window.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--annotators", type=int, default=3)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--project", type=Path)
    parser.add_argument("--gui", action="store_true", help="also time the report window, offscreen")
    parser.add_argument("--profile", action="store_true", help="cProfile the first-figures call (stderr)")
    parser.add_argument("--quick", action="store_true", help="200 documents, 3 runs")
    args = parser.parse_args(argv)
    if args.quick:
        args.docs, args.runs = 200, 3
    with tempfile.TemporaryDirectory() as tmp:
        path = args.project or Path(tmp) / "team.db"
        if not path.exists():
            t = time.perf_counter()
            counts = team_corpus.build(path, n_docs=args.docs, annotators=args.annotators)
            print(f"built {path} in {time.perf_counter() - t:.1f} s: {counts}", file=sys.stderr)
        project = Project.open(path, readonly=True)
        me = project.annotators()[0].id
        gui = Gui(path) if args.gui else None
        times: dict[str, list[tuple[float, float]]] = {}
        rows = 0
        report: Any = None
        for _ in range(args.runs):
            wall, cpu, rows = timed(lambda: floor(path))
            times.setdefault("floor", []).append((wall, cpu))
            wall, cpu, first = timed(lambda: compute_report(project, me, False, intervals=False, overview=True))
            times.setdefault("first_figures", []).append((wall, cpu))
            wall, cpu, rest = timed(lambda pending=first.report: complete_report(pending))
            times.setdefault("rest_of_report", []).append((wall, cpu))
            wall, cpu, _ = timed(lambda pending=rest: with_intervals(pending))
            times.setdefault("intervals", []).append((wall, cpu))
            wall, cpu, report = timed(lambda: agreement(project))
            times.setdefault("complete_report", []).append((wall, cpu))
            if gui is not None:
                marks = gui.first_figures()
                times.setdefault("gui_first_figures", []).append(marks["figures"])
                times.setdefault("gui_every_tab", []).append(marks["sections"])
                times.setdefault("gui_complete", []).append(marks["complete"])
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            compute_report(project, me, False, intervals=False, overview=True)
            profiler.disable()
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
            print(out.getvalue(), file=sys.stderr)
        if gui is not None:
            gui.close()
        project.close()
    med = statistics.median
    floor_cpu = med(c for _, c in times["floor"])
    figures: dict[str, Any] = {
        "documents": len(report.documents),
        "annotators": len(report.annotators),
        "rows_read_by_floor": rows,
        "runs": args.runs,
        "load_average": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
    }
    for name, pairs in times.items():
        wall, cpu = med(w for w, _ in pairs), med(c for _, c in pairs)
        figures[name] = {
            "wall_s": round(wall, 4),
            "cpu_s": round(cpu, 4),
            "cpu_x_floor": round(cpu / floor_cpu, 2) if floor_cpu else None,
            "cpu_per_run_s": [round(c, 3) for _, c in pairs],
        }
    print(f"{figures['documents']} documents, {figures['annotators']} annotators, {rows:,} rows read", file=sys.stderr)
    print(f"{'':40s}{'wall':>9s}{'CPU':>9s}   CPU x floor", file=sys.stderr)
    for name in times:
        f = figures[name]
        print(f"{name:40s}{f['wall_s']:8.3f}s{f['cpu_s']:8.3f}s   {f['cpu_x_floor']:6.1f}x", file=sys.stderr)
    print(f"(load average {figures['load_average']} on {figures['cpus']} CPUs)", file=sys.stderr)
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
