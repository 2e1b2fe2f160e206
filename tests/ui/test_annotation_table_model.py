"""AnnotationTableModel over a real project: qtmodeltester, roles, and row-level updates."""

from __future__ import annotations

import hashlib

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from annotator.services import annotations as svc
from annotator.services import documents as doc_svc
from annotator.services.project import Project
from annotator.store.documents import insert_documents
from annotator.ui.models.annotation_table_model import (
    COL_DETAIL,
    COL_END,
    COL_LABEL,
    COL_START,
    COL_TEXT,
    AnnotationTableModel,
    DocIdRole,
    SpanIdRole,
)

TEXT = "Zelensky said Ukraine must join NATO. Stoltenberg said the door stays open. " * 3


@pytest.fixture
def doc_id(project: Project) -> int:
    with project.session() as s:
        insert_documents(
            s,
            [
                {
                    "ext_id": "a",
                    "sha256": hashlib.sha256(TEXT.encode()).hexdigest(),
                    "title": "A",
                    "text": TEXT,
                    "n_chars": len(TEXT),
                    "meta": {},
                    "encoding": "utf-8",
                    "source": None,
                    "imported_at": "2024-01-01T00:00:00Z",
                }
            ],
        )
    return doc_svc.document_ids(project)[0]


def add(project: Project, doc_id: int, who: int, label: str, word: str, nth: int = 0) -> int:
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(word, start + 1)
    return svc.add_span(project, doc_id, who, label, start, start + len(word))[0].id


def test_model_passes_qtmodeltester_through_updates(project: Project, doc_id: int, qtmodeltester) -> None:
    me = project.annotator("me").id
    model = AnnotationTableModel(project.scheme)
    qtmodeltester.check(model)
    claim = add(project, doc_id, me, "claim", "Ukraine must join NATO")
    source = add(project, doc_id, me, "source", "Zelensky")
    svc.link(project, "attributed_to", claim, source)
    svc.set_attribute(project, claim, "claim_type", "demand")
    model.set_view(doc_svc.load_view(project, doc_id, me), me)
    qtmodeltester.check(model)
    assert model.rowCount() == 2 and model.columnCount() == 5
    first = model.index(0, COL_LABEL)
    assert (first.data(), first.data(SpanIdRole), first.data(DocIdRole)) == ("source", source, doc_id)
    assert isinstance(model.index(0, COL_LABEL).data(Qt.ItemDataRole.DecorationRole), QColor)
    row = model.row_of(claim)
    assert model.index(row, COL_TEXT).data() == "Ukraine must join NATO"
    assert (model.index(row, COL_START).data(), model.index(row, COL_END).data()) == (14, 36)
    assert model.index(row, COL_DETAIL).data() == "demand, → Zelensky"
    assert "claim_type: demand" in model.index(row, COL_TEXT).data(Qt.ItemDataRole.ToolTipRole)
    model.set_view(None)
    qtmodeltester.check(model)
    assert model.rowCount() == 0


def test_one_added_or_removed_span_moves_one_row(project: Project, doc_id: int, qtbot: QtBot) -> None:
    me = project.annotator("me").id
    other = project.annotator("other").id
    a = add(project, doc_id, me, "claim", "the door stays open")
    add(project, doc_id, other, "source", "Zelensky")  # someone else's layer: not in my table
    model = AnnotationTableModel(project.scheme)
    model.set_view(doc_svc.load_view(project, doc_id, me, [me, other]), me)
    assert model.rowCount() == 1
    b = add(project, doc_id, me, "source", "Stoltenberg")
    with qtbot.waitSignal(model.rowsInserted) as inserted:
        model.set_view(doc_svc.load_view(project, doc_id, me), me)
    assert inserted.args[1:] == [0, 0] and model.row_of(b) == 0 and model.row_of(a) == 1
    svc.set_attribute(project, a, "checkworthy", "yes")
    with qtbot.waitSignal(model.dataChanged):
        model.set_view(doc_svc.load_view(project, doc_id, me), me)
    assert model.index(1, COL_DETAIL).data() == "yes"
    svc.delete_span(project, b)
    with qtbot.waitSignal(model.rowsRemoved) as removed:
        model.set_view(doc_svc.load_view(project, doc_id, me), me)
    assert removed.args[1:] == [0, 0] and model.rowCount() == 1
    assert model.rowCount(model.index(0, 0)) == 0 and model.index(5, 0) == QModelIndex()
