"""The stored per-document disagreement score stays equal to a from-scratch computation after every
kind of write: edits and their undo, review decisions, statuses, a merge, a rename to gold, two
writers of one document at once, and the schema 2 -> 3 migration. The reference is the computation
the review used before the score was stored (pairwise micro overlap F1 via `span_agreement_by_label`,
and the share of differing document stances), over a whole-project read."""

from __future__ import annotations

import hashlib
import json
import random
import threading
from collections import Counter, defaultdict
from itertools import combinations, groupby
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from annotator.io.importer import import_paths
from annotator.model.agreement_spans import AnnotatedSpan, micro_average, span_agreement_by_label
from annotator.model.types import GOLD, Span, Status
from annotator.services import annotations as A
from annotator.services import documents as D
from annotator.services import review as R
from annotator.services import span_edits as E
from annotator.services.merge import merge_project
from annotator.services.project import Project
from annotator.store import annotations as q
from annotator.store import disagreement
from annotator.store import documents as store_docs
from annotator.store.engine import SCHEMA_VERSION, open_store, utc_now
from annotator.store.tables import DisagreementRow, MetaRow

WORDS = ("nato", "said", "the", "minister", "kyiv", "talks", "would", "not", "expand", "guarantees")
NAMES = ("alice", "bob", "carol")


def _docs(project: Project, n: int, seed: int) -> list[int]:
    rng = random.Random(seed)
    rows = []
    for k in range(n):
        text = " ".join(rng.choice(WORDS) for _ in range(40)) + f" {k}"
        rows.append(
            dict(
                ext_id=f"d{k}",
                sha256=hashlib.sha256(text.encode()).hexdigest(),
                title=f"d{k}",
                text=text,
                n_chars=len(text),
                meta={},
                encoding="utf-8",
                source=None,
                imported_at=utc_now(),
            )
        )
    with project.session() as s:
        store_docs.insert_documents(s, rows)
    return D.document_ids(project)


def reference(project: Project) -> dict[int, float]:
    """The review's score as computed before it was stored: a whole-project pass per call."""
    with project.session() as s:
        ids = [a.id for a in q.list_annotators(s) if not a.is_gold]
        present: dict[int, set[int]] = defaultdict(set)
        for doc_id, annotator_id in q.work_pairs(s, ids):
            present[doc_id].add(annotator_id)
        parts: dict[int, list[float]] = defaultdict(list)
        for doc_id, rows in groupby(q.review_spans(s, ids), key=lambda r: r[1]):
            by_annotator: dict[int, list[AnnotatedSpan]] = defaultdict(list)
            for sid, _, annotator_id, label, start, end, _, _ in rows:
                by_annotator[annotator_id].append(AnnotatedSpan(str(sid), "d", start, end, label))
            f1s = [
                f1
                for a, b in combinations(sorted(present[doc_id]), 2)
                if (f1 := micro_average(span_agreement_by_label(by_annotator[a], by_annotator[b]).values()).overlap.f1)
                is not None
            ]
            if f1s:
                parts[doc_id].append(1.0 - sum(f1s) / len(f1s))
        for doc_id, rows in groupby(q.review_stances(s, ids), key=lambda r: r[1]):
            values: dict[str, set[str]] = defaultdict(set)
            judged: Counter[str] = Counter()
            for _, _, _, target, value, span_id in rows:
                if span_id is None:
                    values[target].add(value)
                    judged[target] += 1
            compared = [t for t, n in judged.items() if n >= 2]
            if compared:
                parts[doc_id].append(sum(1 for t in compared if len(values[t]) > 1) / len(compared))
    return {
        doc_id: (sum(parts[doc_id]) / len(parts[doc_id]) if len(who) >= 2 and parts[doc_id] else 0.0)
        for doc_id, who in present.items()
    }


def assert_current(project: Project, when: str = "") -> None:
    stored = R.disagreement_scores(project)
    expected = reference(project)
    wrong = {d: (stored.get(d), s) for d, s in expected.items() if stored.get(d) != s}
    wrong.update({d: (s, None) for d, s in stored.items() if d not in expected and s != 0.0})
    assert not wrong, f"{when}: stored vs recomputed {wrong}"


def test_every_kind_of_edit_and_its_undo_keeps_the_score_current(project: Project) -> None:
    doc_ids = _docs(project, 5, seed=3)
    people = [project.annotator(n).id for n in NAMES]
    gold = project.annotator(GOLD).id
    rng = random.Random(14)
    texts = {d: D.load_view(project, d, people[0]).document.text for d in doc_ids}
    undo: list[tuple[str, object]] = []
    nonzero = 0
    for step in range(140):
        doc = rng.choice(doc_ids)
        who = rng.choice(people)
        mine = [sp for sp in D.load_view(project, doc, who).spans]
        others = [sp for sp in D.load_view(project, doc, who, people).spans if sp.annotator_id != who]
        roll = rng.random()
        if roll < 0.3 or not mine:
            if others and rng.random() < 0.6:  # follow a colleague, roughly
                base = rng.choice(others)
                start = max(0, base.start + rng.randint(-3, 3))
                end = min(len(texts[doc]), max(start + 1, base.end + rng.randint(-3, 3)))
                label = base.label if rng.random() < 0.8 else rng.choice(("claim", "source"))
            else:
                start = rng.randrange(0, len(texts[doc]) - 30)
                end, label = start + rng.randint(3, 30), rng.choice(("claim", "source"))
            span, _ = A.add_span(project, doc, who, label, start, end)
            undo.append(("added", span.id))
        elif roll < 0.4:
            removed, _ = A.delete_span(project, rng.choice(mine).id)
            undo.append(("deleted", removed))
        elif roll < 0.5:
            target = rng.choice(mine)
            start = max(0, target.start + rng.randint(-4, 4))
            edit, _ = E.resize_span(project, target.id, start, max(start + 1, target.end + rng.randint(-4, 4)))
            undo.append(("edited", edit))
        elif roll < 0.57:
            target = rng.choice(mine)
            edit, _ = E.relabel_span(project, target.id, "source" if target.label == "claim" else "claim")
            undo.append(("edited", edit))
        elif roll < 0.62:
            A.update_span(project, rng.choice(mine).id, label=rng.choice(("claim", "source")))
        elif roll < 0.75:
            value = rng.choice(("favor", "against", "neutral", None))
            A.set_stance(project, doc, who, rng.choice(("nato_membership", "security_guarantees")), value)
        elif roll < 0.82:
            A.set_status(project, doc, who, rng.choice(list(Status)))
        elif roll < 0.92 and undo:
            kind, what = undo.pop()
            if kind == "added":
                A.delete_span(project, int(what))  # type: ignore[call-overload]
            elif kind == "deleted":
                A.restore_span(project, what)  # type: ignore[arg-type]
            else:
                E.revert_span_edit(project, what)  # type: ignore[arg-type]
        else:  # review: adjudicate into gold, undo it (gold is never compared)
            snapshot = R.gold_snapshot(project, doc)
            shown = R.align_document(project, doc, people)  # as the review table does: over gold's versions too
            assert R.accept_all_agreed(project, doc, people, shown=shown) >= 0
            R.restore_gold(project, snapshot)
            A.add_span(project, doc, gold, "claim", 0, 5)
        assert_current(project, f"step {step}")
        nonzero += any(s > 0 for s in R.disagreement_scores(project).values())
    assert nonzero > 50  # the walk made documents disagree, not only agree


def test_the_sort_reads_the_stored_scores_and_follows_a_merge_and_a_rename(project: Project, tmp_path: Path) -> None:
    doc_ids = _docs(project, 4, seed=5)
    a, b = project.annotator("alice").id, project.annotator("bob").id
    for n, doc in enumerate(doc_ids):
        A.add_span(project, doc, a, "claim", 0, 10)
        A.add_span(project, doc, b, "claim", 0, 10 if n % 2 else 4)
    assert_current(project, "before merge")
    # A colleague's file with the same documents: carol's spans disagree with everyone's.
    other = Project.open(tmp_path / "carol.db")
    other_ids = _docs(other, 4, seed=5)
    carol = other.annotator("carol").id
    for doc in other_ids:
        A.add_span(other, doc, carol, "source", 20, 30)
        A.set_stance(other, doc, carol, "nato_membership", "against")
    other.close()
    before = R.disagreement_scores(project)
    merge_project(project, tmp_path / "carol.db")
    after = R.disagreement_scores(project)
    assert_current(project, "after merge")
    assert all(after[d] > before[d] for d in doc_ids)
    order = sorted(D.document_ids(project), key=lambda d: -after.get(d, 0.0))
    assert order == sorted(reference(project), key=lambda d: (-reference(project)[d], d))
    # bob becomes gold: his work leaves the comparison, on every document he worked on
    with project.session() as s:
        q.rename_annotator(s, b, GOLD + "-not")  # not gold: nothing changes
    assert R.disagreement_scores(project) == after
    with project.session() as s:
        q.rename_annotator(s, project.annotator("carol").id, GOLD)
    assert_current(project, "carol renamed to gold")
    assert R.disagreement_scores(project) != after


def test_two_writers_of_one_document_at_once_leave_the_score_of_both(project: Project) -> None:
    """The first writer has inserted its span and computed the document's score, and has not committed
    yet, when the second writes through another connection: the second must wait for the first and
    score both spans (otherwise the first commits a score without the second's span, or the second
    one without the first's)."""
    (doc,) = _docs(project, 1, seed=9)
    a, b, c = (project.annotator(n).id for n in NAMES)
    A.add_span(project, doc, a, "claim", 0, 10)
    A.add_span(project, doc, b, "claim", 0, 10)  # agreed so far: 0.0
    first_wrote = threading.Event()
    second_started = threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with project.session() as s:
                q.insert_span(s, Span(0, doc, a, "source", 40, 50, "x", {}))
                disagreement.refresh(s)  # what the commit does first: this writer's score is computed
                first_wrote.set()
                second_started.wait(10)
                threading.Event().wait(0.5)  # the second writer is now blocked on us (or racing)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    def second() -> None:
        try:
            first_wrote.wait(10)
            second_started.set()
            A.add_span(project, doc, c, "claim", 60, 70)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    with project.session() as s:
        assert len(q.spans_for(s, doc)) == 4
    assert_current(project, "after two concurrent writers")
    assert R.disagreement_scores(project)[doc] > 0.0


def test_a_schema_2_file_gets_every_score_at_migration(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    project = Project.open(path)
    doc_ids = _docs(project, 3, seed=11)
    a, b = project.annotator("alice").id, project.annotator("bob").id
    A.add_span(project, doc_ids[0], a, "claim", 0, 10)
    A.add_span(project, doc_ids[0], b, "source", 5, 20)
    A.set_stance(project, doc_ids[1], a, "nato_membership", "favor")
    A.set_stance(project, doc_ids[1], b, "nato_membership", "against")
    A.set_status(project, doc_ids[2], a, Status.DONE)
    expected = reference(project)
    project.close()
    store = open_store(path)  # make it what schema 2 wrote: no score table
    with store.engine.begin() as conn:
        DisagreementRow.__table__.drop(conn)  # type: ignore[attr-defined]
        conn.execute(update(MetaRow).where(MetaRow.key == "schema_version").values(value="2"))
    store.close()
    migrated = Project.open(path)
    try:
        with migrated.session() as s:
            version = s.scalars(select(MetaRow.value).where(MetaRow.key == "schema_version")).one()
        assert version == str(SCHEMA_VERSION)
        assert R.disagreement_scores(migrated) == expected
        assert expected[doc_ids[0]] > 0 and expected[doc_ids[1]] == 1.0 and expected[doc_ids[2]] == 0.0
    finally:
        migrated.close()
    assert (tmp_path / "old.db.v2.bak").exists()


def test_a_schema_2_team_project_upgrades_and_an_annotator_login_keeps_scores(pg_database: str) -> None:
    """On a server the upgrade grants the new table like every other: an annotator's write, which
    recomputes the document's score, is not refused, and the score follows it."""
    import uuid

    from sqlalchemy.engine import make_url

    from annotator.cli import main

    alice = f"alice_{uuid.uuid4().hex[:8]}"
    assert main(["server", "init", pg_database]) == 0
    assert main(["--project", pg_database, "server", "add-user", alice, "--role", "annotator"]) == 0
    project = Project.open(pg_database)
    (doc,) = _docs(project, 1, seed=2)
    A.add_span(project, doc, project.annotator("bob").id, "claim", 0, 10)
    store = project.store
    with store.engine.begin() as conn:  # what schema 2 had: no score table
        DisagreementRow.__table__.drop(conn)  # type: ignore[attr-defined]
        conn.execute(update(MetaRow).where(MetaRow.key == "schema_version").values(value="2"))
    project.close()
    Project.open(pg_database).close()  # the owner upgrades it
    as_alice = Project.open(make_url(pg_database).set(username=alice).render_as_string(hide_password=False))
    try:
        me = as_alice.annotator(alice).id
        A.add_span(as_alice, doc, me, "source", 20, 30)
        assert R.disagreement_scores(as_alice)[doc] == reference(as_alice)[doc] == 1.0
    finally:
        as_alice.close()


def test_an_annotator_editing_blind_leaves_the_score_a_manager_computes_over_every_layer(pg_database: str) -> None:
    """Blind mode on a server hides bob's layer from alice until she is done: her edit cannot compute
    the score over every layer. It must not store the partial one (here 1.0: bob's spans unseen, his
    status seen); the score a manager reads, and what is stored after, is the one over all layers."""
    import uuid

    from sqlalchemy.engine import make_url

    from annotator.cli import main

    alice, boss = f"alice_{uuid.uuid4().hex[:8]}", f"boss_{uuid.uuid4().hex[:8]}"
    assert main(["server", "init", pg_database]) == 0
    assert main(["--project", pg_database, "server", "add-user", alice, "--role", "annotator"]) == 0
    assert main(["--project", pg_database, "server", "add-user", boss, "--role", "manager"]) == 0
    owner = Project.open(pg_database)
    agreed, other = _docs(owner, 2, seed=4)
    bob = owner.annotator("bob").id
    for doc in (agreed, other):
        A.add_span(owner, doc, bob, "claim", 0, 10)
    A.set_stance(owner, other, bob, "nato_membership", "favor")
    R.set_blind(owner, True)

    def login(name: str) -> Project:
        return Project.open(make_url(pg_database).set(username=name).render_as_string(hide_password=False))

    def raw_scores() -> dict[int, float]:
        with owner.session() as s:
            return {d: v for d, v in s.execute(select(DisagreementRow.doc_id, DisagreementRow.score))}

    as_alice, as_boss = login(alice), login(boss)
    try:
        me = as_alice.annotator(alice).id
        assert [sp.annotator_id for sp in D.load_view(as_alice, agreed, me, [me, bob]).spans] == []  # blind
        A.add_span(as_alice, agreed, me, "claim", 0, 10)  # the same claim as bob's: no disagreement
        A.set_stance(as_alice, other, me, "nato_membership", "against")
        assert raw_scores()[agreed] == disagreement.STALE  # not the partial 1.0
        assert agreed not in R.disagreement_scores(as_alice)  # she cannot compute it either
        expected = reference(as_boss)
        assert expected[agreed] == 0.0 and expected[other] > 0.0
        url = make_url(pg_database).set(username=boss).render_as_string(hide_password=False)
        reader = Project.open(url, readonly=True)  # a read-only open computes them and stores nothing
        try:
            assert R.disagreement_scores(reader) == expected
        finally:
            reader.close()
        assert raw_scores()[agreed] == disagreement.STALE
        assert R.disagreement_scores(as_boss) == expected  # the manager's read recomputes the stale ones
        assert raw_scores() == expected
        # Once done with the document she sees every layer, and her write computes the whole score.
        A.set_status(as_alice, agreed, me, Status.DONE)
        A.add_span(as_alice, agreed, me, "source", 20, 30)
        assert raw_scores()[agreed] == reference(as_boss)[agreed] > 0.0
    finally:
        as_alice.close()
        as_boss.close()
        owner.close()


def test_an_import_stores_what_a_recomputation_gives_and_reads_back_only_shared_documents(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A document an import creates with one annotator's layer scores 0 by construction: the import
    stores 0 without reading its annotations back (`disagreement.store_known_zero`). Documents with
    two annotators, in the file or one in the project already, are computed."""
    [old] = _docs(project, 1, seed=9)
    A.add_span(project, old, project.annotator("alice").id, "claim", 0, 12)
    with project.session() as s:
        old_doc = store_docs.get_document(s, old)
    texts = {name: f"Article {name}: the minister said talks would expand guarantees." for name in "ABCDE"}

    def line(name: str, who: str, end: int, **extra: object) -> dict[str, object]:
        spans = [{"label": "claim", "start": end - 10, "end": end}] if end else []
        return {"document": {"id": name, "text": texts[name]}, "annotator": who, "spans": spans, **extra}

    stance = {"target": "nato_membership", "value": "favor"}
    lines = [
        line("A", "alice", 10, stances=[stance]),  # one annotator
        line("B", "alice", 10),
        line("B", "bob", 40, stances=[stance]),  # two annotators in the file: computed
        line("C", GOLD, 10),  # gold only
        line("D", "bob", 0, status="done"),  # a status only
        line("E", "carol", 0),  # nothing to score: no row, as a recomputation leaves none
        {"document": {"id": "d0", "text": old_doc.text}, "annotator": "bob",
         "spans": [{"label": "claim", "start": 20, "end": 25}]},
    ]  # fmt: skip
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    read_back: list[int] = []
    compute = disagreement._compute

    def spy(executor: Any, doc_ids: Any, annotator_ids: Any = None) -> dict[int, float]:
        read_back.extend(doc_ids)
        return compute(executor, doc_ids, annotator_ids)

    monkeypatch.setattr(disagreement, "_compute", spy)
    report = import_paths(project, [path])
    assert report.ok and report.documents_added == 5, report.rejected
    monkeypatch.setattr(disagreement, "_compute", compute)
    with project.session() as s:
        ids = {store_docs.get_document(s, d).info.ext_id: d for d in D.document_ids(project)}
    assert sorted(read_back) == sorted([ids["B"], old])
    assert_current(project, "after the import")
    with project.session() as s:
        stored = disagreement.stored_scores(s)
        assert {d: stored[d] for d in (ids["A"], ids["C"], ids["D"])} == {ids["A"]: 0.0, ids["C"]: 0.0, ids["D"]: 0.0}
        assert stored[ids["B"]] > 0.0 and stored[old] > 0.0
        assert ids["E"] not in stored  # never touched, as before
        assert disagreement.store_scores(s, sorted(stored)) == stored  # recomputed: the same
