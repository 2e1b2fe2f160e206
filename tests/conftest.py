"""Test set-up: Qt runs offscreen, and no test can reach the real user's data or config dirs."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

# A 1920x1080 virtual screen (the offscreen default is 800x800): the window fits itself to the
# screen's available geometry, and the window tests are written for its default 1280x800 size.
os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={Path(__file__).resolve().parent / 'offscreen_screen.json'}"
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")

import pytest  # noqa: E402

from annotator.services.project import Project  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("ANNOTATOR_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("ANNOTATOR_CONFIG_DIR", str(home / "config"))
    monkeypatch.setenv("ANNOTATOR_LOG_DIR", str(home / "log"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "xdg-config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "xdg-cache"))
    monkeypatch.delenv("ANNOTATOR_PROJECT", raising=False)
    monkeypatch.setenv("HOME", str(home))


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    """A fresh writable project file in tmp_path with the default scheme."""
    proj = Project.open(tmp_path / "test.db")
    yield proj
    proj.close()
