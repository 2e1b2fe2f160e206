"""Fleiss' kappa, Gwet's AC1, nominal alpha with its bootstrap interval, and unitizing alpha against
published examples and reference implementations.

Published values: Fleiss (1971), "Measuring nominal scale agreement among many raters", Psychological
Bulletin 76(5):378-381, the psychiatric-diagnosis table (30 subjects, 6 raters, 5 categories; p. 379);
Gwet (2008) AC1 examples as tabulated in DKPro Statistics' tests, and irrCAC 1.4 (R, gwet.ac1.raw)
values stored in DKPro Statistics' test fixtures; Krippendorff (1995, 2004) unitizing examples with
the values asserted by DKPro Statistics' unitizing tests. The irrCAC Python port is not in the test
extra: irrCAC 0.4.4 pins scipy==1.12.0, hence numpy < 2 and pandas < 3, and would downgrade the whole
test environment. Its values for AC1 over a scale with unused categories (``CAC(ratings,
categories=[...]).gwet()``, digits=10) were computed once in a separate virtual environment and are
written below with the data they come from.
"""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from annotator.model.agreement import krippendorff_alpha_units
from annotator.model.agreement_coefficients import (
    bootstrap_alpha_interval,
    fleiss_kappa,
    gwet_ac1,
    nominal_alpha,
    observed_agreement,
)
from annotator.model.agreement_unitizing import merge_overlapping, unitizing_alpha

FLEISS_1971 = [
    "4 4 4 4 4 4", "2 2 2 5 5 5", "2 3 3 3 3 5", "5 5 5 5 5 5", "2 2 2 4 4 4",
    "1 1 3 3 3 3", "3 3 3 3 5 5", "1 1 3 3 3 4", "1 1 4 4 4 4", "5 5 5 5 5 5",
    "1 4 4 4 4 4", "1 2 4 4 4 4", "2 2 2 3 3 3", "1 4 4 4 4 4", "2 2 4 4 4 5",
    "3 3 3 3 3 5", "1 1 1 4 5 5", "1 1 1 1 1 2", "2 2 4 4 4 4", "1 3 3 5 5 5",
    "5 5 5 5 5 5", "2 4 4 4 4 4", "2 2 4 5 5 5", "1 1 4 4 4 4", "1 4 4 4 4 5",
    "2 2 2 2 2 4", "1 1 1 1 5 5", "2 2 4 4 4 4", "1 3 3 3 3 3", "5 5 5 5 5 5",
]  # fmt: skip


def _units() -> list[list[str]]:
    return [row.split() for row in FLEISS_1971]


def _from_table(table: list[list[int]]) -> list[list[str]]:
    """Two raters' contingency table (rows: rater A's category, columns: rater B's) as units."""
    return [[str(a), str(b)] for a, row in enumerate(table) for b, n in enumerate(row) for _ in range(n)]


def test_fleiss_1971_psychiatric_diagnoses() -> None:
    units = _units()
    assert observed_agreement(units) == pytest.approx(0.5556, abs=1e-4)
    assert fleiss_kappa(units) == pytest.approx(0.430, abs=1e-3)


def test_fleiss_equals_statsmodels_on_complete_random_data() -> None:
    inter_rater = pytest.importorskip("statsmodels.stats.inter_rater")
    rng = random.Random(3)
    for _ in range(50):
        raters, categories = rng.randint(2, 6), rng.randint(2, 5)
        units = [[str(rng.randrange(categories)) for _ in range(raters)] for _ in range(rng.randint(2, 40))]
        table, _ = inter_rater.aggregate_raters([[int(v) for v in unit] for unit in units])
        expected = inter_rater.fleiss_kappa(table, method="fleiss")
        ours = fleiss_kappa(units)
        if ours is None:  # one category: statsmodels divides 0 by 0
            assert len({v for unit in units for v in unit}) == 1
        else:
            assert ours == pytest.approx(expected, abs=1e-9)


def test_gwet_ac1_worked_examples() -> None:
    # Gwet (2008)-style hand example: 8 yes/yes, 1 no/no, 1 yes/no; pa 0.9, pe 0.255.
    hand = [["y", "y"]] * 8 + [["n", "n"], ["y", "n"]]
    assert gwet_ac1(hand) == pytest.approx(0.8658, abs=1e-4)
    # irrCAC 1.4 (gwet.ac1.raw): the prevalence paradox table, where kappa collapses and AC1 does not.
    assert gwet_ac1(_from_table([[80, 7], [8, 5]])) == pytest.approx(0.808, abs=1e-3)
    # irrCAC 1.4: a 5-category table of 89 subjects.
    table = [[15, 4, 1, 0, 0], [3, 12, 4, 1, 0], [1, 3, 14, 3, 1], [0, 1, 3, 10, 2], [0, 0, 1, 2, 8]]
    assert gwet_ac1(_from_table(table)) == pytest.approx(0.57997, abs=1e-5)


def test_gwet_ac1_counts_every_category_of_the_scale() -> None:
    # Gwet's q is the number of categories of the scale, used or not (Gwet 2008, 2014 ch. 4; irrCAC's
    # `categories`). Values from irrCAC 0.4.4 (Python), CAC(ratings, categories=...).gwet().
    paradox = _from_table([[80, 7], [8, 5]])  # the categories are "0" and "1"
    assert gwet_ac1(paradox) == pytest.approx(0.808, abs=1e-3)
    assert gwet_ac1(paradox, ["0", "1", "maybe"]) == pytest.approx(0.8315789474, abs=1e-9)
    assert gwet_ac1(paradox, ["0", "1", "maybe", "unsure"]) == pytest.approx(0.8382022472, abs=1e-9)
    assert gwet_ac1(paradox, ["1", "0"]) == gwet_ac1(paradox)  # the scale's order does not matter
    # Three raters with missing values; "unclear" is never used (irrCAC: 0.7314175187 without it).
    stance = [
        ["favor", "favor"], ["favor", "favor", "favor"], ["against", "favor", "against"], ["neutral", "neutral"],
        ["favor"], ["against", "against", "against"], ["favor", "favor", "neutral"], ["against"],
        ["favor", "favor", "favor"],
    ]  # fmt: skip
    assert gwet_ac1(stance) == pytest.approx(0.7314175187, abs=1e-9)
    assert gwet_ac1(stance, ["favor", "against", "neutral", "unclear"]) == pytest.approx(0.7637144478, abs=1e-9)
    assert fleiss_kappa(stance) == pytest.approx(0.6725067385, abs=1e-9)  # unused categories add nothing
    # A value outside the scale (the scheme changed) still counts: q is the union.
    assert gwet_ac1(stance, ["favor", "against", "unclear"]) == gwet_ac1(
        stance, ["favor", "against", "neutral", "unclear"]
    )
    # One category used out of a scale of two: pe = 0, so AC1 is the observed agreement (irrCAC: 1.0).
    same = [["y", "y"]] * 5
    assert gwet_ac1(same, ["y", "n"]) == 1.0
    assert gwet_ac1([["y", "y"], ["y", "y"], ["y"]], ["y", "n"]) == 1.0
    assert gwet_ac1(same, ["y"]) is None


def test_single_rater_units_count_for_chance_but_not_for_observed_agreement() -> None:
    hand = [["y", "y"]] * 8 + [["n", "n"], ["y", "n"]]
    assert observed_agreement([*hand, ["y"], ["y"], ["n"]]) == pytest.approx(0.9)
    # pi_y = (8 + 0 + 0.5 + 1 + 1 + 0) / 13, as Gwet (2014) defines it for missing ratings.
    pi = 10.5 / 13
    pe = 2 * pi * (1 - pi)
    assert gwet_ac1([*hand, ["y"], ["y"], ["n"]]) == pytest.approx((0.9 - pe) / (1 - pe))


def test_single_category_and_nothing_pairable_are_undefined() -> None:
    same = [["y", "y"]] * 5
    assert (fleiss_kappa(same), gwet_ac1(same), nominal_alpha(same)) == (None, None, None)
    assert observed_agreement(same) == 1.0
    lonely = [["y"], ["n"]]
    assert (fleiss_kappa(lonely), gwet_ac1(lonely), observed_agreement(lonely)) == (None, None, None)
    assert bootstrap_alpha_interval(same) is None


def test_nominal_alpha_equals_the_krippendorff_package() -> None:
    rng = random.Random(11)
    for _ in range(60):
        units = [[str(rng.randrange(3)) for _ in range(rng.randint(1, 4))] for _ in range(rng.randint(1, 30))]
        expected = krippendorff_alpha_units(units)
        ours = nominal_alpha(units)
        assert (ours is None) == (expected is None)
        if ours is not None:
            assert ours == pytest.approx(expected, abs=1e-9)


def test_bootstrap_interval_is_reproducible_and_brackets_the_estimate() -> None:
    units = _units()
    first = bootstrap_alpha_interval(units)
    assert first == bootstrap_alpha_interval(units)  # fixed seed
    assert first != bootstrap_alpha_interval(units, seed=1)
    assert first is not None
    alpha = nominal_alpha(units)
    assert alpha is not None and first[0] < alpha < first[1]
    # By hand: the percentile interval of alpha over units drawn with replacement (here 200 draws).
    rng = random.Random(5)
    draws = sorted(a for _ in range(400) if (a := nominal_alpha([rng.choice(units) for _ in units])) is not None)
    assert draws[10] == pytest.approx(first[0], abs=0.06) and draws[-11] == pytest.approx(first[1], abs=0.06)


# --- unitizing alpha: DKPro Statistics' tests of Krippendorff's examples ------------------------


def test_unitizing_small_example() -> None:
    # r0: -11111111-   r1: --1-1-1---   (UnitizingAgreementTest)
    result = unitizing_alpha([[(1, 9)], [(2, 3), (4, 5), (6, 7)]], 0, 10)
    assert (result.observed, result.expected) == (pytest.approx(0.9100, abs=1e-4), pytest.approx(0.5351, abs=1e-4))
    assert result.alpha == pytest.approx(-0.7003, abs=1e-4)


def test_unitizing_krippendorff_2004_p254() -> None:
    c = unitizing_alpha([[(225, 295), (370, 400)], [(220, 300), (355, 375), (400, 420)]], 150, 300)
    assert c.observed == pytest.approx(0.0144, abs=1e-4)
    assert c.expected == pytest.approx(0.0532, abs=1e-4)
    assert c.alpha == pytest.approx(0.7286, abs=1e-4)
    k = unitizing_alpha([[(180, 240), (300, 350)], [(180, 240), (300, 350)]], 150, 300)
    assert (k.observed, k.alpha) == (0.0, 1.0)
    assert k.expected == pytest.approx(0.0490, abs=1e-4)
    # DKPro's overall alpha_U: 1 - mean D_o / mean D_e over the two categories.
    assert 1 - (c.observed + k.observed) / (c.expected + k.expected) == pytest.approx(0.8591, abs=5e-4)


KRIPPENDORFF_1995 = {  # (offset, length) per rater, p. 57
    "A": [[(2, 8), (14, 6)], [(4, 4), (15, 2)]],
    "B": [[(0, 18)], [(0, 2), (2, 1), (3, 1), (4, 1), (5, 1), (6, 3), (9, 1)]],
    "C": [[(2, 6), (10, 2), (14, 4), (20, 2)], [(0, 2), (4, 4), (10, 4), (16, 2), (20, 2)]],
    "D": [[(0, 2), (2, 8), (10, 4), (14, 6), (20, 4)], [(0, 4), (4, 4), (8, 7), (15, 2), (17, 7)]],
}


def _stretched(category: str, stretch: int) -> list[list[tuple[int, int]]]:
    return [[(o * stretch, (o + n) * stretch) for o, n in rater] for rater in KRIPPENDORFF_1995[category]]


@pytest.mark.parametrize(
    ("category", "observed", "expected", "alpha"),
    [
        ("A", 0.03125, 0.06990, 0.553),
        ("B", 2.26736, 1.17731, -0.926),
        ("C", 0.02777, 0.08642, 0.679),
        ("D", 0.38715, 0.41445, 0.066),
    ],
)
def test_unitizing_krippendorff_1995(category: str, observed: float, expected: float, alpha: float) -> None:
    assert unitizing_alpha(_stretched(category, 1), 0, 24).observed == pytest.approx(observed, abs=1e-5)
    stretched = unitizing_alpha(_stretched(category, 50000), 0, 24 * 50000)  # a near-continuous scale
    assert stretched.observed == pytest.approx(observed, abs=1e-5)
    assert stretched.expected == pytest.approx(expected, abs=0.005)
    assert stretched.alpha == pytest.approx(alpha, abs=0.02)


def _reference_unitizing(raters: list[list[tuple[int, int]]], begin: int, length: int) -> tuple[int, int, int]:
    """The definition of the module docstring written out plainly (a sweep over both raters' units and
    gaps for every pair; the expected sum unit by unit): ``(pair sum, 3 x expected bracket, denominator)``."""

    def segments(units: list[tuple[int, int]]) -> list[tuple[int, int, bool]]:
        out, position = [], begin
        for start, stop in sorted(units):
            if start > position:
                out.append((position, start, False))
            out.append((start, stop, True))
            position = stop
        if position < begin + length:
            out.append((position, begin + length, False))
        return out

    pairs = 0
    for a in range(len(raters)):
        for b in range(a + 1, len(raters)):
            for s1, e1, unit1 in segments(raters[a]):
                for s2, e2, unit2 in segments(raters[b]):
                    if unit1 and unit2 and s1 < e2 and s2 < e1:
                        pairs += (s1 - s2) ** 2 + (e1 - e2) ** 2
                    elif unit1 and not unit2 and s2 <= s1 and e1 <= e2:
                        pairs += (e1 - s1) ** 2
                    elif unit2 and not unit1 and s1 <= s2 and e2 <= e1:
                        pairs += (e2 - s2) ** 2
    units = [unit for rater in raters for unit in rater]
    gaps = [e - s for rater in raters for s, e, is_unit in segments(rater) if not is_unit]
    total3 = 0
    for s, e in units:
        size = e - s
        fitting = sum(g - size + 1 for g in gaps if g >= size)
        total3 += (len(units) - 1) * (2 * size**3 - 3 * size**2 + size) + 3 * size * size * fitting
    big_r = len(raters)
    return pairs, total3, big_r * length * (big_r * length - 1) - sum((e - s) * (e - s - 1) for s, e in units)


@pytest.mark.parametrize("seed", range(30))
def test_unitizing_sums_match_the_definition(seed: int) -> None:
    # Random raters (units touching, apart, at the ends of the continuum, raters without units), and
    # offsets past 2^30 and lengths whose cubes pass 2^63, where the sums leave int64 for Python ints.
    rng = random.Random(seed)
    begin = rng.choice((0, 7, 3 << 40))
    scale = rng.choice((1, 1, 1_000_000))
    length = rng.randrange(1, 60) * scale
    raters = []
    for _ in range(rng.randrange(2, 5)):
        points = length // scale + 1
        cuts = sorted(rng.sample(range(points), 2 * rng.randrange(0, min(points, 8) // 2 + 1)))
        raters.append([(begin + a * scale, begin + b * scale) for a, b in zip(cuts[::2], cuts[1::2], strict=True)])
    pairs, total3, denominator = _reference_unitizing(raters, begin, length)
    result = unitizing_alpha(raters, begin, length)
    assert result.observed == float(Fraction(2 * pairs, len(raters) * (len(raters) - 1) * length * length))
    if any(raters) and denominator:
        expected = Fraction(2 * total3, 3 * length * denominator)
        assert result.expected == float(expected)
        observed = Fraction(2 * pairs, len(raters) * (len(raters) - 1) * length * length)
        assert result.alpha == (None if expected == 0 else float(1 - observed / expected))


def test_unitizing_edge_cases() -> None:
    lone = unitizing_alpha([[(0, 1)], [], []], 0, 20)  # one unit by one of three raters
    assert lone.alpha == pytest.approx(0.0)
    assert unitizing_alpha([[], []], 0, 20).alpha is None
    assert unitizing_alpha([[(0, 5)]], 0, 20).alpha is None  # one rater
    assert merge_overlapping([(5, 9), (0, 3), (2, 4), (9, 12)]) == ([(0, 4), (5, 9), (9, 12)], 1)


@pytest.mark.parametrize("seed", range(20))
def test_repeated_units_give_the_floats_of_summing_unit_by_unit(seed: int) -> None:
    # Each distinct unit is counted once; the sums must still be taken unit by unit, in order.
    rng = random.Random(seed)
    patterns = [[rng.choice("abc") for _ in range(rng.randrange(0, 5))] for _ in range(6)]
    units = [list(rng.choice(patterns)) for _ in range(rng.randrange(1, 300))]
    scores, shares, n = [], {}, 0
    for unit in units:
        if not unit:
            continue
        n += 1
        r = len(unit)
        if r >= 2:
            scores.append(sum(unit.count(c) * (unit.count(c) - 1) for c in dict.fromkeys(unit)) / (r * (r - 1)))
        for c in dict.fromkeys(unit):
            shares[c] = shares.get(c, 0.0) + unit.count(c) / r
    pa = sum(scores) / len(scores) if scores else None
    pi = {c: total / n for c, total in shares.items()}
    assert observed_agreement(units) == pa
    if pa is not None and len(pi) >= 2:
        pe = sum(p * p for p in pi.values())
        assert fleiss_kappa(units) == (None if pe >= 1 else (pa - pe) / (1 - pe))
    if pa is not None:
        pe = sum(p * (1 - p) for p in pi.values()) / 3
        assert gwet_ac1(units, "abcd") == (pa - pe) / (1 - pe)
