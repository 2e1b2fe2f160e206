"""Search on generated articles (100,000 by default): the document list's search and corpus search,
each beside a floor measured in the same run.

The articles (~3,000 characters) draw their words from a Zipf-like vocabulary of 20,000 made-up words
plus common English ones, so a query can be rare (a few dozen documents), middling or common (most
documents), as in a real corpus. Each query is timed alternately through the app and through its
floor, median of --runs, in wall milliseconds and CPU milliseconds (time.process_time: app and floor
both run in this process):

  page     `services.documents.document_id_page(search=…, limit=500)`: what the document list reads
           first (its first 500 ids; more follow as the user scrolls)
  pfloor   the same query shape on a bare sqlite3 connection: `SELECT rowid … MATCH ? ORDER BY rowid
           LIMIT 500`
  all      `services.documents.document_ids(search=…)`: every matching id (the list before paging)
  afloor   bare sqlite3: every rowid the FTS5 query gives, sorted
  like     a bare sqlite3 `LIKE '%…%'` over ids, titles and text (once): what the list did before the index
  first    corpus search: until the first keyword-in-context hit (`services.search.hits_by_document`,
           what the Search window shows first)
  ffloor   bare sqlite3: the first documents the FTS5 index gives, their text, `re.finditer`, until a hit
  corpus   `services.search.search(…)`: the first 200 hits
  cfloor   bare sqlite3 as ffloor, until 200 hits

and first what the index costs an import: --cost-docs articles stored with and without its triggers.
The last line is one JSON object with every figure, the date and the load average.

The project is kept in --out (default: a temporary folder, removed) and reused when it exists with
the same --docs (a project of an older schema is upgraded first). Not part of pytest.

Usage: python scripts/bench_search.py [--docs 100000] [--runs 7] [--out DIR] [--quick]
       --quick: 10,000 articles, 3 runs, 1,000 articles for the import-cost line (a few minutes)
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import json
import os
import random
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from annotator.model.types import text_sha256  # noqa: E402
from annotator.services import documents as doc_svc  # noqa: E402
from annotator.services.project import Project  # noqa: E402
from annotator.services.search import SearchQuery, checked_filters, hits_by_document, search  # noqa: E402
from annotator.store import documents as store_docs  # noqa: E402
from annotator.store.engine import utc_now  # noqa: E402

_COMMON_TEXT = (
    "the of and to in a that said is for on with was as by at from it be has have are were an this "
    "which not but will would after minister government officials talks security Ukraine NATO Kyiv"
)
COMMON = _COMMON_TEXT.split()
SYLLABLES = ("ka", "lo", "mir", "ve", "sta", "zu", "ren", "ol", "pri", "da", "nek", "tos", "bru", "ay")


def vocabulary(rng: random.Random, size: int) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choices(SYLLABLES, k=rng.randint(2, 4))))
    return sorted(words)


def article(rng: random.Random, vocab: list[str], cumulative: list[float], index: int) -> str:
    out: list[str] = [f"Article {index}."]
    n = 0
    while n < 3000:
        word = rng.choice(COMMON) if rng.random() < 0.55 else rng.choices(vocab, cum_weights=cumulative)[0]
        out.append(word)
        n += len(word) + 1
        if rng.random() < 0.06:
            out[-1] += "."
    return " ".join(out)


def document_rows(seed: int, n_docs: int, ext_id: str, title: str) -> Iterator[dict[str, object]]:
    """`n_docs` synthetic articles as document rows, the same for the same seed."""
    rng = random.Random(seed)
    vocab = vocabulary(rng, 20000)
    cumulative = list(itertools.accumulate(1.0 / (rank + 1) for rank in range(len(vocab))))
    for i in range(n_docs):
        text = article(rng, vocab, cumulative, i)
        yield dict(
            ext_id=ext_id.format(i),
            sha256=text_sha256(text),
            title=title.format(i),
            text=text,
            n_chars=len(text),
            meta={},
            encoding="utf-8",
            source=None,
            imported_at=utc_now(),
        )


def build(path: Path, n_docs: int) -> None:
    project = Project.open(path)
    try:
        batch: list[dict[str, object]] = []
        for i, row in enumerate(document_rows(14, n_docs, "bench-{:07d}", "Synthetic article {}")):
            batch.append(row)
            if len(batch) == 2000 or i == n_docs - 1:
                with project.session() as s:
                    store_docs.insert_documents(s, batch)
                batch = []
    finally:
        project.close()


def timed(fn: Callable[[], object]) -> tuple[float, float]:
    """(wall ms, CPU ms) of one call."""
    t0, c0 = time.perf_counter(), time.process_time()
    fn()
    return (time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000


def _fts_query(phrase: str, prefix: bool) -> str:
    words = re.findall(r"[^\W_]+", phrase.lower())
    return '"' + " ".join(words) + '"' + (" *" if prefix else "")


def fts_floor(raw: sqlite3.Connection, phrase: str) -> list[int]:
    rows = raw.execute("SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?", (_fts_query(phrase, True),))
    ids = [r[0] for r in rows]
    ids.sort()
    return ids


def page_floor(raw: sqlite3.Connection, phrase: str, limit: int = 500) -> list[int]:
    query = "SELECT rowid FROM documents_fts WHERE documents_fts MATCH ? ORDER BY rowid LIMIT ?"
    return [r[0] for r in raw.execute(query, (_fts_query(phrase, True), limit))]


def first_hit(project: Project, phrase: str) -> int:
    for found in hits_by_document(project, checked_filters(project, SearchQuery(phrase))):
        if found:
            return found[0].doc_id
    return 0


def like_scan(raw: sqlite3.Connection, phrase: str) -> list[int]:
    pattern = f"%{phrase}%"
    rows = raw.execute(
        "SELECT id FROM documents WHERE title LIKE ? OR ext_id LIKE ? OR text LIKE ?", (pattern, pattern, pattern)
    )
    return sorted(r[0] for r in rows)


def corpus_floor(raw: sqlite3.Connection, phrase: str, limit: int = 200) -> int:
    words = re.findall(r"[^\W_]+", phrase.lower())
    pattern = re.compile(r"(?<![^\W_])" + r"[\W_]+".join(map(re.escape, words)) + r"(?![^\W_])", re.IGNORECASE)
    match = _fts_query(phrase, False)
    # The index's matches in rowid order, joined to their text as they come (no list of every match first).
    query = (
        "SELECT d.id, d.text FROM documents_fts f JOIN documents d ON d.id = f.rowid "
        "WHERE documents_fts MATCH ? ORDER BY f.rowid"
    )
    hits = 0
    for _doc_id, text in raw.execute(query, (match,)):
        for m in pattern.finditer(text):
            text[max(0, m.start() - 60) : m.end() + 60]
            hits += 1
        if hits >= limit:
            break
    return hits


def first_floor(raw: sqlite3.Connection, phrase: str) -> int:
    return corpus_floor(raw, phrase, 1)


def index_cost(folder: Path, n_docs: int, runs: int) -> dict[str, float]:
    """What keeping the index costs an import: the same articles stored into a fresh project with
    the index's triggers and without them (dropped), alternated, median of `runs`."""
    rows = list(document_rows(5, n_docs, "cost-{}", "Article {}"))
    times: dict[bool, list[float]] = {True: [], False: []}
    for run in range(runs):
        for indexed in (True, False):
            path = folder / f"cost-{run}-{indexed}.db"
            project = Project.open(path)
            if not indexed:
                with project.session() as s:
                    for name in ("insert", "delete", "update"):
                        s.connection().exec_driver_sql(f"DROP TRIGGER documents_fts_{name}")
            t0 = time.perf_counter()
            with project.session() as s:
                store_docs.insert_documents(s, rows)
            times[indexed].append(time.perf_counter() - t0)
            project.close()
            for side in ("", "-wal", "-shm"):
                Path(f"{path}{side}").unlink(missing_ok=True)
    with_index, without = statistics.median(times[True]), statistics.median(times[False])
    print(
        f"storing {n_docs:,} articles: {with_index:.2f} s with the index, {without:.2f} s without "
        f"({with_index / without:.1f}x)"
    )
    return {"cost_docs": n_docs, "store_with_index_s": round(with_index, 3), "store_without_s": round(without, 3)}


KINDS = ("page", "pfloor", "all", "afloor", "first", "ffloor", "corpus", "cfloor")


def measure(project: Project, raw: sqlite3.Connection, q: str, runs: int) -> dict[str, object]:
    calls: dict[str, Callable[[], object]] = {
        "page": lambda: doc_svc.document_id_page(project, search=q, limit=500),
        "pfloor": lambda: page_floor(raw, q),
        "all": lambda: doc_svc.document_ids(project, search=q),
        "afloor": lambda: fts_floor(raw, q),
        "first": lambda: first_hit(project, q),
        "ffloor": lambda: first_floor(raw, q),
        "corpus": lambda: search(project, SearchQuery(q)),
        "cfloor": lambda: corpus_floor(raw, q),
    }
    wall: dict[str, list[float]] = {k: [] for k in KINDS}
    cpu: dict[str, list[float]] = {k: [] for k in KINDS}
    for _ in range(runs):  # alternated, so load changes hit app and floor alike
        for kind in KINDS:
            w, c = timed(calls[kind])
            wall[kind].append(w)
            cpu[kind].append(c)
    like_wall, like_cpu = timed(lambda: like_scan(raw, q))
    out: dict[str, object] = {"query": q, "docs": len(doc_svc.document_ids(project, search=q))}
    for kind in KINDS:
        out[f"{kind}_ms"] = round(statistics.median(wall[kind]), 2)
        out[f"{kind}_cpu_ms"] = round(statistics.median(cpu[kind]), 2)
    out["like_ms"], out["like_cpu_ms"] = round(like_wall, 1), round(like_cpu, 1)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--cost-docs", type=int, default=5000, help="articles for the import-cost line (0: skip)")
    parser.add_argument("--quick", action="store_true", help="10,000 articles, 3 runs, 1,000 for the cost line")
    args = parser.parse_args(argv)
    if args.quick:
        args.docs, args.runs, args.cost_docs = 10_000, 3, 1000
    folder = args.out or Path(tempfile.mkdtemp(prefix="bench-search-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"search-{args.docs}.db"
    report: dict[str, object] = {"docs": args.docs, "runs": args.runs, "date": datetime.date.today().isoformat()}
    try:
        if not path.exists():
            t0 = time.perf_counter()
            build(path, args.docs)
            print(
                f"built {args.docs:,} articles in {time.perf_counter() - t0:.1f} s ({path.stat().st_size / 1e6:.0f} MB)"
            )
        Project.open(path).close()  # upgrades a project made by an older build
        if args.cost_docs:
            report.update(index_cost(folder, args.cost_docs, 3))
        project = Project.open(path, readonly=True)
        raw = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        rng = random.Random(14)
        vocab = vocabulary(rng, 20000)
        queries = [vocab[5000], vocab[300], "Kyiv", f"minister {vocab[3]}", "security"]
        header = f"{'query':<20} {'docs':>7}" + "".join(f" {k:>8}" for k in (*KINDS, "like"))
        print("wall ms (CPU ms below)\n" + header)
        rows = []
        for q in queries:
            ids = doc_svc.document_ids(project, search=q)
            assert ids == fts_floor(raw, q), q
            assert doc_svc.document_id_page(project, search=q, limit=500) == page_floor(raw, q), q
            row = measure(project, raw, q, args.runs)
            rows.append(row)
            print(f"{q:<20} {len(ids):>7,}" + "".join(f" {row[f'{k}_ms']:>8.1f}" for k in (*KINDS, "like")))
            print(f"{'':<20} {'':>7}" + "".join(f" {row[f'{k}_cpu_ms']:>8.1f}" for k in (*KINDS, "like")))
        raw.close()
        project.close()
        load = os.getloadavg()
        print(f"load average {load[0]:.1f} on {os.cpu_count()} cores; median of {args.runs} runs")
        report.update(queries=rows, load_average=[round(x, 2) for x in load], cores=os.cpu_count())
        print(json.dumps(report))
    finally:
        if args.out is None:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
