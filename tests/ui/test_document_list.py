"""DocumentListModel (qtmodeltester, laziness, row refresh) and DocumentListWidget driven as a user would."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from annotator.model.changes import Changes
from annotator.model.types import Annotator, Status
from annotator.services import annotations as ann
from annotator.services import documents
from annotator.services.project import Project
from annotator.store.documents import insert_documents
from annotator.ui.context import AppContext
from annotator.ui.models.document_list_model import (
    ID_PAGE,
    PAGE,
    CountRole,
    DocIdRole,
    DocumentListModel,
    StatusRole,
)
from annotator.ui.widgets.document_list import DocumentListWidget


def add_documents(project: Project, docs: list[tuple[str, str]]) -> list[int]:
    """Insert (title, text) documents; returns their ids in list order."""
    before = set(documents.document_ids(project))
    with project.session() as s:
        insert_documents(
            s,
            [
                {
                    "ext_id": f"ext-{len(before) + i}",
                    "title": title,
                    "sha256": hashlib.sha256(f"{title}|{text}".encode()).hexdigest(),
                    "text": text,
                    "n_chars": len(text),
                    "meta": {},
                    "encoding": "utf-8",
                    "source": "test",
                    "imported_at": "2024-01-01T00:00:00Z",
                }
                for i, (title, text) in enumerate(docs)
            ],
        )
    return [i for i in documents.document_ids(project) if i not in before]


SEED = [
    ("Zelensky asks for guarantees 😀", "Kyiv wants security guarantees."),
    ("NATO summit opens", "Leaders meet in Vilnius."),
    ("", "An untitled wire story about 🇺🇦 grain exports."),
    ("Moscow responds", "The Kremlin rejected the proposal."),
]


@pytest.fixture
def me(project: Project) -> Annotator:
    return project.annotator("me")


@pytest.fixture
def ctx(qapp: QApplication, project: Project, me: Annotator) -> AppContext:
    return AppContext(project, me)


@pytest.fixture
def seeded(project: Project) -> list[int]:
    return add_documents(project, SEED)


@pytest.fixture
def make_widget(qtbot: QtBot, ctx: AppContext) -> Callable[[], DocumentListWidget]:
    def make() -> DocumentListWidget:
        widget = DocumentListWidget(ctx)
        qtbot.addWidget(widget)
        widget.resize(320, 500)
        widget.show()
        qtbot.waitExposed(widget)
        return widget

    return make


def titles(model: DocumentListModel) -> list[str]:
    return [model.index(r, 0).data() for r in range(model.rowCount())]


# -- model ---------------------------------------------------------------------------------------------


def test_model_passes_qtmodeltester(
    qtmodeltester: ModelTester, ctx: AppContext, seeded: list[int], project: Project, me: Annotator
) -> None:
    model = DocumentListModel(ctx)
    qtmodeltester.check(model, force_py=True)
    model.set_filter(search="nato")
    qtmodeltester.check(model, force_py=True)
    _span, changes = ann.add_span(project, seeded[1], me.id, "claim", 0, 7)
    ctx.notify(changes)
    qtmodeltester.check(model, force_py=True)


def test_model_roles(ctx: AppContext, seeded: list[int], project: Project, me: Annotator) -> None:
    model = DocumentListModel(ctx)
    assert model.rowCount() == 4
    assert titles(model) == [SEED[0][0], "NATO summit opens", "ext-2", "Moscow responds"]
    first = model.index(0, 0)
    assert first.data(DocIdRole) == seeded[0]
    assert first.data(StatusRole) == Status.NOT_STARTED.value
    assert first.data(CountRole) == 0
    assert not first.data(Qt.ItemDataRole.DecorationRole).isNull()
    tip = first.data(Qt.ItemDataRole.ToolTipRole)
    assert "ext-0" in tip and "Not started" in tip
    assert model.index(0, 0).parent() == QModelIndex()
    assert model.rowCount(first) == 0


def test_model_is_lazy_on_a_big_project(ctx: AppContext, project: Project) -> None:
    add_documents(project, [(f"Story {i}", f"Text number {i}.") for i in range(3 * PAGE)])
    model = DocumentListModel(ctx)
    assert model.rowCount() == 3 * PAGE
    assert model.cached_count() == 0
    assert model.index(2 * PAGE, 0).data() == f"Story {2 * PAGE}"
    assert 0 < model.cached_count() <= PAGE
    assert model.index(2 * PAGE + 10, 0).data() == f"Story {2 * PAGE + 10}"
    assert model.cached_count() <= PAGE  # a neighbour came with the same page


def test_an_edit_refreshes_only_its_row(
    qtbot: QtBot, ctx: AppContext, seeded: list[int], project: Project, me: Annotator
) -> None:
    model = DocumentListModel(ctx)
    resets: list[object] = []
    model.modelReset.connect(lambda: resets.append(True))
    assert model.index(1, 0).data(CountRole) == 0
    _span, changes = ann.add_span(project, seeded[1], me.id, "claim", 0, 4)
    with qtbot.waitSignal(model.dataChanged) as blocker:
        ctx.notify(changes)
    assert blocker.args[0].row() == 1 and blocker.args[1].row() == 1
    assert model.index(1, 0).data(CountRole) == 1
    assert model.index(1, 0).data(StatusRole) == Status.IN_PROGRESS.value
    _before, changes = ann.set_status(project, seeded[1], me.id, Status.DONE)
    ctx.notify(changes)
    assert model.index(1, 0).data(StatusRole) == Status.DONE.value
    assert resets == []


def test_counts_are_mine_only(ctx: AppContext, seeded: list[int], project: Project) -> None:
    colleague = project.annotator("colleague")
    ann.add_span(project, seeded[0], colleague.id, "claim", 0, 4)
    model = DocumentListModel(ctx)
    assert model.index(0, 0).data(CountRole) == 0


def test_filters(ctx: AppContext, seeded: list[int], project: Project, me: Annotator) -> None:
    ann.set_status(project, seeded[1], me.id, Status.DONE)
    ann.add_span(project, seeded[3], me.id, "claim", 0, 3)
    model = DocumentListModel(ctx)
    model.set_filter(Status.DONE)
    assert titles(model) == ["NATO summit opens"]
    model.set_filter(Status.IN_PROGRESS)
    assert titles(model) == ["Moscow responds"]
    model.set_filter(Status.NOT_STARTED)
    assert titles(model) == ["Zelensky asks for guarantees 😀", "ext-2"]
    model.set_filter(None, "grain")  # matches the text, not the title
    assert titles(model) == ["ext-2"]
    model.set_filter(None, "  🇺🇦 ")
    assert titles(model) == ["ext-2"]
    model.set_filter(None, "100%_")  # LIKE wildcards are matched literally
    assert titles(model) == []


def test_import_resets_the_list(ctx: AppContext, seeded: list[int], project: Project) -> None:
    model = DocumentListModel(ctx)
    add_documents(project, [("Fresh import", "New text.")])
    ctx.notify(Changes(documents=True))
    assert titles(model)[-1] == "Fresh import"


# -- widget ---------------------------------------------------------------------------------------------


def test_clicking_a_row_opens_the_document(
    qtbot: QtBot, make_widget: Callable[[], DocumentListWidget], ctx: AppContext, seeded: list[int]
) -> None:
    widget = make_widget()
    view = widget.list_view
    rect = view.visualRect(widget.model.index(2, 0))
    with qtbot.waitSignal(ctx.document_opened) as blocker:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args == [seeded[2]]
    assert ctx.current_doc_id == seeded[2]
    view.setFocus()
    with qtbot.waitSignal(ctx.document_opened) as blocker:
        qtbot.keyClick(view, Qt.Key.Key_Down)
    assert blocker.args == [seeded[3]]


def test_list_follows_documents_opened_elsewhere(
    qtbot: QtBot, make_widget: Callable[[], DocumentListWidget], ctx: AppContext, seeded: list[int]
) -> None:
    widget = make_widget()
    opened: list[int] = []
    ctx.document_opened.connect(opened.append)
    ctx.open_document(seeded[3])
    assert widget.list_view.currentIndex().row() == 3
    assert opened == [seeded[3]]  # following did not open it a second time
    assert widget.select_doc(seeded[1])
    assert ctx.current_doc_id == seeded[1]
    assert widget.list_view.currentIndex().row() == 1


def test_search_box_filters_after_typing(
    qtbot: QtBot, make_widget: Callable[[], DocumentListWidget], seeded: list[int]
) -> None:
    widget = make_widget()
    assert widget.search_edit.placeholderText() == "Search titles and text"
    qtbot.keyClicks(widget.search_edit, "kremlin")
    assert widget.model.rowCount() == 4  # debounced: nothing yet
    qtbot.waitUntil(lambda: widget.model.rowCount() == 1)
    assert titles(widget.model) == ["Moscow responds"]
    widget.search_edit.clear()
    qtbot.waitUntil(lambda: widget.model.rowCount() == 4)


def test_a_long_search_result_pages_in_as_the_list_scrolls(
    qtbot: QtBot, make_widget: Callable[[], DocumentListWidget], project: Project
) -> None:
    # 2.5 pages of matches among other documents; "nato" is also the start of "natopolis" (prefix).
    texts = [
        ("", f"Story {i}: " + ("NATO talks." if i % 3 else "natopolis" if i % 2 else "Kyiv.")) for i in range(1300)
    ]
    ids = add_documents(project, texts)
    scan = [doc_id for doc_id, (_t, text) in zip(ids, texts, strict=True) if "nato" in text.lower()]
    assert len(scan) > 2 * ID_PAGE
    widget = make_widget()
    qtbot.keyClicks(widget.search_edit, "nato")
    qtbot.waitUntil(lambda: widget.model.search_text == "nato")
    assert widget.model.rowCount() == ID_PAGE  # the first page only
    widget.list_view.setFocus()

    def at_the_end() -> bool:
        last = widget.model.rowCount() - 1
        return widget.model.all_loaded() and widget.list_view.currentIndex().row() == last

    for _ in range(40):  # End, as a user would, until it lands on the last match with nothing left to read
        qtbot.keyClick(widget.list_view, Qt.Key.Key_End)
        qtbot.wait(50)  # the view asks for the next page when its layout shows the last row (a timer)
        if at_the_end():
            break
    shown = [widget.model.index(r, 0).data(DocIdRole) for r in range(widget.model.rowCount())]
    assert shown == scan  # every match, exactly once, in list order
    assert widget.list_view.currentIndex().data(DocIdRole) == scan[-1]


def test_moving_past_the_rows_read_so_far_reads_on(
    qtbot: QtBot, make_widget: Callable[[], DocumentListWidget], project: Project
) -> None:
    ids = add_documents(project, [("", f"Story {i} about NATO.") for i in range(ID_PAGE + 3)])
    widget = make_widget()
    qtbot.keyClicks(widget.search_edit, "story")
    qtbot.waitUntil(lambda: widget.model.search_text == "story")
    assert widget.model.rowCount() == ID_PAGE
    assert widget.next_doc_id(ids[ID_PAGE - 1]) == ids[ID_PAGE]
    assert widget.prev_doc_id(None) == ids[-1]
    widget.search_edit.setText("nato")  # a fresh search: the first page again
    qtbot.waitUntil(lambda: widget.model.search_text == "nato")
    assert widget.model.rowCount() == ID_PAGE
    assert widget.select_doc(ids[-2])  # as the Search window opens a match: read on to its row
    assert widget.list_view.currentIndex().data(DocIdRole) == ids[-2]


def test_status_combo_filters(
    qtbot: QtBot, make_widget: Callable[[], DocumentListWidget], seeded: list[int], project: Project, me: Annotator
) -> None:
    ann.set_status(project, seeded[0], me.id, Status.DONE)
    widget = make_widget()
    assert [widget.status_combo.itemText(i) for i in range(widget.status_combo.count())] == [
        "All",
        "Not started",
        "In progress",
        "Done",
    ]
    widget.status_combo.setCurrentIndex(widget.status_combo.findText("Done"))
    assert titles(widget.model) == ["Zelensky asks for guarantees 😀"]
    widget.set_status_filter(None)
    assert widget.model.rowCount() == 4


def test_empty_states(
    qtbot: QtBot, make_widget: Callable[[], DocumentListWidget], ctx: AppContext, project: Project
) -> None:
    widget = make_widget()
    assert widget.empty_label.isVisible() and not widget.list_view.isVisible()
    assert "Import articles" in widget.empty_label.text()
    add_documents(project, SEED)
    ctx.notify(Changes(documents=True))
    assert widget.list_view.isVisible() and not widget.empty_label.isVisible()
    qtbot.keyClicks(widget.search_edit, "no such words anywhere")
    qtbot.keyClick(widget.search_edit, Qt.Key.Key_Return)  # Enter applies at once
    assert widget.empty_label.isVisible()
    assert widget.empty_label.text() == "No documents match this filter."


def test_next_and_previous_in_list_order(
    make_widget: Callable[[], DocumentListWidget], seeded: list[int], project: Project, me: Annotator
) -> None:
    ann.set_status(project, seeded[2], me.id, Status.DONE)
    widget = make_widget()
    assert widget.next_doc_id(None) == seeded[0]
    assert widget.prev_doc_id(None) == seeded[3]
    assert widget.next_doc_id(seeded[0]) == seeded[1]
    assert widget.prev_doc_id(seeded[0]) is None
    assert widget.next_doc_id(seeded[3]) is None
    widget.set_status_filter(Status.NOT_STARTED)  # hides seeded[2]
    assert seeded[2] not in widget.model.doc_ids()
    assert widget.next_doc_id(seeded[2]) == seeded[3]
    assert widget.prev_doc_id(seeded[2]) == seeded[1]


def test_focus_search(qtbot: QtBot, make_widget: Callable[[], DocumentListWidget], seeded: list[int]) -> None:
    widget = make_widget()
    widget.activateWindow()
    widget.search_edit.setText("abc")
    widget.focus_search()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is widget.search_edit)
    assert widget.search_edit.selectedText() == "abc"


def test_project_replaced_reloads(
    qtbot: QtBot, make_widget: Callable[[], DocumentListWidget], ctx: AppContext, seeded: list[int], tmp_path: object
) -> None:
    widget = make_widget()
    other = Project.open(tmp_path / "other.db")  # type: ignore[operator]
    try:
        ctx.replace_project(other, other.annotator("me"))
        assert widget.model.rowCount() == 0
        assert widget.empty_label.isVisible()
    finally:
        other.close()


def test_rows_render_with_icons_and_counts(
    make_widget: Callable[[], DocumentListWidget], seeded: list[int], project: Project, me: Annotator, ctx: AppContext
) -> None:
    ann.add_span(project, seeded[0], me.id, "claim", 0, 4)
    ann.set_status(project, seeded[1], me.id, Status.DONE)
    widget = make_widget()
    ctx.open_document(seeded[0])
    image = widget.grab().toImage()
    assert not image.isNull()
    icons = {
        Status(widget.model.index(r, 0).data(StatusRole)): widget.model.index(r, 0)
        .data(Qt.ItemDataRole.DecorationRole)
        .pixmap(16, 16)
        .toImage()
        for r in range(2)
    }
    assert icons[Status.IN_PROGRESS] != icons[Status.DONE]


def test_following_a_document_opened_elsewhere_repaints_only_the_two_rows(
    qtbot: QtBot, make_widget: Callable[[], DocumentListWidget], ctx: AppContext, project: Project
) -> None:
    ids = add_documents(project, [(f"Article {n}", f"Text {n}.") for n in range(12)])
    widget = make_widget()
    ctx.open_document(ids[3])
    qtbot.wait(20)
    painted: list[int] = []
    delegate = widget.list_view.itemDelegate()
    real_paint = delegate.paint

    def paint(painter: object, option: object, index: QModelIndex) -> None:
        painted.append(index.row())
        real_paint(painter, option, index)

    delegate.paint = paint  # type: ignore[method-assign]
    ctx.open_document(ids[4])  # Alt+Right or Ctrl+Enter: not a click in the list
    qtbot.waitUntil(lambda: bool(painted))
    qtbot.wait(20)
    assert sorted(set(painted)) == [3, 4]
    assert widget.list_view.currentIndex().row() == 4
    assert [i.row() for i in widget.list_view.selectionModel().selectedIndexes()] == [4]
