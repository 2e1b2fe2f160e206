"""Cold start of the GUI on a big project: process start to main window shown, in a fresh process.

Builds the project once (N synthetic articles of ~3,000 characters imported through the ordinary
importer, 1% of them marked done and a few annotated) and keeps it for later runs, then starts
`annotator --project FILE` in a new Python process several times. The child runs the real
`annotator.app.main`; only `QApplication.exec` is replaced so that it processes the pending events
(the first paint of the window) and reports instead of entering the event loop. Time is measured by
the parent from just before it spawns the child to the child's report, so interpreter start-up,
every import, opening the project and building the window all count. Runs offscreen unless
QT_QPA_PLATFORM is set. Not part of pytest.

Each child closes its window as a user does, which keeps the document's page for the next start
(`annotator/ui/first_page.py`). Two kinds of start are alternated with the floor: without a kept
page (forgotten first: the project changed since the last close, or a first start), where the first
document is readable once the project is open; and with the page the previous start kept, shown
read-only before the project is open (`with_kept_page`: its first paint, then the same "readable").

`--phases` adds one more start of the app whose child notes its CPU time at each step of the way
(Qt loaded, frame painted, the kept first page shown, SQLAlchemy + store + services imported,
project open, workspace modules imported, workspace composed, first document open, painted) and
prints where the time went.

Usage: python scripts/bench_startup.py [--docs 100000] [--runs 7] [--project FILE] [--importtime] [--phases]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Shared by the app's child and the floor: the moment the main window's first paint begins, and the
# first paint of the first page (the document kept at the last close, `ui/first_page.py`) when one is
# shown, as perf_counter and the process's CPU (an application event filter).
_FIRST_PAINT = r"""
import sys, time
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QWidget

_shown = []
_page = []

class _FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if (event.type() == QEvent.Type.Paint and isinstance(obj, QWidget)
                and obj.window().objectName() == "main_window"):
            if not _shown:
                _shown.append((time.perf_counter(), time.process_time()))
            parent = obj.parentWidget()
            if not _page and parent is not None and parent.objectName() == "first_page":
                _page.append((time.perf_counter(), time.process_time()))
        return False

app = QApplication(sys.argv[:1])
_filter = _FirstPaint()
app.installEventFilter(_filter)
"""

# The app: the real `annotator.app.main`; only `QApplication.exec` is replaced by a report. SHOWN is
# the main window's first paint (its frame, or the whole window when nothing is shown earlier),
# READY the moment after the project is open and the first document open and painted in the article
# view (the events pending when the event loop would start, processed), PAGE the first paint of the
# first page, the document kept at the last close, shown read-only before the project is open ("-"
# when none was shown). The child then closes the window, which keeps the page for the next start.
CHILD = (
    _FIRST_PAINT
    + r"""
def _exec_once(*_args):
    app.processEvents()
    app.processEvents()
    ready = (time.perf_counter(), time.process_time())
    window = next(w for w in app.topLevelWidgets() if w.objectName() == "main_window" and w.isVisible())
    print("SHOWN", *_shown[0], "READY", *ready, window.ctx.current_doc_id, window.document_list.model.rowCount(),
          "PAGE", *(_page[0] if _page else ("-", "-")), flush=True)
    window.close()  # as a user does: the page of this document is kept for the next start
    return 0

QApplication.exec = _exec_once
from annotator.app import main
sys.exit(main(["--project", sys.argv[1]]))
"""
)

# `--phases`: the same child, noting the process's CPU time at each step (printed to stderr as
# "PHASE name seconds"; the steps are wrapped from outside, the app is not changed).
PHASES = r"""
import sys, time
def _phase(name):
    print("PHASE", name, time.process_time(), file=sys.stderr, flush=True)
_phase("python + Qt imported, QApplication")
class _Marks(QObject):
    def eventFilter(self, obj, event):
        if (event.type() == QEvent.Type.Paint and isinstance(obj, QWidget)
                and obj.window().objectName() == "main_window"):
            _phase("frame painted")
            QApplication.instance().removeEventFilter(self)
        return False
_marks = _Marks()
app.installEventFilter(_marks)
import annotator.app as _app
_show_page = _app._show_first_page
def _timed_show_page(*args):
    _show_page(*args)
    _phase("first page kept at the last close, shown and painted (if kept)")
_app._show_first_page = _timed_show_page
_fill = _app.fill_main_window
def _fill_main_window(window, *args, **kwargs):
    import annotator.services.documents, annotator.services.project, annotator.services.team
    from annotator.ui.context import AppContext
    _phase("SQLAlchemy, store, services, context imported")
    from annotator.services.project import Project
    _open = Project.open.__func__
    def _timed_open(cls, *a, **k):
        project = _open(cls, *a, **k)
        _phase("project open (engine, checks, scheme)")
        return project
    Project.open = classmethod(_timed_open)
    _attach = type(window).attach
    def _timed_attach(self, ctx):
        _phase("identity, context")
        import annotator.ui.file_operations, annotator.ui.keyboard_path, annotator.ui.live_updates
        import annotator.ui.review_mode, annotator.ui.status_bar, annotator.ui.widgets.article_view
        import annotator.ui.widgets.document_list, annotator.ui.widgets.layers_panel
        import annotator.ui.widgets.review_panel, annotator.ui.widgets.tag_panel
        _phase("workspace modules imported")
        _first = self.open_first_document
        def _timed_first():
            _phase("workspace composed (docks, list ids, panels, actions, layout)")
            _first()
            _phase("first document open")
        self.open_first_document = _timed_first
        _attach(self, ctx)
    type(window).attach = _timed_attach
    _fill(window, *args, **kwargs)
_app.fill_main_window = _fill_main_window
_exec = QApplication.exec
def _exec_phases(*a):
    result = _exec(*a)
    _phase("painted, events processed (first document readable)")
    return result
QApplication.exec = _exec_phases
"""


def phases(project: Path | str, env: dict[str, str]) -> dict[str, float]:
    """One start of the app with `PHASES`: CPU seconds spent in each step, in order."""
    head, tail = CHILD.split("from annotator.app import main", 1)
    code = head + PHASES + "from annotator.app import main" + tail
    done = subprocess.run(
        [sys.executable, "-c", code, str(project)], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    marks = [ln.split(" ", 1)[1].rsplit(" ", 1) for ln in done.stderr.splitlines() if ln.startswith("PHASE ")]
    if done.returncode != 0 or not marks:
        raise SystemExit(f"child failed (exit {done.returncode}):\n{done.stderr}")
    steps: dict[str, float] = {}
    before = 0.0
    for name, at in marks:
        steps[name] = round(float(at) - before, 3)
        before = float(at)
    return steps


# The floor: a bare PySide6 main window, shown and painted, measured the same way.
FLOOR = (
    _FIRST_PAINT
    + r"""
from PySide6.QtWidgets import QMainWindow
window = QMainWindow()
window.setObjectName("main_window")
window.resize(1280, 800)
window.setWindowTitle("floor")
window.show()
app.processEvents()
app.processEvents()
ready = (time.perf_counter(), time.process_time())
print("SHOWN", *_shown[0], "READY", *ready, None, 0, "PAGE", "-", "-", flush=True)
"""
)


def parse_report(line: str, start: float) -> dict[str, object]:
    """A child's report line: seconds from `start` (the parent's perf_counter just before the spawn;
    one clock for both processes) to its window's first paint, to its first document readable and
    to its first page's paint (None: no page shown), with the child's CPU seconds at each, its open
    document and the document list's rows."""
    fields = line.split()
    if len(fields) != 11 or fields[0] != "SHOWN" or fields[3] != "READY" or fields[8] != "PAGE":
        raise SystemExit(f"unexpected report from the child: {line!r}")
    page = fields[9] != "-"
    return {
        "shown_s": float(fields[1]) - start,
        "shown_cpu_s": float(fields[2]),
        "ready_s": float(fields[4]) - start,
        "ready_cpu_s": float(fields[5]),
        "doc_id": None if fields[6] == "None" else int(fields[6]),
        "rows": int(fields[7]),
        "page_s": float(fields[9]) - start if page else None,
        "page_cpu_s": float(fields[10]) if page else None,
    }


WORDS = [
    "security",
    "guarantees",
    "ukraine",
    "nato",
    "membership",
    "president",
    "said",
    "minister",
    "told",
    "reuters",
    "officials",
    "alliance",
    "summit",
    "talks",
    "kyiv",
    "moscow",
    "war",
    "peace",
    "sanctions",
    "weapons",
    "support",
    "leaders",
    "meeting",
    "statement",
    "according",
    "government",
    "military",
    "forces",
    "border",
    "negotiations",
]


def build_project(path: Path, n_docs: int) -> None:
    from annotator.io.importer import import_paths
    from annotator.model.types import Status
    from annotator.services import annotations as svc
    from annotator.services import documents
    from annotator.services.project import Project

    rng = random.Random(7)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "articles.jsonl"
        with src.open("w", encoding="utf-8") as fh:
            for i in range(n_docs):
                title = " ".join(rng.choice(WORDS) for _ in range(8)).capitalize()
                body = " ".join(rng.choice(WORDS) for _ in range(430))
                fh.write(json.dumps({"id": f"bench_{i:06d}", "title": title, "text": f"{title}\n\n{body}."}) + "\n")
        t0 = time.perf_counter()
        project = Project.open(path)
        try:
            report = import_paths(project, [src])
            print(
                f"built {path}: {report.documents_added} documents in {time.perf_counter() - t0:.1f} s", file=sys.stderr
            )
            me = project.annotator("bench")
            ids = documents.document_ids(project)
            for doc_id in ids[: max(1, n_docs // 100)]:
                svc.set_status(project, doc_id, me.id, Status.DONE)
            for doc_id in ids[-20:]:
                text = documents.load_view(project, doc_id, me.id).document.text
                svc.add_span(project, doc_id, me.id, project.scheme.labels[0].name, 0, text.index("\n"))
        finally:
            project.close()


def run_once(
    project: Path | str | None, env: dict[str, str], importtime: bool = False, *, keep_page: bool = True
) -> dict[str, object]:
    """One start in a fresh process: the app on `project`, or the floor (a bare window) for None.
    `keep_page=False` forgets the page kept by the last start first (a start after the project
    changed: no first page)."""
    if "ANNOTATOR_CACHE_DIR" not in env:
        raise SystemExit("run_once: the children's environment needs ANNOTATOR_CACHE_DIR (see child_env)")
    if not keep_page:
        shutil.rmtree(Path(env["ANNOTATOR_CACHE_DIR"]) / "first-page", ignore_errors=True)
    code, rest = (FLOOR, []) if project is None else (CHILD, [str(project)])
    cmd = [sys.executable, *(["-X", "importtime"] if importtime else []), "-c", code, *rest]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    _, stderr = proc.communicate(timeout=300)
    if not line.startswith("SHOWN"):
        raise SystemExit(f"child failed (exit {proc.returncode}):\n{stderr}")
    if importtime:
        rows = [
            ln for ln in stderr.splitlines() if ln.startswith("import time:") and ln.split("|")[1].strip().isdigit()
        ]
        slow = sorted(rows, key=lambda ln: -int(ln.split("|")[1]))[:15]
        print("\n".join(slow), file=sys.stderr)
    return parse_report(line, start)


def med(runs: list[dict[str, object]], key: str) -> float:
    return round(statistics.median(float(r[key]) for r in runs), 3)  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--project", type=Path, default=None)
    parser.add_argument("--importtime", action="store_true", help="print the slowest imports of one run")
    parser.add_argument("--phases", action="store_true", help="one more start: CPU seconds of each step")
    args = parser.parse_args(argv)
    project = args.project or Path(tempfile.gettempdir()) / "annotator-bench" / f"startup-{args.docs}.db"
    env = child_env()
    if not project.exists():
        build_project(project, args.docs)
    from annotator.ui import settings

    settings.set_annotator_name("bench")  # no first-run dialog in the child
    run_once(project, env)  # warm the OS file cache and .pyc files; not counted
    run_once(None, env)
    app: list[dict[str, object]] = []
    cold: list[dict[str, object]] = []
    floor: list[dict[str, object]] = []
    for _ in range(args.runs):  # alternated
        floor.append(run_once(None, env))
        cold.append(run_once(project, env, keep_page=False))
        app.append(run_once(project, env))  # the page the previous start kept
    if args.importtime:
        run_once(project, env, True)
    steps = phases(project, env) if args.phases else None
    shown, ready, bare = med(cold, "shown_s"), med(cold, "ready_s"), med(floor, "shown_s")
    shown_cpu, ready_cpu, bare_cpu = med(cold, "shown_cpu_s"), med(cold, "ready_cpu_s"), med(floor, "shown_cpu_s")
    if any(r["page_s"] is None for r in app) or any(r["page_s"] is not None for r in cold):
        raise SystemExit("the first page was not shown where kept, or shown where forgotten")
    page, page_cpu = med(app, "page_s"), med(app, "page_cpu_s")
    ready_kept, ready_kept_cpu = med(app, "ready_s"), med(app, "ready_cpu_s")
    result = {
        "docs": args.docs,
        "project_mb": round(project.stat().st_size / 2**20, 1),
        "platform": env["QT_QPA_PLATFORM"],
        "runs": args.runs,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "floor_window_shown": {"wall_s": bare, "cpu_s": bare_cpu},
        "window_shown": {"wall_s": shown, "cpu_s": shown_cpu},
        "first_document_readable": {"wall_s": ready, "cpu_s": ready_cpu},
        "shown_x_floor": {"wall": round(shown / bare, 2), "cpu": round(shown_cpu / bare_cpu, 2)},
        "readable_x_floor": {"wall": round(ready / bare, 2), "cpu": round(ready_cpu / bare_cpu, 2)},
        "with_kept_page": {
            "first_page_shown": {"wall_s": page, "cpu_s": page_cpu},
            "first_page_x_floor": {"wall": round(page / bare, 2), "cpu": round(page_cpu / bare_cpu, 2)},
            "first_document_readable": {"wall_s": ready_kept, "cpu_s": ready_kept_cpu},
        },
        "app_doc_id": app[0]["doc_id"],
        "app_rows": app[0]["rows"],
    }
    if steps is not None:
        result["phases_cpu_s"] = steps
        for name, cpu in steps.items():
            print(f"  {cpu:6.3f} s  {name}", file=sys.stderr)
    for name, (w, c) in {
        "floor shown": (bare, bare_cpu),
        "app shown": (shown, shown_cpu),
        "app readable": (ready, ready_cpu),
        "kept page shown": (page, page_cpu),
        "then readable": (ready_kept, ready_kept_cpu),
    }.items():
        print(f"{name:<16} wall {w:7.3f} s   cpu {c:7.3f} s", file=sys.stderr)
    print(json.dumps(result))
    return 0


def child_env() -> dict[str, str]:
    """The children's environment: a throwaway config dir (also set here, for the name), offscreen."""
    config = Path(tempfile.mkdtemp(prefix="annotator-bench-config-"))
    env = {
        **os.environ,
        "ANNOTATOR_CONFIG_DIR": str(config),
        "ANNOTATOR_DATA_DIR": str(config / "data"),
        "ANNOTATOR_CACHE_DIR": str(config / "cache"),
        "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
        "QT_LOGGING_RULES": "qt.qpa.*=false",
    }
    # A user's second start finds compiled .pyc files; a shell that sets PYTHONDONTWRITEBYTECODE
    # would make every measured start recompile annotator's modules (about 0.15 s).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ.update({k: env[k] for k in ("ANNOTATOR_CONFIG_DIR", "ANNOTATOR_DATA_DIR")})
    return env


if __name__ == "__main__":
    raise SystemExit(main())
