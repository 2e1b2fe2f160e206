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

The sums are exact integers and the two disagreements exact fractions, turned to floats once. A
report computes alpha_U per label for all raters and for every pair over every shared document laid
end to end (millions of characters), so each rater's units are numpy arrays and the sums are taken
over arrays: in int64 while every term and sum provably fits, in Python integers where it may not
(the cubes of the expected disagreement are summed per distinct unit length, in Python integers).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import numpy.typing as npt

Unit = tuple[int, int]
Ints = npt.NDArray[np.int64]
"""Offsets as int64 (object arrays of Python integers past :data:`_INT64_OFFSETS`)."""
_INT64_OFFSETS = 1 << 30
"""Offsets within +-this square (and add two squares) inside int64; beyond it arrays hold Python ints."""
_INT64_MAX = (1 << 63) - 1


@dataclass(frozen=True)
class UnitizingResult:
    """``alpha`` with its observed and expected disagreements (exact fractions turned to floats)."""

    alpha: float | None
    observed: float
    expected: float
    units: int


def merge_overlapping(units: Iterable[Unit]) -> tuple[list[Unit], int]:
    """One rater's units with overlapping ones merged into their union; returns (units, merged)."""
    starts, ends = _arrays(list(units), 0, 0)
    merged_starts, merged_ends, folded = merge_overlapping_arrays(starts, ends)
    return list(zip(merged_starts.tolist(), merged_ends.tolist(), strict=True)), folded


def merge_overlapping_arrays(starts: Ints, ends: Ints) -> tuple[Ints, Ints, int]:
    """:func:`merge_overlapping` over arrays of starts and ends (any order): the merged units sorted,
    and how many units were folded into another. Units that merely touch stay apart."""
    if len(starts) == 0:
        return starts, ends, 0
    order = np.lexsort((ends, starts))
    starts, ends = starts[order], ends[order]
    # A unit opens a new merged unit when it starts at or after every earlier unit's end.
    reach = np.maximum.accumulate(ends)
    opens = np.empty(len(starts), dtype=bool)
    opens[0] = True
    opens[1:] = starts[1:] >= reach[:-1]
    firsts = np.flatnonzero(opens)
    return starts[firsts], np.maximum.reduceat(ends, firsts), len(starts) - len(firsts)


def unitizing_alpha(raters: Sequence[Sequence[Unit]], begin: int, length: int) -> UnitizingResult:
    """alpha_U for one category; ``raters`` holds each rater's non-overlapping units (may be empty)."""
    arrays = [_arrays(sorted(units), begin, begin + length) for units in raters]
    return unitizing_alpha_arrays(arrays, begin, length)


def offsets_dtype(low: int, high: int) -> type:
    """The dtype for offsets between ``low`` and ``high``: int64 when the sums here cannot overflow it."""
    return np.int64 if low > -_INT64_OFFSETS and high < _INT64_OFFSETS else object


def _arrays(units: Sequence[Unit], begin: int, end: int) -> tuple[Ints, Ints]:
    starts, ends = [s for s, _ in units], [e for _, e in units]
    dtype = offsets_dtype(min([begin, *starts]), max([end, *ends]))
    return np.array(starts, dtype=dtype), np.array(ends, dtype=dtype)


def unitizing_alpha_arrays(raters: Sequence[tuple[Ints, Ints]], begin: int, length: int) -> UnitizingResult:
    """:func:`unitizing_alpha` over each rater's units as sorted arrays of starts and of ends (int64,
    or object arrays of Python ints when offsets reach :data:`_INT64_OFFSETS`)."""
    big_r, end = len(raters), begin + length
    n_units = sum(len(starts) for starts, _ in raters)
    if big_r < 2 or not n_units or length <= 0:
        return UnitizingResult(None, 0.0, 0.0, n_units)
    pairs = sum(_pair_sum(*raters[a], *raters[b]) for a in range(big_r) for b in range(a + 1, big_r))
    observed = Fraction(2 * pairs, big_r * (big_r - 1) * length * length)
    sizes = np.concatenate([ends - starts for starts, ends in raters])
    gaps = np.sort(np.concatenate([_gaps(starts, ends, begin, end) for starts, ends in raters]))
    # sum over gaps g >= l of (g - l + 1), for each distinct unit length l, from suffix sums.
    distinct, counts = np.unique(sizes, return_counts=True)
    suffix = np.concatenate([np.cumsum(gaps[::-1])[::-1], np.zeros(1, dtype=gaps.dtype)])
    firsts = np.searchsorted(gaps, distinct, side="left")
    total3 = 0  # three times the bracketed sum, in Python integers (l^3 may not fit in int64)
    shortfall = 0  # sum over units of l (l - 1)
    for size, count, first in zip(distinct.tolist(), counts.tolist(), firsts.tolist(), strict=True):
        fitting = int(suffix[first]) - (size - 1) * (len(gaps) - first)
        total3 += count * ((n_units - 1) * (2 * size**3 - 3 * size**2 + size) + 3 * size * size * fitting)
        shortfall += count * size * (size - 1)
    denominator = big_r * length * (big_r * length - 1) - shortfall
    expected = Fraction(2 * total3, 3 * length * denominator) if denominator else Fraction(0)
    alpha = None if expected == 0 else float(1 - observed / expected)
    return UnitizingResult(alpha, float(observed), float(expected), n_units)


def _gaps(starts: Ints, ends: Ints, begin: int, end: int) -> Ints:
    """The lengths of one rater's gaps (no empty gap): before, between and after its units."""
    before = np.concatenate([np.array([begin], dtype=starts.dtype), ends])
    after = np.concatenate([starts, np.array([end], dtype=starts.dtype)])
    gaps: Ints = after - before
    kept: Ints = gaps[gaps > 0]
    return kept


def _pair_sum(s1: Ints, e1: Ints, s2: Ints, e2: Ints) -> int:
    """Sum of distances over every pair of segments of two raters that share a character.

    Each rater's segments cover the continuum, so a unit overlapping none of the other rater's units
    lies wholly inside one of its gaps (distance: its squared length), and a unit overlapping some
    pairs with each of them (squared differences of the starts and of the ends); a gap against a gap
    is 0. The units of the second rater overlapping unit ``i`` of the first are the run ``lo[i] <=
    j < hi[i]`` (both raters' units are sorted and apart)."""
    lo = np.searchsorted(e2, s1, side="right")  # the first unit ending after unit i starts
    hi = np.searchsorted(s2, e1, side="left")  # past the last unit starting before unit i ends
    runs = hi - lo
    first = np.repeat(np.arange(len(s1)), runs)
    second = np.arange(len(first)) - np.repeat(np.cumsum(runs) - runs, runs) + np.repeat(lo, runs)
    both = (s1[first] - s2[second]) ** 2 + (e1[first] - e2[second]) ** 2
    lone1 = (e1 - s1)[runs == 0] ** 2
    theirs = np.searchsorted(s1, e2, side="left") - np.searchsorted(e1, s2, side="right")
    lone2 = (e2 - s2)[theirs == 0] ** 2
    return _exact_sum(both) + _exact_sum(lone1) + _exact_sum(lone2)


def _exact_sum(terms: Ints) -> int:
    """The sum as a Python integer: in int64 when it cannot overflow, else term by term."""
    if terms.dtype == object or (len(terms) and int(terms.max()) > _INT64_MAX // len(terms)):
        return sum(terms.tolist())
    return int(terms.sum())
