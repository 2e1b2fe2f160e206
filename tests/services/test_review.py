"""Review mode against a real project file: alignment, adjudication into gold, comments, blind mode."""

from __future__ import annotations

import hashlib

import pytest

from annotator.model.errors import ValidationError
from annotator.model.types import GOLD, Origin, Status
from annotator.services import annotations as A
from annotator.services import documents as D
from annotator.services import review as R
from annotator.services.project import Project
from annotator.store import documents as store_docs
from annotator.store.engine import utc_now

#       0         1         2         3         4         5         6         7         8
#       012345678901234567890123456789012345678901234567890123456789012345678901234567890
TEXT = "NATO is ready. Kyiv wants guarantees now. Zelensky Stoltenb said more talks needed soon."


def _doc(project: Project, text: str = TEXT, ext_id: str = "d1") -> int:
    with project.session() as s:
        store_docs.insert_documents(
            s,
            [
                dict(
                    ext_id=ext_id,
                    sha256=hashlib.sha256(text.encode()).hexdigest(),
                    title=ext_id,
                    text=text,
                    n_chars=len(text),
                    meta={},
                    encoding="utf-8",
                    source=None,
                    imported_at=utc_now(),
                )
            ],
        )
    return D.document_ids(project)[-1]


@pytest.fixture
def case(project: Project) -> tuple[int, int, int]:
    """Alice and Bob on one document, with one item of every kind of (dis)agreement."""
    doc = _doc(project)
    a, b = project.annotator("alice").id, project.annotator("bob").id
    spans = {}
    for who, label, start, end, attrs in [
        (a, "claim", 0, 13, {"claim_type": "factual"}),
        (b, "claim", 0, 13, {"claim_type": "factual"}),  # agreed
        (a, "claim", 15, 40, {}),
        (b, "claim", 15, 36, {}),  # partial
        (a, "source", 42, 50, {"source_type": "named_person"}),
        (b, "source", 42, 50, {"source_type": "official"}),  # conflicting attributes
        (a, "claim", 51, 59, {}),
        (b, "source", 51, 59, {}),  # conflicting label
        (b, "claim", 65, 85, {}),  # single
    ]:
        spans[(who, start)] = A.add_span(project, doc, who, label, start, end, attrs)[0].id
    for who in (a, b):  # agreed relation: the first claim is attributed to the source at 42
        A.link(project, "attributed_to", spans[(who, 0)], spans[(who, 42)])
    A.link(project, "attributed_to", spans[(a, 15)], spans[(a, 42)])  # conflicting: bob names another source
    A.link(project, "attributed_to", spans[(b, 15)], spans[(b, 51)])
    A.set_stance(project, doc, a, "nato_membership", "favor")
    A.set_stance(project, doc, b, "nato_membership", "favor")  # agreed
    A.set_stance(project, doc, a, "security_guarantees", "favor")
    A.set_stance(project, doc, b, "security_guarantees", "against")  # conflicting
    A.set_stance(project, doc, a, "security_guarantees", "favor", spans[(a, 0)])  # single, claim level
    return doc, a, b


def _kinds(items: tuple[R.ReviewItem, ...]) -> dict[str, str]:
    return {item.key: item.agreement.value for item in items}


def test_alignment_marks_agreed_partial_conflicting_and_single(project: Project, case: tuple[int, int, int]) -> None:
    doc, a, b = case
    al = R.align_document(project, doc, [a, b])
    assert _kinds(al.spans) == {
        "span:0:13:claim": "agreed",
        "span:15:40:claim": "partial",
        "span:42:50:source": "conflicting",
        "span:51:59:claim": "conflicting",
        "span:65:85:claim": "single",
    }
    partial = al.item("span:15:40:claim")
    assert isinstance(partial, R.SpanItem)
    assert (partial.versions[a].end, partial.versions[b].end) == (40, 36)  # type: ignore[union-attr]
    assert R.align_document(project, doc, [a, b]).item("span:65:85:claim").versions[a] is None
    assert _kinds(al.relations) == {
        "relation:attributed_to:span:0:13:claim->span:42:50:source": "agreed",
        "relation:attributed_to:span:15:40:claim->span:42:50:source": "conflicting",
        "relation:attributed_to:span:15:40:claim->span:51:59:claim": "conflicting",
    }
    assert _kinds(al.stances) == {
        "stance:nato_membership": "agreed",
        "stance:security_guarantees": "conflicting",
        "stance:security_guarantees@span:0:13:claim": "single",
    }
    assert al.counts() == {"agreed": 3, "partial": 1, "conflicting": 5, "single": 2}
    assert all(item.gold is None and not item.rejected for item in al.items)


def test_three_annotators_two_agreeing_is_partial(project: Project, case: tuple[int, int, int]) -> None:
    doc, a, b = case
    c = project.annotator("carol").id
    A.add_span(project, doc, c, "claim", 0, 13, {"claim_type": "factual"})
    al = R.align_document(project, doc, [a, b, c])
    assert _kinds(al.spans)["span:0:13:claim"] == "agreed"
    assert _kinds(al.relations)["relation:attributed_to:span:0:13:claim->span:42:50:source"] == "partial"
    assert _kinds(al.stances)["stance:nato_membership"] == "partial"


def test_accept_copies_a_version_into_gold(project: Project, case: tuple[int, int, int]) -> None:
    doc, a, b = case
    item = R.align_document(project, doc, [a, b]).item("span:0:13:claim")
    changes = R.accept(project, doc, item, a)
    assert changes.spans and doc in changes.doc_ids
    gold = project.annotator(GOLD, create=False)
    (span,) = D.load_view(project, doc, gold.id).spans
    assert (span.label, span.start, span.end, dict(span.attributes), span.origin) == (
        "claim",
        0,
        13,
        {"claim_type": "factual"},
        Origin.MANUAL,
    )
    again = R.align_document(project, doc, [a, b]).item("span:0:13:claim")
    assert again.gold is not None and again.gold.id == span.id
    R.accept(project, doc, again, b)  # the same version again: nothing new
    assert len(D.load_view(project, doc, gold.id).spans) == 1


def test_accepting_another_version_replaces_golds(project: Project, case: tuple[int, int, int]) -> None:
    doc, a, b = case
    item = R.align_document(project, doc, [a, b]).item("span:42:50:source")
    R.accept(project, doc, item, a)
    gold = project.annotator(GOLD, create=False)
    first = D.load_view(project, doc, gold.id).spans[0]
    R.accept(project, doc, R.align_document(project, doc, [a, b]).item("span:42:50:source"), b)
    (now,) = D.load_view(project, doc, gold.id).spans
    assert now.id == first.id and now.attributes == {"source_type": "official"}
    partial = R.align_document(project, doc, [a, b]).item("span:15:40:claim")
    R.accept(project, doc, partial, b)
    R.accept(project, doc, R.align_document(project, doc, [a, b]).item("span:15:40:claim"), a)
    assert sorted((s.start, s.end) for s in D.load_view(project, doc, gold.id).spans) == [(15, 40), (42, 50)]
    with pytest.raises(ValidationError, match="no version"):
        R.accept(project, doc, R.align_document(project, doc, [a, b]).item("span:65:85:claim"), a)


def test_accept_all_agreed_takes_every_agreed_item_once(project: Project, case: tuple[int, int, int]) -> None:
    doc, a, b = case
    # The agreed relation hangs on the source at 42, whose attributes conflict: accepting the
    # relation would copy one annotator's source into gold, so it waits for the reviewer.
    assert R.accept_all_agreed(project, doc, [a, b]) == 2
    al = R.align_document(project, doc, [a, b])
    assert {item.key for item in al.items if item.gold is not None} == {"span:0:13:claim", "stance:nato_membership"}
    assert R.accept_all_agreed(project, doc, [a, b]) == 0
    R.accept(project, doc, al.item("span:42:50:source"), b)  # the reviewer settles the source
    assert R.accept_all_agreed(project, doc, [a, b]) == 1
    al = R.align_document(project, doc, [a, b])
    assert {item.key for item in al.items if item.gold is not None} == {
        "span:0:13:claim",
        "span:42:50:source",
        "stance:nato_membership",
        "relation:attributed_to:span:0:13:claim->span:42:50:source",
    }
    assert al.item("span:42:50:source").gold.attributes["source_type"] == "official"  # type: ignore[union-attr]


def test_resolving_a_stance_conflict(project: Project, case: tuple[int, int, int]) -> None:
    doc, a, b = case
    conflict = R.align_document(project, doc, [a, b]).item("stance:security_guarantees")
    assert conflict.agreement == R.Agreement.CONFLICTING
    R.accept(project, doc, conflict, b)
    settled = R.align_document(project, doc, [a, b]).item("stance:security_guarantees")
    assert settled.gold is not None and settled.gold.value == "against"  # type: ignore[union-attr]
    R.accept(project, doc, settled, a)
    gold = project.annotator(GOLD, create=False)
    values = [(st.target, st.value, st.span_id) for st in D.load_view(project, doc, gold.id).stances]
    assert values == [("security_guarantees", "favor", None)]


def test_accepting_a_claim_stance_or_relation_brings_its_spans(project: Project, case: tuple[int, int, int]) -> None:
    doc, a, b = case
    al = R.align_document(project, doc, [a, b])
    R.accept(project, doc, al.item("stance:security_guarantees@span:0:13:claim"), a)
    R.accept(project, doc, al.item("relation:attributed_to:span:15:40:claim->span:51:59:claim"), b)
    gold = project.annotator(GOLD, create=False)
    view = D.load_view(project, doc, gold.id)
    by_id = {s.id: (s.label, s.start, s.end) for s in view.spans}
    assert sorted(by_id.values()) == [("claim", 0, 13), ("claim", 15, 36), ("source", 51, 59)]
    assert [(st.value, by_id[st.span_id]) for st in view.stances if st.span_id] == [("favor", ("claim", 0, 13))]
    assert [(by_id[r.from_span], by_id[r.to_span]) for r in view.relations] == [(("claim", 15, 36), ("source", 51, 59))]
    # Accepting alice's source for that claim replaces bob's link in gold (one source per claim).
    R.accept(
        project,
        doc,
        R.align_document(project, doc, [a, b]).item("relation:attributed_to:span:15:40:claim->span:42:50:source"),
        a,
    )
    view = D.load_view(project, doc, gold.id)
    by_id = {s.id: (s.label, s.start, s.end) for s in view.spans}
    assert [by_id[r.to_span] for r in view.relations] == [("source", 42, 50)]


def test_reject_removes_gold_and_is_remembered(project: Project, case: tuple[int, int, int]) -> None:
    doc, a, b = case
    item = R.align_document(project, doc, [a, b]).item("span:0:13:claim")
    R.accept(project, doc, item, a)
    R.reject(project, doc, R.align_document(project, doc, [a, b]).item("span:0:13:claim"))
    rejected = R.align_document(project, doc, [a, b]).item("span:0:13:claim")
    assert rejected.rejected and rejected.gold is None
    assert R.accept_all_agreed(project, doc, [a, b]) == 1  # the span, and the link on it, are left alone
    assert R.comments(project, doc) == []  # the record is not a comment
    R.accept(project, doc, rejected, b)  # accepting after all clears the rejection
    assert not R.align_document(project, doc, [a, b]).item("span:0:13:claim").rejected


def test_gold_snapshot_restores_gold_for_undo(project: Project, case: tuple[int, int, int]) -> None:
    doc, a, b = case
    R.accept(project, doc, R.align_document(project, doc, [a, b]).item("span:15:40:claim"), a)
    snapshot = R.gold_snapshot(project, doc)
    R.accept_all_agreed(project, doc, [a, b])
    R.reject(project, doc, R.align_document(project, doc, [a, b]).item("span:15:40:claim"))
    R.restore_gold(project, snapshot)
    assert R.gold_snapshot(project, doc) == snapshot
    assert not R.align_document(project, doc, [a, b]).item("span:15:40:claim").rejected


def test_comments_on_items(project: Project, case: tuple[int, int, int]) -> None:
    doc, a, b = case
    rita = project.annotator("rita").id
    first = R.add_comment(project, doc, rita, "span:42:50:source", "  He is a named person, not an official. ")
    R.add_comment(project, doc, a, "document", "Headline only")
    listed = R.comments(project, doc)
    assert [(c.author, c.item_key, c.text) for c in listed] == [
        ("rita", "span:42:50:source", "He is a named person, not an official."),
        ("alice", "document", "Headline only"),
    ]
    assert listed[0] == first
    R.delete_comment(project, first.id)
    assert [c.item_key for c in R.comments(project, doc)] == ["document"]
    for key, text in (("span:1:2:claim", " "), ("rejected:span:1:2:claim", "x")):
        with pytest.raises(ValidationError):
            R.add_comment(project, doc, rita, key, text)


def test_disagreement_scores_put_the_worst_document_first(project: Project, case: tuple[int, int, int]) -> None:
    doc, a, b = case
    calm = _doc(project, "Both of them read this the same way.", "d2")
    for who in (a, b):
        A.add_span(project, calm, who, "claim", 0, 4)
        A.set_stance(project, calm, who, "nato_membership", "neutral")
    lone = _doc(project, "Only alice read this.", "d3")
    A.add_span(project, lone, a, "claim", 0, 4)
    R.accept_all_agreed(project, calm, [a, b])  # gold is not an annotator to compare
    scores = R.disagreement_scores(project)
    assert scores[calm] == 0.0 and scores[lone] == 0.0
    assert 0.0 < scores[doc] <= 1.0
    assert sorted(scores, key=lambda d: -scores[d])[0] == doc
    assert R.disagreement_scores(project, [a]) == {doc: 0.0, calm: 0.0, lone: 0.0}


def test_blind_mode_hides_colleagues_until_i_am_done(project: Project, case: tuple[int, int, int]) -> None:
    doc, a, b = case
    gold = project.annotator(GOLD).id
    assert not R.is_blind(project)
    assert R.visible_layers(project, a, doc, [a, b, gold]) == [a, b, gold]
    R.set_blind(project, True)
    assert R.is_blind(project)
    assert R.visible_layers(project, a, doc, [a, b, gold]) == [a]
    A.set_status(project, doc, a, Status.DONE)
    assert R.visible_layers(project, a, doc, [a, b, gold]) == [a, b, gold]
    assert R.visible_layers(project, b, doc, [a, b]) == [b]
    R.set_blind(project, False)
    assert R.visible_layers(project, b, doc, [a, b]) == [a, b]


def test_gold_is_in_progress_once_a_decision_fills_it_and_not_started_when_undone(
    project: Project, case: tuple[int, int, int]
) -> None:
    """The trial: the document list and `stats` said gold had not started a document the curator had
    accepted half its items into (hand edits in gold moved it; review decisions did not)."""
    doc, a, b = case
    empty = R.gold_snapshot(project, doc)
    gold = project.annotator(GOLD).id

    def status() -> Status:
        return D.load_view(project, doc, gold).status.status

    assert status() == Status.NOT_STARTED
    changes = R.accept(project, doc, R.align_document(project, doc, [a, b]).item("span:0:13:claim"), a)
    assert status() == Status.IN_PROGRESS and changes.status and changes.done_kept
    R.restore_gold(project, empty)  # undo of the decision
    assert status() == Status.NOT_STARTED
    R.accept_all_agreed(project, doc, [a, b])
    assert status() == Status.IN_PROGRESS
    A.set_status(project, doc, gold, Status.DONE)
    R.reject(project, doc, R.align_document(project, doc, [a, b]).item("span:0:13:claim"))
    R.restore_gold(project, empty)
    assert status() == Status.DONE  # a document the curator marked done stays done
