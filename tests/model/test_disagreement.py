"""The review score's matching size equals the size of the agreement report's optimal matching."""

from __future__ import annotations

import random

from annotator.model import disagreement
from annotator.model.agreement_matching import max_overlap_matching
from annotator.model.disagreement import document_score, matching_size


def _side(rng: random.Random, n: int, width: int) -> list[tuple[int, int]]:
    out = []
    for _ in range(rng.randint(0, n)):
        start = rng.randint(0, width)
        out.append((start, start + rng.randint(1, 25)))
    return out


def test_matching_size_is_the_optimal_matchings_size_on_random_cases() -> None:
    rng = random.Random(14)
    for _ in range(3000):
        first, second = _side(rng, 14, 80), _side(rng, 14, 80)
        assert matching_size(first, second) == len(max_overlap_matching(first, second)), (first, second)


def test_matching_size_on_long_chains_needs_no_recursion() -> None:
    # Each span overlaps two of the other side's: one long connected group where greedy goes wrong.
    first = [(10 * k + 5, 10 * k + 15) for k in range(3000)]
    second = [(10 * k, 10 * k + 10) for k in range(3001)]
    assert matching_size(first, second) == 3000
    assert matching_size(second[::-1], first) == 3000


def test_document_score_parts() -> None:
    spans = [(1, "claim", 0, 10, ()), (2, "claim", 5, 12, ()), (2, "source", 20, 30, ())]
    assert document_score([1, 2], spans, []) == 1.0 - 2 * 1 / 3
    assert document_score([1, 2], spans, [("t", "favor"), ("t", "against")]) == ((1.0 - 2 / 3) + 1.0) / 2
    assert document_score([1], spans, [("t", "favor"), ("t", "against")]) == 0.0
    assert document_score([1, 2, 3], [], [("t", "favor")]) == 0.0


def _pieces_of(rng: random.Random, n: int, width: int) -> list[tuple[tuple[int, int], ...]]:
    out = []
    for _ in range(rng.randint(0, n)):
        cuts = sorted(rng.sample(range(width), 2 * rng.randint(1, 3)))
        out.append(tuple((cuts[k], cuts[k + 1]) for k in range(0, len(cuts), 2)))
    return out


def test_matching_size_with_pieces_is_the_agreement_matchings_size() -> None:
    rng = random.Random(15)
    for _ in range(2000):
        first, second = _pieces_of(rng, 10, 60), _pieces_of(rng, 10, 60)
        bounds = ([(p[0][0], p[-1][1]) for p in first], [(p[0][0], p[-1][1]) for p in second])
        expected = len(max_overlap_matching(*bounds, pieces=(first, second)))
        assert matching_size(*bounds, pieces=(first, second)) == expected, (first, second)


def test_document_score_is_the_same_whether_its_matchings_are_remembered_or_not() -> None:
    """Long layers' matching sizes are cached by content: a changed layer is matched again."""
    rng = random.Random(16)
    spans = [(a, "claim", s, s + rng.randint(3, 30), ()) for a in (1, 2, 3) for s in rng.sample(range(3000), 40)]
    first = document_score([1, 2, 3], spans, [])
    moved = [(a, lab, s + 7, e + 7, p) if a == 2 and s % 3 == 0 else (a, lab, s, e, p) for a, lab, s, e, p in spans]
    disagreement._cache.clear()
    fresh = document_score([1, 2, 3], moved, [])
    assert document_score([1, 2, 3], spans, []) == first  # from the cache
    assert document_score([1, 2, 3], moved, []) == fresh != first
    disagreement._cache.clear()
    assert document_score([1, 2, 3], spans, []) == first
