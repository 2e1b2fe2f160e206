"""Krippendorff's unitizing alpha (alpha_U) for one category over a continuum of characters.

Krippendorff (1995), "On the reliability of unitizing contiguous data", Sociological Methodology
25:47-76, and Krippendorff (2004), *Content Analysis*, 2nd ed., pp. 251-256. ``R`` raters each
mark units (half-open ``[start, end)`` intervals) of one category on the same continuum ``[begin,
begin + L)``. A rater's units of the category may not overlap (callers merge overlapping ones);
everything between them is that rater's *gaps*. For every pair of raters and every pair of
segments (unit or gap) of the two that share a character, the squared distance is

* both units that overlap: ``(start difference)^2 + (end difference)^2``;
* a unit lying wholly inside the other rater's gap: ``length of the unit ^ 2``;
* otherwise 0.

``D_o = 2 * sum / (R (R - 1) L^2)``. With ``N`` units of the category over all raters, ``l`` a
unit's length and the gaps of all raters: ``D_e = (2 / L) * sum over units of [ (N - 1) (2 l^3 -
3 l^2 + l) / 3 + l^2 * sum over gaps g of length >= l of (g - l + 1) ] / (R L (R L - 1) - sum over
units of l (l - 1))``, and ``alpha_U = 1 - D_o / D_e``. The values reproduce DKPro Statistics'
tests of Krippendorff's published examples (the tests here carry them). Undefined (``None``) when
no rater marked the category or ``D_e`` is 0.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

Unit = tuple[int, int]


@dataclass(frozen=True)
class UnitizingResult:
    """``alpha`` with its observed and expected disagreements (exact fractions turned to floats)."""

    alpha: float | None
    observed: float
    expected: float
    units: int


def merge_overlapping(units: Iterable[Unit]) -> tuple[list[Unit], int]:
    """One rater's units with overlapping ones merged into their union; returns (units, merged)."""
    merged: list[Unit] = []
    folded = 0
    for start, end in sorted(units):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            folded += 1
        else:
            merged.append((start, end))
    return merged, folded


def _segments(units: Sequence[Unit], begin: int, end: int) -> list[tuple[int, int, bool]]:
    """The rater's units and gaps in order as ``(start, end, is_unit)`` (no empty gap)."""
    out: list[tuple[int, int, bool]] = []
    position = begin
    for start, stop in units:
        if start > position:
            out.append((position, start, False))
        out.append((start, stop, True))
        position = stop
    if position < end:
        out.append((position, end, False))
    return out


def _pair_sum(first: list[tuple[int, int, bool]], second: list[tuple[int, int, bool]]) -> int:
    """Sum of distances over every pair of segments of two raters that share a character (a sweep).

    The distance of two segments (see the module docstring): both units and overlapping, the squared
    differences of their starts and of their ends; a unit lying wholly inside the other's gap, its
    squared length; anything else 0. Written out inline: this loop runs for every pair of raters and
    every label over a whole project."""
    total = 0
    i = j = 0
    n1, n2 = len(first), len(second)
    while i < n1 and j < n2:
        s1, e1, unit1 = first[i]
        s2, e2, unit2 = second[j]
        if unit1:
            if unit2:
                if s1 < e2 and s2 < e1:
                    total += (s1 - s2) ** 2 + (e1 - e2) ** 2
            elif s2 <= s1 and e1 <= e2:
                total += (e1 - s1) ** 2
        elif unit2 and s1 <= s2 and e2 <= e1:
            total += (e2 - s2) ** 2
        if e1 <= e2:
            i += 1
        else:
            j += 1
    return total


def unitizing_alpha(raters: Sequence[Sequence[Unit]], begin: int, length: int) -> UnitizingResult:
    """alpha_U for one category; ``raters`` holds each rater's non-overlapping units (may be empty)."""
    big_r, end = len(raters), begin + length
    segments = [_segments(sorted(units), begin, end) for units in raters]
    units = [(s, e) for rater in raters for s, e in rater]
    if big_r < 2 or not units or length <= 0:
        return UnitizingResult(None, 0.0, 0.0, len(units))
    pairs = sum(_pair_sum(segments[a], segments[b]) for a in range(big_r) for b in range(a + 1, big_r))
    observed = Fraction(2 * pairs, big_r * (big_r - 1) * length * length)
    gaps = sorted(e - s for rater in segments for s, e, is_unit in rater if not is_unit)
    # Suffix sums over the sorted gaps: sum over gaps g >= l of (g - l + 1) in O(log n) per unit.
    suffix = [0] * (len(gaps) + 1)
    for k in range(len(gaps) - 1, -1, -1):
        suffix[k] = suffix[k + 1] + gaps[k]
    n_units = len(units)
    total3 = 0  # three times the bracketed sum, in integers
    for start, stop in units:
        size = stop - start
        first = bisect_left(gaps, size)
        fitting = suffix[first] - (size - 1) * (len(gaps) - first)
        total3 += (n_units - 1) * (2 * size**3 - 3 * size**2 + size) + 3 * size * size * fitting
    denominator = big_r * length * (big_r * length - 1) - sum((e - s) * (e - s - 1) for s, e in units)
    expected = Fraction(2 * total3, 3 * length * denominator) if denominator else Fraction(0)
    alpha = None if expected == 0 else float(1 - observed / expected)
    return UnitizingResult(alpha, float(observed), float(expected), n_units)
