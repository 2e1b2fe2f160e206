"""The optimal overlap matching against brute force (every matching of small random cases) and,
for cardinality and total overlap, against scipy's assignment solver."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence

import pytest

from annotator.model.agreement_matching import (
    Interval,
    candidate_pairs,
    max_overlap_matching,
    overlap,
    pair_weights,
)
from annotator.model.agreement_spans import AnnotatedSpan, match_overlap


def _all_matchings(edges: Sequence[tuple[int, int]]) -> Iterator[list[tuple[int, int]]]:
    """Every set of edges in which no node is used twice (the empty one included)."""
    if not edges:
        yield []
        return
    (i, j), rest = edges[0], edges[1:]
    yield from _all_matchings(rest)
    for tail in _all_matchings([(a, b) for a, b in rest if a != i and b != j]):
        yield [(i, j), *tail]


def _preference(first: Sequence[Interval], second: Sequence[Interval]) -> dict[tuple[int, int], int]:
    """Brute force's own reading of the tie-break: rank of each pair within its overlap group,
    the least preferred pair of a group 0 (closer boundaries, then first index, then second)."""
    edges = [(i, j) for i in range(len(first)) for j in range(len(second)) if overlap(first[i], second[j])]
    groups: list[set[tuple[int, int]]] = []
    for edge in edges:  # grow groups of edges sharing a node, merging as needed
        touching = [g for g in groups if any(e[0] == edge[0] or e[1] == edge[1] for e in g)]
        merged = {edge}.union(*touching)
        groups = [g for g in groups if g not in touching] + [merged]
    ranks: dict[tuple[int, int], int] = {}
    for g in groups:
        ordered = sorted(
            g, key=lambda e: (abs(first[e[0]][0] - second[e[1]][0]) + abs(first[e[0]][1] - second[e[1]][1]), e)
        )
        for n, edge in enumerate(ordered):
            ranks[edge] = len(ordered) - 1 - n
    return ranks


def _brute_force(first: Sequence[Interval], second: Sequence[Interval]) -> list[tuple[int, int]]:
    edges = [(i, j) for i in range(len(first)) for j in range(len(second)) if overlap(first[i], second[j])]
    ranks = _preference(first, second)

    def key(matching: list[tuple[int, int]]) -> tuple[int, int, int]:
        shared = sum(overlap(first[i], second[j]) for i, j in matching)
        return len(matching), shared, sum(1 << ranks[e] for e in matching)

    return sorted(max(_all_matchings(edges), key=key))


def _random_intervals(rng: random.Random, n: int, length: int = 30) -> list[Interval]:
    out = []
    for _ in range(n):
        start = rng.randrange(length)
        out.append((start, start + rng.randint(1, 10)))
    return out


def test_two_span_case_where_greedy_loses_a_pair() -> None:
    # Greedy takes the largest overlap (a0-b0, 8 characters) and leaves a1 and b1 unmatched.
    first, second = [(0, 10), (8, 12)], [(2, 10), (0, 3)]
    assert max_overlap_matching(first, second) == [(0, 1), (1, 0)]


def test_ties_go_to_the_most_overlap_then_the_closest_boundaries() -> None:
    assert max_overlap_matching([(0, 10)], [(0, 4), (2, 10)]) == [(0, 1)]  # 8 shared beats 4
    assert max_overlap_matching([(0, 10)], [(0, 5), (5, 10)]) == [(0, 0)]  # equal: earlier wins
    assert max_overlap_matching([(0, 10)], [(4, 12), (1, 7)]) == [(0, 1)]  # 6 each: 4 apart beats 6 apart


def test_candidate_pairs_finds_every_overlap() -> None:
    rng = random.Random(7)
    for _ in range(200):
        first, second = _random_intervals(rng, rng.randint(0, 8)), _random_intervals(rng, rng.randint(0, 8))
        expected = [(i, j, overlap(a, b)) for i, a in enumerate(first) for j, b in enumerate(second) if overlap(a, b)]
        assert candidate_pairs(first, second) == expected


def test_optimal_matching_equals_brute_force_on_random_small_cases() -> None:
    rng = random.Random(20261130)
    for _ in range(600):
        first = _random_intervals(rng, rng.randint(0, 6))
        second = _random_intervals(rng, rng.randint(0, 6))
        assert max_overlap_matching(first, second) == _brute_force(first, second), (first, second)


def test_cardinality_and_overlap_equal_scipy_assignment() -> None:
    optimize = pytest.importorskip("scipy.optimize")
    numpy = pytest.importorskip("numpy")
    rng = random.Random(99)
    for _ in range(300):
        first = _random_intervals(rng, rng.randint(1, 25), length=120)
        second = _random_intervals(rng, rng.randint(1, 25), length=120)
        big = sum(b - a for a, b in first) + 1
        weight = numpy.zeros((len(first), len(second)))
        for i, a in enumerate(first):
            for j, b in enumerate(second):
                if shared := overlap(a, b):
                    weight[i, j] = big + shared
        rows, cols = optimize.linear_sum_assignment(weight, maximize=True)
        chosen = [(i, j) for i, j in zip(rows, cols, strict=True) if weight[i, j] > 0]
        ours = max_overlap_matching(first, second)
        assert len(ours) == len(chosen)
        assert sum(overlap(first[i], second[j]) for i, j in ours) == sum(
            overlap(first[i], second[j]) for i, j in chosen
        )


def test_weights_fold_the_criteria_in_order() -> None:
    group = candidate_pairs([(0, 10), (8, 12)], [(2, 10), (0, 3)])
    weights = pair_weights(group, [(0, 10), (8, 12)], [(2, 10), (0, 3)])
    # One more pair outweighs any amount of overlap and any tie-break bonus.
    assert weights[(0, 1)] + weights[(1, 0)] > weights[(0, 0)]


def test_span_matching_is_per_document_and_label() -> None:
    def span(sid: str, start: int, end: int, label: str = "claim", doc: str = "d1") -> AnnotatedSpan:
        return AnnotatedSpan(sid, doc, start, end, label)

    first = [span("a0", 0, 10), span("a1", 8, 12), span("a2", 0, 10, doc="d2"), span("a3", 0, 5, "source")]
    second = [span("b0", 2, 10), span("b1", 0, 3), span("b2", 0, 10, "source", doc="d2"), span("b3", 0, 5, "source")]
    pairs = [(a.span_id, b.span_id) for a, b in match_overlap(first, second)]
    assert pairs == [("a0", "b1"), ("a1", "b0"), ("a3", "b3")]
    agnostic = [(a.span_id, b.span_id) for a, b in match_overlap(first, second, same_label=False)]
    assert ("a2", "b2") in agnostic
