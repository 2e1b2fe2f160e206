"""Search on 100,000 generated articles: the document list's search and corpus search, each beside a
floor measured in the same run.

The articles (~3,000 characters) draw their words from a Zipf-like vocabulary of 20,000 made-up words
plus common English ones, so a query can be rare (a few dozen documents), middling or common (most
documents), as in a real corpus. Each query is timed alternately through the app and through its
floor, median of --runs:

  list     `services.documents.document_ids(search=…)`, what the document list runs (the index)
  floor    the same FTS5 query on a bare sqlite3 connection (`SELECT rowid … MATCH`, ids sorted)
  like     a bare sqlite3 `LIKE '%…%'` over ids, titles and text: what the list did before the index
  corpus   `services.search.search(…)`: the first 200 keyword-in-context hits
  cfloor   bare sqlite3: the first documents the FTS5 index gives, their text, `re.finditer` for the
           phrase, until 200 hits

and first what the index costs an import: --cost-docs articles stored with and without its triggers.

The project is kept in --out (default: a temporary folder, removed) and reused when it exists with
the same --docs. Not part of pytest.

Usage: python scripts/bench_search.py [--docs 100000] [--runs 7] [--out DIR]
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from annotator.model.types import text_sha256  # noqa: E402
from annotator.services import documents as doc_svc  # noqa: E402
from annotator.services.project import Project  # noqa: E402
from annotator.services.search import SearchQuery, search  # noqa: E402
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


def build(path: Path, n_docs: int) -> None:
    rng = random.Random(14)
    vocab = vocabulary(rng, 20000)
    cumulative = list(itertools.accumulate(1.0 / (rank + 1) for rank in range(len(vocab))))
    project = Project.open(path)
    try:
        batch: list[dict[str, object]] = []
        for i in range(n_docs):
            text = article(rng, vocab, cumulative, i)
            batch.append(
                dict(
                    ext_id=f"bench-{i:07d}",
                    sha256=text_sha256(text),
                    title=f"Synthetic article {i}",
                    text=text,
                    n_chars=len(text),
                    meta={},
                    encoding="utf-8",
                    source=None,
                    imported_at=utc_now(),
                )
            )
            if len(batch) == 2000 or i == n_docs - 1:
                with project.session() as s:
                    store_docs.insert_documents(s, batch)
                batch = []
    finally:
        project.close()


def median_ms(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def fts_floor(raw: sqlite3.Connection, phrase: str) -> list[int]:
    words = re.findall(r"[^\W_]+", phrase.lower())
    query = '"' + " ".join(words) + '" *'
    ids = [r[0] for r in raw.execute("SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?", (query,))]
    ids.sort()
    return ids


def like_scan(raw: sqlite3.Connection, phrase: str) -> list[int]:
    pattern = f"%{phrase}%"
    rows = raw.execute(
        "SELECT id FROM documents WHERE title LIKE ? OR ext_id LIKE ? OR text LIKE ?", (pattern, pattern, pattern)
    )
    return sorted(r[0] for r in rows)


def corpus_floor(raw: sqlite3.Connection, phrase: str, limit: int = 200) -> int:
    words = re.findall(r"[^\W_]+", phrase.lower())
    pattern = re.compile(r"(?<![^\W_])" + r"[\W_]+".join(map(re.escape, words)) + r"(?![^\W_])", re.IGNORECASE)
    match = '"' + " ".join(words) + '"'
    query = (
        "SELECT id, text FROM documents WHERE id IN "
        "(SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?) ORDER BY id"
    )
    hits = 0
    for _doc_id, text in raw.execute(query, (match,)):
        for m in pattern.finditer(text):
            text[max(0, m.start() - 60) : m.end() + 60]
            hits += 1
        if hits >= limit:
            break
    return hits


def index_cost(folder: Path, n_docs: int, runs: int) -> None:
    """What keeping the index costs an import: the same articles stored into a fresh project with
    the index's triggers and without them (dropped), alternated, median of `runs`."""
    rng = random.Random(5)
    vocab = vocabulary(rng, 20000)
    cumulative = list(itertools.accumulate(1.0 / (rank + 1) for rank in range(len(vocab))))
    rows = []
    for i in range(n_docs):
        text = article(rng, vocab, cumulative, i)
        rows.append(
            dict(
                ext_id=f"cost-{i}",
                sha256=text_sha256(text),
                title=f"Article {i}",
                text=text,
                n_chars=len(text),
                meta={},
                encoding="utf-8",
                source=None,
                imported_at=utc_now(),
            )
        )
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--cost-docs", type=int, default=5000, help="articles for the import-cost line (0: skip)")
    args = parser.parse_args(argv)
    folder = args.out or Path(tempfile.mkdtemp(prefix="bench-search-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"search-{args.docs}.db"
    try:
        if not path.exists():
            t0 = time.perf_counter()
            build(path, args.docs)
            print(
                f"built {args.docs:,} articles in {time.perf_counter() - t0:.1f} s ({path.stat().st_size / 1e6:.0f} MB)"
            )
        if args.cost_docs:
            index_cost(folder, args.cost_docs, 3)
        project = Project.open(path, readonly=True)
        raw = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        rng = random.Random(14)
        vocab = vocabulary(rng, 20000)
        queries = [vocab[5000], vocab[300], "Kyiv", f"minister {vocab[3]}", "security"]
        print(
            f"{'query':<22} {'docs':>7} {'list ms':>8} {'floor ms':>9} {'x floor':>8} {'LIKE ms':>8}"
            f" {'corpus ms':>10} {'cfloor ms':>10} {'x floor':>8}"
        )
        for q in queries:
            ids = doc_svc.document_ids(project, search=q)
            assert ids == fts_floor(raw, q), q
            timings: dict[str, list[float]] = {k: [] for k in ("list", "floor", "like", "corpus", "cfloor")}
            for _ in range(args.runs):  # alternated, so load changes hit both alike
                timings["list"].append(median_ms(lambda q=q: doc_svc.document_ids(project, search=q), 1))
                timings["floor"].append(median_ms(lambda q=q: fts_floor(raw, q), 1))
                timings["corpus"].append(median_ms(lambda q=q: search(project, SearchQuery(q)), 1))
                timings["cfloor"].append(median_ms(lambda q=q: corpus_floor(raw, q), 1))
            timings["like"].append(median_ms(lambda q=q: like_scan(raw, q), 1))
            m = {k: statistics.median(v) for k, v in timings.items()}
            print(
                f"{q:<22} {len(ids):>7,} {m['list']:>8.1f} {m['floor']:>9.1f} {m['list'] / m['floor']:>7.1f}x"
                f" {m['like']:>8.0f} {m['corpus']:>10.1f} {m['cfloor']:>10.1f} {m['corpus'] / m['cfloor']:>7.1f}x"
            )
        raw.close()
        project.close()
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; median of {args.runs} runs")
    finally:
        if args.out is None:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
