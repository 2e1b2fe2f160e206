"""The benchmark script still runs end to end (tiny sizes; figures are not asserted)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_benchmark_runs_small(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [
        sys.executable,
        str(REPO / "scripts" / "benchmark.py"),
        "--docs",
        "40",
        "--spans",
        "300",
        "--out",
        str(tmp_path / "bench"),
    ]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    assert figures["import"]["documents"] == 40
    assert figures["store_spans"]["spans"] == 300
    assert figures["stats"]["figures"]["spans"] == 300
    assert figures["export_csv"]["rows"]["spans"] == 300
    assert figures["export_jsonl"]["rows"]["spans"] == 300
    assert all(figures[phase]["peak_rss_mb"] > 0 for phase in ("import", "export_csv", "export_jsonl"))
