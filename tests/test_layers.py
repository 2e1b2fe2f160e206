"""The import direction of STYLE.md holds: Qt only in ui/ and app.py, SQLAlchemy only in store/."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "annotator"
LAYERS = ["model", "store", "services", "io", "ui", "cli", "app"]
# What each layer may import from annotator itself (paths is a leaf helper with no Qt or SQL).
ALLOWED = {
    "model": {"model"},
    "store": {"model", "store"},
    "services": {"model", "store", "services", "paths"},
    "io": {"model", "store", "services", "io", "paths"},
    "ui": {"model", "store", "services", "io", "ui", "paths"},
    "cli": {"model", "store", "services", "io", "cli", "paths"},
    "app": set(LAYERS) | {"paths"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _layer(path: Path) -> str | None:
    rel = path.relative_to(PACKAGE)
    head = rel.parts[0].removesuffix(".py")
    return head if head in LAYERS else None


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if _layer(p))


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_imports_respect_layers(path: Path) -> None:
    layer = _layer(path)
    assert layer is not None
    for name in _imports(path):
        top = name.split(".")[0]
        if top == "PySide6" or top == "shiboken6":
            assert layer in ("ui", "app"), f"{path.name} imports Qt ({name}) outside ui/"
        if top == "sqlalchemy":
            assert layer == "store", f"{path.name} imports sqlalchemy ({name}) outside store/"
        if top == "annotator" and "." in name:
            target = name.split(".")[1]
            if target in LAYERS or target == "paths":
                assert target in ALLOWED[layer], f"{path.name} ({layer}) imports {name}"


def test_the_checker_catches_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import sqlalchemy\nfrom PySide6.QtCore import QObject\n", encoding="utf-8")
    assert {"sqlalchemy", "PySide6.QtCore"} <= _imports(bad)


def test_headless_layers_import_without_qt() -> None:
    """Importing model, store, services, io and cli pulls in no Qt module."""
    import subprocess
    import sys

    code = (
        "import sys, annotator.model.scheme, annotator.services.documents, annotator.services.annotations;"
        "import importlib, pkgutil, annotator.io, annotator.cli;"
        "[importlib.import_module(m.name) for m in pkgutil.walk_packages(annotator.io.__path__, 'annotator.io.')];"
        "print(sorted(m for m in sys.modules if m.startswith('PySide6')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
