"""Annotation JSONL import and `stats --json`, each beside a standard-library floor measured in the same run.

Generates (once, kept in --work) N synthetic documents of about 3,000 characters with one annotation
line each in the contract's format: the document with its text, 5 spans with attributes, 2
attributed_to relations and 3 stances, status done (20,000 documents give the issue's 100,000
spans). Then, --runs times, alternating which goes first:

  import  `python -m annotator.cli --project NEW import annotations.jsonl` (the whole command:
          interpreter start-up, imports, checks, one transaction) against the floor: a stdlib
          program that parses every line with json, checks each span's text against the document,
          and inserts documents, spans, relations and stances with sqlite3 executemany in one
          WAL transaction (no scheme, no duplicate detection, no status).
  stats   `python -m annotator.cli --project P stats --json` on the imported project against a
          stdlib program that opens the file with sqlite3 and counts the same tables.

Prints each command's median wall and CPU seconds, the median of the per-run app/floor ratios and the
peak RSS. Not part of the test suite.

    python scripts/bench_import.py                       # 20,000 documents, 3 runs
    python scripts/bench_import.py --docs 2000 --runs 1  # quick

A second import floor, `floor+fts`, also builds the full-text index the app keeps (FTS5 over document
id, title and text and over span text, `store.fulltext`) the cheapest way, once at the end: the plain
floor indexes nothing, so part of the app/floor gap is that index. Both ratios are printed. The last
line is every figure as one JSON object.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SENTENCES = (
    "The ministry said talks on security guarantees would continue next week. ",
    "Officials in Brussels declined to comment on reports about NATO membership. ",
    "Analysts expect a decision before winter, although critics argue the plan lacks detail. ",
    "A spokesperson confirmed that the aid package was worth two billion euros. ",
)
CLAIMS = ("Ukraine will join NATO within a decade", "the summit will fail", "guarantees are worth nothing")
SOURCES = (("Zelensky", "named_person"), ("Reuters", "media"), ("the foreign ministry", "official"))
TARGETS, VALUES = ("nato_membership", "security_guarantees"), ("favor", "against", "neutral")

FLOOR = r'''"""The floor: what a standard-library program must do at least for the same work."""
import hashlib, json, sqlite3, sys

SCHEMA = """
CREATE TABLE docs(id INTEGER PRIMARY KEY, ext_id TEXT UNIQUE, title TEXT, text TEXT, sha256 TEXT UNIQUE);
CREATE TABLE spans(id INTEGER PRIMARY KEY, doc INTEGER, annotator TEXT, local_id TEXT, label TEXT,
                   start INTEGER, "end" INTEGER, text TEXT, attributes TEXT);
CREATE TABLE relations(id INTEGER PRIMARY KEY, doc INTEGER, annotator TEXT, type TEXT, from_span TEXT, to_span TEXT);
CREATE TABLE stances(id INTEGER PRIMARY KEY, doc INTEGER, annotator TEXT, target TEXT, value TEXT, span TEXT);
"""


FTS = """
CREATE VIRTUAL TABLE docs_fts USING fts5(ext_id, title, text, content='docs', content_rowid='id',
                                         tokenize = 'unicode61 remove_diacritics 0');
CREATE VIRTUAL TABLE spans_fts USING fts5(text, content='spans', content_rowid='id',
                                          tokenize = 'unicode61 remove_diacritics 0');
"""


def import_fts(db, path):
    """The same, plus the app's full-text index (FTS5 over document id, title and text, and span
    text), built the cheapest way: one INSERT ... SELECT per index at the end."""
    import_annotations(db, path, fts=True)


def import_annotations(db, path, fts=False):
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.executescript(SCHEMA + (FTS if fts else ""))
    con.execute("BEGIN")
    bad, batch = 0, []
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            batch.append(json.loads(line))
            if len(batch) == 500:
                bad += _store(con, batch)
                batch = []
    bad += _store(con, batch)
    for t in ("spans", "relations", "stances"):
        con.execute(f"CREATE INDEX {t}_doc ON {t}(doc)")
    if fts:
        con.execute("INSERT INTO docs_fts(rowid, ext_id, title, text) SELECT id, ext_id, title, text FROM docs")
        con.execute("INSERT INTO spans_fts(rowid, text) SELECT id, text FROM spans")
    con.execute("COMMIT")
    sys.exit(1 if bad else 0)


def _store(con, records):
    bad, spans, relations, stances = 0, [], [], []
    for r in records:
        d, who = r["document"], r["annotator"]
        text = d["text"]
        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        bad += d.get("sha256", sha) != sha
        con.execute("INSERT OR IGNORE INTO docs(ext_id, title, text, sha256) VALUES (?,?,?,?)",
                    (d["id"], d["title"], text, sha))
        doc = con.execute("SELECT id FROM docs WHERE sha256=?", (sha,)).fetchone()[0]
        for s in r["spans"]:
            if text[s["start"]:s["end"]] != s["text"]:
                bad += 1
                continue
            spans.append((doc, who, s["id"], s["label"], s["start"], s["end"], s["text"], json.dumps(s["attributes"])))
        relations += [(doc, who, x["type"], x["from"], x["to"]) for x in r["relations"]]
        stances += [(doc, who, x["target"], x["value"], x["span"]) for x in r["stances"]]
    con.executemany('INSERT INTO spans(doc, annotator, local_id, label, start, "end", text, attributes) '
                    "VALUES (?,?,?,?,?,?,?,?)", spans)
    con.executemany("INSERT INTO relations(doc, annotator, type, from_span, to_span) VALUES (?,?,?,?,?)", relations)
    con.executemany("INSERT INTO stances(doc, annotator, target, value, span) VALUES (?,?,?,?,?)", stances)
    return bad


def stats(db):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    tables = ("documents", "annotators", "spans", "relations", "stances")
    print(json.dumps({t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}))


if __name__ == "__main__":
    {"import": import_annotations, "import-fts": import_fts, "stats": stats}[sys.argv[1]](*sys.argv[2:])
'''


def document(rng: random.Random, i: int) -> tuple[str, list[tuple[str, int, int, dict[str, str]]]]:
    """A text of about 3,000 characters and its 5 spans (3 claims, 2 sources) at known offsets."""
    parts: list[str] = []
    spans: list[tuple[str, int, int, dict[str, str]]] = []
    pos = 0
    specials = [("claim", c) for c in rng.sample(CLAIMS, 3)] + [("source", s) for s in rng.sample(SOURCES, 2)]
    rng.shuffle(specials)
    for label, what in specials:
        filler = "".join(rng.choices(SENTENCES, k=3))
        parts.append(filler)
        pos += len(filler)
        if label == "claim":
            lead, body = "They said that ", str(what)
            attrs = {"claim_type": rng.choice(("factual", "prediction")), "checkworthy": rng.choice(("yes", "no"))}
        else:
            name, kind = what
            lead, body, attrs = "According to ", str(name), {"source_type": str(kind)}
        parts.append(lead + body + ". ")
        spans.append((label, pos + len(lead), pos + len(lead) + len(body), attrs))
        pos += len(lead) + len(body) + 2
    text = f"Article {i}. " + "".join(parts)
    shift = len(f"Article {i}. ")
    return text, [(label, a + shift, b + shift, attrs) for label, a, b, attrs in spans]


def generate(path: Path, n_docs: int, seed: int = 14) -> dict[str, int]:
    rng = random.Random(seed)
    counts = {"documents": n_docs, "spans": 0, "relations": 0, "stances": 0}
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n_docs):
            text, spans = document(rng, i)
            items = [
                {"id": f"s{n}", "label": label, "start": a, "end": b, "text": text[a:b], "attributes": attrs}
                for n, (label, a, b, attrs) in enumerate(spans, 1)
            ]
            claims = [s["id"] for s in items if s["label"] == "claim"]
            sources = [s["id"] for s in items if s["label"] == "source"]
            relations = [{"type": "attributed_to", "from": c, "to": s} for c, s in zip(claims, sources, strict=False)]
            stances = [{"target": t, "value": rng.choice(VALUES), "span": None} for t in TARGETS]
            stances.append({"target": TARGETS[1], "value": rng.choice(VALUES), "span": claims[0]})
            line = {
                "document": {
                    "id": f"doc-{i:06d}",
                    "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
                    "title": f"Synthetic article {i}",
                    "text": text,
                },
                "annotator": "alice",
                "status": "done",
                "spans": items,
                "relations": relations,
                "stances": stances,
            }
            counts["spans"] += len(items)
            counts["relations"] += len(relations)
            counts["stances"] += len(stances)
            fh.write(json.dumps(line, ensure_ascii=False) + "\n")
    return counts


def run(argv: list[str]) -> dict[str, Any]:
    """Run a command to its end; wall and CPU seconds of the child, its peak RSS and exit code."""
    start = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    assert proc.stderr is not None
    err = proc.stderr.read().decode(errors="replace").strip().splitlines()
    proc.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"{' '.join(argv)} exited {code}: {err[-1] if err else ''}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss": usage.ru_maxrss / 1024}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=20_000, help="documents, one annotation line each (default 20000)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each command (default 3)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/annotator-bench-import"), help="work folder (kept)")
    args = parser.parse_args(argv)
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    data = work / f"annotations-{args.docs}.jsonl"
    if not data.exists():
        counts = generate(data.with_suffix(".part"), args.docs)
        data.with_suffix(".part").rename(data)
        print(f"generated {data}: {counts}", flush=True)
    floor = work / "floor.py"
    floor.write_text(FLOOR, encoding="utf-8")
    app_db = work / "app" / "p.db"
    cli = [sys.executable, "-m", "annotator.cli", "--project"]
    python_floor = [sys.executable, str(floor)]
    # Each work: the app's command and its floors; each side imports into a fresh folder of its own.
    works: dict[str, dict[str, tuple[list[str], Path | None]]] = {
        "import": {
            "app": (cli + [str(app_db), "import", str(data)], app_db),
            "floor": (python_floor + ["import", str(work / "floor" / "f.db"), str(data)], work / "floor" / "f.db"),
            "floor+fts": (
                python_floor + ["import-fts", str(work / "floor-fts" / "f.db"), str(data)],
                work / "floor-fts" / "f.db",
            ),
        },
        "stats": {
            "app": (cli + [str(app_db), "stats", "--json"], None),
            "floor": (python_floor + ["stats", str(app_db)], None),
        },
    }
    results: dict[str, dict[str, list[dict[str, Any]]]] = {
        w: {side: [] for side in sides} for w, sides in works.items()
    }
    for r in range(args.runs):
        for name, sides in works.items():
            order = list(sides.items())
            shift = r % len(order)  # alternate which side goes first
            for side, (command, db) in order[shift:] + order[:shift]:
                if db is not None:
                    shutil.rmtree(db.parent, ignore_errors=True)
                    db.parent.mkdir(parents=True)
                results[name][side].append(run(command))
            walls = "  ".join(f"{side} {rows[-1]['wall']:7.3f} s" for side, rows in results[name].items())
            print(f"run {r + 1} {name:6s} {walls}", flush=True)
    load = os.getloadavg()
    print(f"\n{args.docs:,} documents, {args.runs} runs, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    print(
        "| work | floor | app cpu s | floor cpu s | app/floor cpu | app wall s | floor wall s | app/floor wall "
        "| app RSS MB |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    figures: dict[str, Any] = {"docs": args.docs, "runs": args.runs, "load_average": list(load)}

    def med(rows: list[dict[str, Any]], key: str) -> float:
        return statistics.median(row[key] for row in rows)

    for name, sides in results.items():
        mine = sides["app"]
        figures[name] = {
            "app_cpu_s": med(mine, "cpu"),
            "app_wall_s": med(mine, "wall"),
            "app_rss_mb": max(a["rss"] for a in mine),
        }
        for side, base in sides.items():
            if side == "app":
                continue
            ratio = {
                k: statistics.median(a[k] / b[k] for a, b in zip(mine, base, strict=True)) for k in ("wall", "cpu")
            }
            figures[name][side] = {
                "cpu_s": med(base, "cpu"),
                "wall_s": med(base, "wall"),
                "ratio_cpu": ratio["cpu"],
                "ratio_wall": ratio["wall"],
            }
            print(
                f"| {name} | {side} | {med(mine, 'cpu'):.2f} | {med(base, 'cpu'):.2f} | {ratio['cpu']:.2f} | "
                f"{med(mine, 'wall'):.2f} | {med(base, 'wall'):.2f} | {ratio['wall']:.2f} | "
                f"{max(a['rss'] for a in mine):.0f} |"
            )
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
