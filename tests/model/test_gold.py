"""The adjudicated layer is recognised by `Annotator.is_gold`; its name is spelled in one place only
(display words such as the review table's "Gold" header are not the name)."""

from __future__ import annotations

import ast
from pathlib import Path

from annotator.model.types import GOLD, Annotator, is_gold_name

PACKAGE = Path(__file__).resolve().parents[2] / "annotator"


def test_gold_is_a_property_of_the_annotator() -> None:
    assert Annotator(1, GOLD, "u1").is_gold
    assert not Annotator(2, "alice", "u2").is_gold
    assert not Annotator(3, "golda", "u3").is_gold
    assert is_gold_name(f" {GOLD} ") and not is_gold_name("Gold standard")


def test_the_name_gold_is_spelled_only_where_it_is_defined() -> None:
    spelled = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.strip() == GOLD:
                spelled.append(str(path.relative_to(PACKAGE)))
    assert spelled == ["model/types.py"], spelled
