"""Every undo command: do -> undo -> redo against a real project file, and what it tells the views."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from annotator.model.changes import Changes
from annotator.model.types import Span, Status
from annotator.services import annotations as svc
from annotator.services import documents as doc_svc
from annotator.services.project import Project
from annotator.ui.commands import (
    AddSpanCommand,
    ChangeSpanCommand,
    DeleteSpanCommand,
    LinkCommand,
    SetAttributeCommand,
    SetNoteCommand,
    SetStanceCommand,
    SetStatusCommand,
    UnlinkCommand,
    push_command,
)
from annotator.ui.context import AppContext
from tests.helpers import add_texts

TEXT = "Zelensky said Ukraine must join NATO. Stoltenberg said the door stays open. 🇺🇦 Kyiv agreed."


@pytest.fixture
def ctx(project: Project, qtbot: QtBot) -> Iterator[AppContext]:
    context = AppContext(project, project.annotator("me"))
    doc_id = add_texts(project, TEXT, "A second article.")[0]
    context.open_document(doc_id)
    yield context
    context.undo_stack.clear()


def view(ctx: AppContext) -> doc_svc.DocumentView:
    assert ctx.current_doc_id is not None
    return doc_svc.load_view(ctx.project, ctx.current_doc_id, ctx.annotator.id)


def spans(ctx: AppContext) -> dict[int, Span]:
    return {s.id: s for s in view(ctx).spans}


def make_span(ctx: AppContext, label: str, word: str) -> int:
    start = TEXT.index(word)
    assert ctx.current_doc_id is not None
    return svc.add_span(ctx.project, ctx.current_doc_id, ctx.recorded_annotator().id, label, start, start + len(word))[
        0
    ].id


def test_add_span_round_trip_keeps_the_id(ctx: AppContext, qtbot: QtBot) -> None:
    cmd = AddSpanCommand(ctx, ctx.current_doc_id, "claim", 0, 36, {"claim_type": "demand"})
    with qtbot.waitSignal(ctx.changed) as blocker:
        ctx.push(cmd)
    changes: Changes = blocker.args[0]
    assert changes.spans and ctx.current_doc_id in changes.doc_ids
    assert cmd.text() == "Add claim"
    span = spans(ctx)[cmd.span_id]
    assert (span.label, span.start, span.end) == ("claim", 0, 36)
    assert dict(span.attributes) == {"claim_type": "demand"}
    assert span.text == "Zelensky said Ukraine must join NATO"
    ctx.select_span(cmd.span_id)
    ctx.undo_stack.undo()
    assert spans(ctx) == {}
    assert ctx.selected_span_id is None
    ctx.undo_stack.redo()
    assert spans(ctx)[cmd.span_id].text == span.text


def test_adding_a_span_the_layer_holds_keeps_it_and_its_undo_leaves_it(ctx: AppContext) -> None:
    """The service gives back the span already there (say a colleague curator added it to gold
    since my view was read): the command marks it as existing, so undoing it deletes nothing."""
    held = make_span(ctx, "claim", "Zelensky")
    cmd = AddSpanCommand(ctx, ctx.current_doc_id, "claim", 0, len("Zelensky"))
    assert push_command(ctx, cmd) is None
    assert cmd.span_id == held and cmd.existed and list(spans(ctx)) == [held]
    ctx.undo_stack.undo()
    assert list(spans(ctx)) == [held]
    ctx.undo_stack.redo()
    assert list(spans(ctx)) == [held]


def test_refused_command_is_dropped_with_a_reason(ctx: AppContext) -> None:
    cmd = AddSpanCommand(ctx, ctx.current_doc_id, "no_such_label", 0, 5)
    error = push_command(ctx, cmd)
    assert error and "no_such_label" in error
    assert ctx.undo_stack.count() == 0
    assert push_command(ctx, AddSpanCommand(ctx, ctx.current_doc_id, "claim", 5, 5)) is not None
    assert spans(ctx) == {}


def test_delete_span_restores_relations_and_stances(ctx: AppContext) -> None:
    claim, source = make_span(ctx, "claim", "Ukraine must join NATO"), make_span(ctx, "source", "Zelensky")
    rel = svc.link(ctx.project, "attributed_to", claim, source)[0].relation
    svc.set_stance(
        ctx.project, ctx.current_doc_id, ctx.recorded_annotator().id, "nato_membership", "favor", span_id=claim
    )
    ctx.select_span(claim)
    cmd = DeleteSpanCommand(ctx, claim, "claim")
    ctx.push(cmd)
    assert cmd.text() == "Delete claim"
    assert set(spans(ctx)) == {source} and view(ctx).relations == () and view(ctx).stances == ()
    assert ctx.selected_span_id is None
    ctx.undo_stack.undo()
    v = view(ctx)
    assert set(spans(ctx)) == {claim, source}
    assert [r.id for r in v.relations] == [rel.id]
    assert [(s.span_id, s.value) for s in v.stances] == [(claim, "favor")]
    ctx.undo_stack.redo()
    assert set(spans(ctx)) == {source}


def test_change_span_label_and_attributes(ctx: AppContext) -> None:
    span_id = make_span(ctx, "claim", "Ukraine must join NATO")
    svc.set_attribute(ctx.project, span_id, "claim_type", "demand")
    ctx.push(ChangeSpanCommand(ctx, span_id, attributes={"claim_type": "opinion", "checkworthy": "yes"}))
    assert dict(spans(ctx)[span_id].attributes) == {"claim_type": "opinion", "checkworthy": "yes"}
    ctx.undo_stack.undo()
    assert dict(spans(ctx)[span_id].attributes) == {"claim_type": "demand"}
    ctx.undo_stack.redo()
    assert spans(ctx)[span_id].attributes["checkworthy"] == "yes"
    cmd = ChangeSpanCommand(ctx, span_id, label="source")
    ctx.push(cmd)
    assert cmd.text() == "Change to source"
    assert (spans(ctx)[span_id].label, dict(spans(ctx)[span_id].attributes)) == ("source", {})
    ctx.undo_stack.undo()
    after_undo = spans(ctx)[span_id]
    assert (after_undo.label, after_undo.attributes["claim_type"]) == ("claim", "opinion")
    ctx.undo_stack.redo()
    assert spans(ctx)[span_id].label == "source"


def test_set_attribute_round_trip(ctx: AppContext) -> None:
    span_id = make_span(ctx, "source", "Stoltenberg")
    cmd = SetAttributeCommand(ctx, span_id, "canonical", "Jens Stoltenberg")
    ctx.push(cmd)
    assert cmd.text() == "Set canonical: Jens Stoltenberg"
    assert spans(ctx)[span_id].attributes == {"canonical": "Jens Stoltenberg"}
    ctx.push(SetAttributeCommand(ctx, span_id, "canonical", ""))
    assert "canonical" not in spans(ctx)[span_id].attributes
    ctx.undo_stack.undo()
    ctx.undo_stack.undo()
    assert spans(ctx)[span_id].attributes == {}
    ctx.undo_stack.redo()
    assert spans(ctx)[span_id].attributes == {"canonical": "Jens Stoltenberg"}


def test_link_replaces_and_undo_restores_the_replaced_link(ctx: AppContext) -> None:
    claim = make_span(ctx, "claim", "the door stays open")
    first, second = make_span(ctx, "source", "Zelensky"), make_span(ctx, "source", "Stoltenberg")
    old = svc.link(ctx.project, "attributed_to", claim, first)[0].relation
    cmd = LinkCommand(ctx, "attributed_to", claim, second)
    ctx.push(cmd)
    assert cmd.text() == "Link attributed to"
    assert [(r.from_span, r.to_span) for r in view(ctx).relations] == [(claim, second)]
    new_id = cmd.relation_id
    ctx.undo_stack.undo()
    assert [(r.id, r.to_span) for r in view(ctx).relations] == [(old.id, first)]
    ctx.undo_stack.redo()
    assert [(r.id, r.to_span) for r in view(ctx).relations] == [(new_id, second)]


def test_link_of_the_wrong_labels_is_refused(ctx: AppContext) -> None:
    claim, other = make_span(ctx, "claim", "Ukraine must join NATO"), make_span(ctx, "claim", "Kyiv agreed")
    error = push_command(ctx, LinkCommand(ctx, "attributed_to", claim, other))
    assert error and "source" in error
    assert ctx.undo_stack.count() == 0


def test_unlink_round_trip_keeps_the_relation_id(ctx: AppContext) -> None:
    claim, source = make_span(ctx, "claim", "Ukraine must join NATO"), make_span(ctx, "source", "Zelensky")
    rel = svc.link(ctx.project, "attributed_to", claim, source)[0].relation
    ctx.push(UnlinkCommand(ctx, rel))
    assert view(ctx).relations == ()
    ctx.undo_stack.undo()
    assert [r.id for r in view(ctx).relations] == [rel.id]
    ctx.undo_stack.redo()
    assert view(ctx).relations == ()


def test_document_and_claim_stance_round_trip(ctx: AppContext) -> None:
    doc_id = ctx.current_doc_id
    cmd = SetStanceCommand(ctx, doc_id, "nato_membership", "favor")
    ctx.push(cmd)
    assert cmd.text() == "Set document stance on nato membership: favor"
    ctx.push(SetStanceCommand(ctx, doc_id, "nato_membership", "against"))
    stance = {(s.target, s.span_id): s.value for s in view(ctx).stances}
    assert stance == {("nato_membership", None): "against"}
    ctx.undo_stack.undo()
    assert {s.value for s in view(ctx).stances} == {"favor"}
    ctx.undo_stack.undo()
    assert view(ctx).stances == ()
    ctx.undo_stack.redo()
    assert {s.value for s in view(ctx).stances} == {"favor"}

    claim = make_span(ctx, "claim", "Ukraine must join NATO")
    clear = SetStanceCommand(ctx, doc_id, "nato_membership", None)
    ctx.push(clear)
    assert clear.text() == "Clear document stance on nato membership" and view(ctx).stances == ()
    on_claim = SetStanceCommand(ctx, doc_id, "security_guarantees", "neutral", span_id=claim)
    ctx.push(on_claim)
    assert on_claim.text() == "Set claim stance on security guarantees: neutral"
    assert [(s.span_id, s.value) for s in view(ctx).stances] == [(claim, "neutral")]
    ctx.undo_stack.undo()
    ctx.undo_stack.undo()
    assert [(s.span_id, s.value) for s in view(ctx).stances] == [(None, "favor")]
    ctx.undo_stack.redo()
    ctx.undo_stack.redo()
    assert [(s.span_id, s.value) for s in view(ctx).stances] == [(claim, "neutral")]


def test_set_status_round_trip(ctx: AppContext) -> None:
    cmd = SetStatusCommand(ctx, ctx.current_doc_id, Status.DONE)
    ctx.push(cmd)
    assert cmd.text() == "Mark done"
    assert view(ctx).status.status == Status.DONE
    ctx.undo_stack.undo()
    assert view(ctx).status.status == Status.NOT_STARTED
    ctx.undo_stack.redo()
    assert view(ctx).status.status == Status.DONE


def test_consecutive_note_edits_merge_into_one_step(ctx: AppContext) -> None:
    doc_id, other = doc_svc.document_ids(ctx.project)
    for note in ("Che", "Check the", "Check the quote"):
        ctx.push(SetNoteCommand(ctx, doc_id, note))
    assert ctx.undo_stack.count() == 1
    assert view(ctx).status.note == "Check the quote"
    ctx.push(SetNoteCommand(ctx, other, "elsewhere"))
    assert ctx.undo_stack.count() == 2
    ctx.undo_stack.undo()
    ctx.undo_stack.undo()
    assert view(ctx).status.note == ""
    ctx.undo_stack.redo()
    assert view(ctx).status.note == "Check the quote"
    ctx.push(SetNoteCommand(ctx, doc_id, "Check the quote!"))  # drops the redo tail, merges with the top
    assert ctx.undo_stack.count() == 1 and view(ctx).status.note == "Check the quote!"
    ctx.push(SetNoteCommand(ctx, doc_id, ""))  # typed back to where it started: the step vanishes
    assert ctx.undo_stack.count() == 0 and view(ctx).status.note == ""
