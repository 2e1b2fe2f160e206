"""The import rules of STYLE.md are import-linter contracts in pyproject.toml; these tests prove they bite.

Each case plants one bad import (relative ones included, and `from annotator import ui`) in a copy of the
package and checks that `lint-imports` fails naming that contract and module, while the real tree passes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

LAYERS = "Layers: model < store < services/io < ui/cli < app"
QT = "PySide6 only in ui and app"
SQL = "sqlalchemy only in store"
UI_STORE = "ui reaches the data through services, never the store"
CONTRACTS = (LAYERS, QT, SQL, UI_STORE)

# (where a bad module is planted under annotator/, its source, the contract it must break). The layer
# pairs and forbidden sources differ between cases, so each case shows up as its own line in the report.
PLANTED = [
    ("services/planted_1.py", "from ..ui import main_window\n", LAYERS),
    ("model/planted_2.py", "from annotator import ui\n", LAYERS),
    ("store/planted_3.py", "from .. import services\n", LAYERS),
    ("io/planted_4.py", "from ..cli import data\n", LAYERS),
    ("cli/planted_5.py", "from ..ui import main_window\n", LAYERS),
    ("ui/planted_6.py", "from annotator import app\n", LAYERS),
    ("io/planted_7.py", "from PySide6 import QtCore\n", QT),
    ("store/planted_8.py", "import PySide6.QtWidgets\n", QT),
    ("model/planted_9.py", "from . import types\nimport shiboken6\n", QT),
    ("services/planted_10.py", "from sqlalchemy import select\n", SQL),
    ("ui/widgets/planted_11.py", "import sqlalchemy.orm\n", SQL),
    ("ui/widgets/planted_12.py", "from ...store import engine\n", UI_STORE),
]


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=root, env=env, capture_output=True, text=True, check=False
    )


def _verdicts(output: str) -> dict[str, str]:
    verdicts = {}
    for line in output.splitlines():
        for name in CONTRACTS:
            if line.startswith(name + " "):
                verdicts[name] = line.rsplit(" ", 1)[1]
    return verdicts


def _broken_sections(output: str) -> dict[str, str]:
    """The report's text under each broken contract's heading."""
    lines = output.split("Broken contracts", 1)[1].splitlines()
    sections: dict[str, list[str]] = {}
    current: list[str] = []
    for i, line in enumerate(lines):
        if line in CONTRACTS and i + 1 < len(lines) and lines[i + 1].startswith("---"):
            current = sections.setdefault(line, [])
        else:
            current.append(line)
    return {name: "\n".join(text) for name, text in sections.items()}


def test_the_contracts_hold_on_the_package() -> None:
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert _verdicts(result.stdout) == dict.fromkeys(CONTRACTS, "KEPT")


def test_planted_bad_imports_break_their_contracts(tmp_path: Path) -> None:
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copytree(ROOT / "annotator", tmp_path / "annotator", ignore=shutil.ignore_patterns("__pycache__"))
    clean = _lint_imports(tmp_path)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    for where, source, _ in PLANTED:
        (tmp_path / "annotator" / where).write_text(source, encoding="utf-8")
    result = _lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert _verdicts(result.stdout) == dict.fromkeys(CONTRACTS, "BROKEN")
    sections = _broken_sections(result.stdout)
    for where, _, contract in PLANTED:
        planted = "annotator." + where.removesuffix(".py").replace("/", ".")
        assert f"- {planted} -> " in sections[contract].replace("-   ", "- "), (planted, contract)


def test_headless_layers_import_without_qt() -> None:
    """Importing model, store, services, io and cli pulls in no Qt module."""
    code = (
        "import sys, annotator.model.scheme, annotator.services.documents, annotator.services.annotations;"
        "import importlib, pkgutil, annotator.io, annotator.cli;"
        "[importlib.import_module(m.name) for m in pkgutil.walk_packages(annotator.io.__path__, 'annotator.io.')];"
        "print(sorted(m for m in sys.modules if m.startswith('PySide6')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
