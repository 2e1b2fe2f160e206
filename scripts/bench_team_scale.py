"""Team mode at scale: a server project of 100,000 documents and 1,000,000 spans beside the same data
in a project file, and the two things that must stay fast on it: opening the window and exporting.

Fills both projects the way scripts/benchmark.py does (its synthetic corpus through the ordinary
importer, then its spans, relations, stances and statuses through the store's bulk writers), then
measures, alternating file and server, `--runs` times each, medians:

  open    process start to the main window's first document readable (offscreen), as
          scripts/bench_startup.py measures it: `annotator --project FILE` vs `--project URL`;
          beside it the moment its frame (saying which project it opens) was first painted
  export  `annotator --project X export --out DIR` (the CSV tables) as a command: wall time and the
          command's own CPU (children included; the server's CPU is not in it), rows/s, and the
          server's speed as a share of the file's (the target: at least 80%)

Without --url it starts a throwaway PostgreSQL cluster (scripts/pg_cluster.sh) and stops it at the
end. `--keep DIR` keeps the project file (and reuses it, and a --url project already filled, on the
next run: filling takes a few minutes). Prints one JSON object. Not part of the test suite.

    python scripts/bench_team_scale.py                    # 100,000 documents, 1,000,000 spans
    python scripts/bench_team_scale.py --quick            # 10,000 documents, 100,000 spans
    python scripts/bench_team_scale.py --quick --open-only  # the window opening only (beside a bare window)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

import bench_startup  # noqa: E402
import benchmark  # noqa: E402


def filled(location: str) -> tuple[int, int]:
    """(documents, spans) already in the project at `location` ((0, 0): none there)."""
    from annotator.services import documents
    from annotator.services.project import Project
    from annotator.store.engine import project_exists

    if not project_exists(location):
        return 0, 0
    project = Project.open(location, create=False)  # writable: a project of an older schema is upgraded
    try:
        figures = documents.stats(project)
        return figures["documents"], figures["spans"]
    finally:
        project.close()


def fill_file(file: str, work: Path, n_docs: int, n_spans: int) -> dict[str, Any]:
    """The corpus through the importer, then the layers through the bulk writers (benchmark.py's)."""
    corpus = work / "articles.jsonl"
    if not corpus.exists():
        benchmark.write_corpus(corpus, n_docs)
    imported = benchmark.phase_import(db=file, corpus=corpus)  # type: ignore[arg-type]
    stored = benchmark.phase_store_spans(db=file, n_spans=n_spans)  # type: ignore[arg-type]
    return {"import_seconds": imported["seconds"], "store_spans_seconds": stored["seconds"], **stored}


def copy_to_server(file: str, url: str) -> dict[str, Any]:
    """The file's rows, ids and all, into a new server project through the store's COPY fill
    (store.server_fill): the same data on both back ends, in a minute rather than the hour
    row-by-row inserts over a socket take. The project is made by the app first (tables, full-text
    indexes, live triggers); its triggers are off while the rows go in (no million notifications
    nobody listens to) and on again after."""
    from annotator.services.project import Project
    from annotator.store.server_fill import fill_from_file

    Project.open(url).close()
    t0 = time.perf_counter()
    counts = fill_from_file(url, Path(file))
    return {"copy_seconds": round(time.perf_counter() - t0, 1), "rows": counts}


def open_window(location: str, env: dict[str, str]) -> dict[str, float]:
    """Seconds from process start to the window's frame shown and to its first document readable,
    with the window process's own CPU seconds at each (bench_startup's child). The page a file's
    last close kept is forgotten first (a server never has one), so both open the same way."""
    report = bench_startup.run_once(location, env, keep_page=False)
    if report["doc_id"] is None or report["rows"] == 0:
        raise SystemExit(f"the window opened without a document on {location}: {report}")
    return {k: float(v) for k, v in report.items() if k.endswith("_s") and v is not None}  # type: ignore[arg-type]


def export(location: str, out: Path, env: dict[str, str]) -> dict[str, float]:
    shutil.rmtree(out, ignore_errors=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "annotator", "--project", location, "export", "--out", str(out)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise SystemExit(f"export of {location} failed:\n{done.stderr}")
    spans = sum(1 for _ in (out / "spans.csv").open(encoding="utf-8")) - 1
    shutil.rmtree(out, ignore_errors=True)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall_s": wall, "cpu_s": cpu, "spans": spans}


def median(values: list[float]) -> float:
    return round(statistics.median(values), 3)


def measure(file: str, url: str, work: Path, runs: int, exports: bool = True) -> dict[str, Any]:
    config = Path(tempfile.mkdtemp(prefix="annotator-bench-config-", dir=work))
    env = {
        **os.environ,
        "ANNOTATOR_CONFIG_DIR": str(config),
        "ANNOTATOR_DATA_DIR": str(config / "data"),
        "ANNOTATOR_CACHE_DIR": str(config / "cache"),
        "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
        "QT_LOGGING_RULES": "qt.qpa.*=false",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ.update({k: env[k] for k in ("ANNOTATOR_CONFIG_DIR", "ANNOTATOR_DATA_DIR")})
    from annotator.ui import settings

    settings.set_annotator_name("bench")  # no first-run dialog in the child (a server names you by login)
    places = {"sqlite": file, "postgresql": url}
    opened: dict[str, list[dict[str, float]]] = {k: [] for k in places}
    exported: dict[str, list[dict[str, float]]] = {k: [] for k in places}
    for name, location in places.items():  # warm the OS cache, .pyc files and the server's buffers
        open_window(location, env)
        if exports:
            export(location, work / f"export-{name}", env)
    load = os.getloadavg()[0]
    floor: list[dict[str, object]] = []
    for _ in range(runs):
        floor.append(bench_startup.run_once(None, env))  # a bare PySide6 window, the same run
        for name, location in places.items():
            opened[name].append(open_window(location, env))
            if exports:
                exported[name].append(export(location, work / f"export-{name}", env))
    result: dict[str, Any] = {
        "load_average_at_start": round(load, 2),
        "runs": runs,
        "floor_bare_window_shown": {
            "wall_s": bench_startup.med(floor, "shown_s"),
            "cpu_s": bench_startup.med(floor, "shown_cpu_s"),
        },
        "open_window_s": {},
        "export": {},
    }
    for name in places:
        walls_open = [o["ready_s"] for o in opened[name]]
        result["open_window_s"][name] = {  # the first document readable; the frame shows earlier
            "median": median(walls_open),
            "min": round(min(walls_open), 3),
            "window_process_cpu_s": median([o["ready_cpu_s"] for o in opened[name]]),
            "frame_shown_s": median([o["shown_s"] for o in opened[name]]),
            "frame_shown_cpu_s": median([o["shown_cpu_s"] for o in opened[name]]),
        }
        if not exports:
            continue
        walls = [e["wall_s"] for e in exported[name]]
        spans = exported[name][0]["spans"]
        result["export"][name] = {
            "wall_s": median(walls),
            "command_cpu_s": median([e["cpu_s"] for e in exported[name]]),
            "span_rows_per_s": round(spans / statistics.median(walls)),
            "spans": spans,
        }
    if exports:
        result["export_server_speed_vs_file"] = round(
            result["export"]["sqlite"]["wall_s"] / result["export"]["postgresql"]["wall_s"], 2
        )
    result["open_server_vs_file"] = round(
        result["open_window_s"]["postgresql"]["median"] / result["open_window_s"]["sqlite"]["median"], 2
    )
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--spans", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="10,000 documents and 100,000 spans")
    parser.add_argument("--runs", type=int, default=3, help="measurements of each (medians)")
    parser.add_argument("--url", help="an empty PostgreSQL database, or one an earlier run filled")
    parser.add_argument("--open-only", action="store_true", help="measure the window's opening only, no export")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="keep (and reuse) the project file and corpus here")
    args = parser.parse_args(argv)
    n_docs, n_spans = (10_000, 100_000) if args.quick else (args.docs, args.spans)
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-team-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    cluster = None
    try:
        if args.url:
            url = args.url
        else:
            cluster = Path(tempfile.mkdtemp(prefix="bench-team-scale-pg-"))
            started = subprocess.run(
                [str(REPO / "scripts" / "pg_cluster.sh"), "start", str(cluster)], capture_output=True, text=True
            )
            if started.returncode:
                raise SystemExit(f"could not start a PostgreSQL cluster: {started.stderr.strip()}")
            url = started.stdout.strip()
        file = str(work / f"scale-{n_docs}-{n_spans}.db")
        result: dict[str, Any] = {"docs": n_docs, "spans": n_spans, "cpus": os.cpu_count(), "fill": {}}
        for name, location in (("sqlite", file), ("postgresql", url)):
            if filled(location) == (n_docs, n_spans):
                result["fill"][name] = "reused"
                continue
            if filled(location) != (0, 0):
                raise SystemExit(f"{location} holds another project; give an empty database or folder")
            made = fill_file(file, work, n_docs, n_spans) if name == "sqlite" else copy_to_server(file, url)
            result["fill"][name] = made
            print(f"filled {name}: {made}", file=sys.stderr, flush=True)
        result.update(measure(file, url, work, args.runs, exports=not args.open_only))
    finally:
        if cluster is not None:
            subprocess.run([str(REPO / "scripts" / "pg_cluster.sh"), "stop", str(cluster)], capture_output=True)
            shutil.rmtree(cluster, ignore_errors=True)
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
