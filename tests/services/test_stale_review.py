"""No lost update in review: two curators (two connections) decide the same item, or one decides
while the other edits gold. A decision from an item as it was shown, whose gold version has changed
since, is refused with StaleWriteError carrying both versions; nothing of it is saved; the same
decision on the item as it is now (`fresh_item`, "keep mine") goes through. An undo (gold put back
from a snapshot) over gold someone else changed since is refused the same way."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from annotator.model.errors import NotFoundError, StaleWriteError
from annotator.model.types import GOLD, Span
from annotator.services import annotations as A
from annotator.services import documents as D
from annotator.services import review as R
from annotator.services.project import Project
from tests.services.test_review import case

__all__ = ["case"]  # the fixture, imported to be used here

SOURCE = "span:42:50:source"  # alice: named_person, bob: official
AGREED_CLAIM = "span:0:13:claim"  # alice and bob: claim_type factual


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


def _just_before_writing(project: Project, table: str, then: Callable[[], None]) -> None:
    """Run `then` once, when `project` is about to send its first INSERT/UPDATE/DELETE on `table`:
    the moment a check made before the write transaction would already have passed."""

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        words = statement.split()
        if not fired and words[0].upper() in {"INSERT", "UPDATE", "DELETE"} and table in words[:4]:
            fired.append(True)
            then()

    fired: list[bool] = []
    event.listen(project.store.engine, "before_cursor_execute", before)


def _in_a_thread(run: Callable[[], object]) -> tuple[threading.Thread, list[BaseException | None]]:
    """Start `run` on a thread of its own; the list gets its exception (None when it returned)."""
    outcome: list[BaseException | None] = []

    def target() -> None:
        try:
            run()
        except BaseException as exc:  # noqa: BLE001 - handed back to the test to assert on
            outcome.append(exc)
        else:
            outcome.append(None)

    thread = threading.Thread(target=target)
    thread.start()
    return thread, outcome


def test_two_curators_deciding_one_item_at_the_same_moment_one_is_refused(
    project: Project, colleague: Project, case: tuple[int, int, int]
) -> None:
    """The colleague's decision is made while mine is between its check and its write: exactly one
    of the two is saved and the other is refused (not both, as with a check in a transaction of its
    own, which the colleague's commit slips past)."""
    doc, a, b = case
    project.annotator(GOLD)  # both find the gold annotator there: only the gold span is contended
    mine = R.align_document(project, doc, [a, b]).item(SOURCE)
    theirs = R.align_document(colleague, doc, [a, b]).item(SOURCE)
    started: list[tuple[threading.Thread, list[BaseException | None]]] = []

    def colleague_decides() -> None:
        started.append(_in_a_thread(lambda: R.accept(colleague, doc, theirs, b)))
        started[0][0].join(timeout=1)  # the colleague commits now, or waits for my decision to end

    _just_before_writing(project, "spans", colleague_decides)
    R.accept(project, doc, mine, a)
    thread, outcome = started[0]
    thread.join(timeout=60)
    assert not thread.is_alive()
    assert isinstance(outcome[0], StaleWriteError)  # theirs came second: refused, mine stands
    assert isinstance(outcome[0].stored, Span) and outcome[0].stored.attributes == {"source_type": "named_person"}
    assert [s.attributes["source_type"] for s in _gold_spans(colleague, doc)] == ["named_person"]


def test_a_gold_edit_while_a_reject_is_being_decided_is_not_lost(
    project: Project, colleague: Project, case: tuple[int, int, int]
) -> None:
    """A colleague edits gold's span while my reject of it is between its check and its write:
    one of the two is refused, and gold is what the other left (never "rejected" beside their edit)."""
    doc, a, b = case
    R.accept(project, doc, R.align_document(project, doc, [a, b]).item(SOURCE), a)
    shown = R.align_document(project, doc, [a, b]).item(SOURCE)
    assert shown.gold is not None
    gold_id, seen = shown.gold.id, shown.gold.version
    started: list[tuple[threading.Thread, list[BaseException | None]]] = []

    def colleague_edits() -> None:
        edit = lambda: A.update_span(colleague, gold_id, attributes={"source_type": "media"}, expected_version=seen)  # noqa: E731
        started.append(_in_a_thread(edit))
        started[0][0].join(timeout=1)

    _just_before_writing(project, "spans", colleague_edits)
    R.reject(project, doc, shown)
    thread, outcome = started[0]
    thread.join(timeout=60)
    assert not thread.is_alive()
    # My reject came first: their edit is of a span gone since (found gone, or its version gone).
    assert isinstance(outcome[0], (StaleWriteError, NotFoundError))
    item = R.align_document(colleague, doc, [a, b]).item(SOURCE)
    assert item.rejected and item.gold is None and _gold_spans(colleague, doc) == []


def test_accept_all_agreed_over_a_colleagues_gold_edit_of_one_of_them_changes_nothing(
    project: Project, colleague: Project, case: tuple[int, int, int]
) -> None:
    doc, a, b = case
    shown = R.align_document(project, doc, [a, b])  # what my review table shows: nothing in gold
    R.accept(colleague, doc, R.align_document(colleague, doc, [a, b]).item(AGREED_CLAIM), a)
    (claim,) = _gold_spans(colleague, doc)
    A.set_attribute(colleague, claim.id, "claim_type", "opinion")  # their call on one agreed item
    before = R.gold_snapshot(project, doc)

    with pytest.raises(StaleWriteError) as refused:
        R.accept_all_agreed(project, doc, [a, b], shown=shown)
    stored, mine = refused.value.stored, refused.value.mine
    assert isinstance(stored, Span) and stored.attributes == {"claim_type": "opinion"}
    assert isinstance(mine, Span) and mine.attributes == {"claim_type": "factual"}
    assert "none of the agreed items was accepted" in str(refused.value)
    assert R.gold_snapshot(project, doc) == before  # none of the other agreed items either

    again = R.align_document(project, doc, [a, b])  # keep mine: accept all as the table shows now
    assert R.accept_all_agreed(project, doc, [a, b], shown=again) == 2  # the claim (over theirs), the stance
    assert [s.attributes for s in _gold_spans(colleague, doc)] == [{"claim_type": "factual"}]


def test_accept_all_agreed_takes_only_what_was_shown(
    project: Project, colleague: Project, case: tuple[int, int, int]
) -> None:
    """An item that became agreed after the table was built is left for the reviewer to see."""
    doc, a, b = case
    shown = R.align_document(project, doc, [a, b])
    A.add_span(colleague, doc, a, "claim", 65, 85)  # bob's single claim is now agreed too
    assert R.align_document(project, doc, [a, b]).item("span:65:85:claim").agreement == R.Agreement.AGREED
    assert R.accept_all_agreed(project, doc, [a, b], shown=shown) == 2
    assert [(s.start, s.end) for s in _gold_spans(project, doc)] == [(0, 13)]


def test_accept_all_agreed_without_what_was_shown_leaves_a_colleagues_gold_version_alone(
    project: Project, colleague: Project, case: tuple[int, int, int]
) -> None:
    """A script or an older caller passes no `shown`: a gold version someone else decided is not
    replaced by the annotators' agreed one behind their back; nothing of the action is saved."""
    doc, a, b = case
    R.accept(colleague, doc, R.align_document(colleague, doc, [a, b]).item(AGREED_CLAIM), a)
    (claim,) = _gold_spans(colleague, doc)
    A.set_attribute(colleague, claim.id, "claim_type", "opinion")  # their call on one agreed item
    before = R.gold_snapshot(project, doc)

    with pytest.raises(StaleWriteError) as refused:
        R.accept_all_agreed(project, doc, [a, b])
    stored, mine = refused.value.stored, refused.value.mine
    assert isinstance(stored, Span) and stored.attributes == {"claim_type": "opinion"}
    assert isinstance(mine, Span) and mine.attributes == {"claim_type": "factual"}
    assert "none of the agreed items was accepted" in str(refused.value)
    assert R.gold_snapshot(project, doc) == before  # the agreed stance was not taken either

    R.reject(colleague, doc, R.align_document(colleague, doc, [a, b]).item(AGREED_CLAIM))
    assert R.accept_all_agreed(project, doc, [a, b]) == 1  # a rejection is a decision too: skipped
    assert _gold_spans(project, doc) == []
