"""Fixed cost of a short command and of the GUI's start, each beside its floor, in fresh processes.

On a project of N synthetic articles (default 100,000, built once through the ordinary importer by
`bench_startup.build_project` and kept: by default in $TMPDIR/annotator-bench/startup-N.db, the same
file `bench_startup.py` uses, or `--project FILE`), it runs, alternated, `--runs` times each:

  interpreter   `python -c pass` (what any Python program pays)
  floor_stats   a bare `sqlite3` count of the same tables `stats` counts, read-only, in a new process
  stats         `python -m annotator --project FILE stats --json` (the whole command)
  floor_gui     a bare PySide6 window (QApplication + QMainWindow shown): its first paint
  gui           `annotator --project FILE` (bench_startup's child: the real `app.main`,
                `QApplication.exec` replaced by a report), started with no page kept (the project
                changed since the last close): `gui_shown`, the main window's first paint (its
                frame, saying which project it opens), and `gui_readable`, the project open and
                the first document open and painted in the article view
  gui_kept      the same start after a close that kept the document's page (the project file
                unchanged since: `annotator/ui/first_page.py`): `gui_first_page`, the first paint
                of that page, read-only, before the project is open, and `gui_kept_readable`

and prints medians of the wall time (parent: spawn to the child's report, so interpreter start and
every import count) and of the child's CPU time (user + system from getrusage, the whole process,
for the commands; the GUI children's own process time at each moment), with the ratios to the
floors measured in the same run, and `uptime`'s load average, as one JSON object. `--quick` uses
2,000 articles and 3 runs. Not part of pytest.

Usage: python scripts/bench_fixed_cost.py [--docs 100000] [--runs 7] [--project FILE] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_startup import build_project, child_env, run_once  # noqa: E402

FLOOR_STATS = r"""
import sqlite3, sys, json
conn = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
counts = {t: conn.execute(f"select count(*) from {t}").fetchone()[0]
          for t in ("documents", "annotators", "spans", "relations", "stances")}
stored = dict(conn.execute("select status, count(*) from doc_status group by status").fetchall())
# every (document, annotator) pair, as stats counts them: a pair with no status row is not started
started = stored.get("in_progress", 0) + stored.get("done", 0)
stored["not_started"] = counts["documents"] * counts["annotators"] - started
counts["status"] = stored
print(json.dumps(counts))
"""


def _child(cmd: list[str], env: dict[str, str], until: str | None) -> tuple[float, float, str]:
    """Wall seconds from spawn to the report line (or to exit), the child's CPU seconds, its first line."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    reported = time.perf_counter()
    rest, err = proc.communicate(timeout=300)
    ended = time.perf_counter()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0 or (until is not None and not line.startswith(until)):
        raise SystemExit(f"{cmd[:4]} failed (exit {proc.returncode}):\n{line}{rest}{err}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return (reported if until else ended) - start, cpu, line.strip()


def _nonzero(counts: dict[str, object]) -> dict[str, object]:
    """The counts with statuses nobody is in left out (stats lists them as 0, the bare query omits them)."""
    statuses = counts.get("status")
    assert isinstance(statuses, dict)
    return {**counts, "status": {k: v for k, v in statuses.items() if v}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--project", type=Path, default=None, help="a project to use (built there if missing)")
    parser.add_argument("--quick", action="store_true", help="2,000 articles, 3 runs")
    parser.add_argument("--no-gui", action="store_true", help="only the interpreter and stats rows")
    args = parser.parse_args(argv)
    if args.quick:
        args.docs, args.runs = 2_000, 3
    project = args.project or Path(tempfile.gettempdir()) / "annotator-bench" / f"startup-{args.docs}.db"
    env = child_env()
    if not project.exists():
        build_project(project, args.docs)
    from annotator.ui import settings

    settings.set_annotator_name("bench")  # no first-run dialog in the GUI child
    py = sys.executable
    cases: dict[str, tuple[list[str], str | None]] = {
        "interpreter": ([py, "-c", "pass"], None),
        "floor_stats": ([py, "-c", FLOOR_STATS, str(project)], None),
        "stats": ([py, "-m", "annotator", "--project", str(project), "stats", "--json"], None),
    }
    # (name, project, keep the page the previous start kept?, {row: moment of the child's report})
    gui: list[tuple[str, Path | None, bool, dict[str, str]]] = (
        []
        if args.no_gui
        else [
            ("floor_gui", None, False, {"floor_gui": "shown"}),
            ("gui", project, False, {"gui_shown": "shown", "gui_readable": "ready"}),
            ("gui_kept", project, True, {"gui_first_page": "page", "gui_kept_readable": "ready"}),
        ]
    )
    first = {name: _child(cmd, env, until)[2] for name, (cmd, until) in cases.items()}  # warm caches, .pyc
    first_gui = {name: run_once(where, env, keep_page=keep) for name, where, keep, _rows in gui}
    if _nonzero(json.loads(first["stats"])) != _nonzero(json.loads(first["floor_stats"])):
        raise SystemExit(f"stats disagrees with the floor's counts:\n{first['stats']}\n{first['floor_stats']}")
    rows = [*cases, *(row for *_rest, moments in gui for row in moments)]
    wall: dict[str, list[float]] = {name: [] for name in rows}
    cpu: dict[str, list[float]] = {name: [] for name in rows}
    for _ in range(args.runs):
        for name, (cmd, until) in cases.items():  # alternated: each run measures every case once
            w, c, _line = _child(cmd, env, until)
            wall[name].append(w)
            cpu[name].append(c)
        for _name, where, keep, moments in gui:
            report = run_once(where, env, keep_page=keep)
            for row, moment in moments.items():
                if report[f"{moment}_s"] is None:
                    raise SystemExit(f"{row}: the child reported no {moment} moment")
                wall[row].append(float(report[f"{moment}_s"]))  # type: ignore[arg-type]
                cpu[row].append(float(report[f"{moment}_cpu_s"]))  # type: ignore[arg-type]
    med = {name: (statistics.median(wall[name]), statistics.median(cpu[name])) for name in rows}
    result: dict[str, object] = {
        "docs": args.docs,
        "project_mb": round(project.stat().st_size / 2**20, 1),
        "runs": args.runs,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "counts": json.loads(first["stats"]),
        **{name: {"wall_s": round(w, 3), "cpu_s": round(c, 3)} for name, (w, c) in med.items()},
        "stats_x_floor": {
            "wall": round(med["stats"][0] / med["floor_stats"][0], 2),
            "cpu": round(med["stats"][1] / med["floor_stats"][1], 2),
        },
    }
    if gui:
        for row in ("gui_shown", "gui_readable", "gui_first_page", "gui_kept_readable"):
            result[f"{row}_x_floor"] = {
                "wall": round(med[row][0] / med["floor_gui"][0], 2),
                "cpu": round(med[row][1] / med["floor_gui"][1], 2),
            }
        result["gui_report"] = {k: first_gui["gui"][k] for k in ("doc_id", "rows")}
    for name, (w, c) in med.items():
        print(f"{name:<17} wall {w:7.3f} s   cpu {c:7.3f} s", file=sys.stderr)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
