"""Annotation use-cases against a real project file."""

from __future__ import annotations

import pytest

from annotator.model.errors import ValidationError
from annotator.model.types import Status
from annotator.services import annotations as A
from annotator.services import documents as D
from annotator.services.project import Project
from tests.helpers import add_texts

TEXT = "😀 Zelensky said NATO must act, and Stoltenberg agreed."


def _doc(project: Project, text: str = TEXT, ext_id: str = "d1") -> int:
    (doc,) = add_texts(project, text, ext_id=ext_id, title=ext_id)
    return doc


def test_add_span_stores_code_point_offsets_and_text(project: Project) -> None:
    doc = _doc(project)
    me = project.annotator("alice")
    start = TEXT.index("Zelensky")
    span, changes = A.add_span(project, doc, me.id, "claim", start, start + 8, {"claim_type": "factual"})
    assert span.text == "Zelensky" == TEXT[span.start : span.end]
    assert changes.spans and doc in changes.doc_ids
    view = D.load_view(project, doc, me.id)
    assert [s.id for s in view.spans] == [span.id]
    assert view.status.status == Status.IN_PROGRESS


@pytest.mark.parametrize(
    ("label", "start", "end", "attrs", "message"),
    [
        ("quote", 0, 3, {}, "label 'quote'"),
        ("claim", 5, 5, {}, "outside"),
        ("claim", 0, 999, {}, "outside"),
        ("claim", 0, 3, {"claim_type": "rumour"}, "rumour"),
    ],
)
def test_add_span_rejects_what_the_scheme_or_text_forbid(
    project: Project, label: str, start: int, end: int, attrs: dict[str, str], message: str
) -> None:
    doc = _doc(project)
    me = project.annotator("alice")
    with pytest.raises(ValidationError, match=message):
        A.add_span(project, doc, me.id, label, start, end, attrs)
    assert D.stats(project)["spans"] == 0


def test_delete_then_restore_brings_back_relations_and_stances(project: Project) -> None:
    doc = _doc(project)
    me = project.annotator("alice")
    claim, _ = A.add_span(project, doc, me.id, "claim", 11, 31)
    source, _ = A.add_span(project, doc, me.id, "source", 2, 10)
    A.link(project, "attributed_to", claim.id, source.id)
    A.set_stance(project, doc, me.id, "nato_membership", "favor", span_id=claim.id)
    removed, _ = A.delete_span(project, claim.id)
    assert D.stats(project) == {"documents": 1, "annotators": 1, "spans": 1, "relations": 0, "stances": 0}
    A.restore_span(project, removed)
    view = D.load_view(project, doc, me.id)
    assert {s.id for s in view.spans} == {claim.id, source.id}
    assert [(r.from_span, r.to_span) for r in view.relations] == [(claim.id, source.id)]
    assert [(s.target, s.value, s.span_id) for s in view.stances] == [("nato_membership", "favor", claim.id)]


def test_one_source_per_claim_replaces_the_old_link(project: Project) -> None:
    doc = _doc(project)
    me = project.annotator("alice")
    claim, _ = A.add_span(project, doc, me.id, "claim", 11, 31)
    first, _ = A.add_span(project, doc, me.id, "source", 2, 10)
    second, _ = A.add_span(project, doc, me.id, "source", 37, 48)
    A.link(project, "attributed_to", claim.id, first.id)
    result, _ = A.link(project, "attributed_to", claim.id, second.id)
    assert [r.to_span for r in result.replaced] == [first.id]
    assert [r.to_span for r in D.load_view(project, doc, me.id).relations] == [second.id]
    with pytest.raises(ValidationError, match="goes from a claim"):
        A.link(project, "attributed_to", first.id, claim.id)


def test_stance_set_change_and_clear_return_previous_values(project: Project) -> None:
    doc = _doc(project)
    me = project.annotator("alice")
    assert A.set_stance(project, doc, me.id, "nato_membership", "favor")[0] is None
    assert A.set_stance(project, doc, me.id, "nato_membership", "against")[0] == "favor"
    assert A.set_stance(project, doc, me.id, "nato_membership", None)[0] == "against"
    assert D.load_view(project, doc, me.id).stances == ()
    with pytest.raises(ValidationError, match="not one of"):
        A.set_stance(project, doc, me.id, "nato_membership", "maybe")


def test_status_progress_and_next_unfinished(project: Project) -> None:
    first, second = _doc(project, "one", "a"), _doc(project, "two", "b")
    me = project.annotator("alice")
    assert A.set_status(project, first, me.id, Status.DONE)[0] == Status.NOT_STARTED
    assert D.progress(project, me.id) == D.Progress(1, 2)
    assert D.next_unfinished(project, me.id, first) == second
    assert D.document_ids(project, me.id, Status.DONE) == [first]
    assert D.document_ids(project, me.id, Status.NOT_STARTED) == [second]
    A.add_time(project, first, me.id, 12.5)
    A.add_time(project, first, me.id, 2.5)
    assert D.load_view(project, first, me.id).status.seconds == 15.0


def test_canonical_names_feed_the_source_registry_and_fill_new_mentions(project: Project) -> None:
    text = "Zelenskyy spoke. Later Zelenskyy spoke again, and Zelensky agreed."
    doc = _doc(project, text)
    me = project.annotator("alice")
    first, _ = A.add_span(project, doc, me.id, "source", 0, 9)
    assert "canonical" not in first.attributes
    A.set_attribute(project, first.id, "canonical", "Volodymyr Zelensky")
    assert D.source_registry(project) == {"Zelenskyy": "Volodymyr Zelensky", "Volodymyr Zelensky": "Volodymyr Zelensky"}
    start = text.index("Zelenskyy", 5)
    second, _ = A.add_span(project, doc, me.id, "source", start, start + 9)
    assert second.attributes["canonical"] == "Volodymyr Zelensky"  # known alias: filled at once
    other = text.index("Zelensky agreed")
    third, _ = A.add_span(project, doc, me.id, "source", other, other + 8)
    assert "canonical" not in third.attributes  # an unknown spelling is left for the analyst
    claim, _ = A.add_span(project, doc, me.id, "claim", 0, 16)
    assert "canonical" not in claim.attributes  # only labels whose scheme asks for the registry
