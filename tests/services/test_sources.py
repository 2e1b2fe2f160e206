"""The source registry and honest document status, against a real project file (no Qt)."""

from __future__ import annotations

import pytest

from annotator.model.errors import ValidationError
from annotator.model.types import Status
from annotator.services import annotations as A
from annotator.services import documents as D
from annotator.services import sources as S
from annotator.services.project import Project
from tests.services.test_annotations import _doc

TEXT = "Volodymyr Zelenskiy has said it. Zelensky repeated it. Zelenskyy agreed. Stoltenberg did not."


def _source(project: Project, doc: int, who: int, text: str, canonical: str, nth: int = 0) -> int:
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(text, start + 1)
    span, _ = A.add_span(project, doc, who, "source", start, start + len(text))
    A.set_attribute(project, span.id, "canonical", canonical)
    return span.id


def _state(project: Project) -> tuple[list[S.SourceName], dict[str, str], dict[int, dict[str, str]]]:
    spans = {s.id: dict(s.attributes) for s in D.load_view(project, 1, 0, [a.id for a in project.annotators()]).spans}
    with project.session() as s:
        from annotator.store import sources as q

        return S.source_names(project), q.aliases(s), spans


def test_completion_offers_live_canonical_names_only_ranked_by_use(project: Project) -> None:
    doc = _doc(project, TEXT)
    me = project.annotator("alice").id
    wrong = _source(project, doc, me, "Volodymyr Zelenskiy has", "Volodymyr Zelenskiy has")
    _source(project, doc, me, "Zelensky", "Volodymyr Zelensky")
    _source(project, doc, me, "Zelenskyy", "Volodymyr Zelensky")
    _source(project, doc, me, "Stoltenberg", "Jens Stoltenberg")
    assert S.completions(project) == ["Volodymyr Zelensky", "Jens Stoltenberg", "Volodymyr Zelenskiy has"]
    A.delete_span(project, wrong)
    assert S.completions(project) == ["Volodymyr Zelensky", "Jens Stoltenberg"]
    names = {n.name: n for n in S.source_names(project)}
    assert names["Volodymyr Zelensky"].count == 2
    assert [a.text for a in names["Volodymyr Zelensky"].aliases] == ["Zelensky", "Zelenskyy"]
    # the deleted span's spelling is gone from the alias table too: nothing offers it again
    assert "Volodymyr Zelenskiy has" not in S.alias_map(project)
    assert S.alias_map(project)["Zelenskyy"] == "Volodymyr Zelensky"


def test_rename_merge_and_move_alias_each_round_trip(project: Project) -> None:
    doc = _doc(project, TEXT)
    me = project.annotator("alice").id
    bob = project.annotator("bob").id
    _source(project, doc, me, "Zelensky", "Volodymyr Zelensky")
    _source(project, doc, bob, "Zelenskyy", "Zelenskyy")
    _source(project, doc, me, "Stoltenberg", "Jens Stoltenberg")
    start = _state(project)

    edit, changes = S.rename_source(project, "Jens Stoltenberg", "Jens Stoltenberg (NATO)")
    assert changes.spans and changes.doc_ids == {doc}
    assert "Jens Stoltenberg (NATO)" in S.completions(project) and "Jens Stoltenberg" not in S.completions(project)
    after = _state(project)
    S.apply_state(project, edit.before)
    assert _state(project)[0] == start[0] and _state(project)[2] == start[2]
    S.apply_state(project, edit.after)
    assert _state(project) == after
    S.apply_state(project, edit.before)

    edit, _ = S.merge_sources(project, "Zelenskyy", "Volodymyr Zelensky")
    names = {n.name: n for n in S.source_names(project)}
    assert "Zelenskyy" not in names
    assert names["Volodymyr Zelensky"].count == 2
    assert {a.text for a in names["Volodymyr Zelensky"].aliases} == {"Zelensky", "Zelenskyy"}
    merged = _state(project)
    S.apply_state(project, edit.before)
    assert _state(project) == start
    S.apply_state(project, edit.after)
    assert _state(project) == merged

    edit, _ = S.move_alias(project, "Zelenskyy", "Zelenskyy, Olena")
    names = {n.name: n for n in S.source_names(project)}
    assert names["Zelenskyy, Olena"].count == 1 and names["Volodymyr Zelensky"].count == 1
    S.apply_state(project, edit.before)
    assert _state(project) == merged


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda p: S.rename_source(p, "Jens Stoltenberg", "Volodymyr Zelensky"), "merge the two"),
        (lambda p: S.rename_source(p, "Nobody", "Somebody"), "no span is named"),
        (lambda p: S.rename_source(p, "Jens Stoltenberg", "  "), "cannot be empty"),
        (lambda p: S.merge_sources(p, "Jens Stoltenberg", "Jens Stoltenberg"), "two different"),
        (lambda p: S.move_alias(p, "Stoltenberg", "Jens Stoltenberg"), "already an alias"),
        (lambda p: S.move_alias(p, "Nobody", "Jens Stoltenberg"), "not an alias"),
    ],
)
def test_registry_edits_refuse_nonsense(project: Project, call, message: str) -> None:  # type: ignore[no-untyped-def]
    doc = _doc(project, TEXT)
    me = project.annotator("alice").id
    _source(project, doc, me, "Zelensky", "Volodymyr Zelensky")
    _source(project, doc, me, "Stoltenberg", "Jens Stoltenberg")
    before = _state(project)
    with pytest.raises(ValidationError, match=message):
        call(project)
    assert _state(project) == before


def test_status_goes_back_to_not_started_with_the_last_annotation_unless_done(project: Project) -> None:
    doc = _doc(project, TEXT)
    me = project.annotator("alice").id
    span, _ = A.add_span(project, doc, me, "claim", 0, 10)
    A.set_stance(project, doc, me, "nato_membership", "favor")
    assert D.load_view(project, doc, me).status.status == Status.IN_PROGRESS
    A.delete_span(project, span.id)
    assert D.load_view(project, doc, me).status.status == Status.IN_PROGRESS  # the stance is still mine
    A.set_stance(project, doc, me, "nato_membership", None)
    assert D.load_view(project, doc, me).status.status == Status.NOT_STARTED
    removed, _ = A.delete_span(project, A.add_span(project, doc, me, "claim", 0, 10)[0].id)
    assert D.load_view(project, doc, me).status.status == Status.NOT_STARTED
    A.restore_span(project, removed)
    assert D.load_view(project, doc, me).status.status == Status.IN_PROGRESS
    A.set_status(project, doc, me, Status.DONE)
    A.delete_span(project, removed.span.id)
    assert D.load_view(project, doc, me).status.status == Status.DONE
