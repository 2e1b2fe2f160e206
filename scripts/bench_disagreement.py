"""Sorting the document list by "most disagreement first" on a synthetic team project (default 100,000
documents, 3 annotators, about 1,000,000 spans; scripts/team_corpus.py), beside floors measured in the
same run. Not part of pytest.

  sort            what the list does on switching to the sort: `services.review.disagreement_scores`
                  (the stored scores, one query) and sorting the document ids by them
  floor (ids)     a raw sqlite3 read of the document ids and stored scores
  floor (spans)   a raw sqlite3 read of every span's document, annotator, label and offsets: what any
                  recomputation on the switch would have to read at least
  recompute all   every score worked out from the annotations (what the switch did before the score was
                  stored, now with the sweep matching; also what the schema 3 migration does once)
  keep current    one edit: adding and deleting a span through `services.annotations` (two commits,
                  each with the document's score recomputed in the transaction), on an ordinary
                  document and on a 500-span-per-annotator article, beside the same two commits with
                  the score refresh skipped; "refresh" is `store_scores` alone after an add (CPU)

App and floor alternate; medians of --runs; wall seconds and the CPU seconds of this process (on a
shared machine the CPU figures are the ones to compare). The last line is one JSON object.

Usage: python scripts/bench_disagreement.py [--docs 100000] [--spans-per-layer 4] [--runs 5] [--project PATH]
       [--recompute] [--quick]
(a kept --project is reused when it exists; building the 100,000-document project takes about 4 minutes
on a quiet machine, half an hour on a loaded one). --quick: 3,000 documents. "recompute every score"
runs with --recompute, or by default below 20,000 documents.
"""

from __future__ import annotations

import argparse
import json
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

from annotator.model.types import Span  # noqa: E402
from annotator.services import annotations as A  # noqa: E402
from annotator.services import documents as D  # noqa: E402
from annotator.services import review as R  # noqa: E402
from annotator.services.project import Project  # noqa: E402
from annotator.store import annotations as q  # noqa: E402
from annotator.store import disagreement  # noqa: E402


def median_of(runs: int, *tasks: Callable[[], Any]) -> list[tuple[float, float]]:
    """Each task's median wall and CPU seconds, the tasks alternated run by run."""
    times: list[list[tuple[float, float]]] = [[] for _ in tasks]
    for _ in range(runs):
        for n, task in enumerate(tasks):
            wall, cpu = time.perf_counter(), time.process_time()
            task()
            times[n].append((time.perf_counter() - wall, time.process_time() - cpu))
    return [(statistics.median(t[0] for t in x), statistics.median(t[1] for t in x)) for x in times]


def raw(path: Path, query: str) -> int:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return len(conn.execute(query).fetchall())
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--spans-per-layer", type=int, default=4)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--project", type=Path)
    parser.add_argument("--recompute", action="store_true", help="also time recomputing every score")
    parser.add_argument("--quick", action="store_true", help="3,000 documents")
    args = parser.parse_args(argv)
    if args.quick:
        args.docs = 3_000
    result: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = args.project or Path(tmp) / "team.db"
        if not path.exists():
            t = time.perf_counter()
            counts = team_corpus.build(path, n_docs=args.docs, spans_per_layer=args.spans_per_layer)
            print(f"built {path} in {time.perf_counter() - t:.0f} s: {counts}", flush=True)
        project = Project.open(path)

        def sort() -> None:
            scores = R.disagreement_scores(project)
            ids = D.document_ids(project)
            ids.sort(key=lambda d: -scores.get(d, 0.0))

        def floor_ids() -> None:
            raw(path, "SELECT id FROM documents")
            raw(path, "SELECT doc_id, score FROM doc_disagreement")

        def floor_spans() -> None:
            raw(path, 'SELECT doc_id, annotator_id, label, start, "end" FROM spans')

        app, ids_floor, spans_floor = median_of(args.runs, sort, floor_ids, floor_spans)
        n_docs, n_spans = len(D.document_ids(project)), raw(path, "SELECT id FROM spans")
        result.update(documents=n_docs, spans=n_spans, runs=args.runs)
        print(f"{n_docs:,} documents, {n_spans:,} spans; wall and CPU seconds, medians of {args.runs}")
        for name, (wall, cpu) in (("sort", app), ("floor_ids", ids_floor), ("floor_spans", spans_floor)):
            result[name] = {"wall_s": round(wall, 4), "cpu_s": round(cpu, 4)}
        ratio = app[1] / ids_floor[1]
        print(f"sort by disagreement      {app[0]:8.3f} s  {app[1]:8.3f} s CPU  {ratio:5.1f}x floor (ids, CPU)")
        print(f"floor (ids and scores)    {ids_floor[0]:8.3f} s  {ids_floor[1]:8.3f} s CPU")
        print(f"floor (read every span)   {spans_floor[0]:8.3f} s  {spans_floor[1]:8.3f} s CPU")
        if args.recompute or n_docs < 20_000:
            wall, cpu = time.perf_counter(), time.process_time()
            with project.session() as s:
                ids = [a.id for a in q.list_annotators(s) if not a.is_gold]
                recomputed = disagreement.computed_scores(s, ids)
            whole = (time.perf_counter() - wall, time.process_time() - cpu)
            assert recomputed == {d: v for d, v in R.disagreement_scores(project).items() if d in recomputed}
            result["recompute_all"] = {"wall_s": round(whole[0], 3), "cpu_s": round(whole[1], 3)}
            ratio = whole[1] / spans_floor[1]
            print(f"recompute every score  {whole[0]:8.3f} s  {whole[1]:8.3f} s CPU  {ratio:5.1f}x floor (spans, CPU)")
        result["keep_current"] = edit_times(project, args.runs)
        project.close()
    print(json.dumps(result))
    return 0


def edit_times(project: Project, runs: int) -> dict[str, dict[str, float]]:
    """An add_span and its delete with the score kept current, beside the same without the refresh,
    and the refresh alone (CPU) after an add."""
    with project.session() as s:
        people = [a.id for a in q.list_annotators(s) if not a.is_gold][:3]
    doc = D.document_ids(project)[len(D.document_ids(project)) // 2]
    big = _big_article(project, people)
    out: dict[str, dict[str, float]] = {}
    for name, target in (("ordinary document", doc), ("500 spans x 3 annotators", big)):

        def edit(target: int = target) -> None:
            span, _ = A.add_span(project, target, people[0], "claim", 5, 25)
            A.delete_span(project, span.id)

        def edit_unscored(target: int = target) -> None:
            real = disagreement.refresh
            disagreement.refresh = lambda session: session.info.pop("annotator.disagreement.pending", None)
            try:
                edit(target)
            finally:
                disagreement.refresh = real

        def refresh_alone(target: int = target) -> float:
            span, _ = A.add_span(project, target, people[0], "claim", 7, 27)
            with project.session() as s:
                cpu = time.process_time()
                disagreement.store_scores(s, [target])
                took = time.process_time() - cpu
            A.delete_span(project, span.id)
            return took

        (with_wall, with_cpu), (without_wall, without_cpu) = median_of(runs, edit, edit_unscored)
        alone = statistics.median(refresh_alone() for _ in range(runs))
        out[name] = {
            "edit_pair_wall_ms": round(with_wall * 1000, 2),
            "edit_pair_cpu_ms": round(with_cpu * 1000, 2),
            "unscored_pair_wall_ms": round(without_wall * 1000, 2),
            "unscored_pair_cpu_ms": round(without_cpu * 1000, 2),
            "per_transaction_cpu_ms": round((with_cpu - without_cpu) * 500, 2),
            "refresh_alone_cpu_ms": round(alone * 1000, 2),
        }
        print(
            f"add + delete a span, {name}: {with_wall * 1000:6.1f} ms ({with_cpu * 1000:6.1f} CPU) kept current, "
            f"{without_wall * 1000:6.1f} ms ({without_cpu * 1000:6.1f} CPU) without the score; "
            f"refresh alone {alone * 1000:5.2f} ms CPU"
        )
    return out


def _big_article(project: Project, people: list[int]) -> int:
    """A 50,000-character article with 500 spans per annotator (added once, kept in the project)."""
    with project.session() as s:
        found = [
            d for d in D.document_ids(project)[-1:] if D.load_view(project, d, people[0]).document.info.n_chars > 40000
        ]
        if found:
            return found[0]
        from annotator.model.types import NewDocument, text_sha256
        from annotator.store import bulk
        from annotator.store import documents as docs

        text = " ".join(team_corpus.WORDS[i % len(team_corpus.WORDS)] for i in range(8000))[:50000]
        docs.add_documents(s, [NewDocument("big-article", text_sha256(text), "Big", text)])
        doc = docs.document_ids(s)[-1]
        spans = []
        for n, who in enumerate(people):
            for k in range(500):
                start = k * 99 + n * 3
                spans.append(
                    Span(0, doc, who, "claim" if k % 2 else "source", start, start + 60, text[start : start + 60], {})
                )
        bulk.add_spans(s, spans)
    return doc


if __name__ == "__main__":
    raise SystemExit(main())
