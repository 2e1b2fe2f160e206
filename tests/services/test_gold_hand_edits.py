"""A curator adding a gold row by hand (a stance where they saw none, a link) takes the document's
decision lock that review decisions take (store.locks.hold_gold_writes): two curators, or a curator
and a review decision, adding at the same instant cannot both pass the check. Two real connections;
one side holds the lock (a decision open, or the other curator's write about to insert) while the
other starts, so the order is fixed, not left to the scheduler."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import column, func, select, table

from annotator.model.errors import StaleWriteError
from annotator.model.types import GOLD, Stance
from annotator.services import annotations as A
from annotator.services import documents as D
from annotator.services import review as R
from annotator.services.gold import accept_in, decision_session
from annotator.services.project import Project
from tests.services.test_review import case
from tests.services.test_stale_review import _in_a_thread, _just_before_writing

__all__ = ["case"]  # the fixture, imported to be used here

_locks = table("pg_locks", column("locktype"), column("granted"))


@pytest.fixture
def colleague(project: Project, project_location: Path | str) -> Iterator[Project]:
    """Another curator on the same project, through a connection of their own."""
    other = Project.open(project_location)
    yield other
    other.close()


def _until_waiting(project: Project, thread: threading.Thread) -> None:
    """Return once `thread` waits for the lock the test holds. On a server: when the server shows an
    advisory lock asked for and not granted (the test fails if it never is: the write did not wait).
    A project file's wait (busy_timeout) is not visible from outside: there it is given a moment, and
    either order ends the same way (the second write reads what the first left)."""
    if project.store.dialect != "postgresql":
        thread.join(timeout=0.5)
        return
    deadline = time.monotonic() + 60  # a wait for the race to set up, not a timed assertion
    waiting = 0
    while thread.is_alive() and time.monotonic() < deadline:
        with project.store.engine.connect() as conn:
            query = select(func.count()).where(_locks.c.locktype == "advisory", _locks.c.granted.is_(False))
            waiting = int(conn.execute(query).scalar_one())
        if waiting:
            return
        time.sleep(0.05)
    assert waiting, "the colleague's write did not wait for the document's decision lock"


def _gold_stances(project: Project, doc: int, target: str) -> list[Stance]:
    view = D.load_view(project, doc, project.annotator(GOLD).id)
    return [st for st in view.stances if st.target == target and st.span_id is None]


def test_a_curators_new_gold_stance_waits_for_a_decision_and_is_then_refused(
    project: Project, colleague: Project, case: tuple[int, int, int]
) -> None:
    """The decision accepts the agreed stance while the colleague sets gold's stance by hand where
    they saw none: the colleague waits, then finds the decision's stance and is refused (before,
    both passed their check and gold had two stances on one target)."""
    doc, a, b = case
    gold = project.annotator(GOLD).id
    item = R.align_document(project, doc, [a, b]).item("stance:nato_membership")
    assert item.gold is None
    hand = lambda: A.set_stance(colleague, doc, gold, "nato_membership", "against", expected_version=0)  # noqa: E731
    with decision_session(project, doc) as deciding:
        thread, outcome = _in_a_thread(hand)
        _until_waiting(project, thread)
        accept_in(deciding, project, doc, item, a)
    thread.join(timeout=60)
    assert not thread.is_alive()
    assert isinstance(outcome[0], StaleWriteError)
    assert isinstance(outcome[0].stored, Stance) and outcome[0].stored.value == "favor"
    assert [st.value for st in _gold_stances(colleague, doc, "nato_membership")] == ["favor"]


def _racing(
    project: Project, table_name: str, theirs: Callable[[], object]
) -> list[tuple[threading.Thread, list[BaseException | None]]]:
    """Start `theirs` (the colleague's write) when `project`'s next write is about to insert into
    `table_name`, and wait until it waits; the list gets its thread and outcome."""
    started: list[tuple[threading.Thread, list[BaseException | None]]] = []

    def colleague_writes() -> None:
        started.append(_in_a_thread(theirs))
        _until_waiting(project, started[0][0])

    _just_before_writing(project, table_name, colleague_writes)
    return started


def test_two_curators_setting_gold_stance_where_they_saw_none_one_is_refused(
    project: Project, colleague: Project, case: tuple[int, int, int]
) -> None:
    doc, _a, _b = case
    gold = project.annotator(GOLD).id
    started = _racing(
        project,
        "stances",
        lambda: A.set_stance(colleague, doc, gold, "nato_membership", "against", expected_version=0),
    )
    A.set_stance(project, doc, gold, "nato_membership", "favor", expected_version=0)
    ((thread, outcome),) = started
    thread.join(timeout=60)
    assert not thread.is_alive()
    assert isinstance(outcome[0], StaleWriteError)  # theirs came second: refused, mine stands
    assert [st.value for st in _gold_stances(colleague, doc, "nato_membership")] == ["favor"]


def test_two_curators_linking_one_gold_claim_to_two_sources_at_once_one_link_stays(
    project: Project, colleague: Project, case: tuple[int, int, int]
) -> None:
    """attributed_to allows one source per claim: the second link replaces the first (as for one
    curator linking twice), never two sources beside each other in gold."""
    doc, _a, _b = case
    gold = project.annotator(GOLD).id
    claim = A.add_span(project, doc, gold, "claim", 0, 13, {"claim_type": "factual"})[0].id
    first = A.add_span(project, doc, gold, "source", 42, 50, {"source_type": "official"})[0].id
    second = A.add_span(project, doc, gold, "source", 51, 59)[0].id
    started = _racing(project, "relations", lambda: A.link(colleague, "attributed_to", claim, second))
    A.link(project, "attributed_to", claim, first)
    ((thread, outcome),) = started
    thread.join(timeout=60)
    assert not thread.is_alive() and outcome == [None]
    links = D.load_view(project, doc, gold).relations
    assert [(r.from_span, r.to_span) for r in links] == [(claim, second)]  # theirs, after mine


def test_only_gold_writes_take_the_decision_lock(project: Project, case: tuple[int, int, int], backend: str) -> None:
    """An annotator's own edit costs no lock statement (gold's id is remembered once found); a gold
    edit on a server takes the document's decision lock."""
    from sqlalchemy import event

    doc, a, _b = case
    gold = project.annotator(GOLD).id
    sent: list[str] = []
    event.listen(project.store.engine, "before_cursor_execute", lambda _c, _k, statement, *_: sent.append(statement))
    A.set_stance(project, doc, a, "security_guarantees", "against")
    A.set_stance(project, doc, a, "security_guarantees", "favor")
    assert not [s for s in sent if "pg_advisory_xact_lock" in s]
    A.set_stance(project, doc, gold, "nato_membership", "favor", expected_version=0)
    assert len([s for s in sent if "pg_advisory_xact_lock" in s]) == (1 if backend == "postgresql" else 0)


def _gold_spans(project: Project, doc: int) -> list[tuple[str, int, int, dict[str, str]]]:
    view = D.load_view(project, doc, project.annotator(GOLD).id)
    return [(s.label, s.start, s.end, dict(s.attributes)) for s in view.spans]


def test_a_span_gold_already_holds_is_not_added_again(project: Project, case: tuple[int, int, int]) -> None:
    """As a link gold already holds: the same label, offsets and attributes give back the span there,
    and nothing changed; other attributes are another version, added beside it."""
    doc, _a, _b = case
    gold = project.annotator(GOLD).id
    first, added = A.add_span(project, doc, gold, "source", 42, 50, {"source_type": "official"})
    again, changes = A.add_span(project, doc, gold, "source", 42, 50, {"source_type": "official"})
    assert added.spans and again == first and not changes.spans
    assert _gold_spans(project, doc) == [("source", 42, 50, {"source_type": "official"})]
    other, changes = A.add_span(project, doc, gold, "source", 42, 50, {"source_type": "named_person"})
    assert other.id != first.id and changes.spans and len(_gold_spans(project, doc)) == 2


def test_two_curators_adding_one_gold_span_at_once_add_it_once(
    project: Project, colleague: Project, case: tuple[int, int, int]
) -> None:
    doc, _a, _b = case
    gold = project.annotator(GOLD).id
    claim = {"claim_type": "factual"}
    started = _racing(project, "spans", lambda: A.add_span(colleague, doc, gold, "claim", 0, 13, claim))
    A.add_span(project, doc, gold, "claim", 0, 13, claim)
    ((thread, outcome),) = started
    thread.join(timeout=60)
    assert not thread.is_alive() and outcome == [None]
    assert _gold_spans(project, doc) == [("claim", 0, 13, {"claim_type": "factual"})]
