"""Tests for the agreement maths: published worked examples, edge cases and the full report."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import pytest

from annotator.model.agreement import (
    AgreementInput,
    AnnotatedStance,
    AnnotatorWork,
    categorical_agreement,
    cohen_kappa,
    cohen_pair,
    krippendorff_alpha,
    krippendorff_alpha_units,
    matched_value_agreement,
    pair_key,
    pairwise_kappa,
    span_units,
)
from annotator.model.agreement_compare import agreement_report
from annotator.model.agreement_report import PairKappa
from annotator.model.agreement_spans import (
    NO_MATCH,
    AnnotatedRelation,
    AnnotatedSpan,
    MatchCounts,
    attribution_agreement,
    label_confusion,
    match_exact,
    match_overlap,
    micro_average,
    span_agreement_by_label,
)


def _ratings(rows: dict[str, str]) -> dict[str, dict[int, str | None]]:
    """Reliability data as in Krippendorff's paper: one string per observer, '.' = missing."""
    return {
        name: {unit: (None if value == "." else value) for unit, value in enumerate(row.split(), start=1)}
        for name, row in rows.items()
    }


def _two_raters(
    yes_yes: int, yes_no: int, no_yes: int, no_no: int
) -> tuple[dict[int, str | None], dict[int, str | None]]:
    """Expand a 2x2 contingency table (A's answer first) into per-item ratings."""
    cells = [("yes", "yes")] * yes_yes + [("yes", "no")] * yes_no + [("no", "yes")] * no_yes
    cells += [("no", "no")] * no_no
    return {i: a for i, (a, _) in enumerate(cells)}, {i: b for i, (_, b) in enumerate(cells)}


def _span(span_id: str, start: int, end: int, label: str = "claim", doc: str = "d1", **attrs: str) -> AnnotatedSpan:
    return AnnotatedSpan(span_id, doc, start, end, label, attrs)


# --- Cohen's kappa -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ((20, 5, 10, 15), 0.4),  # Wikipedia "Cohen's kappa", simple worked example
        ((45, 15, 25, 15), 3 / 23),  # Wikipedia: same 60 % agreement, kappa 0.1304
        ((25, 35, 5, 35), 7 / 27),  # Wikipedia: same 60 % agreement, kappa 0.2593
    ],
)
def test_cohen_kappa_matches_worked_examples(table: tuple[int, int, int, int], expected: float) -> None:
    first, second = _two_raters(*table)
    assert cohen_kappa(first, second) == pytest.approx(expected, abs=1e-9)


def test_cohen_kappa_drops_items_missing_for_either_rater() -> None:
    first, second = _two_raters(20, 5, 10, 15)
    first |= {100: "yes", 101: None}
    second |= {101: "no", 102: "no"}
    assert cohen_kappa(first, second) == pytest.approx(0.4)


def test_cohen_kappa_undefined_and_degenerate_cases() -> None:
    assert cohen_kappa({}, {}) is None
    assert cohen_kappa({1: "a", 2: None}, {2: "b", 3: "c"}) is None
    # One category throughout: 0/0, undefined (the report shows the observed agreement instead).
    assert cohen_kappa({1: "a", 2: "a"}, {1: "a", 2: "a"}) is None
    assert cohen_pair({1: "a", 2: "a"}, {1: "a", 2: "a"}) == PairKappa(None, 2, 1.0)
    assert cohen_kappa({1: "a", 2: "b"}, {1: "a", 2: "b"}) == 1.0
    assert cohen_kappa({1: "a", 2: "b"}, {1: "b", 2: "a"}) == pytest.approx(-1.0)


def test_pairwise_kappa_keys_are_sorted_pairs() -> None:
    first, second = _two_raters(20, 5, 10, 15)
    result = pairwise_kappa({"zoe": second, "amy": first, "bob": first})
    assert set(result) == {"amy|bob", "amy|zoe", "bob|zoe"}
    assert result["amy|bob"] == 1.0
    assert result["amy|zoe"] == pytest.approx(0.4)
    assert pair_key("zoe", "amy") == "amy|zoe"


# --- Krippendorff's alpha ------------------------------------------------------------------------

PAPER_FOUR_OBSERVERS = {
    "A": "1 2 3 3 2 1 4 1 2 . . .",
    "B": "1 2 3 3 2 2 4 1 2 5 . 3",
    "C": ". 3 3 3 2 3 4 2 2 5 1 .",
    "D": "1 2 3 3 2 4 4 1 2 5 1 .",
}


def test_alpha_matches_krippendorff_2011_four_observers_with_missing_values() -> None:
    assert krippendorff_alpha(_ratings(PAPER_FOUR_OBSERVERS)) == pytest.approx(0.743, abs=5e-4)


def test_alpha_matches_krippendorff_2011_two_observers_binary() -> None:
    ratings = _ratings({"A": "0 1 0 0 0 0 0 0 1 0", "B": "1 1 1 0 0 1 0 0 0 0"})
    assert krippendorff_alpha(ratings) == pytest.approx(0.095, abs=5e-4)
    assert krippendorff_alpha(ratings) == pytest.approx(1 - 19 * 4 / (14 * 6))  # by hand


def test_alpha_perfect_agreement_is_one() -> None:
    ratings = _ratings({"A": "x y x . z", "B": "x y x y z", "C": "x . x y ."})
    assert krippendorff_alpha(ratings) == pytest.approx(1.0)


def test_alpha_undefined_cases_are_none() -> None:
    assert krippendorff_alpha({}) is None
    assert krippendorff_alpha(_ratings({"A": "x x x", "B": "x x x"})) is None  # no variation
    assert krippendorff_alpha(_ratings({"A": "x . y", "B": ". y ."})) is None  # nothing pairable
    # A value seen only in an unpairable unit does not count as variation.
    assert krippendorff_alpha(_ratings({"A": "x x y", "B": "x x ."})) is None


def test_alpha_from_units_equals_alpha_from_ratings() -> None:
    ratings = _ratings(PAPER_FOUR_OBSERVERS)
    units = [[value for r in ratings.values() if (value := r[u]) is not None] for u in range(1, 13)]
    assert krippendorff_alpha_units(units) == pytest.approx(krippendorff_alpha(ratings))


def test_alpha_without_krippendorff_package_raises_clear_import_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "krippendorff", None)
    with pytest.raises(ImportError, match="pip install krippendorff"):
        krippendorff_alpha(_ratings({"A": "x y", "B": "x y"}))
    assert cohen_kappa({1: "x", 2: "y"}, {1: "x", 2: "y"}) == 1.0  # kappa does not need the package


def test_categorical_agreement_combines_alpha_and_kappa() -> None:
    result = categorical_agreement(_ratings({"A": "0 1 0 0 0 0 0 0 1 0", "B": "1 1 1 0 0 1 0 0 0 0"}))
    assert result.alpha == pytest.approx(0.095, abs=5e-4)
    # Cohen's kappa for the same data: n=10, agreed 6, A: 8x0 2x1, B: 6x0 4x1 -> chance 56.
    assert result.kappa == {"A|B": PairKappa(pytest.approx((60 - 56) / (100 - 56)), 10, 0.6)}
    assert (result.units, result.values, result.categories) == (10, 20, ("0", "1"))


# --- Span matching -------------------------------------------------------------------------------


def _scores(counts: MatchCounts) -> tuple[float | None, float | None, float | None]:
    return counts.precision, counts.recall, counts.f1


def test_exact_versus_overlap_scores_by_hand() -> None:
    first = [_span("a1", 0, 10), _span("a2", 20, 30), _span("a3", 40, 45, "source")]
    second = [
        _span("b1", 0, 10),  # exact
        _span("b2", 22, 35),  # overlaps a2
        _span("b3", 50, 55, "source"),  # no overlap
        _span("b4", 60, 70),  # extra
    ]
    result = span_agreement_by_label(first, second, labels=("claim", "source", "unused"))
    assert list(result) == ["claim", "source", "unused"]
    assert _scores(result["claim"].exact) == pytest.approx((1 / 3, 1 / 2, 2 / 5))
    assert _scores(result["claim"].overlap) == pytest.approx((2 / 3, 1.0, 4 / 5))
    assert _scores(result["source"].exact) == (0.0, 0.0, 0.0)
    assert _scores(result["unused"].overlap) == (None, None, None)
    micro = micro_average(result.values())
    assert micro.exact.f1 == pytest.approx(2 / 7)
    assert micro.overlap.f1 == pytest.approx(4 / 7)
    assert micro.as_dict()["overlap_recall"] == pytest.approx(2 / 3)
    assert micro.as_dict()["first_count"] == 3
    assert micro.as_dict()["second_count"] == 4


def test_overlap_needs_same_document_label_and_a_shared_character() -> None:
    first = [_span("a1", 0, 10)]
    assert match_overlap(first, [_span("b1", 0, 10, doc="d2")]) == []
    assert match_overlap(first, [_span("b1", 0, 10, "source")]) == []
    assert match_overlap(first, [_span("b1", 10, 20)]) == []  # touching is not overlapping
    assert len(match_overlap(first, [_span("b1", 0, 10, "source")], same_label=False)) == 1


def test_overlap_matching_is_one_to_one_by_largest_overlap() -> None:
    pairs = match_overlap([_span("a1", 0, 10)], [_span("b1", 0, 4), _span("b2", 2, 10)])
    assert [(a.span_id, b.span_id) for a, b in pairs] == [("a1", "b2")]
    pairs = match_overlap([_span("a1", 0, 10), _span("a2", 8, 20)], [_span("b1", 5, 18)])
    assert [(a.span_id, b.span_id) for a, b in pairs] == [("a2", "b1")]


def test_exact_matching_counts_duplicates_once_each() -> None:
    first = [_span("a1", 0, 10), _span("a2", 0, 10)]
    assert len(match_exact(first, [_span("b1", 0, 10)])) == 1
    assert len(match_exact(first, [_span("b1", 0, 10), _span("b2", 0, 10)])) == 2


def test_span_scores_when_one_or_both_sides_are_empty() -> None:
    only_first = span_agreement_by_label([_span("a1", 0, 10)], [])["claim"]
    assert _scores(only_first.exact) == (None, 0.0, 0.0)
    only_second = span_agreement_by_label([], [_span("b1", 0, 10)])["claim"]
    assert _scores(only_second.overlap) == (0.0, None, 0.0)
    assert span_agreement_by_label([], []) == {}
    assert micro_average([]).as_dict()["overlap_f1"] is None


def test_label_confusion_counts_matched_labels_and_unmatched_spans() -> None:
    first = [_span("a1", 0, 10), _span("a2", 20, 25, "source"), _span("a3", 40, 50)]
    second = [_span("b1", 0, 8, "source"), _span("b2", 20, 25, "source"), _span("b3", 60, 70)]
    matrix = label_confusion(first, second)
    assert list(matrix) == ["claim", "source", NO_MATCH]
    assert matrix["claim"] == {"claim": 0, "source": 1, NO_MATCH: 1}
    assert matrix["source"] == {"claim": 0, "source": 1, NO_MATCH: 0}
    assert matrix[NO_MATCH] == {"claim": 1, "source": 0, NO_MATCH: 0}


def test_span_validation() -> None:
    with pytest.raises(ValueError):
        _span("a1", 5, 5)
    with pytest.raises(ValueError):
        _span("a1", -1, 5)
    frozen: Any = _span("a1", 0, 5, claim_type="x").attributes
    with pytest.raises(TypeError):
        frozen["claim_type"] = "y"


# --- Attribution and matched values ---------------------------------------------------------------


def test_attribution_agreement_over_matched_claims() -> None:
    first = [
        AnnotatedRelation("c1", "s1", "attributed_to"),
        AnnotatedRelation("c2", "s2", "attributed_to"),
        AnnotatedRelation("c3", "s1", "attributed_to"),  # c3 unmatched: ignored
    ]
    second = [AnnotatedRelation("d1", "t1", "attributed_to"), AnnotatedRelation("d2", "t1", "attributed_to")]
    matching = {"c1": "d1", "c2": "d2", "s1": "t1", "s2": "t2"}
    counts = attribution_agreement(first, second, matching)
    assert (counts.first_total, counts.second_total, counts.matched) == (2, 2, 1)
    assert counts.f1 == pytest.approx(0.5)
    unmatched_source = attribution_agreement(first[:1], second[:1], {"c1": "d1"})
    assert unmatched_source.f1 == 0.0
    assert attribution_agreement([], [], {}).f1 is None


def test_matched_value_agreement_uses_pairs_for_kappa_and_groups_for_alpha() -> None:
    values: dict[str, dict[str, str | None]] = {
        "A": {"a1": "x", "a2": "y", "a3": "x"},
        "B": {"b1": "x", "b2": "y", "b3": None},
        "C": {"c1": "x", "c2": "x"},
    }
    matchings = {
        ("A", "B"): {"a1": "b1", "a2": "b2", "a3": "b3"},
        ("A", "C"): {"a1": "c1"},
        ("B", "C"): {"b1": "c1", "b2": "c2"},
    }
    result = matched_value_agreement(values, matchings)
    assert {pair: k.kappa for pair, k in result.kappa.items()} == {"A|B": 1.0, "A|C": None, "B|C": 0.0}
    assert {pair: k.items for pair, k in result.kappa.items()} == {"A|B": 3 - 1, "A|C": 1, "B|C": 2}
    assert result.extra_spans == 0
    # Groups: {a1,b1,c1} -> x x x, {a2,b2,c2} -> y y x, {a3,b3} -> x only (unpairable).
    expected = krippendorff_alpha_units([["x", "x", "x"], ["y", "y", "x"]])
    assert result.alpha == pytest.approx(expected)
    assert expected == pytest.approx(krippendorff_alpha(_ratings({"A": "x y", "B": "x y", "C": "x x"})))


# --- The report ----------------------------------------------------------------------------------


def _work(
    name: str,
    docs: Sequence[str],
    spans: Sequence[AnnotatedSpan] = (),
    relations: Sequence[AnnotatedRelation] = (),
    stances: Sequence[AnnotatedStance] = (),
) -> AnnotatorWork:
    return AnnotatorWork(name, frozenset(docs), tuple(spans), tuple(relations), tuple(stances))


def _report_input() -> AgreementInput:
    nato = "nato_membership"
    ann = _work(
        "ann",
        ["d1", "d2", "d3"],
        [
            _span("c1", 0, 10, claim_type="factual", checkworthy="yes"),
            _span("s1", 12, 20, "source"),
            _span("c2", 0, 5, doc="d2", claim_type="opinion"),
        ],
        [AnnotatedRelation("c1", "s1", "attributed_to")],
        [
            AnnotatedStance("d1", nato, "favor"),
            AnnotatedStance("d2", nato, "against"),
            AnnotatedStance("d3", nato, "neutral"),
            AnnotatedStance("d1", nato, "favor", span_id="c1"),
        ],
    )
    bob = _work(
        "bob",
        ["d1", "d2", "d3"],
        [
            _span("b1", 2, 10, claim_type="factual", checkworthy="no"),
            _span("t1", 12, 20, "source"),
            _span("b2", 0, 5, doc="d2", claim_type="opinion"),
            _span("b3", 30, 40, doc="d3", claim_type="factual"),
        ],
        [AnnotatedRelation("b1", "t1", "attributed_to")],
        [
            AnnotatedStance("d1", nato, "favor"),
            AnnotatedStance("d2", nato, "against"),
            AnnotatedStance("d3", nato, "favor"),
            AnnotatedStance("d1", nato, "favor", span_id="b1"),
        ],
    )
    cat = _work(
        "cat",
        ["d1"],
        [_span("k1", 0, 10, claim_type="factual")],
        (),
        [AnnotatedStance("d1", nato, "favor"), AnnotatedStance("d1", nato, "against", span_id="k1")],
    )
    return AgreementInput((cat, bob, ann), ("claim", "source"), (nato, "security_guarantees"))


def _report() -> dict[str, Any]:
    """The JSON form of the report of :func:`_report_input`."""
    return agreement_report(_report_input()).to_json()


def test_report_document_stance() -> None:
    stance = _report()["stance"]
    nato = stance["nato_membership"]
    assert nato["alpha"] == pytest.approx(4 / 7)  # units f f f | a a | n f, by hand
    # ann and cat share one document, both "favor": one item, one category, so kappa is undefined.
    assert nato["kappa"] == {"ann|bob": pytest.approx(0.5), "ann|cat": None, "bob|cat": None}
    assert nato["kappa_items"] == {"ann|bob": 3, "ann|cat": 1, "bob|cat": 1}
    assert nato["kappa_observed"] == {"ann|bob": pytest.approx(2 / 3), "ann|cat": 1.0, "bob|cat": 1.0}
    assert (nato["items"], nato["values"]) == (3, 7)
    # By hand: pa = (1 + 1 + 0) / 3; pi_f = (1 + 0 + 1/2) / 3, pi_a = 1/3, pi_n = 1/6.
    pe_fleiss = 0.5**2 + (1 / 3) ** 2 + (1 / 6) ** 2
    assert nato["fleiss_kappa"] == pytest.approx((2 / 3 - pe_fleiss) / (1 - pe_fleiss))
    pe_gwet = (0.5 * 0.5 + (1 / 3) * (2 / 3) + (1 / 6) * (5 / 6)) / 2
    assert nato["gwet_ac1"] == pytest.approx((2 / 3 - pe_gwet) / (1 - pe_gwet))
    low, high = nato["alpha_ci95"]
    assert low <= nato["alpha"] <= high
    guarantees = stance["security_guarantees"]
    assert (guarantees["alpha"], guarantees["fleiss_kappa"], guarantees["gwet_ac1"]) == (None, None, None)
    assert guarantees["kappa"] == {"ann|bob": None, "ann|cat": None, "bob|cat": None}
    assert guarantees["items"] == 0


def test_report_spans_attribution_and_confusion() -> None:
    report = _report()
    claim = report["spans"]["claim"]
    assert claim["ann|bob"]["exact_f1"] == pytest.approx(0.4)
    assert claim["ann|bob"]["overlap_precision"] == pytest.approx(2 / 3)
    assert claim["ann|bob"]["overlap_f1"] == pytest.approx(0.8)
    assert claim["bob|cat"]["exact_f1"] == 0.0
    assert claim["bob|cat"]["overlap_f1"] == 1.0
    source = report["spans"]["source"]
    assert source["ann|cat"]["exact_recall"] == 0.0
    assert source["ann|cat"]["exact_precision"] is None
    micro = report["spans_micro"]["ann|bob"]
    assert (micro["exact_f1"], micro["overlap_f1"]) == pytest.approx((4 / 7, 6 / 7))
    assert {pair: a["f1"] for pair, a in report["attribution"].items()} == {
        "ann|bob": 1.0,
        "ann|cat": 0.0,
        "bob|cat": 0.0,
    }
    assert report["attribution"]["ann|bob"]["by_type"]["attributed_to"]["matched"] == 1
    assert report["pairs"] == {"ann|bob": {"documents": 3}, "ann|cat": {"documents": 1}, "bob|cat": {"documents": 1}}
    assert report["spans"]["claim"]["ann|bob"]["documents"] == 3
    assert report["span_confusion"]["ann|bob"] == {
        "claim": {"claim": 2, "source": 0, NO_MATCH: 0},
        "source": {"claim": 0, "source": 1, NO_MATCH: 0},
        NO_MATCH: {"claim": 1, "source": 0, NO_MATCH: 0},
    }


def test_report_attributes_and_claim_stance() -> None:
    report = _report()
    attributes = report["attributes"]
    assert attributes["source"] == {}
    claim_type = attributes["claim"]["claim_type"]
    assert claim_type["alpha"] == pytest.approx(1.0)
    assert claim_type["kappa"] == {"ann|bob": 1.0, "ann|cat": None, "bob|cat": None}  # one item each
    assert claim_type["kappa_items"] == {"ann|bob": 2, "ann|cat": 1, "bob|cat": 1}
    checkworthy = attributes["claim"]["checkworthy"]
    assert checkworthy["alpha"] == pytest.approx(0.0)
    assert checkworthy["kappa"] == {"ann|bob": 0.0, "ann|cat": None, "bob|cat": None}
    claim_stance = report["claim_stance"]
    assert claim_stance["nato_membership"]["alpha"] == pytest.approx(0.0)
    assert claim_stance["nato_membership"]["kappa"] == {"ann|bob": None, "ann|cat": 0.0, "bob|cat": 0.0}
    assert claim_stance["security_guarantees"]["alpha"] is None


def test_report_per_document_and_per_annotator() -> None:
    report = _report()
    assert report["annotators"] == ["ann", "bob", "cat"]
    assert report["documents"] == ["d1", "d2", "d3"]
    d3 = report["per_document"]["d3"]
    assert d3["annotators"] == ["ann", "bob"]
    assert d3["spans"]["ann|bob"]["overlap_f1"] == 0.0
    assert d3["stance_agreement"] == {"ann|bob": 0.0}
    assert d3["attribution"] == {"ann|bob": None}
    assert report["per_document"]["d1"]["stance_agreement"]["ann|cat"] == 1.0
    cat = report["per_annotator"]["cat"]
    assert cat["documents"] == 1
    assert cat["spans"] == {"claim": 1}
    assert cat["mean_overlap_f1"] == pytest.approx(2 / 3)


def test_report_with_no_overlap_or_single_annotator() -> None:
    lone: dict[str, Any] = agreement_report(AgreementInput((_work("ann", ["d1"], [_span("c1", 0, 3)]),))).to_json()
    assert lone["spans"] == {"claim": {}}
    assert lone["per_annotator"]["ann"]["mean_overlap_f1"] is None
    disjoint = agreement_report(AgreementInput((_work("ann", ["d1"]), _work("bob", ["d2"])))).to_json()
    assert disjoint["spans_micro"]["ann|bob"]["overlap_f1"] is None
    assert disjoint["spans_micro"]["ann|bob"]["documents"] == 0
    assert disjoint["attribution"]["ann|bob"]["f1"] is None


def test_work_validation() -> None:
    with pytest.raises(ValueError, match="not in doc_ids"):
        _work("ann", ["d2"], [_span("c1", 0, 3)])
    with pytest.raises(ValueError, match="unknown span"):
        _work("ann", ["d1"], [_span("c1", 0, 3)], [AnnotatedRelation("c1", "zz", "attributed_to")])
    with pytest.raises(ValueError, match="without"):
        _work("a|b", ["d1"])
    with pytest.raises(ValueError, match="more than one value"):
        _work(
            "ann",
            ["d1"],
            stances=[AnnotatedStance("d1", "t", "favor"), AnnotatedStance("d1", "t", "against")],
        )
    with pytest.raises(ValueError, match="duplicate annotator"):
        AgreementInput((_work("ann", ["d1"]), _work("ann", ["d2"])))


def test_units_keep_one_span_per_annotator_and_count_the_extra_ones() -> None:
    # A's a1 and a2 are linked through B and C into one group; one link each, so the first id stays.
    matchings = {("A", "B"): {"a1": "b1"}, ("A", "C"): {"a2": "c1"}, ("B", "C"): {"b1": "c1"}}
    units, left_out = span_units(matchings)
    assert units == [[("A", "a1"), ("B", "b1"), ("C", "c1")]]
    assert left_out == [("A", "a2")]
    values: dict[str, dict[str, str | None]] = {"A": {"a1": "x", "a2": "y"}, "B": {"b1": "x"}, "C": {"c1": "x"}}
    result = matched_value_agreement(values, matchings)
    assert (result.units, result.values, result.extra_spans) == (1, 3, 1)  # y is not folded into the unit
    assert result.observed == 1.0 and result.alpha is None  # one category in the unit: undefined
    values["A"]["a2"] = None
    assert matched_value_agreement(values, matchings).extra_spans == 0  # a left-out span without a value
