"""Time to compute the agreement report (what opening the report window waits for) on a synthetic team
project: 3 annotators x 1,000 documents (scripts/team_corpus.py: ~5 spans per layer with jitter,
dropped and added items, attributes, links, claim and document stances), beside a floor measured in
the same run: a raw `sqlite3` read of the rows the report reads (spans, relations, stances, statuses
and the documents' ids and lengths). App and floor alternate; medians of --runs, as wall time and as
CPU time of this process (on a shared machine the CPU time is the steadier figure). The CPU time of
the bootstrap intervals inside the report is printed too: their seeded resampling (numpy's
multinomial draws) is what fixes the intervals' values, so it is a floor of its own. Not part of pytest.

Usage: python scripts/bench_agreement.py [--docs 1000] [--annotators 3] [--runs 5] [--project PATH]
(a kept --project is reused when it exists).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import team_corpus  # noqa: E402

import annotator.model.agreement as agreement_model  # noqa: E402
from annotator.services.agreement import agreement  # noqa: E402
from annotator.services.project import Project  # noqa: E402

spent = [0.0]


def _timed_bootstrap() -> None:
    """Count the CPU time of the bootstrap intervals (seeded resampling) inside the report."""
    real = agreement_model.bootstrap_alpha_interval

    def timed(*args: Any, **kwargs: Any) -> Any:
        c = time.process_time()
        try:
            return real(*args, **kwargs)
        finally:
            spent[0] += time.process_time() - c

    agreement_model.bootstrap_alpha_interval = timed  # type: ignore[assignment]


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--annotators", type=int, default=3)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--project", type=Path)
    args = parser.parse_args(argv)
    _timed_bootstrap()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.project or Path(tmp) / "team.db"
        if not path.exists():
            t = time.perf_counter()
            counts = team_corpus.build(path, n_docs=args.docs, annotators=args.annotators)
            print(f"built {path} in {time.perf_counter() - t:.1f} s: {counts}")
        project = Project.open(path, readonly=True)
        app_times, floor_times, app_cpu, floor_cpu, boot_cpu = [], [], [], [], []
        rows = 0
        for _ in range(args.runs):
            t, c = time.perf_counter(), time.process_time()
            rows = floor(path)
            floor_times.append(time.perf_counter() - t)
            floor_cpu.append(time.process_time() - c)
            spent[0] = 0.0
            t, c = time.perf_counter(), time.process_time()
            report = agreement(project)
            app_times.append(time.perf_counter() - t)
            app_cpu.append(time.process_time() - c)
            boot_cpu.append(spent[0])
        project.close()
        med = statistics.median
        print(f"{len(report.documents)} documents, {len(report.annotators)} annotators, {rows:,} rows read")
        print(f"{'':36s}{'wall':>9s}{'CPU':>9s}   CPU x floor")
        ratio = med(app_cpu) / med(floor_cpu)
        print(f"{'agreement report':36s}{med(app_times):8.3f}s{med(app_cpu):8.3f}s   {ratio:6.1f}x")
        print(f"{'  of which bootstrap intervals':36s}{'':9s}{med(boot_cpu):8.3f}s")
        print(f"{'floor: raw sqlite3 read of the rows':36s}{med(floor_times):8.3f}s{med(floor_cpu):8.3f}s")
        runs = ", ".join(f"{x:.2f}" for x in app_cpu)
        print(f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; report CPU per run: {runs} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
