"""A window defers the disagreement score of the document it edits to right after the edit
(`Project.defer_scores`): the edit's transaction stores `STALE`, the next turn of the event loop
computes the score (`score_deferred`). No reader ever gets an out-of-date score: a reader meeting
`STALE` recomputes it, which also covers a window killed before it computed it. On both back ends,
against the from-scratch reference of test_disagreement_score."""

from __future__ import annotations

import random
from pathlib import Path

from sqlalchemy import select

from annotator.model.types import Span
from annotator.services import annotations as A
from annotator.services import documents as D
from annotator.services import review as R
from annotator.services import span_edits as E
from annotator.services.project import Project
from annotator.store import annotations as q
from annotator.store import disagreement
from annotator.store.tables import DisagreementRow
from tests.services.test_disagreement_score import NAMES, _docs, assert_current, reference


def raw_scores(project: Project) -> dict[int, float]:
    """What is stored, without the reader's recomputing of stale scores."""
    with project.session() as s:
        return {d: sc for d, sc in s.execute(select(DisagreementRow.doc_id, DisagreementRow.score))}


def test_an_edit_leaves_the_score_stale_until_it_is_computed_and_every_reader_gets_it_right(
    project: Project, project_location: Path | str
) -> None:
    doc_ids = _docs(project, 3, seed=21)
    people = [project.annotator(n).id for n in NAMES]
    for doc in doc_ids:
        A.add_span(project, doc, people[0], "claim", 0, 12)
        A.add_span(project, doc, people[1], "claim", 0, 12)
    assert raw_scores(project) == {d: 0.0 for d in doc_ids}  # not deferred: computed in the edit
    project.defer_scores()
    rng = random.Random(5)
    for step in range(30):
        doc, who = rng.choice(doc_ids), rng.choice(people)
        mine = D.load_view(project, doc, who).spans
        if mine and rng.random() < 0.4:
            target = rng.choice(mine)
            if rng.random() < 0.5:
                E.resize_span(project, target.id, target.start, target.end + rng.randint(1, 6))
            else:
                A.delete_span(project, target.id)
        else:
            start = rng.randrange(0, 100)
            A.add_span(project, doc, who, rng.choice(("claim", "source")), start, start + rng.randint(3, 20))
        assert raw_scores(project)[doc] == disagreement.STALE, f"step {step}"
        assert project.scores_pending()
        if step % 3 == 0:
            # Another program (or this one after the window was killed) reads: it recomputes.
            other = Project.open(project_location)
            try:
                assert_current(other, f"another reader, step {step}")
            finally:
                other.close()
            assert disagreement.STALE not in raw_scores(project).values()  # that reader stored them
        if step % 2 == 0:
            done = project.score_deferred()
            assert doc in done or step % 3 == 0  # a reader may have computed it first
            assert not project.scores_pending()
            assert raw_scores(project) == {d: s for d, s in reference(project).items()}
    project.score_deferred()
    assert raw_scores(project) == reference(project)
    assert any(s > 0.0 for s in reference(project).values())


def test_a_bigger_write_still_computes_its_scores_in_its_own_transaction(project: Project) -> None:
    doc_ids = _docs(project, 12, seed=22)
    a, b = project.annotator("alice").id, project.annotator("bob").id
    project.defer_scores()
    with project.session() as s:
        for doc in doc_ids:
            q.insert_span(s, Span(0, doc, a, "claim", 0, 10, "x", {}))
            q.insert_span(s, Span(0, doc, b, "source", 20, 30, "y", {}))
    assert not project.scores_pending()
    assert raw_scores(project) == reference(project) == {d: 1.0 for d in doc_ids}
    assert R.disagreement_of(project, doc_ids) == {d: 1.0 for d in doc_ids}
