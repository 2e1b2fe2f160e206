"""Span corrections without Qt: resize and relabel keep what applies, report what they drop, and
revert/redo round-trip against the store."""

from __future__ import annotations

from pathlib import Path

from annotator.services import annotations as A
from annotator.services import documents as D
from annotator.services import span_edits as E
from annotator.services.project import Project
from tests.helpers import add_texts

TEXT = "President Volodymyr Zelenskiy has said that allies must act now."


def _store(project: Project, doc: int, me: int) -> tuple[object, ...]:
    view = D.load_view(project, doc, me)
    return (
        sorted((s.id, s.label, s.start, s.end, s.text, tuple(sorted(s.attributes.items()))) for s in view.spans),
        sorted((r.id, r.type, r.from_span, r.to_span) for r in view.relations),
        sorted((st.id, st.target, st.value, st.span_id) for st in view.stances),
    )


def _claim_with_source(project: Project) -> tuple[int, int, int, int]:
    (doc,) = add_texts(project, TEXT)
    me = project.annotator("alice").id
    c0 = TEXT.index("allies")
    claim, _ = A.add_span(project, doc, me, "claim", c0, c0 + len("allies must act now"), {"claim_type": "demand"})
    s0 = TEXT.index("Volodymyr")
    source, _ = A.add_span(project, doc, me, "source", s0, TEXT.index(" said"), {"source_type": "named_person"})
    A.link(project, "attributed_to", claim.id, source.id)
    A.set_stance(project, doc, me, "nato_membership", "favor", span_id=claim.id)
    return doc, me, claim.id, source.id


def test_resize_keeps_id_attributes_links_and_stances_and_reverts(project: Project) -> None:
    doc, me, claim, source = _claim_with_source(project)
    before = _store(project, doc, me)
    edit, changes = E.resize_span(project, source, TEXT.index("Volodymyr"), TEXT.index(" has"))
    assert changes.spans and doc in changes.doc_ids
    assert edit.dropped_text() == ""
    view = D.load_view(project, doc, me)
    moved = next(s for s in view.spans if s.id == source)
    assert moved.text == "Volodymyr Zelenskiy" and moved.attributes == {"source_type": "named_person"}
    assert [(r.from_span, r.to_span) for r in view.relations] == [(claim, source)]
    after = _store(project, doc, me)
    E.revert_span_edit(project, edit)
    assert _store(project, doc, me) == before
    E.redo_span_edit(project, edit)
    assert _store(project, doc, me) == after


def test_relabel_drops_only_what_the_new_label_cannot_have(project: Project) -> None:
    doc, me, claim, source = _claim_with_source(project)
    before = _store(project, doc, me)
    edit, _ = E.relabel_span(project, claim, "source")
    view = D.load_view(project, doc, me)
    span = next(s for s in view.spans if s.id == claim)
    assert span.label == "source" and span.attributes == {}
    assert list(view.relations) == []
    assert [st for st in view.stances if st.span_id == claim] == []
    assert edit.dropped_attributes == ("claim_type",)
    assert edit.dropped_text() == ("claim type = demand, attributed to link, claim stance on nato membership")
    after = _store(project, doc, me)
    E.revert_span_edit(project, edit)
    assert _store(project, doc, me) == before
    E.redo_span_edit(project, edit)
    assert _store(project, doc, me) == after
    E.revert_span_edit(project, edit)
    assert _store(project, doc, me) == before


def test_relabel_keeps_an_attribute_the_new_label_defines_too(tmp_path: Path) -> None:
    scheme = tmp_path / "two.toml"
    scheme.write_text(
        """
[[labels]]
name = "claim"
key = "C"
  [[labels.attributes]]
  name = "checkworthy"
  values = ["yes", "no"]
  [[labels.attributes]]
  name = "claim_type"
  values = ["factual"]
[[labels]]
name = "quote"
key = "Q"
  [[labels.attributes]]
  name = "checkworthy"
  values = ["yes", "maybe"]
  [[labels.attributes]]
  name = "claim_type"
  values = ["opinion"]
""",
        encoding="utf-8",
    )
    project = Project.open(tmp_path / "two.db", scheme_path=scheme)
    try:
        (doc,) = add_texts(project, TEXT)
        me = project.annotator("alice").id
        span, _ = A.add_span(project, doc, me, "claim", 0, 9, {"checkworthy": "yes", "claim_type": "factual"})
        edit, _ = E.relabel_span(project, span.id, "quote")
        # checkworthy=yes is valid for a quote; claim_type=factual is not one of its values
        assert edit.after.attributes == {"checkworthy": "yes"}
        assert edit.dropped_text() == "claim type = factual"
    finally:
        project.close()


def test_a_source_trimmed_onto_a_known_spelling_gets_its_canonical_name_and_undo_takes_it_back(
    project: Project,
) -> None:
    """The trial: a source tagged one word too long ("Zelenskiy has") found no canonical name, and
    trimming it to the registry's spelling left the name empty; a new span with that text gets it."""
    (doc,) = add_texts(project, TEXT)
    me = project.annotator("alice").id
    z = TEXT.index("Zelenskiy")
    known = TEXT.index("Volodymyr")
    named, _ = A.add_span(project, doc, me, "source", z, z + len("Zelenskiy"))
    A.set_attribute(project, named.id, "canonical", "Volodymyr Zelensky")  # the registry learns the spelling
    long, _ = A.add_span(project, doc, me, "source", known, TEXT.index(" said"))
    assert "canonical" not in long.attributes  # "Volodymyr Zelenskiy has": not a known spelling
    edit, _ = E.resize_span(project, long.id, z, z + len("Zelenskiy"))
    assert edit.after.attributes["canonical"] == "Volodymyr Zelensky"
    E.revert_span_edit(project, edit)
    reverted = next(s for s in D.load_view(project, doc, me).spans if s.id == long.id)
    assert "canonical" not in reverted.attributes and reverted.text == "Volodymyr Zelenskiy has"
    E.redo_span_edit(project, edit)
    redone = next(s for s in D.load_view(project, doc, me).spans if s.id == long.id)
    assert redone.attributes["canonical"] == "Volodymyr Zelensky"


def test_a_trimmed_source_with_a_name_keeps_it_and_its_new_spelling_joins_the_registry(project: Project) -> None:
    (doc,) = add_texts(project, TEXT)
    me = project.annotator("alice").id
    known = TEXT.index("Volodymyr")
    span, _ = A.add_span(project, doc, me, "source", known, TEXT.index(" said"), {"canonical": "V. Zelensky"})
    edit, _ = E.resize_span(project, span.id, known, known + len("Volodymyr Zelenskiy"))
    assert edit.after.attributes == {"canonical": "V. Zelensky"}
    registry = D.source_registry(project)
    assert registry["Volodymyr Zelenskiy"] == "V. Zelensky"
    assert "Volodymyr Zelenskiy has" not in registry  # no live span is written that way any more
