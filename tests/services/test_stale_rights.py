"""No lost update under the rights the server enforces: the stale-write paths run as real logins
made with `annotator server add-user` (not the superuser the other server tests use), so row-level
security is in force. An annotator's own stale stance or span write is refused as stale (not as a
policy violation), the stance clock the clear raises is in the annotator's own doc_status row and
is allowed, and a curator's stale gold decision is refused while the curator holds the document's
curator lock (the decision's own lock is a different one)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy.engine import make_url

from annotator.cli import main
from annotator.model.errors import StaleWriteError
from annotator.model.types import GOLD, Span, Stance
from annotator.services import annotations as A
from annotator.services import documents as D
from annotator.services import review as R
from annotator.services import team
from annotator.services.project import Project
from tests.helpers import add_texts

TEXT = "Zelensky said NATO must offer guarantees now."


@dataclass
class Team:
    url: str
    doc: int
    names: dict[str, str]  # role in the test ("annotator", "curator", "colleague") -> login
    ids: dict[str, int]  # login -> annotator id

    def open_as(self, who: str) -> Project:
        return Project.open(make_url(self.url).set(username=self.names[who]).render_as_string(hide_password=False))


@pytest.fixture
def team_project(pg_database: str) -> Iterator[Team]:
    """A server project with one document and three logins: an annotator and two curators."""
    tag = uuid.uuid4().hex[:8]
    names = {"annotator": f"ann_{tag}", "curator": f"cur_{tag}", "colleague": f"col_{tag}"}
    assert main(["server", "init", pg_database]) == 0
    for who, login in names.items():
        role = "annotator" if who == "annotator" else "curator"
        assert main(["--project", pg_database, "server", "add-user", login, "--role", role]) == 0
    admin = Project.open(pg_database)
    try:
        (doc,) = add_texts(admin, TEXT)
        ids = {a.name: a.id for a in admin.annotators()}
    finally:
        admin.close()
    yield Team(pg_database, doc, names, ids)


def test_an_annotators_own_stale_stance_write_is_refused_as_stale_under_rls(team_project: Team) -> None:
    """Two windows of one annotator (two connections as that login): set, clear and set again in
    one, then the other's write from the first version is refused as stale, nothing saved."""
    t = team_project
    me = t.ids[t.names["annotator"]]
    first, second = t.open_as("annotator"), t.open_as("annotator")
    try:
        A.set_stance(first, t.doc, me, "nato_membership", "favor", expected_version=0)
        (seen,) = D.load_view(first, t.doc, me).stances
        A.set_stance(second, t.doc, me, "nato_membership", None, expected_version=seen.version)
        A.set_stance(second, t.doc, me, "nato_membership", "against", expected_version=0)
        (now,) = D.load_view(second, t.doc, me).stances
        assert now.version > seen.version  # the clock the clear raised is in my own doc_status row

        with pytest.raises(StaleWriteError) as refused:
            A.set_stance(first, t.doc, me, "nato_membership", "neutral", expected_version=seen.version)
        assert isinstance(refused.value.stored, Stance) and refused.value.stored.value == "against"
        assert [s.value for s in D.load_view(first, t.doc, me).stances] == ["against"]
    finally:
        first.close()
        second.close()
    admin = Project.open(t.url)
    try:
        assert A.stance_version(admin, t.doc, me, "nato_membership") == now.version
    finally:
        admin.close()


def test_an_annotators_own_stale_span_edit_is_refused_as_stale_under_rls(team_project: Team) -> None:
    t = team_project
    me = t.ids[t.names["annotator"]]
    first, second = t.open_as("annotator"), t.open_as("annotator")
    try:
        span, _ = A.add_span(first, t.doc, me, "claim", 14, 45, {"claim_type": "demand"})
        A.update_span(second, span.id, attributes={"claim_type": "factual"}, expected_version=span.version)
        with pytest.raises(StaleWriteError) as refused:
            A.update_span(first, span.id, attributes={"claim_type": "opinion"}, expected_version=span.version)
        assert isinstance(refused.value.stored, Span) and refused.value.stored.attributes["claim_type"] == "factual"
        # A claim stance on it, then the span removed (the clock takes the stance's version along).
        A.set_stance(first, t.doc, me, "nato_membership", "favor", span.id)
        A.delete_span(second, span.id)
        _previous, version, _ = A.write_stance(first, t.doc, me, "nato_membership", "against")
        assert version == 2
    finally:
        first.close()
        second.close()


def test_a_curators_stale_gold_decision_is_refused_while_holding_the_curator_lock(team_project: Team) -> None:
    t = team_project
    annotator = t.names["annotator"]
    admin = Project.open(t.url)
    try:  # two versions of one source to decide between: the annotator's and an offline colleague's
        other = admin.annotator("offline_colleague").id
        A.add_span(admin, t.doc, t.ids[annotator], "source", 0, 8, {"source_type": "named_person"})
        A.add_span(admin, t.doc, other, "source", 0, 8, {"source_type": "official"})
    finally:
        admin.close()
    mine, theirs = t.open_as("curator"), t.open_as("colleague")
    try:
        people = [t.ids[annotator], other]
        key = "span:0:8:source"
        shown = R.align_document(mine, t.doc, people).item(key)
        lock = team.curate(mine, t.doc)
        assert not isinstance(lock, str)
        try:
            R.accept(theirs, t.doc, R.align_document(theirs, t.doc, people).item(key), other)  # no lock: a raw client
            with pytest.raises(StaleWriteError) as refused:
                R.accept(mine, t.doc, shown, t.ids[annotator])
            assert isinstance(refused.value.stored, Span)
            assert refused.value.stored.attributes["source_type"] == "official"
            fresh = R.fresh_item(mine, t.doc, shown)
            assert fresh is not None
            R.accept(mine, t.doc, fresh, t.ids[annotator])  # keep mine, under my own curator lock
        finally:
            lock.release()
        gold = mine.annotator(GOLD).id
        assert [s.attributes["source_type"] for s in D.load_view(theirs, t.doc, gold).spans] == ["named_person"]
    finally:
        mine.close()
        theirs.close()
