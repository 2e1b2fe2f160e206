"""The README documents the Sources window and the new keys, and `make run` says what it installs."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def test_readme_documents_the_sources_window_and_link_keys() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "| Ctrl+Shift+S | Sources… | Annotate |" in readme
    assert "| Ctrl+Shift+L | Show attribution links | View |" in readme
    assert "### Sources window" in readme and "docs/links.png" in readme


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_run_on_a_fresh_machine_says_what_it_installs_and_times_it(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    out = subprocess.run(
        ["make", "-n", f"VENV={venv}", "run"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout
    assert "creating a virtual environment" in out
    assert "installing annotator with PySide6" in out and "the first time takes 1-3 minutes" in out
    assert "grep --line-buffered -E '^(Collecting|Successfully installed)'" in out  # each package shown
    assert "pip finished in" in out
    assert "--quiet -e" not in out  # no silent install
