"""No lost update in review: two curators (two connections) decide the same item, or one decides
while the other edits gold. A decision from an item as it was shown, whose gold version has changed
since, is refused with StaleWriteError carrying both versions; nothing of it is saved; the same
decision on the item as it is now (`fresh_item`, "keep mine") goes through. An undo (gold put back
from a snapshot) over gold someone else changed since is refused the same way."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator.model.errors import StaleWriteError
from annotator.model.types import GOLD, Span
from annotator.services import annotations as A
from annotator.services import documents as D
from annotator.services import review as R
from annotator.services.project import Project
from tests.services.test_review import case

__all__ = ["case"]  # the fixture, imported to be used here

SOURCE = "span:42:50:source"  # alice: named_person, bob: official


@pytest.fixture
def colleague(project: Project, project_location: Path | str) -> Iterator[Project]:
    """Another curator on the same project, through a connection of their own."""
    other = Project.open(project_location)
    yield other
    other.close()


def _gold_spans(project: Project, doc: int) -> list[Span]:
    return list(D.load_view(project, doc, project.annotator(GOLD).id).spans)


def test_two_curators_accepting_different_versions_the_second_is_refused(
    project: Project, colleague: Project, case: tuple[int, int, int]
) -> None:
    doc, a, b = case
    shown = R.align_document(project, doc, [a, b]).item(SOURCE)  # what my review panel shows
    R.accept(colleague, doc, R.align_document(colleague, doc, [a, b]).item(SOURCE), b)

    with pytest.raises(StaleWriteError) as refused:
        R.accept(project, doc, shown, a)
    stored, mine = refused.value.stored, refused.value.mine
    assert isinstance(stored, Span) and stored.attributes == {"source_type": "official"}
    assert isinstance(mine, Span) and mine.attributes == {"source_type": "named_person"}
    assert "your decision was not saved" in str(refused.value)
    assert [s.attributes["source_type"] for s in _gold_spans(project, doc)] == ["official"]

    fresh = R.fresh_item(project, doc, shown)  # keep mine: decided on the item as it is now
    assert fresh is not None and fresh.gold is not None
    R.accept(project, doc, fresh, a)
    assert [s.attributes["source_type"] for s in _gold_spans(colleague, doc)] == ["named_person"]


def test_a_reject_after_a_colleagues_gold_edit_is_refused(
    project: Project, colleague: Project, case: tuple[int, int, int]
) -> None:
    doc, a, b = case
    R.accept(project, doc, R.align_document(project, doc, [a, b]).item(SOURCE), a)
    shown = R.align_document(project, doc, [a, b]).item(SOURCE)
    assert shown.gold is not None
    A.set_attribute(colleague, shown.gold.id, "source_type", "media")  # a gold edit underneath

    with pytest.raises(StaleWriteError) as refused:
        R.reject(project, doc, shown)
    assert isinstance(refused.value.stored, Span) and refused.value.stored.attributes["source_type"] == "media"
    assert refused.value.mine is None  # mine would have removed it
    assert not R.align_document(project, doc, [a, b]).item(SOURCE).rejected
    assert [s.attributes["source_type"] for s in _gold_spans(project, doc)] == ["media"]


def test_a_decision_on_an_item_a_colleague_rejected_meanwhile_is_refused(
    project: Project, colleague: Project, case: tuple[int, int, int]
) -> None:
    doc, a, b = case
    shown = R.align_document(project, doc, [a, b]).item(SOURCE)
    R.reject(colleague, doc, R.align_document(colleague, doc, [a, b]).item(SOURCE))
    with pytest.raises(StaleWriteError):
        R.accept(project, doc, shown, a)
    assert R.align_document(project, doc, [a, b]).item(SOURCE).rejected  # their rejection stands


def test_an_undo_over_gold_a_colleague_changed_is_refused(
    project: Project, colleague: Project, case: tuple[int, int, int]
) -> None:
    doc, a, b = case
    before = R.gold_snapshot(project, doc)
    R.accept(project, doc, R.align_document(project, doc, [a, b]).item(SOURCE), a)
    after = R.gold_snapshot(project, doc)
    (gold,) = after.spans
    A.set_attribute(colleague, gold.id, "source_type", "media")

    with pytest.raises(StaleWriteError) as refused:
        R.restore_gold(project, before, expected=after)
    assert isinstance(refused.value.stored, Span) and refused.value.stored.attributes["source_type"] == "media"
    assert [s.attributes["source_type"] for s in _gold_spans(project, doc)] == ["media"]  # nothing changed
    R.restore_gold(project, before, expected=R.gold_snapshot(project, doc))  # from what is stored: goes through
    assert _gold_spans(project, doc) == []
