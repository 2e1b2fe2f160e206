"""File > Import from another tool… in the real window: brat, Label Studio, doccano and XMI through the
dialog, in the background with the import's progress dialog, a report box, and Cancel keeping nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot

from annotator.app import build_main_window
from annotator.services import documents
from annotator.services.project import Project
from annotator.store import annotations as store_ann
from annotator.ui.dialogs.import_dialog import ImportDialog
from annotator.ui.main_window import MainWindow

TEXT = "Kyiv 🇺🇦 says: “we need help,” Zelensky said, “and we need it now.”\r\nEnd."


def _at(phrase: str) -> tuple[int, int]:
    start = TEXT.index(phrase)
    return start, start + len(phrase)


@pytest.fixture
def window(qtbot: QtBot, project_location: Path | str) -> Iterator[MainWindow]:
    win = build_main_window(project_location, annotator_name="alice", seed=True)
    qtbot.addWidget(win)
    yield win


def _brat_folder(tmp_path: Path) -> Path:
    """One document in brat standoff: a claim in two pieces, its source and the link (default scheme)."""
    folder = tmp_path / "carol"
    folder.mkdir()
    (folder / "kyiv.txt").write_bytes(TEXT.encode("utf-8"))
    one, two, who = _at("we need help"), _at("and we need it now"), _at("Zelensky")
    claim = TEXT[one[0] : one[1]] + " " + TEXT[two[0] : two[1]]
    ann = (
        f"T1\tclaim {one[0]} {one[1]};{two[0]} {two[1]}\t{claim}\n"
        f"T2\tsource {who[0]} {who[1]}\tZelensky\n"
        "R1\tattributed_to Arg1:T1 Arg2:T2\n"
    )
    (folder / "kyiv.ann").write_text(ann, encoding="utf-8")
    return folder


def _open_dialog(window: MainWindow) -> ImportDialog:
    window.action_map["import_other"].trigger()
    dialog = window.findChild(ImportDialog)
    assert dialog is not None and dialog.isVisible()
    return dialog


def test_brat_folder_through_the_menu_imports_the_discontinuous_span(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _brat_folder(tmp_path)
    dialog = _open_dialog(window)
    assert [dialog.format_combo.itemData(i) for i in range(dialog.format_combo.count())] == [
        "brat",
        "labelstudio",
        "doccano",
        "xmi",
    ]
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()  # nothing chosen yet
    dialog.path_edit.setText(str(tmp_path / "missing"))
    assert not ok.isEnabled() and "does not exist" in dialog.hint.text()
    dialog.set_format("doccano")
    assert not dialog.folder_button.isEnabled()  # doccano is one file, not a folder
    dialog.set_format("brat")
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(folder)))
    dialog.folder_button.click()
    assert dialog.choice().paths == (folder,) and ok.isEnabled()
    with qtbot.waitSignal(window.files.import_finished, timeout=30000) as blocker:
        ok.click()
    report = blocker.args[0]
    assert report.ok, report.rejected
    assert (report.documents_added, report.annotations_added.spans, report.annotations_added.relations) == (1, 2, 1)
    qtbot.waitUntil(lambda: window.document_list.model.rowCount() == 6)
    box = window.findChild(QMessageBox, "import_report_box")
    assert box is not None and box.isVisible()
    project = window.ctx.project
    doc_id = documents.document_ids(project)[-1]
    with project.session() as s:
        spans = {sp.label: sp for sp in store_ann.spans_for(s, doc_id)}
        (relation,) = store_ann.relations_for(s, doc_id)
    assert spans["claim"].fragments == (_at("we need help"), _at("and we need it now"))
    assert (relation.from_span, relation.to_span) == (spans["claim"].id, spans["source"].id)
    assert project.annotator("carol").id == spans["claim"].annotator_id  # the folder's name


def _labelstudio_tasks(path: Path, n: int) -> Path:
    """n Label Studio tasks with one claim each (offsets in code points, as Label Studio 1.23.2 counts)."""
    start, end = _at("Zelensky")
    tasks = [
        {
            "id": i,
            "data": {"text": f"{i}: {TEXT}"},
            "annotations": [
                {
                    "completed_by": "dana",
                    "result": [
                        {
                            "id": f"r{i}",
                            "from_name": "label",
                            "to_name": "text",
                            "type": "labels",
                            "value": {
                                "start": start + len(f"{i}: "),
                                "end": end + len(f"{i}: "),
                                "text": "Zelensky",
                                "labels": ["source"],
                            },
                        }
                    ],
                }
            ],
        }
        for i in range(n)
    ]
    path.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    return path


def test_label_studio_file_imports_and_cancel_keeps_nothing(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project: Project = window.ctx.project
    before = len(documents.document_ids(project))
    small = _labelstudio_tasks(tmp_path / "small.json", 2)
    dialog = _open_dialog(window)
    dialog.set_format("labelstudio")
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(lambda *a, **k: ([str(small)], "")))
    dialog.files_button.click()
    with qtbot.waitSignal(window.files.import_finished, timeout=30000) as blocker:
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    report = blocker.args[0]
    assert report.ok, report.rejected
    assert (report.documents_added, report.annotations_added.spans) == (2, 2)
    assert len(documents.document_ids(project)) == before + 2

    big = _labelstudio_tasks(tmp_path / "big.json", 4000)
    dialog = _open_dialog(window)
    dialog.set_format("labelstudio")
    dialog.set_paths([big])
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    task = window.files.task
    assert task is not None and task.is_running()
    assert task.dialog.labelText().startswith("Importing big.json")
    task.cancel()  # what the progress dialog's Cancel button does
    qtbot.waitUntil(lambda: not task.is_running(), timeout=60000)
    assert task.state == "cancelled"
    assert "cancelled" in window.status.currentMessage()
    assert len(documents.document_ids(project)) == before + 2  # nothing of big.json was kept
