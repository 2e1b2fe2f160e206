"""Team-mode load: N annotator processes and a curator on one project, each working through a
scripted day as fast as it can, then again at a person's pace, each day ending in an audit of what
the clients saw committed against the database.

    python scripts/bench_team.py                      # 20 annotators + 1 curator on a throwaway server
    python scripts/bench_team.py --pace 2             # the paced day: one action per client every 2 s
    python scripts/bench_team.py --pace 0             # only the as-fast-as-possible day
    python scripts/bench_team.py --url postgresql+psycopg://me@host/db   # an existing, empty database
    python scripts/bench_team.py --sqlite             # the same on a project file (2 annotators)
    python scripts/bench_team.py --curators 2         # two curators on the same gold rows

Without --url (and without --sqlite) it starts a PostgreSQL cluster in a temporary folder with
scripts/pg_cluster.sh (Debian's postgresql) and stops it at the end.

The day of an annotator, per document (each starts at a different one of a shared corpus):
4 spans (2 claims, 2 sources), an attribute on each, 2 links (claim -> source), 2 document
stances, mark done: 13 actions. Each action is one service call, as the GUI makes it (one
transaction); its latency is the wall time of that call. The curator works on the gold layer of
every document: it reads gold as a window shows it and writes each change naming the version it
read (an attribute on each gold span, the document's stances); a write refused as stale is counted,
read again and written over the stored version ("keep mine"), as the GUI's dialog does.

An observer process, a second client of the project, runs the app's live feed
(`services.live.LiveFeed`: LISTEN/NOTIFY on a server, `PRAGMA data_version` polling on a file) and
records when each change reaches it: the notify-to-screen delay is that moment minus the moment the
writer's commit returned (per commit, the first delivery for its document and layer; the feed
hands the batch to the app's change signal, so painting is not included).

The audit: every action a client saw committed is in the database (lost = 0), and nothing else is:
each annotator's layer (spans with their labels and attributes, relations, stances, statuses)
equals exactly what its log says, and each gold row holds the write with the highest version the
curators logged for it, with that version (no two committed writes claimed one version).

Before the team starts, one annotator alone does the same actions on three documents: that is the
floor (what this machine gives one client, measured in the same run), printed beside the team's
figures with the clients' own CPU time per action and the machine's load average.

Two days, each with new annotators (and the same curators' gold rows): first every client as fast
as it can (the machine's throughput, and the latency when everyone queues for the CPU), then every
client starting one action every --pace seconds (default 1 s: 21 clients give about 21 actions/s,
still several times what a desk of twenty people produces), their rhythms spread evenly, which is the
latency a person at a window sees. "summary" says for each whether its p95 is under 50 ms.

Prints one JSON object. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from annotator.model.errors import StaleWriteError  # noqa: E402
from annotator.model.types import Status  # noqa: E402
from annotator.services import annotations as svc  # noqa: E402
from annotator.services import documents  # noqa: E402
from annotator.services.project import Project  # noqa: E402

_SENTENCE = (
    "The minister said talks on security guarantees would continue, while NATO officials in Brussels "
    "declined to comment on reports that membership was discussed at the summit. "
)
CLAIM_TYPES = ("factual", "opinion", "prediction", "demand")
SOURCE_TYPES = ("named_person", "official", "organization", "media")
TARGETS = ("nato_membership", "security_guarantees")
STANCES = ("favor", "against", "neutral", "not_addressed")


def corpus_texts(n: int) -> list[str]:
    return [f"Article {i}. " + _SENTENCE * 12 for i in range(n)]


def _spans_of(text: str) -> list[tuple[str, int, int]]:
    """Four spans of a document: claim, source, claim, source (word-aligned, disjoint)."""
    out = []
    for k, (label, word) in enumerate(
        (("claim", "talks"), ("source", "minister"), ("claim", "membership"), ("source", "officials"))
    ):
        start = text.index(word, k * 40)
        out.append((label, start, start + len(word)))
    return out


# -- the clients -----------------------------------------------------------------------------------


class Log:
    """One client's record: every action it saw committed, with its latency and commit time.

    With a pace of T seconds the client starts its k-th action no earlier than `first + k * T`
    (a person's rhythm, still far faster than one); with 0 it goes as fast as it can."""

    def __init__(self, pace: float = 0.0, first: float = 0.0) -> None:
        self.actions: list[dict[str, Any]] = []
        self.pace, self.next_at = pace, first

    def timed(self, kind: str, doc: int, layer: int, call: Any, *args: Any, **kwargs: Any) -> Any:
        if self.pace:
            _wait(self.next_at)
            self.next_at = max(self.next_at + self.pace, time.time())
        start, cpu = time.time(), time.process_time()
        result = call(*args, **kwargs)
        end = time.time()
        self.actions.append(
            {"kind": kind, "doc": doc, "layer": layer, "start": start, "end": end, "cpu": time.process_time() - cpu}
        )
        return result


def annotator_day(
    location: str, name: str, doc_ids: list[int], start_at: float, out: str, pace: float = 0.0, offset: float = 0.0
) -> None:
    project = Project.open(location)
    me = project.annotator(name).id
    log = Log(pace, start_at + offset)
    expected: dict[str, Any] = {"spans": {}, "relations": [], "stances": {}, "done": []}
    _wait(start_at)
    for doc in doc_ids:
        text = documents.load_view(project, doc, me).document.text
        ids = []
        for label, start, end in _spans_of(text):
            span, _ = log.timed("span", doc, me, svc.add_span, project, doc, me, label, start, end)
            ids.append(span.id)
            expected["spans"][span.id] = [label, {}]
        for n, span_id in enumerate(ids):
            label = expected["spans"][span_id][0]
            attr, value = (
                ("claim_type", CLAIM_TYPES[n % 4]) if label == "claim" else ("source_type", SOURCE_TYPES[n % 4])
            )
            log.timed("attribute", doc, me, svc.set_attribute, project, span_id, attr, value)
            expected["spans"][span_id][1][attr] = value
        for claim, source in ((ids[0], ids[1]), (ids[2], ids[3])):
            result, _ = log.timed("link", doc, me, svc.link, project, "attributed_to", claim, source)
            expected["relations"].append(result.relation.id)
        for n, target in enumerate(TARGETS):
            value = STANCES[(doc + n) % 4]
            log.timed("stance", doc, me, svc.set_stance, project, doc, me, target, value)
            expected["stances"][f"{doc}:{target}"] = value
        log.timed("done", doc, me, svc.set_status, project, doc, me, Status.DONE)
        expected["done"].append(doc)
    project.close()
    Path(out).write_text(json.dumps({"name": name, "layer": me, "actions": log.actions, "expected": expected}))


def curator_day(
    location: str, name: str, doc_ids: list[int], start_at: float, out: str, pace: float = 0.0, offset: float = 0.0
) -> None:
    """Gold edits naming the version read; a stale one is read again and written over ("keep mine")."""
    project = Project.open(location)
    gold = project.annotator("gold").id
    log = Log(pace, start_at + offset)
    writes: list[dict[str, Any]] = []
    stale = 0
    _wait(start_at)
    for doc in doc_ids:
        view = documents.load_view(project, doc, gold, [gold])
        for span in view.spans:
            attr = "claim_type" if span.label == "claim" else "source_type"
            values = CLAIM_TYPES if span.label == "claim" else SOURCE_TYPES
            value = values[(span.version + len(name)) % 4]
            seen = span.version
            while True:
                try:
                    _b, after, _c = log.timed(
                        "gold_attribute",
                        doc,
                        gold,
                        svc.set_attribute,
                        project,
                        span.id,
                        attr,
                        value,
                        expected_version=seen,
                    )
                    break
                except StaleWriteError as exc:
                    stale += 1
                    seen = int(getattr(exc.stored, "version", 0))
            writes.append({"span": after.id, "version": after.version, "attributes": dict(after.attributes)})
        for target in TARGETS:
            seen = svc.stance_version(project, doc, gold, target)
            value = STANCES[(doc + len(name)) % 4]
            while True:
                try:
                    _p, version, _c = log.timed(
                        "gold_stance",
                        doc,
                        gold,
                        svc.write_stance,
                        project,
                        doc,
                        gold,
                        target,
                        value,
                        expected_version=seen,
                    )
                    break
                except StaleWriteError:
                    stale += 1
                    seen = svc.stance_version(project, doc, gold, target)
            writes.append({"stance": f"{doc}:{target}", "version": version, "value": value})
    project.close()
    Path(out).write_text(json.dumps({"name": name, "actions": log.actions, "gold_writes": writes, "stale": stale}))


def observer(location: str, stop_at_file: str, out: str, ready: Any) -> None:
    """A second client's live feed: when each (document, layer) change reached it."""
    try:
        from annotator.services.live import LiveFeed  # type: ignore[import-not-found, unused-ignore]
    except ImportError:  # a build without live updates: no figure
        ready.set()
        Path(out).write_text("null")
        return
    project = Project.open(location)
    arrivals: list[tuple[float, list[list[int]], bool]] = []

    def deliver(found: Any) -> None:
        arrivals.append((time.time(), [list(p) for p in found.layers], bool(found.unknown)))

    feed = LiveFeed(project, deliver)
    feed.wait_listening()
    ready.set()
    while not Path(stop_at_file).exists():
        time.sleep(0.1)
    time.sleep(1.0)  # the last notifications
    feed.stop()
    project.close()
    Path(out).write_text(json.dumps(arrivals))


def _wait(start_at: float) -> None:
    time.sleep(max(0.0, start_at - time.time()))


# -- the run ---------------------------------------------------------------------------------------


def seed(location: str, n_docs: int, work: Path) -> list[int]:
    """The corpus, and a gold layer with the four spans of each document for the curator."""
    from annotator.io.importer import import_paths

    corpus = work / "corpus.jsonl"  # removed with the run's temporary folder
    lines = (
        json.dumps({"id": f"doc-{i}", "title": f"Article {i}", "text": t}) for i, t in enumerate(corpus_texts(n_docs))
    )
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    project = Project.open(location)
    try:
        import_paths(project, [corpus])
        ids = documents.document_ids(project)
        gold = project.annotator("gold").id
        for doc in ids:
            text = documents.load_view(project, doc, gold).document.text
            for label, start, end in _spans_of(text):
                svc.add_span(project, doc, gold, label, start, end)
        return ids
    finally:
        project.close()


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    ordered = sorted(values)
    q = statistics.quantiles(ordered, n=100, method="inclusive") if len(ordered) > 1 else ordered * 99
    return {"p50_ms": round(q[49] * 1000, 1), "p95_ms": round(q[94] * 1000, 1), "p99_ms": round(q[98] * 1000, 1)}


def notify_delays(logs: list[dict[str, Any]], arrivals: list[tuple[float, list[list[int]], bool]]) -> list[float]:
    """Per commit, the first delivery at or after its start covering its (document, layer)."""
    by_pair: dict[tuple[int, int], list[float]] = defaultdict(list)
    unknown: list[float] = []
    for moment, pairs, is_unknown in arrivals:
        if is_unknown:
            unknown.append(moment)
        for doc, layer in pairs:
            by_pair[(doc, layer)].append(moment)
    delays = []
    for log in logs:
        for action in log["actions"]:
            candidates = [t for t in by_pair.get((action["doc"], action["layer"]), []) if t >= action["start"]]
            candidates += [t for t in unknown if t >= action["start"]]
            if candidates:
                delays.append(max(0.0, min(candidates) - action["end"]))
    return delays


def audit(location: str, logs: list[dict[str, Any]], curators: list[dict[str, Any]]) -> dict[str, int]:
    """Lost: committed actions whose result is not in the database. Extra: rows no log accounts for."""
    project = Project.open(location)
    lost = extra = 0
    try:
        for log in logs:
            exp, layer = log["expected"], log["layer"]
            docs = sorted({a["doc"] for a in log["actions"]})
            spans, relations, stances, done = {}, set(), {}, set()
            for doc in docs:
                view = documents.load_view(project, doc, layer, [layer])
                spans.update({s.id: [s.label, dict(s.attributes)] for s in view.spans})
                relations.update(r.id for r in view.relations)
                stances.update({f"{doc}:{s.target}": s.value for s in view.stances})
                if view.status.status == Status.DONE:
                    done.add(doc)
            want_spans = {int(k): v for k, v in exp["spans"].items()}
            lost += sum(1 for k, v in want_spans.items() if spans.get(k) != v)
            extra += sum(1 for k in spans if k not in want_spans)
            lost += len(set(exp["relations"]) - relations) + len(exp["stances"].items() - stances.items())
            extra += len(relations - set(exp["relations"])) + len(stances.keys() - exp["stances"].keys())
            lost += len(set(exp["done"]) - done)
        gold = project.annotator("gold").id
        gold_spans = {
            s.id: s
            for d in documents.document_ids(project)
            for s in documents.load_view(project, d, gold, [gold]).spans
        }
        final: dict[str, dict[str, Any]] = {}
        claimed: set[tuple[str, int]] = set()
        for curator in curators:
            for write in curator["gold_writes"]:
                key = f"span:{write['span']}" if "span" in write else f"stance:{write['stance']}"
                if (key, write["version"]) in claimed:
                    lost += 1  # two committed writes claimed one version: one of them was overwritten
                claimed.add((key, write["version"]))
                if key not in final or write["version"] > final[key]["version"]:
                    final[key] = write
        for key, write in final.items():
            kind, ident = key.split(":", 1)
            if kind == "span":
                span = gold_spans.get(int(ident))
                if span is None or dict(span.attributes) != write["attributes"] or span.version != write["version"]:
                    lost += 1
            else:
                doc, target = ident.split(":")
                stance = [s for s in documents.load_view(project, int(doc), gold, [gold]).stances if s.target == target]
                if not stance or stance[0].value != write["value"] or stance[0].version != write["version"]:
                    lost += 1
    finally:
        project.close()
    return {"lost": lost, "unaccounted_rows": extra}


def run(
    location: str,
    doc_ids: list[int],
    n_annotators: int,
    n_curators: int,
    docs_per_annotator: int,
    work: Path,
    pace: float = 0.0,
) -> dict[str, Any]:
    """One team's day on the seeded project: as fast as each client can (pace 0), or each client
    starting one action every `pace` seconds (the clients' rhythms spread evenly over the period)."""
    tag = f"p{pace:g}" if pace else "fast"
    work = work / tag
    work.mkdir()
    ctx = mp.get_context("spawn")
    ready = ctx.Event()
    stop_file = work / "stop"
    watcher = ctx.Process(target=observer, args=(location, str(stop_file), str(work / "observer.json"), ready))
    watcher.start()
    ready.wait(60)
    # The floor, measured in the same run: one annotator alone on the project does the same day's
    # actions on a few documents (at the same pace) before the team starts.
    solo = ctx.Process(
        target=annotator_day,
        args=(location, f"solo-{tag}", doc_ids[:3], time.time(), str(work / "solo.json"), pace),
    )
    solo.start()
    solo.join()
    load = os.getloadavg()[0]
    start_at = time.time() + 3.0 + 0.15 * (n_annotators + n_curators)  # every process opened its project
    procs = []
    clients = n_annotators + n_curators
    for i in range(n_annotators):
        mine = [doc_ids[(i + k) % len(doc_ids)] for k in range(docs_per_annotator)]
        out = str(work / f"annotator{i}.json")
        args = (location, f"annotator{i:02d}-{tag}", mine, start_at, out, pace, pace * i / clients)
        procs.append(ctx.Process(target=annotator_day, args=args))
    for i in range(n_curators):
        out = str(work / f"curator{i}.json")
        args = (location, f"curator{i}-{tag}", doc_ids, start_at, out, pace, pace * (n_annotators + i) / clients)
        procs.append(ctx.Process(target=curator_day, args=args))
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    stop_file.touch()
    watcher.join()
    if any(p.exitcode for p in procs):
        raise SystemExit("a client failed: see its traceback above")
    solo_log = json.loads((work / "solo.json").read_text())
    logs = [json.loads((work / f"annotator{i}.json").read_text()) for i in range(n_annotators)]
    curators = [json.loads((work / f"curator{i}.json").read_text()) for i in range(n_curators)]
    arrivals = json.loads((work / "observer.json").read_text())
    everyone = logs + curators
    actions = [a for log in everyone for a in log["actions"]]
    wall = max(a["end"] for a in actions) - min(a["start"] for a in actions)
    by_kind: dict[str, list[float]] = defaultdict(list)
    for a in actions:
        by_kind[a["kind"]].append(a["end"] - a["start"])
    delays = notify_delays(everyone, arrivals) if arrivals is not None else []
    return {
        "pace_s": pace or "as fast as it can",
        "annotators": n_annotators,
        "curators": n_curators,
        "documents": len(doc_ids),
        "actions": len(actions),
        "wall_s": round(wall, 2),
        "actions_per_s": round(len(actions) / wall, 1),
        "latency_all": percentiles([a["end"] - a["start"] for a in actions]),
        "floor_one_client_alone": percentiles([a["end"] - a["start"] for a in solo_log["actions"]]),
        "client_cpu_per_action": percentiles([a["cpu"] for a in actions]),
        "load_average_at_start": round(load, 1),
        "latency_by_action": {k: percentiles(v) for k, v in sorted(by_kind.items())},
        "notify_to_screen": (
            {**percentiles(delays), "commits_seen": len(delays), "commits": len(actions)}
            if arrivals is not None
            else "no live feed in this build"
        ),
        "stale_writes_detected": sum(c["stale"] for c in curators),
        "audit": audit(location, [solo_log, *logs], curators),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="an empty PostgreSQL database (postgresql+psycopg://...)")
    parser.add_argument("--sqlite", action="store_true", help="a project file instead of a server")
    parser.add_argument("--annotators", type=int, help="annotator processes (20; 2 with --sqlite)")
    parser.add_argument("--curators", type=int, default=1)
    parser.add_argument("--docs", type=int, default=10, help="documents in each annotator's day (13 actions each)")
    parser.add_argument(
        "--pace",
        type=float,
        default=1.0,
        help="after the as-fast-as-possible day, a second day with each client starting one action every "
        "PACE seconds (default 1.0; 0: no paced day)",
    )
    parser.add_argument("--paced-only", action="store_true", help="only the paced day")
    args = parser.parse_args()
    n = args.annotators or (2 if args.sqlite else 20)
    with tempfile.TemporaryDirectory(prefix="bench-team-") as tmp:
        work = Path(tmp)
        cluster = None
        if args.sqlite:
            location, backend = str(work / "team.db"), "sqlite"
        elif args.url:
            location, backend = args.url, "postgresql"
        else:
            cluster = Path(tempfile.mkdtemp(prefix="bench-team-pg-"))  # its own: the server's user enters it
            started = subprocess.run(
                [str(REPO / "scripts" / "pg_cluster.sh"), "start", str(cluster)], capture_output=True, text=True
            )
            if started.returncode:
                raise SystemExit(f"could not start a PostgreSQL cluster: {started.stderr.strip()}")
            location, backend = started.stdout.strip(), "postgresql"
        try:
            doc_ids = seed(location, max(args.docs, n), work)
            result: dict[str, Any] = {"backend": backend, "cpus": os.cpu_count()}
            paces = ([] if args.paced_only else [0.0]) + ([args.pace] if args.pace > 0 else [])
            for pace in paces:
                key = f"paced_{pace:g}s" if pace else "as_fast_as_possible"
                result[key] = run(location, doc_ids, n, args.curators, args.docs, work, pace)
            result["summary"] = {
                key: {
                    "actions_per_s": day["actions_per_s"],
                    "p95_save_ms": day["latency_all"]["p95_ms"],
                    "p95_under_50_ms": day["latency_all"]["p95_ms"] < 50,
                    "lost": day["audit"]["lost"],
                    "notify_p95_ms": day["notify_to_screen"].get("p95_ms")
                    if isinstance(day["notify_to_screen"], dict)
                    else None,
                    "client_cpu_per_action_p50_ms": day["client_cpu_per_action"]["p50_ms"],
                    "load_average_at_start": day["load_average_at_start"],
                }
                for key, day in result.items()
                if isinstance(day, dict) and "latency_all" in day
            }
        finally:
            if cluster is not None:
                subprocess.run([str(REPO / "scripts" / "pg_cluster.sh"), "stop", str(cluster)], capture_output=True)
                shutil.rmtree(cluster, ignore_errors=True)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
