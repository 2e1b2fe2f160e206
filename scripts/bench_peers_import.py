"""Import 20,000 documents with 100,000 spans and 20,000 document stances: annotator beside Label
Studio 1.23.2 and doccano 1.8.4 on the same data, in one run.

The data is the peers' own (`gen_synthetic.py` in the peers folder, seed 1): each article's 5 spans
(CLAIM / SOURCE) and its stance. Label Studio gets it as one task import with annotations (its
benchmark's step 4a), doccano as one JSONL upload with entities and a category (its step 4), both
through their HTTP APIs on their default SQLite back end, timed by their benchmarks' own methods
(`bench_labelstudio.py` / `bench_doccano.py`, imported from the peers folder) from the request until
every task is visible, each into a new project. A peer's server starts once (a first start also runs
its migrations, minutes on a loaded machine; the work folder is kept, so later runs restart) and
imports --runs times, outside the timing of the start. annotator gets the same documents, spans
(claim / source) and stances (target nato_membership) as annotation JSONL and runs the whole
`annotator --project NEW import FILE` command (start-up included) --runs times before and after
each peer, so that a change in the machine's load shows.

Reported per tool: median wall seconds of the import and CPU seconds (annotator: the command's own,
from wait4; a peer: its server processes' CPU during the import, summed over the process tree with
psutil), with the 1-minute load average at each start. The last line is one JSON object.
Needs the peers' venvs (`PEERS_VENVS`, default /work/peers-venvs: ls-venv and dc-venv with psutil and
requests) and their scripts (`PEERS_DIR`, default /work/shared/peers).

    python scripts/bench_peers_import.py --runs 2       # about 10 minutes on a quiet machine
    python scripts/bench_peers_import.py --tools app,ls  # one peer only
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
PEERS = Path(os.environ.get("PEERS_DIR", "/work/shared/peers"))
VENVS = Path(os.environ.get("PEERS_VENVS", "/work/peers-venvs"))

PEER = r"""
import json, os, sys, time
from types import SimpleNamespace
sys.path.insert(0, sys.argv[1])
import psutil
import bench_common as bc
tool, venv, work, n, runs = sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
fresh = not os.path.exists(os.path.join(work, "home"))
os.makedirs(os.path.join(work, "home", "doccano"), exist_ok=True)
os.makedirs(os.path.join(work, "exports"), exist_ok=True)

def cpu(pids):
    total = 0.0
    for pid in pids:
        try:
            root = psutil.Process(pid)
            for p in [root, *root.children(recursive=True)]:
                t = p.cpu_times()
                total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total

synth = bc.load_synth(n)
if tool == "ls":
    import bench_labelstudio as B
    args = SimpleNamespace(venv=venv, workdir=work, port=18080, start_timeout=1800, op_timeout=1800)
    server = B.LS(args)
    server.sampler = bc.RssSampler()
    server.start("bench")
    pids = [server.proc.pid]
    tasks = []
    for d in synth:
        t = d["text"]
        result = [B.span_result(t, a, b, lab) for a, b, lab in d["meta"]["spans"]]
        result.append(B.stance_result(d["meta"]["stance"]))
        tasks.append({"data": {"text": t, "doc_id": d["meta"]["doc_id"]}, "annotations": [{"result": result}]})
    def one(k):
        project = server.create_project(f"annotated {time.time()}")
        return server.import_tasks(project, tasks, len(tasks), 1800)
else:
    import bench_doccano as B
    args = SimpleNamespace(venv=venv, workdir=work, port=18000, workers=0, concurrency=2, start_timeout=1800,
                           op_timeout=1800)
    server = B.DC(args)
    server.sampler = bc.RssSampler()
    if fresh:
        server.run_cli("init", timeout=1800)
        server.run_cli("createuser", "--username", B.USER, "--password", B.PASSWORD, timeout=600)
    server.start_web("bench")
    server.start_worker("bench")
    pids = [server.web.pid, server.worker.pid]
    recs = [{"text": d["text"], "doc_id": d["meta"]["doc_id"], "entities": d["meta"]["spans"],
             "cats": [d["meta"]["stance"]]} for d in synth]
    def one(k):
        project = server.create_project(f"annotated {time.time()}")
        return server.import_jsonl(project, recs, len(recs), "synth-annotated.jsonl", 1800)
try:
    for k in range(runs):
        load = os.getloadavg()[0]
        before = cpu(pids)
        r = one(k)
        print(json.dumps({"wall": r["seconds"], "cpu": cpu(pids) - before, "load": load}), flush=True)
finally:
    server.stop()
"""


def annotation_lines(synth: Path, out: Path, n: int) -> None:
    """The peers' documents, spans and stances as annotator's annotation JSONL."""
    with synth.open(encoding="utf-8") as lines, out.open("w", encoding="utf-8") as fh:
        for i, line in enumerate(lines):
            if i >= n:
                break
            d = json.loads(line)
            spans = [{"label": label.lower(), "start": a, "end": b} for a, b, label in d["meta"]["spans"]]
            record = {
                "document": {"id": str(d["meta"]["doc_id"]), "text": d["text"]},
                "annotator": "alice",
                "spans": spans,
                "stances": [{"target": "nato_membership", "value": d["meta"]["stance"]}],
            }
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")


def run_app(data: Path, work: Path) -> dict[str, float]:
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    argv = [sys.executable, "-m", "annotator.cli", "--project", str(work / "p.db"), "import", str(data)]
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    assert proc.stderr is not None
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"annotator import failed: {err[-500:]}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime}


def run_peer(tool: str, work: Path, synth: Path, n: int, runs: int) -> list[dict[str, float]]:
    venv = VENVS / ("ls-venv" if tool == "ls" else "dc-venv")
    env = {**os.environ, "SYNTH_JSONL": str(synth)}
    program = work.parent / "peer_import.py"
    program.write_text(PEER, encoding="utf-8")
    out = subprocess.run(
        [str(venv / "bin" / "python"), str(program), str(PEERS), tool, str(venv), str(work), str(n), str(runs)],
        capture_output=True,
        text=True,
        env=env,
        timeout=7200,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"{tool} failed: {out.stderr[-1500:]}")
    return [dict(json.loads(line)) for line in out.stdout.strip().splitlines() if line.startswith("{")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--work", type=Path, default=Path("/tmp/annotator-bench-peers"))
    parser.add_argument("--tools", default="app,ls,dc", help="which to run (default app,ls,dc)")
    args = parser.parse_args(argv)
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    synth = work / "synth" / "synthetic.jsonl"
    if not synth.exists():
        subprocess.run(
            [sys.executable, str(PEERS / "gen_synthetic.py"), "--n", "20000", "--out", str(synth.parent), "--seed", "1",
             "--no-txt"],
            check=True,
        )  # fmt: skip
    data = work / f"annotations-{args.docs}.jsonl"
    if not data.exists():
        annotation_lines(synth, data, args.docs)
    tools = args.tools.split(",")
    peers = [tool for tool in tools if tool != "app"]
    results: dict[str, list[dict[str, float]]] = {tool: [] for tool in tools}
    # annotator before and after each peer's imports (a peer's server starts once, outside the timing)
    steps = [step for peer in peers for step in ("app", peer)] + ["app"] if "app" in tools else peers
    for step in steps:
        if step == "app":
            for _ in range(args.runs):
                load = os.getloadavg()[0]
                results["app"].append(run_app(data, work / "app") | {"load": load})
                print(f"app {results['app'][-1]}", flush=True)
        else:
            for row in run_peer(step, work / f"run-{step}", synth, args.docs, args.runs):
                results[step].append(row)
                print(f"{step} {row}", flush=True)
    figures: dict[str, Any] = {"docs": args.docs, "runs": args.runs}
    names = {"app": "annotator", "ls": "Label Studio 1.23.2", "dc": "doccano 1.8.4"}
    print("| tool | import wall s (median) | CPU s (median) | load (1 min) |")
    print("|---|---|---|---|")
    for tool, rows in results.items():
        if not rows:
            continue
        wall, cpu = statistics.median(x["wall"] for x in rows), statistics.median(x["cpu"] for x in rows)
        figures[tool] = {"wall_s": wall, "cpu_s": cpu, "runs": rows}
        loads = f"{min(x['load'] for x in rows):.1f}-{max(x['load'] for x in rows):.1f}"
        print(f"| {names[tool]} | {wall:.2f} | {cpu:.2f} | {loads} |")
    if results.get("app"):
        for tool in results:
            if tool != "app" and results[tool]:
                figures[f"{tool}_over_app_wall"] = figures[tool]["wall_s"] / figures["app"]["wall_s"]
                figures[f"{tool}_over_app_cpu"] = figures[tool]["cpu_s"] / figures["app"]["cpu_s"]
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
