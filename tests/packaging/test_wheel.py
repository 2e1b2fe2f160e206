"""The built wheel installs like a Python app: schemes and the seed corpus travel inside the package.

Builds the wheel from a copy of the checkout, installs it (without dependencies) into a fresh venv
that sees this test venv's site-packages through a .pth file (so PySide6 and SQLAlchemy are not
downloaded again), and runs the installed `annotator` from a folder outside the checkout: init with
a shipped scheme, import the shipped corpus, stats, export.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[2]
# The wheel is built once for both tests: under `make test -n 2 --dist loadgroup` one worker runs them.
pytestmark = pytest.mark.xdist_group("wheel")
IGNORED = shutil.ignore_patterns(".venv", ".git", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", "tests")


def _run(cmd: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{cmd} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("setuptools", minversion="77")
    work = tmp_path_factory.mktemp("wheel")
    source = work / "src"
    shutil.copytree(REPO, source, ignore=IGNORED)
    out = work / "dist"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    _run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", str(out), "."],
        source,
        env,
    )
    (found,) = out.glob("annotator-*.whl")
    return found


def test_wheel_carries_schemes_and_corpus(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for shipped in (REPO / "resources").rglob("*"):
        if shipped.is_file():
            assert f"annotator/resources/{shipped.relative_to(REPO / 'resources').as_posix()}" in names
    assert "annotator/corpus/articles.jsonl" in names
    assert "annotator/py.typed" in names
    assert not any(name.startswith(("resources/", "corpus/", "tests/")) for name in names)


def test_installed_app_imports_and_exports_outside_the_checkout(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    site = Path(
        subprocess.check_output([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])
        .decode()
        .strip()
    )
    (site / "reuse_test_venv.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    _run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps", str(wheel)],
        tmp_path,
        env,
    )

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    where = _run(
        [str(python), "-c", "import annotator, annotator.paths as p; print(annotator.__file__); print(p.CORPUS_DIR)"],
        outside,
        env,
    ).stdout.split()
    assert all(Path(found).is_relative_to(site) for found in where), where
    corpus = Path(where[1]) / "articles.jsonl"

    app = str(env_dir / "bin" / "annotator")
    project = outside / "p.db"
    # A shipped scheme by name: found inside the installed package, not in a checkout.
    _run([app, "init", str(project), "--scheme", "fnc1"], outside, env)
    shown = _run([app, "--project", str(project), "scheme", "show"], outside, env).stdout
    assert "fnc1-stance" in shown
    _run([app, "--project", str(project), "import", str(corpus)], outside, env)
    counts = json.loads(_run([app, "--project", str(project), "stats", "--json"], outside, env).stdout)
    n_articles = sum(1 for line in corpus.read_text(encoding="utf-8").splitlines() if line.strip())
    assert counts["documents"] == n_articles > 0
    _run([app, "--project", str(project), "export", "--out", str(outside / "tables")], outside, env)
    documents = pd.read_csv(outside / "tables" / "documents.csv", keep_default_na=False)
    assert len(documents) == n_articles
    _run([app, "--project", str(project), "export", "--out", str(outside / "all.jsonl")], outside, env)
    assert (outside / "all.jsonl").is_file()
    _run([app, "--project", str(project), "export", "--out", str(outside / "book.xlsx")], outside, env)
    assert zipfile.is_zipfile(outside / "book.xlsx")
