"""TagPanelWidget driven as a user would, checked against the store both ways."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit
from pytestqt.qtbot import QtBot

from annotator.model.types import Span, Status
from annotator.services import annotations as svc
from annotator.services import documents as doc_svc
from annotator.services.project import Project
from annotator.store.documents import insert_documents, register_source_alias
from annotator.ui.context import AppContext
from annotator.ui.widgets.span_editor import PICK_TEXT
from annotator.ui.widgets.tag_panel import TagPanelWidget

TEXT = "Zelensky said Ukraine must join NATO. Stoltenberg said the door stays open. 🇺🇦 Kyiv agreed."
OTHER = "A second article about security guarantees."


class Harness:
    """The panel plus a stand-in for the article view's selection (code points)."""

    def __init__(self, ctx: AppContext, qtbot: QtBot) -> None:
        self.ctx = ctx
        self.selection: tuple[int, int] | None = None
        self.panel = TagPanelWidget(ctx, lambda: self.selection, self.text)
        self.messages: list[str] = []
        self.panel.message_posted.connect(self.messages.append)
        qtbot.addWidget(self.panel)
        self.panel.resize(340, 900)
        self.panel.show()

    def text(self) -> str:
        return self.view().document.text if self.ctx.current_doc_id else ""

    def view(self) -> doc_svc.DocumentView:
        assert self.ctx.current_doc_id is not None
        return doc_svc.load_view(self.ctx.project, self.ctx.current_doc_id, self.ctx.annotator.id)

    def spans(self) -> dict[int, Span]:
        return {s.id: s for s in self.view().spans}

    def select(self, word: str) -> None:
        start = TEXT.index(word)
        self.selection = (start, start + len(word))

    def tag(self, label: str, word: str) -> int:
        self.select(word)
        span_id = self.panel.add_span_from_selection(label)
        assert span_id
        return span_id


@pytest.fixture
def doc_ids(project: Project) -> list[int]:
    rows = [
        {
            "ext_id": f"d{i}",
            "sha256": hashlib.sha256(t.encode()).hexdigest(),
            "title": f"Doc {i}",
            "text": t,
            "n_chars": len(t),
            "meta": {},
            "encoding": "utf-8",
            "source": None,
            "imported_at": "2024-01-01T00:00:00Z",
        }
        for i, t in enumerate((TEXT, OTHER))
    ]
    with project.session() as s:
        insert_documents(s, rows)
    return doc_svc.document_ids(project)


@pytest.fixture
def h(project: Project, doc_ids: list[int], qtbot: QtBot) -> Iterator[Harness]:
    ctx = AppContext(project, project.annotator("me"))
    harness = Harness(ctx, qtbot)
    ctx.open_document(doc_ids[0])
    yield harness
    ctx.undo_stack.clear()


def test_label_button_tags_the_snapped_selection(h: Harness, qtbot: QtBot) -> None:
    button = h.panel.label_bar.buttons["claim"]
    assert button.text() == "Claim  [C]"
    start = TEXT.index("kraine must")
    h.selection = (start, TEXT.index("NATO") + 2)  # "kraine must join NA": snaps out to words
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    (span,) = h.spans().values()
    assert (span.label, span.text) == ("claim", "Ukraine must join NATO")
    assert h.ctx.selected_span_id == span.id
    assert h.panel.table_model.rowCount() == 1
    assert h.panel.table.selectionModel().isRowSelected(0)
    assert h.view().status.status == Status.IN_PROGRESS
    h.ctx.undo_stack.undo()
    assert h.spans() == {} and h.panel.table_model.rowCount() == 0
    assert h.ctx.selected_span_id is None
    h.ctx.undo_stack.redo()
    assert list(h.spans()) == [span.id] and h.panel.table_model.rowCount() == 1


def test_span_after_an_emoji_keeps_code_point_offsets(h: Harness) -> None:
    span_id = h.tag("claim", "Kyiv agreed")
    span = h.spans()[span_id]
    assert TEXT[span.start : span.end] == "Kyiv agreed" == span.text


def test_messages_instead_of_spans_when_nothing_usable_is_selected(h: Harness, doc_ids: list[int]) -> None:
    assert h.panel.add_span_from_selection("claim") is None
    assert h.messages[-1] == "Select some text first and press C."
    h.selection = (TEXT.index("."), TEXT.index(".") + 2)  # ". "
    assert h.panel.add_span_from_selection("source") is None
    assert "only spaces or punctuation" in h.messages[-1]
    first = h.tag("claim", "Kyiv agreed")
    assert h.panel.add_span_from_selection("claim") == first
    assert "already tagged" in h.messages[-1] and len(h.spans()) == 1
    assert h.ctx.selected_span_id == first and h.panel.delete_selected_span()
    assert h.spans() == {}
    assert not h.panel.delete_selected_span()
    assert h.messages[-1].startswith("No span selected")


def test_attribute_editors_write_and_follow_undo(h: Harness) -> None:
    claim = h.tag("claim", "Ukraine must join NATO")
    combo = h.panel.span_editor.attributes.editor("claim_type")
    assert isinstance(combo, QComboBox) and combo.currentText() == "—"
    combo.setCurrentIndex(combo.findData("demand"))
    assert h.spans()[claim].attributes == {"claim_type": "demand"}
    assert h.panel.table_model.index(0, 4).data() == "demand"
    h.ctx.undo_stack.undo()
    assert h.spans()[claim].attributes == {} and combo.currentText() == "—"
    h.ctx.undo_stack.redo()
    assert combo.currentData() == "demand"


def test_source_name_completes_from_the_registry(h: Harness, qtbot: QtBot) -> None:
    # Completion offers canonical names on live spans: Stoltenberg's span carries one.
    named = h.tag("source", "Stoltenberg")
    svc.set_attribute(h.ctx.project, named, "canonical", "Volodymyr Zelensky")
    with h.ctx.project.session() as s:
        register_source_alias(s, "Zelenskyy", "Volodymyr Zelensky")
    h.ctx.project_replaced.emit()  # what File > Open does; the registry is re-read
    source = h.tag("source", "Zelensky")  # a spelling the registry does not know yet: left empty
    assert "canonical" not in h.spans()[source].attributes
    line = h.panel.span_editor.attributes.editor("canonical")
    assert isinstance(line, QLineEdit)
    completer = line.completer()
    assert completer is not None
    assert "Volodymyr Zelensky" in completer.model().stringList()
    line.setFocus()
    qtbot.keyClicks(line, "Zelenskyy")  # a known alias is stored as its canonical name
    line.editingFinished.emit()
    assert h.spans()[source].attributes["canonical"] == "Volodymyr Zelensky"
    assert line.text() == "Volodymyr Zelensky"
    h.ctx.undo_stack.undo()
    assert "canonical" not in h.spans()[source].attributes and line.text() == ""


def test_attribution_by_combo_and_by_picking_on_the_text(h: Harness, qtbot: QtBot) -> None:
    zel, stol = h.tag("source", "Zelensky"), h.tag("source", "Stoltenberg")
    claim = h.tag("claim", "the door stays open")
    combo = h.panel.span_editor.link_combos["attributed_to"]
    assert combo.count() == 3 and combo.currentData() == 0
    combo.setCurrentIndex(combo.findData(stol))
    assert [(r.from_span, r.to_span) for r in h.view().relations] == [(claim, stol)]
    button = h.panel.span_editor.pick_buttons["attributed_to"]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert h.ctx.link_pending and button.isChecked() and button.toolTip().startswith("Click a source")
    h.ctx.click_span(zel)
    assert not h.ctx.link_pending and button.text() == PICK_TEXT and not button.isChecked()
    assert [(r.from_span, r.to_span) for r in h.view().relations] == [(claim, zel)]
    assert h.ctx.selected_span_id == claim and combo.currentData() == zel
    h.ctx.undo_stack.undo()
    assert combo.currentData() == stol
    combo.setCurrentIndex(0)
    assert h.view().relations == ()
    h.ctx.undo_stack.undo()
    assert [r.to_span for r in h.view().relations] == [stol]
    h.ctx.select_span(zel)
    assert not h.panel.start_link_pick()  # a source has nothing to be attributed to
    assert "attributed" in h.messages[-1]


def test_claim_level_stance(h: Harness) -> None:
    claim = h.tag("claim", "Ukraine must join NATO")
    combo = h.panel.span_editor.stance_combos["nato_membership"]
    combo.setCurrentIndex(combo.findData("favor"))
    assert [(s.span_id, s.target, s.value) for s in h.view().stances] == [(claim, "nato_membership", "favor")]
    h.ctx.undo_stack.undo()
    assert h.view().stances == () and combo.currentIndex() == 0
    source = h.tag("source", "Zelensky")
    assert h.ctx.selected_span_id == source and h.panel.span_editor.stance_combos == {}


def test_document_stance_with_number_keys_and_radio_buttons(h: Harness, qtbot: QtBot) -> None:
    stance = h.panel.doc_stance
    assert h.panel.active_target == "nato_membership"
    assert h.panel.set_doc_stance_by_index(1)
    assert {(s.target, s.value) for s in h.view().stances} == {("nato_membership", "favor")}
    assert stance.groups["nato_membership"].value() == "favor"
    assert h.panel.cycle_active_target() == "security_guarantees"
    assert stance.groups["security_guarantees"].property("active")
    assert h.panel.set_doc_stance_by_index(2)
    assert not h.panel.set_doc_stance_by_index(9)
    undo_steps = h.ctx.undo_stack.count()
    assert h.panel.set_doc_stance_by_index(2) and h.ctx.undo_stack.count() == undo_steps
    radio = stance.groups["nato_membership"].group.button(2)
    qtbot.mouseClick(radio, Qt.MouseButton.LeftButton)
    assert h.panel.active_target == "nato_membership"
    assert {(s.target, s.value) for s in h.view().stances} == {
        ("nato_membership", "neutral"),
        ("security_guarantees", "against"),
    }
    h.ctx.undo_stack.undo()
    assert stance.groups["nato_membership"].value() == "favor"
    qtbot.mouseClick(stance.groups["nato_membership"].clear_button, Qt.MouseButton.LeftButton)
    assert stance.groups["nato_membership"].value() is None
    assert {s.target for s in h.view().stances} == {"security_guarantees"}
    h.ctx.undo_stack.undo()
    h.ctx.undo_stack.undo()
    assert stance.groups["security_guarantees"].value() is None


def test_notes_save_after_a_pause_and_on_document_switch(h: Harness, doc_ids: list[int], qtbot: QtBot) -> None:
    h.panel.notes.setFocus()
    qtbot.keyClicks(h.panel.notes, "Check the quote")
    qtbot.waitUntil(lambda: h.view().status.note == "Check the quote", timeout=3000)
    qtbot.keyClicks(h.panel.notes, " source")
    h.ctx.open_document(doc_ids[1])  # switching saves the pending edit to the right document
    assert h.panel.notes.toPlainText() == ""
    h.ctx.open_document(doc_ids[0])
    assert h.panel.notes.toPlainText() == "Check the quote source"
    assert h.ctx.undo_stack.count() == 1  # the two saves merged into one undo step
    h.ctx.undo_stack.undo()
    assert h.panel.notes.toPlainText() == "" and h.view().status.note == ""


def test_table_row_selects_the_span_and_the_selection_follows_back(h: Harness, qtbot: QtBot) -> None:
    a, b = h.tag("claim", "Ukraine must join NATO"), h.tag("source", "Zelensky")
    table = h.panel.table
    assert h.ctx.selected_span_id == b
    with qtbot.waitSignal(h.ctx.span_selected) as selected:
        rect = table.visualRect(h.panel.table_model.index(h.panel.table_model.row_of(a), 1))
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert selected.args == [a] and h.panel.span_editor.span is not None
    assert h.panel.span_editor.span.id == a
    h.ctx.select_span(b)
    assert table.selectionModel().isRowSelected(h.panel.table_model.row_of(b))
    qtbot.mouseClick(h.panel.span_editor.delete_button, Qt.MouseButton.LeftButton)
    assert list(h.spans()) == [a] and h.ctx.selected_span_id is None


def test_new_project_rebuilds_the_panel_from_its_scheme(h: Harness, tmp_path: Path) -> None:
    scheme = tmp_path / "scheme.toml"
    scheme.write_text(
        'name = "x"\n[[labels]]\nname = "actor"\nkey = "X"\ncolor = "#112233"\n'
        '[stance]\nvalues = ["yes", "no"]\n[[stance.targets]]\nname = "peace"\n',
        encoding="utf-8",
    )
    other = Project.open(tmp_path / "other.db", scheme_path=scheme)
    h.ctx.replace_project(other, other.annotator("me"))
    assert list(h.panel.label_bar.buttons) == ["actor"]
    assert h.panel.label_bar.buttons["actor"].text() == "Actor  [X]"
    assert list(h.panel.doc_stance.groups) == ["peace"]
    assert h.panel.table_model.rowCount() == 0 and not h.panel.notes.isEnabled()
    assert h.panel.add_span_from_selection("actor") is None
    assert h.messages[-1] == "Open a document first."
    other.close()
