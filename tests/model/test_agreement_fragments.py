"""Agreement over discontinuous spans: a span is the set of its pieces' characters for overlap and
its exact fragment list for exact matching (issue 13)."""

from __future__ import annotations

import random

import pytest

from annotator.model.agreement import AgreementInput, AnnotatorWork
from annotator.model.agreement_compare import agreement_report, compare_document
from annotator.model.agreement_spans import (
    NO_MATCH,
    AnnotatedSpan,
    label_confusion,
    match_exact,
    match_overlap,
    match_overlap_twice,
    overlap_length,
    span_agreement_by_label,
)


def _span(span_id: str, *pieces: tuple[int, int], label: str = "content") -> AnnotatedSpan:
    start, end = pieces[0][0], pieces[-1][1]
    return AnnotatedSpan(span_id, "d1", start, end, label, {}, pieces if len(pieces) > 1 else ())


def test_overlap_counts_the_characters_of_the_pieces_only() -> None:
    quote = _span("a", (0, 10), (20, 30))
    assert overlap_length(quote, _span("b", (5, 25))) == 10  # 5..10 and 20..25, not the gap 10..20
    assert overlap_length(quote, _span("c", (12, 18))) == 0  # inside the gap: nothing shared
    assert overlap_length(quote, _span("d", (8, 12), (28, 40))) == 4
    assert overlap_length(_span("c", (12, 18)), _span("e", (10, 20))) == 6  # continuous spans as before


def test_spans_whose_bounds_overlap_but_pieces_do_not_are_not_matched() -> None:
    first = [_span("a", (0, 10), (20, 30))]
    second = [_span("b", (12, 18))]
    assert match_overlap(first, second) == []
    agreement = span_agreement_by_label(first, second)["content"]
    assert (agreement.overlap.matched, agreement.overlap.f1) == (0, 0.0)
    assert label_confusion(first, second)["content"]["(none)"] == 1


def test_overlap_matching_prefers_the_span_sharing_more_characters_of_the_pieces() -> None:
    quote = _span("a", (0, 10), (40, 50))
    gap_heavy = _span("b", (8, 42))  # bounds close to the quote's, but only 4 characters of its pieces
    piece = _span("c", (40, 50))  # exactly the second piece: 10 characters
    assert match_overlap([quote], [gap_heavy, piece]) == [(quote, piece)]


def test_exact_match_needs_the_same_fragment_list() -> None:
    quote = _span("a", (0, 10), (20, 30))
    same = _span("b", (0, 10), (20, 30))
    other_pieces = _span("c", (0, 12), (20, 30))
    bounds_only = _span("d", (0, 30))
    assert match_exact([quote], [same]) == [(quote, same)]
    assert match_exact([quote], [other_pieces]) == []
    assert match_exact([quote], [bounds_only]) == []
    assert match_exact([bounds_only], [quote]) == []
    scores = span_agreement_by_label([quote, bounds_only], [other_pieces, same])["content"]
    assert (scores.exact.matched, scores.overlap.matched) == (1, 2)


def test_fragments_must_be_sorted_pieces_within_the_bounds() -> None:
    with pytest.raises(ValueError, match="fragments"):
        AnnotatedSpan("a", "d1", 0, 30, "content", {}, ((20, 30), (0, 10)))
    with pytest.raises(ValueError, match="fragments"):
        AnnotatedSpan("a", "d1", 0, 31, "content", {}, ((0, 10), (20, 30)))
    one_piece = AnnotatedSpan("a", "d1", 0, 10, "content", {}, ((0, 10),))
    assert one_piece.fragments == () and one_piece == AnnotatedSpan("a", "d1", 0, 10, "content")


def _unitizing(first: list[AnnotatedSpan], second: list[AnnotatedSpan]) -> tuple[float | None, int]:
    works = (
        AnnotatorWork("ann", frozenset({"d1"}), tuple(first)),
        AnnotatorWork("bob", frozenset({"d1"}), tuple(second)),
    )
    unit = agreement_report(AgreementInput(works, ("content",), (), {"d1": 60})).unitizing["content"]
    return unit.alpha, unit.units


def test_unitizing_alpha_sees_the_pieces_not_the_gap() -> None:
    quote = _span("a", (0, 10), (20, 30))
    as_two = [_span("b1", (0, 10)), _span("b2", (20, 30))]
    as_bounds = [_span("c", (0, 30))]
    # A discontinuous span is the same characters as its pieces tagged separately ...
    assert _unitizing([quote], [_span("x", (0, 10)), _span("y", (20, 30))]) == _unitizing(as_two, as_two)
    # ... and not the characters of its bounds: the gap is a disagreement.
    alpha_pieces, _ = _unitizing([quote], as_two)
    alpha_bounds, _ = _unitizing([quote], as_bounds)
    assert alpha_pieces == pytest.approx(1.0)
    assert alpha_bounds is not None and alpha_bounds < 1.0


def _random_spans(rng: random.Random, who: str, n: int) -> list[AnnotatedSpan]:
    spans = []
    for k in range(n):
        start = rng.randrange(0, 60)
        cuts = sorted(rng.sample(range(start + 1, start + 30), rng.choice((1, 3))))
        pieces = [(start, cuts[0])] if len(cuts) == 1 else [(start, cuts[0]), (cuts[1], cuts[2])]
        spans.append(
            AnnotatedSpan(
                f"{who}{k}", rng.choice(("d1", "d2")), start, pieces[-1][1], rng.choice(("claim", "source")), {}, pieces
            )
        )
    return spans


@pytest.mark.parametrize("seed", range(40))
def test_matching_by_label_and_across_labels_from_one_search(seed: int) -> None:
    """The report's shared candidate search gives exactly the two separate matchings, in their order."""
    rng = random.Random(seed)
    first, second = _random_spans(rng, "a", rng.randrange(0, 12)), _random_spans(rng, "b", rng.randrange(0, 12))
    within, across = match_overlap_twice(first, second)
    assert within == match_overlap(first, second)
    assert across == match_overlap(first, second, same_label=False)
    assert label_confusion(first, second, (), across) == label_confusion(first, second)


def _one_document_spans(rng: random.Random, who: str, n: int, copy: list[AnnotatedSpan]) -> list[AnnotatedSpan]:
    """``n`` spans of one document in random order, some with the pieces and label of a span of ``copy``."""
    spans = []
    for k in range(n):
        if copy and rng.random() < 0.3:
            model = rng.choice(copy)
            spans.append(AnnotatedSpan(f"{who}{k}", "d1", model.start, model.end, model.label, {}, model.fragments))
            continue
        start = rng.randrange(0, 80)
        cuts = sorted(rng.sample(range(start + 1, start + 25), rng.choice((1, 1, 3))))
        pieces = [(start, cuts[0])] if len(cuts) == 1 else [(start, cuts[0]), (cuts[1], cuts[2])]
        label = rng.choice(("claim", "source"))
        spans.append(AnnotatedSpan(f"{who}{k}", "d1", start, pieces[-1][1], label, {}, pieces))
    rng.shuffle(spans)
    return spans


@pytest.mark.parametrize("seed", range(40))
def test_one_document_comparison_equals_the_separate_matchings(seed: int) -> None:
    """One document's comparison (the report's: the candidates tried pair by pair for few spans, swept
    for more; the exact matches counted) gives the matchings and scores of the general functions."""
    rng = random.Random(seed)
    first = _one_document_spans(rng, "a", rng.randrange(0, 20), [])
    second = _one_document_spans(rng, "b", rng.randrange(0, 20), first)
    within, across = match_overlap_twice(first, second)
    assert within == match_overlap(first, second)
    assert across == match_overlap(first, second, same_label=False)
    ordered = sorted(first, key=lambda s: (s.start, s.end))  # as read from a project: no reordering
    assert match_overlap_twice(ordered, second)[0] == match_overlap(ordered, second)
    compared = compare_document(first, second, (), (), ("claim", "source"))
    assert compared.spans == span_agreement_by_label(first, second, ("claim", "source"))
    names = [*compared.names, NO_MATCH]
    dense = {row: {column: compared.confusion.get((row, column), 0) for column in names} for row in names}
    assert dense == label_confusion(first, second, ("claim", "source"))
