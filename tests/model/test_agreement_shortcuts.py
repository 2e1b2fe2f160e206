"""The report's shortcuts give exactly what the plain definitions give (issue 14, agreement report speed).

* Each label's units of linked spans are taken from one `span_units` over every label's matching;
  they must equal `span_units` of that label's matchings alone (same units, same order, same spans
  left out), checked on random three-annotator projects with overlapping and discontinuous spans.
* `span_units` itself (its shortcut for a group with one span per annotator) against a
  straightforward re-implementation of its definition.
* The observed agreement, Fleiss' kappa and Gwet's AC1 from one count of the units equal the three
  functions' own results, to the last bit.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from types import MappingProxyType

import pytest

from annotator.model.agreement import AgreementInput, AnnotatedStance, AnnotatorWork, span_units
from annotator.model.agreement_coefficients import (
    fleiss_kappa,
    gwet_ac1,
    observed_agreement,
    observed_fleiss_ac1,
    scale_of,
)
from annotator.model.agreement_compare import _SpanUnits, compare_pairs
from annotator.model.agreement_spans import AnnotatedRelation, AnnotatedSpan, ordered_names

LABELS = ("claim", "source", "quote")


def _work(rng: random.Random, who: str) -> AnnotatorWork:
    spans = []
    for k in range(rng.randrange(0, 25)):
        start = rng.randrange(0, 80)
        end = start + rng.randint(1, 25)
        pieces: list[tuple[int, int]] = []
        if end - start >= 6 and rng.random() < 0.3:
            cut = rng.randint(start + 1, end - 4)
            pieces = [(start, cut), (rng.randint(cut + 1, end - 1), end)]
        spans.append(
            AnnotatedSpan(f"{who}{k}", rng.choice(("d1", "d2", "d3")), start, end, rng.choice(LABELS), {}, pieces)
        )
    return AnnotatorWork(who, frozenset({"d1", "d2", "d3"}), tuple(spans))


@pytest.mark.parametrize("seed", range(30))
def test_each_labels_units_are_those_of_its_own_matchings(seed: int) -> None:
    rng = random.Random(seed)
    data = AgreementInput(tuple(_work(rng, who) for who in ("ann", "bob", "cy")))
    labels = ordered_names((), {s.label for w in data.works for s in w.spans})
    pairs = compare_pairs(data, labels)
    units = _SpanUnits(data, {(p.first.annotator, p.second.annotator): p.matching() for p in pairs.values()})
    assert units.everything == span_units(units.matchings)
    for label in labels:
        own = {(p.first.annotator, p.second.annotator): p.matching(label) for p in pairs.values()}
        assert units.of_label(label) == span_units(own)


def _span_units_by_definition(
    matchings: dict[tuple[str, str], dict[str, str]],
) -> tuple[list[list[tuple[str, str]]], list[tuple[str, str]]]:
    """Groups by graph search, ordered by their smallest node; in each, per annotator the span with
    the most links (ties: the smaller span id) joins the unit, the others are left out."""
    edges: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    links: Counter[tuple[str, str]] = Counter()
    for (a, b), matching in matchings.items():
        for x, y in matching.items():
            edges[(a, x)].add((b, y))
            edges[(b, y)].add((a, x))
            links[(a, x)] += 1
            links[(b, y)] += 1
    seen: set[tuple[str, str]] = set()
    groups = []
    for node in sorted(edges):
        if node in seen:
            continue
        group, todo = [], [node]
        seen.add(node)
        while todo:
            current = todo.pop()
            group.append(current)
            for other in edges[current] - seen:
                seen.add(other)
                todo.append(other)
        groups.append(sorted(group))
    units, left_out = [], []
    for group in groups:
        kept: dict[str, tuple[str, str]] = {}
        for node in sorted(group, key=lambda n: (-links[n], n)):
            if node[0] in kept:
                left_out.append(node)
            else:
                kept[node[0]] = node
        units.append(sorted(kept.values()))
    return units, left_out


@pytest.mark.parametrize("seed", range(40))
def test_span_units_follow_their_definition(seed: int) -> None:
    rng = random.Random(seed)
    names = ("a", "b", "c", "d")[: rng.randint(2, 4)]
    matchings: dict[tuple[str, str], dict[str, str]] = {}
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            mine = rng.sample(range(12), rng.randint(0, 8))
            theirs = rng.sample(range(12), len(mine))
            matchings[(first, second)] = {f"s{x}": f"s{y}" for x, y in zip(mine, theirs, strict=True)}
    assert span_units(matchings) == _span_units_by_definition(matchings)


@pytest.mark.parametrize("seed", range(40))
def test_one_count_gives_the_same_coefficients(seed: int) -> None:
    rng = random.Random(seed)
    values = ("yes", "no", "unclear", "maybe")[: rng.randint(1, 4)]
    units = [[rng.choice(values) for _ in range(rng.randint(0, 4))] for _ in range(rng.randint(0, 30))]
    scale = ("yes", "no", "n/a") if rng.random() < 0.5 else ()
    pairable = [unit for unit in units if len(unit) >= 2]
    assert observed_fleiss_ac1(units, scale) == (
        observed_agreement(pairable),
        fleiss_kappa(units),
        gwet_ac1(units, scale),
        scale_of(scale, units),
    )


def test_a_one_piece_span_is_the_span_the_constructor_makes() -> None:
    attrs = MappingProxyType({"certainty": "high"})
    made = AnnotatedSpan.one_piece("s1", "d1", 3, 9, "claim", attrs)
    plain = AnnotatedSpan("s1", "d1", 3, 9, "claim", {"certainty": "high"})
    assert made == plain and dict(made.attributes) == dict(plain.attributes) and made.fragments == ()
    assert made.parts == ((3, 9),) and isinstance(made.attributes, MappingProxyType)
    for bad in (
        ("", "d1", 3, 9, "claim"),
        ("s1", "", 3, 9, "claim"),
        ("s1", "d1", 9, 9, "claim"),
        ("s1", "d1", -1, 2, "x"),
    ):
        with pytest.raises(ValueError):
            AnnotatedSpan.one_piece(*bad, attrs)


def test_checked_stances_and_relations_are_the_ones_the_constructors_make() -> None:
    assert AnnotatedStance.checked("d1", "nato", "favor", "s1") == AnnotatedStance("d1", "nato", "favor", "s1")
    assert AnnotatedStance.checked("d1", "nato", "favor") == AnnotatedStance("d1", "nato", "favor")
    assert AnnotatedRelation.checked("s1", "s2", "attributed_to") == AnnotatedRelation("s1", "s2", "attributed_to")
    for stance in (("", "nato", "favor"), ("d1", "", "favor"), ("d1", "nato", "")):
        with pytest.raises(ValueError, match="stance needs"):
            AnnotatedStance.checked(*stance)
    for relation in (("", "s2", "x"), ("s1", "", "x"), ("s1", "s2", "")):
        with pytest.raises(ValueError, match="relation needs"):
            AnnotatedRelation.checked(*relation)
