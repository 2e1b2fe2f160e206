"""Discontinuous spans in the stored disagreement score: a span is the set of its pieces' characters,
as in the agreement report, so two spans whose bounds overlap but whose pieces do not are no match.
The stored score is compared after every step of a random walk (discontinuous spans added, made
continuous again, resized, relabelled, deleted; stances and statuses) with a brute-force scan written
here from the definition: character sets, a maximum matching found by trying every assignment."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from itertools import combinations

from annotator.model.types import Status
from annotator.services import annotations as A
from annotator.services import documents as D
from annotator.services import review as R
from annotator.services.project import Project
from tests.services.test_disagreement_score import NAMES, _docs


def _max_matching(first: list[set[int]], second: list[set[int]]) -> int:
    """The largest number of one-to-one pairs sharing a character, by trying every assignment."""
    best = 0

    def place(i: int, used: frozenset[int], matched: int) -> None:
        nonlocal best
        if matched + (len(first) - i) <= best:
            return
        if i == len(first):
            best = max(best, matched)
            return
        for j, chars in enumerate(second):
            if j not in used and first[i] & chars:
                place(i + 1, used | {j}, matched + 1)
        place(i + 1, used, matched)

    place(0, frozenset(), 0)
    return best


def brute_force(project: Project, doc_ids: list[int], people: list[int]) -> dict[int, float]:
    """Each document's score from its layers as the reader sees them (no store, no model code)."""
    scores: dict[int, float] = {}
    for doc in doc_ids:
        present: set[int] = set()
        chars: dict[int, dict[str, list[set[int]]]] = defaultdict(lambda: defaultdict(list))
        judged: list[tuple[str, str]] = []
        for who in people:
            view = D.load_view(project, doc, who)
            for span in view.spans:
                pieces = span.fragments or ((span.start, span.end),)
                chars[who][span.label].append({c for a, b in pieces for c in range(a, b)})
            mine = [st for st in view.stances if st.span_id is None]
            judged += [(st.target, st.value) for st in mine]
            if view.spans or view.stances or view.status.status != Status.NOT_STARTED:
                present.add(who)
        if len(present) < 2:
            scores[doc] = 0.0
            continue
        parts: list[float] = []
        f1s = []
        for a, b in combinations(sorted(present), 2):
            total = sum(map(len, chars[a].values())) + sum(map(len, chars[b].values()))
            if total:
                matched = sum(_max_matching(chars[a][label], chars[b].get(label, [])) for label in chars[a])
                f1s.append(2 * matched / total)
        if f1s:
            parts.append(1.0 - sum(f1s) / len(f1s))
        counts = Counter(t for t, _ in judged)
        compared = [t for t, n in counts.items() if n >= 2]
        if compared:
            parts.append(sum(1 for t in compared if len({v for u, v in judged if u == t}) > 1) / len(compared))
        scores[doc] = sum(parts) / len(parts) if parts else 0.0
    return scores


def _pieces(rng: random.Random, length: int) -> tuple[tuple[int, int], ...]:
    """Two to four sorted pieces in a 60-character window: they often interleave with a colleague's."""
    base = rng.randrange(0, length - 60)
    cuts = sorted(rng.sample(range(base, base + 60), 2 * rng.randint(2, 4)))
    return tuple((cuts[k], cuts[k + 1]) for k in range(0, len(cuts), 2))


def test_discontinuous_spans_are_scored_by_their_pieces_after_every_edit(project: Project) -> None:
    doc_ids = _docs(project, 3, seed=21)
    people = [project.annotator(n).id for n in NAMES]
    length = min(len(D.load_view(project, d, people[0]).document.text) for d in doc_ids)
    rng = random.Random(6)
    apart_but_bounds_overlap = 0
    for step in range(90):
        doc, who = rng.choice(doc_ids), rng.choice(people)
        mine = list(D.load_view(project, doc, who).spans)
        roll = rng.random()
        if roll < 0.45 or not mine:
            pieces = _pieces(rng, length)
            span, _ = A.add_span(project, doc, who, rng.choice(("claim", "source")), pieces[0][0], pieces[0][1])
            A.set_fragments(project, span.id, pieces)
        elif roll < 0.55:
            target = rng.choice(mine)
            A.set_fragments(project, target.id, _pieces(rng, length))
        elif roll < 0.62:
            target = rng.choice(mine)  # continuous again (one piece)
            A.set_fragments(project, target.id, ((target.start, target.end),))
        elif roll < 0.7:
            target = rng.choice(mine)  # the first piece starts and the last one ends elsewhere
            start = max(0, target.start - rng.randint(0, 3))
            A.update_span(project, target.id, start=start, end=min(length, target.end + rng.randint(0, 3)))
        elif roll < 0.77:
            target = rng.choice(mine)
            A.update_span(project, target.id, label="source" if target.label == "claim" else "claim")
        elif roll < 0.87:
            A.delete_span(project, rng.choice(mine).id)
        elif roll < 0.95:
            A.set_stance(project, doc, who, "nato_membership", rng.choice(("favor", "against", None)))
        else:
            A.set_status(project, doc, who, rng.choice(list(Status)))
        expected = brute_force(project, doc_ids, people)
        stored = R.disagreement_of(project, doc_ids)
        assert stored == expected, f"step {step}: stored {stored} vs brute force {expected}"
        apart_but_bounds_overlap += _bounds_only_pairs(project, doc_ids, people)
    # The walk made pairs that a bounds comparison would match and a pieces comparison does not.
    assert apart_but_bounds_overlap > 20


def _bounds_only_pairs(project: Project, doc_ids: list[int], people: list[int]) -> int:
    found = 0
    for doc in doc_ids:
        spans = [sp for who in people for sp in D.load_view(project, doc, who).spans]
        for x, y in combinations(spans, 2):
            if x.annotator_id != y.annotator_id and x.label == y.label and x.start < y.end and y.start < x.end:
                found += not any(min(p[1], q[1]) > max(p[0], q[0]) for p in x.parts for q in y.parts)
    return found
