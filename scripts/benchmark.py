"""Benchmark of the data layer: import, bulk-storing spans, stats and CSV / JSONL export.

Generates a synthetic corpus (article JSONL, ~3,000 characters per article) in a work folder, then
runs each phase in its own Python process so that each phase's peak RSS is its own:

  import        `annotator.io.importer.import_paths` on the JSONL          -> articles/s
  store_spans   `store.bulk.insert_spans` of spans (+ relations,          -> spans/s
                stances and status rows, as the annotation importer does)
  stats         `annotator stats --json` as a command (wall time, with interpreter start-up)
                and `services.documents.stats` in process
  raw_csv_baseline  plain sqlite3 + csv.writer over the spans table: the floor, under the same load
  export_csv    `annotator.io.export_csv.export_csv` on the read-only project -> span rows/s
  export_jsonl  `annotator.io.export_jsonl.export_jsonl`                     -> lines/s, spans/s

and prints one JSON object. Not part of the test suite (tests/test_benchmark_smoke.py runs it small).

    python scripts/benchmark.py                         # 100,000 docs, 1,000,000 spans
    python scripts/benchmark.py --docs 1000 --spans 10000   # quick smoke run
    python scripts/benchmark.py --out /tmp/bench --keep     # keep the corpus, project and exports
    python scripts/benchmark.py --out /tmp/bench --phases raw_csv_baseline,export_csv   # re-measure
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
_PHRASE = (
    "the minister said that talks on security guarantees for Ukraine would continue next week "
    "while officials in Brussels and Washington declined to comment on reports that NATO "
    "membership was discussed at the summit according to sources familiar with the matter "
    "Zelensky told Reuters analysts expect a decision before winter although critics argue "
    "the plan lacks detail"
)
WORDS = tuple(_PHRASE.split())
TARGET_CHARS = 3000
ANNOTATORS = ("alice", "bob")
SPANS_PER_LAYER_PATTERN = ("claim", "source", "claim", "source", "claim")


# -- corpus -------------------------------------------------------------------------------------


def article_text(rng: random.Random, index: int) -> str:
    words = rng.choices(WORDS, k=TARGET_CHARS // 6)
    text = f"Article {index}. " + " ".join(words)
    return text[:TARGET_CHARS] if len(text) > TARGET_CHARS else text


def write_corpus(path: Path, n_docs: int, seed: int = 7) -> int:
    rng = random.Random(seed)
    size = 0
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n_docs):
            record = {
                "id": f"bench-{i:07d}",
                "title": f"Synthetic article {i}",
                "outlet": rng.choice(("Reuters", "AP", "Kyiv Independent", "Politico")),
                "published": "2026-01-01",
                "text": article_text(rng, i),
            }
            line = json.dumps(record, ensure_ascii=False) + "\n"
            size += len(line)
            fh.write(line)
    return size


# -- phases (each runs in a child process) ------------------------------------------------------


def peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    return round(resource.getrusage(who).ru_maxrss / 1024, 1)


def phase_import(db: Path, corpus: Path, **_: Any) -> dict[str, Any]:
    from annotator.io.importer import import_paths
    from annotator.services.project import Project

    project = Project.open(db)
    try:
        t0 = time.perf_counter()
        report = import_paths(project, [corpus])
        seconds = time.perf_counter() - t0
    finally:
        project.close()
    return {
        "seconds": round(seconds, 3),
        "documents": report.documents_added,
        "articles_per_s": round(report.documents_added / seconds),
        "rejected": len(report.rejected),
    }


def _layers(texts: Iterator[tuple[int, str]], n_spans: int) -> Iterator[tuple[int, str, int, str]]:
    """(doc_id, text, layer index, label) for each span to create, cycling the pattern per layer."""
    made = 0
    for doc_id, text in texts:
        for layer in range(len(ANNOTATORS)):
            for label in SPANS_PER_LAYER_PATTERN:
                if made == n_spans:
                    return
                made += 1
                yield doc_id, text, layer, label


def phase_store_spans(db: Path, n_spans: int, **_: Any) -> dict[str, Any]:
    """Bulk-store `n_spans` spans spread over the documents, with a claim->source link per pair of
    spans, a document stance per target and a claim stance on every claim, a status row per layer."""
    from annotator.services.project import Project
    from annotator.store import bulk
    from annotator.store import documents as docs
    from annotator.store.engine import utc_now
    from annotator.store.tables import DocStatusRow, RelationRow, SpanRow, StanceRow

    project = Project.open(db)
    scheme = project.scheme
    relation = scheme.relations[0]
    targets = scheme.target_names
    value = scheme.stance_values[0]
    ann_ids = [project.annotator(name).id for name in ANNOTATORS]
    now = utc_now()
    stored = {"spans": 0, "relations": 0, "stances": 0, "status": 0}
    # Document-level and claim-level stances go in separate batches: the ORM bulk insert splits a
    # batch wherever the set of non-None keys changes, and span_id=None vs. a value is such a change.
    claim_stances: list[dict[str, Any]] = []
    buffers: dict[Any, list[dict[str, Any]]] = {SpanRow: [], RelationRow: [], StanceRow: [], DocStatusRow: []}
    insert_seconds = 0.0
    t0 = time.perf_counter()
    with project.session() as s:
        # Relations and stances name their spans by index into the span buffer until the flush,
        # where the database hands out the ids (as the annotation importer does).

        def flush() -> None:
            nonlocal insert_seconds
            t = time.perf_counter()
            ids = bulk.insert_spans(s, buffers[SpanRow])
            for rel in buffers[RelationRow]:
                rel["from_span_id"], rel["to_span_id"] = ids[rel["from_span_id"]], ids[rel["to_span_id"]]
            for stance in claim_stances:
                stance["span_id"] = ids[stance["span_id"]]
            bulk.insert_relations(s, buffers[RelationRow])
            bulk.insert_stances(s, buffers[StanceRow])
            bulk.insert_stances(s, claim_stances)
            bulk.upsert_statuses(s, buffers[DocStatusRow])
            for table in buffers:
                buffers[table] = []
            claim_stances.clear()
            insert_seconds += time.perf_counter() - t

        texts = ((row[0], row[4]) for row in docs.stream_document_texts(s))
        last_claim: int | None = None
        current_layer: tuple[int, int] | None = None
        position = 0
        for doc_id, text, layer, label in _layers(texts, n_spans):
            ann = ann_ids[layer]
            if (doc_id, ann) != current_layer:
                current_layer, position, last_claim = (doc_id, ann), 0, None
                buffers[DocStatusRow].append(
                    {
                        "doc_id": doc_id,
                        "annotator_id": ann,
                        "status": "done",
                        "seconds": 60.0,
                        "note": "",
                        "origin": "imported",
                        "updated_at": now,
                    }
                )
                for target in targets:
                    buffers[StanceRow].append(
                        {
                            "doc_id": doc_id,
                            "annotator_id": ann,
                            "target": target,
                            "value": value,
                            "span_id": None,
                            "origin": "imported",
                            "created_at": now,
                            "updated_at": now,
                        }
                    )
                stored["stances"] += len(targets)
                stored["status"] += 1
            start = (position * len(text)) // len(SPANS_PER_LAYER_PATTERN) + layer * 7
            end = min(len(text), start + 25 + (position * 13) % 60)
            position += 1
            span_id = len(buffers[SpanRow])
            attrs = (
                {"claim_type": "factual", "checkworthy": "yes"}
                if label == relation.from_label
                else {"source_type": "named_person", "canonical": "Volodymyr Zelensky"}
            )
            known = scheme.label(label)
            attrs = {k: v for k, v in attrs.items() if known is not None and known.attribute(k)}
            buffers[SpanRow].append(
                {
                    "doc_id": doc_id,
                    "annotator_id": ann,
                    "label": label,
                    "start": start,
                    "end": end,
                    "text": text[start:end],
                    "attributes": attrs,
                    "origin": "imported",
                    "created_at": now,
                    "updated_at": now,
                }
            )
            stored["spans"] += 1
            if label == relation.from_label:
                if last_claim is None and targets:
                    claim_stances.append(
                        {
                            "doc_id": doc_id,
                            "annotator_id": ann,
                            "target": targets[-1],
                            "value": value,
                            "span_id": span_id,
                            "origin": "imported",
                            "created_at": now,
                            "updated_at": now,
                        }
                    )
                    stored["stances"] += 1
                last_claim = span_id
            elif last_claim is not None and label == relation.to_label:
                buffers[RelationRow].append(
                    {
                        "doc_id": doc_id,
                        "annotator_id": ann,
                        "type": relation.name,
                        "from_span_id": last_claim,
                        "to_span_id": span_id,
                        "origin": "imported",
                        "created_at": now,
                        "updated_at": now,
                    }
                )
                stored["relations"] += 1
                last_claim = None
            if len(buffers[SpanRow]) >= 10000 and last_claim is None:
                flush()
        flush()
        t = time.perf_counter()
    commit_seconds = time.perf_counter() - t
    seconds = time.perf_counter() - t0
    project.close()
    rows = sum(stored.values())
    return {
        **stored,
        "seconds": round(seconds, 3),
        "insert_seconds": round(insert_seconds + commit_seconds, 3),
        "spans_per_s": round(stored["spans"] / seconds),
        "rows_per_s_inserting": round(rows / (insert_seconds + commit_seconds)),
    }


def phase_stats(db: Path, **_: Any) -> dict[str, Any]:
    from annotator.services import documents as service
    from annotator.services.project import Project

    out: dict[str, Any] = {}
    t0 = time.perf_counter()
    project = Project.open(db, readonly=True)
    try:
        figures = service.stats(project)
    finally:
        project.close()
    out["in_process_seconds"] = round(time.perf_counter() - t0, 3)
    out["figures"] = figures
    try:
        import annotator.cli  # noqa: F401
    except ImportError:
        out["command_seconds"] = None
        return out
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "annotator.cli", "--project", str(db), "stats", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    out["command_seconds"] = round(time.perf_counter() - t0, 3)
    out["command_exit"] = done.returncode
    return out


def phase_raw_csv_baseline(db: Path, work: Path, **_: Any) -> dict[str, Any]:
    """The floor to compare export_csv with: plain sqlite3 + csv.writer over the spans table in the
    export's order, no look-ups or neutralising. Run in the same benchmark, so machine load shows."""
    import csv
    import sqlite3

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    t0 = time.perf_counter()
    n = 0
    with (work / "raw_spans.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        # Deliberately raw SQL: this is the floor the package's SQLAlchemy path is measured against.
        cursor = conn.execute(
            'SELECT id, doc_id, annotator_id, label, start, "end", text, attributes, '
            "origin, created_at, updated_at FROM spans "
            'ORDER BY doc_id, annotator_id, start, "end", id'
        )
        while rows := cursor.fetchmany(5000):
            writer.writerows(rows)
            n += len(rows)
    seconds = time.perf_counter() - t0
    conn.close()
    (work / "raw_spans.csv").unlink()
    return {"seconds": round(seconds, 3), "span_rows_per_s": round(n / seconds)}


def phase_export_csv(db: Path, work: Path, **_: Any) -> dict[str, Any]:
    from annotator.io.export_csv import export_csv
    from annotator.services.project import Project

    project = Project.open(db, readonly=True)
    try:
        t0 = time.perf_counter()
        report = export_csv(project, work / "csv")
        seconds = time.perf_counter() - t0
    finally:
        project.close()
    size = sum(p.stat().st_size for p in report.paths)
    return {
        "seconds": round(seconds, 3),
        "rows": dict(report.rows),
        "span_rows_per_s": round(report.rows["spans"] / seconds),
        "all_rows_per_s": round(sum(report.rows.values()) / seconds),
        "mb_written": round(size / 2**20, 1),
    }


def phase_export_jsonl(db: Path, work: Path, **_: Any) -> dict[str, Any]:
    from annotator.io.export_jsonl import export_jsonl
    from annotator.services.project import Project

    project = Project.open(db, readonly=True)
    try:
        t0 = time.perf_counter()
        report = export_jsonl(project, work / "annotations.jsonl")
        seconds = time.perf_counter() - t0
    finally:
        project.close()
    return {
        "seconds": round(seconds, 3),
        "rows": dict(report.rows),
        "lines_per_s": round(report.rows["lines"] / seconds),
        "spans_per_s": round(report.rows["spans"] / seconds),
        "mb_written": round(report.paths[0].stat().st_size / 2**20, 1),
    }


PHASES = {
    "import": phase_import,
    "store_spans": phase_store_spans,
    "stats": phase_stats,
    "raw_csv_baseline": phase_raw_csv_baseline,
    "export_csv": phase_export_csv,
    "export_jsonl": phase_export_jsonl,
}


def run_phase(name: str, work: Path, n_spans: int) -> dict[str, Any]:
    """Run one phase in a child process and return its figures with the child's peak RSS."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--phase", name, "--out", str(work), "--spans", str(n_spans)]
    path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path}
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"benchmark phase {name} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=100_000, help="articles to generate (default 100000)")
    parser.add_argument("--spans", type=int, default=1_000_000, help="spans to store (default 1000000)")
    parser.add_argument("--out", type=Path, help="work folder (default: a new temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder afterwards")
    parser.add_argument(
        "--phases",
        help="comma-separated phases to run on an existing --out folder "
        f"(of: {', '.join(PHASES)}); default: generate everything and run all",
    )
    parser.add_argument("--phase", choices=sorted(PHASES), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.phase:
        work = args.out
        figures = PHASES[args.phase](
            db=work / "bench.db", corpus=work / "articles.jsonl", work=work, n_spans=args.spans
        )
        figures["peak_rss_mb"] = peak_rss_mb()
        # Processes the phase started (export_csv's helper, the stats command): the largest one.
        children = peak_rss_mb(resource.RUSAGE_CHILDREN)
        if children:
            figures["child_peak_rss_mb"] = children
        print(json.dumps(figures))
        return 0

    if args.phases:
        if args.out is None or not (args.out / "bench.db").exists():
            parser.error("--phases needs --out naming the folder of an earlier --keep run")
        chosen = args.phases.split(",")
        unknown = [name for name in chosen if name not in PHASES]
        if unknown:
            parser.error(f"unknown phase(s): {', '.join(unknown)}")
        shutil.rmtree(args.out / "csv", ignore_errors=True)
        print(json.dumps({name: run_phase(name, args.out, args.spans) for name in chosen}, indent=2))
        return 0

    work = args.out or Path(tempfile.mkdtemp(prefix="annotator-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    for stale in ("bench.db", "bench.db-wal", "bench.db-shm", "annotations.jsonl"):
        (work / stale).unlink(missing_ok=True)
    shutil.rmtree(work / "csv", ignore_errors=True)
    try:
        t0 = time.perf_counter()
        corpus_bytes = write_corpus(work / "articles.jsonl", args.docs)
        result: dict[str, Any] = {
            "docs": args.docs,
            "spans": args.spans,
            "cpus": os.cpu_count(),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
            "python": sys.version.split()[0],
            "corpus": {"mb": round(corpus_bytes / 2**20, 1), "generate_seconds": round(time.perf_counter() - t0, 2)},
        }
        for name in PHASES:
            result[name] = run_phase(name, work, args.spans)
        result["project_mb"] = round((work / "bench.db").stat().st_size / 2**20, 1)
        print(json.dumps(result, indent=2))
    finally:
        if not args.keep and args.out is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
