"""The export dialog's layer choice (all / mine / gold / each colleague), and that an export started
with the dialog's choice writes only that layer, in CSV and in JSONL, read back from the files."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from annotator import paths
from annotator.app import build_main_window
from annotator.model.types import GOLD
from annotator.services import annotations as svc
from annotator.services import documents
from annotator.ui.dialogs.export_dialog import ExportDialog, layer_choices
from annotator.ui.main_window import MainWindow

WORDS = {"alice": "allies must provide", GOLD: "President Zelensky", "bob": "completely safe"}


def test_layer_choices_list_all_mine_gold_then_colleagues(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = ExportDialog(tmp_path / "proj.db", "alice", annotators=["carol", GOLD, "alice", "Bob"])
    qtbot.addWidget(dialog)
    combo = dialog.layer_combo
    assert [combo.itemData(i) for i in range(combo.count())] == [None, "alice", GOLD, "Bob", "carol"]
    assert combo.itemText(2).startswith("Gold")
    assert dialog.choice().annotator is None and "Every annotator" in dialog.hint.text()
    assert dialog.set_layer(GOLD)
    assert dialog.choice().annotator == GOLD and "gold" in dialog.hint.text()
    assert dialog.set_layer("carol") and dialog.choice().annotator == "carol"
    assert "carol" in dialog.hint.text()
    assert not dialog.set_layer("nobody") and dialog.choice().annotator == "carol"


def test_without_gold_or_colleagues_only_all_and_mine(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = ExportDialog(tmp_path / "proj.db", "alice")
    qtbot.addWidget(dialog)
    assert [dialog.layer_combo.itemData(i) for i in range(dialog.layer_combo.count())] == [None, "alice"]
    assert layer_choices("alice", ["alice", "bob"]) == [
        ("All annotators", None),
        ("Only mine (alice)", "alice"),
        ("Only bob's", "bob"),
    ]


@pytest.fixture
def window(qtbot: QtBot, project_location: Path | str) -> Iterator[MainWindow]:
    """The real window on the seed corpus; alice, bob and gold each marked one span on the first article."""
    win = build_main_window(project_location, annotator_name="alice", seed=True)
    qtbot.addWidget(win)
    project = win.ctx.project
    doc_id = documents.document_ids(project)[0]
    text = documents.load_view(project, doc_id, win.ctx.annotator.id).document.text
    for name, words in WORDS.items():
        start = text.index(words)
        label = "source" if name == GOLD else "claim"
        svc.add_span(project, doc_id, project.annotator(name).id, label, start, start + len(words))
    yield win


def export_with(qtbot: QtBot, win: MainWindow, fmt: str, layer: str | None, out: Path) -> None:
    names = [a.name for a in win.ctx.project.annotators()]
    dialog = ExportDialog(win.ctx.project.path, win.ctx.annotator.name, win, annotators=names)
    qtbot.addWidget(dialog)
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData(fmt))
    assert dialog.set_layer(layer)
    dialog.path_edit.setText(str(out))
    with qtbot.waitSignal(win.files.export_finished, timeout=20000):
        win.files.start_export(dialog.choice())


def test_gold_csv_export_holds_only_the_gold_layer(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    export_with(qtbot, window, "csv", GOLD, tmp_path / "gold")
    with (tmp_path / "gold" / "spans.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["annotator"], r["label"], r["text"]) for r in rows] == [(GOLD, "source", WORDS[GOLD])]
    export_with(qtbot, window, "csv", None, tmp_path / "all")
    with (tmp_path / "all" / "spans.csv").open(encoding="utf-8", newline="") as fh:
        assert sorted(r["annotator"] for r in csv.DictReader(fh)) == sorted(WORDS)


def test_colleague_jsonl_export_holds_only_their_layer(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    out = tmp_path / "bob.jsonl"
    export_with(qtbot, window, "jsonl", "bob", out)
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert records and {r["annotator"] for r in records} == {"bob"}
    spans = [s for r in records for s in r["spans"]]
    assert [(s["label"], s["text"]) for s in spans] == [("claim", WORDS["bob"])]


def test_xlsx_and_brat_from_the_dialog(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    import openpyxl

    dialog = ExportDialog(window.ctx.project.path, "alice")
    qtbot.addWidget(dialog)
    for fmt, suffix in (("xlsx", ".xlsx"), ("brat", "-brat")):
        dialog.format_combo.setCurrentIndex(dialog.format_combo.findData(fmt))
        assert dialog.path_edit.text().endswith(suffix)
        assert dialog.hint.text()
    export_with(qtbot, window, "xlsx", "bob", tmp_path / "bob.xlsx")
    spans = openpyxl.load_workbook(tmp_path / "bob.xlsx")["spans"]
    header = [c.value for c in spans[1]]
    rows = [dict(zip(header, (c.value for c in row), strict=True)) for row in spans.iter_rows(min_row=2)]
    assert [(r["annotator"], r["text"]) for r in rows] == [("bob", WORDS["bob"])]
    export_with(qtbot, window, "brat", GOLD, tmp_path / "brat")
    (ann,) = (tmp_path / "brat" / GOLD).glob("*.ann")
    assert ann.read_text(encoding="utf-8").split("\t")[2].strip() == WORDS[GOLD]
    assert (tmp_path / "brat" / "annotation.conf").is_file()


def test_the_export_goes_to_documents_under_the_project_name_and_never_over_an_earlier_one(
    qtbot: QtBot, window: MainWindow
) -> None:
    """File › Export… in the real window suggests the Documents folder (the test's stands in
    for platformdirs' one) and a name after the project; an export already there is not replaced
    silently: the next suggestion is a fresh name, and a path that exists says it will be replaced."""
    documents_dir = paths.documents_dir()
    assert not documents_dir.exists()
    window.show()
    qtbot.waitExposed(window)

    def open_dialog() -> ExportDialog:
        window.action_map["export"].trigger()  # File › Export…
        qtbot.waitUntil(lambda: window.findChild(ExportDialog, "export_dialog") is not None)
        dialog = window.findChild(ExportDialog, "export_dialog")
        assert isinstance(dialog, ExportDialog)
        qtbot.waitUntil(dialog.isVisible)
        return dialog

    stem = window.ctx.project.path.name.split(".")[0]
    dialog = open_dialog()
    assert Path(dialog.path_edit.text()) == documents_dir / f"{stem}-export"
    assert "replaced" not in dialog.hint.text()
    with qtbot.waitSignal(window.files.export_finished, timeout=20000):
        qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    first = pd.read_csv(documents_dir / f"{stem}-export" / "spans.csv")
    assert sorted(first["annotator"]) == sorted(WORDS)
    qtbot.waitUntil(lambda: window.findChild(ExportDialog, "export_dialog") is None)

    dialog = open_dialog()
    assert Path(dialog.path_edit.text()) == documents_dir / f"{stem}-export-2"  # not over the first
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("jsonl"))
    assert Path(dialog.path_edit.text()) == documents_dir / f"{stem}.jsonl"
    dialog.path_edit.setText(str(documents_dir / f"{stem}-export"))
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("csv"))
    assert "replaced" in dialog.hint.text()  # typed over the earlier export: the dialog says so
    dialog.reject()
