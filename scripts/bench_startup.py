"""Cold start of the GUI on a big project: process start to main window shown, in a fresh process.

Builds the project once (N synthetic articles of ~3,000 characters imported through the ordinary
importer, 1% of them marked done and a few annotated) and keeps it for later runs, then starts
`annotator --project FILE` in a new Python process several times. The child runs the real
`annotator.app.main`; only `QApplication.exec` is replaced so that it processes the pending events
(the first paint of the window) and reports instead of entering the event loop. Time is measured by
the parent from just before it spawns the child to the child's report, so interpreter start-up,
every import, opening the project and building the window all count. Runs offscreen unless
QT_QPA_PLATFORM is set. Not part of pytest.

Usage: python scripts/bench_startup.py [--docs 100000] [--runs 7] [--project FILE] [--importtime]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = r"""
import sys, time
import annotator.services.documents, annotator.services.project  # as app.run_gui does: store before Qt
from PySide6.QtWidgets import QApplication

def _exec_once(*_args):
    app = QApplication.instance()
    app.processEvents()
    app.processEvents()
    window = next(w for w in app.topLevelWidgets() if w.objectName() == "main_window" and w.isVisible())
    print("SHOWN", time.perf_counter(), window.ctx.current_doc_id, window.document_list.model.rowCount(),
          flush=True)
    return 0

QApplication.exec = _exec_once
from annotator.app import main
sys.exit(main(["--project", sys.argv[1]]))
"""

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


def run_once(project: Path, env: dict[str, str], importtime: bool) -> tuple[float, str]:
    cmd = [sys.executable, *(["-X", "importtime"] if importtime else []), "-c", CHILD, str(project)]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    shown = time.perf_counter()
    _, stderr = proc.communicate(timeout=120)
    if not line.startswith("SHOWN"):
        raise SystemExit(f"child failed (exit {proc.returncode}):\n{stderr}")
    if importtime:
        rows = [
            ln for ln in stderr.splitlines() if ln.startswith("import time:") and ln.split("|")[1].strip().isdigit()
        ]
        slow = sorted(rows, key=lambda ln: -int(ln.split("|")[1]))[:15]
        print("\n".join(slow), file=sys.stderr)
    return shown - start, line.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--project", type=Path, default=None)
    parser.add_argument("--importtime", action="store_true", help="print the slowest imports of one run")
    args = parser.parse_args(argv)
    project = args.project or Path(tempfile.gettempdir()) / "annotator-bench" / f"startup-{args.docs}.db"
    config = Path(tempfile.mkdtemp(prefix="annotator-bench-config-"))
    env = {
        **os.environ,
        "ANNOTATOR_CONFIG_DIR": str(config),
        "ANNOTATOR_DATA_DIR": str(config / "data"),
        "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
        "QT_LOGGING_RULES": "qt.qpa.*=false",
    }
    # A user's second start finds compiled .pyc files; a shell that sets PYTHONDONTWRITEBYTECODE
    # would make every measured start recompile annotator's modules (about 0.15 s).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ.update({k: env[k] for k in ("ANNOTATOR_CONFIG_DIR", "ANNOTATOR_DATA_DIR")})
    if not project.exists():
        build_project(project, args.docs)
    from annotator.ui import settings

    settings.set_annotator_name("bench")  # no first-run dialog in the child
    run_once(project, env, False)  # warm the OS file cache and .pyc files; not counted
    times = [run_once(project, env, False)[0] for _ in range(args.runs)]
    if args.importtime:
        run_once(project, env, True)
    result = {
        "docs": args.docs,
        "project_mb": round(project.stat().st_size / 2**20, 1),
        "platform": env["QT_QPA_PLATFORM"],
        "runs": args.runs,
        "median_s": round(statistics.median(times), 3),
        "min_s": round(min(times), 3),
        "max_s": round(max(times), 3),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
