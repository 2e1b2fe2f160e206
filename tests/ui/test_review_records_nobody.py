"""Entering and leaving review mode records nobody: the gold layer gets its row with its first
decision or edit, so a look at review mode leaves no empty "gold" annotator counted by `stats`, no
gold row in status.csv and no "gold" in a merge's list of annotators (found by a new-user trial)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from annotator import cli
from annotator.io.export_csv import export_csv
from annotator.model.types import GOLD
from annotator.services.alignment import SpanItem
from annotator.ui.main_window import MainWindow
from tests.ui.test_review import (  # noqa: F401 - files, merged and window are the fixtures this test uses
    AGREED,
    enter_review,
    files,
    go_to,
    item_of,
    merged,
    press,
    window,
)


def _stats(location: Path | str, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    capsys.readouterr()
    assert cli.main(["--project", str(location), "stats", "--json"]) == 0
    stats: dict[str, object] = json.loads(capsys.readouterr().out)
    return stats


def test_a_look_at_review_mode_records_no_gold_layer(
    qtbot: QtBot,
    merged: MainWindow,  # noqa: F811 - the fixture
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    win = merged
    location = win.ctx.project.store.location
    before = _stats(location, capsys)["annotators"]
    enter_review(qtbot, win)
    win.article_view.setFocus()
    press(qtbot, win, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)  # and out again
    assert not win.review.active
    assert GOLD not in {a.name for a in win.ctx.project.annotators()}
    assert _stats(location, capsys)["annotators"] == before
    export_csv(win.ctx.project, tmp_path / "out")
    status = pd.read_csv(tmp_path / "out" / "status.csv", dtype=str, keep_default_na=False)
    assert GOLD not in set(status["annotator"])

    # the first decision records gold, and the window edits that layer from then on
    enter_review(qtbot, win)
    key = item_of(win, SpanItem, lambda i: i.text == AGREED)
    go_to(qtbot, win, key)
    press(qtbot, win, Qt.Key.Key_Return)
    gold = {a.name: a.id for a in win.ctx.project.annotators()}.get(GOLD)
    assert gold is not None and win.ctx.annotator.id == gold
    assert _stats(location, capsys)["annotators"] == before + 1
