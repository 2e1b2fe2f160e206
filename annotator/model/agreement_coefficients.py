"""Chance-corrected agreement of several raters on nominal units: Fleiss' kappa, Gwet's AC1,
Krippendorff's alpha (with a bootstrap confidence interval), and percent agreement.

A *unit* is the list of values it received, one per rater who gave one (missing values are simply
absent). Definitions, with ``r_i`` the number of values of unit ``i``, ``r_ik`` how many of them
are category ``k``, ``n`` the units with at least one value, ``n2`` those with at least two and
``q`` the number of categories in the scale (the values the scheme allows, plus any other value
observed; without a scale, the categories observed):

* observed agreement ``pa = (1/n2) * sum over units with r_i >= 2 of sum_k r_ik (r_ik - 1) / (r_i (r_i - 1))``
  (the share of agreeing ordered pairs of values within a unit, averaged over units);
* ``pi_k = (1/n) * sum_i r_ik / r_i`` (the mean share of category ``k`` per unit);
* Fleiss' kappa (Fleiss 1971; with missing values as generalised by Gwet 2014, *Handbook of
  Inter-Rater Reliability*, ch. 2, and irrCAC's ``fleiss.kappa.raw``): ``pe = sum_k pi_k^2``;
* Gwet's AC1 (Gwet 2008, Br. J. Math. Stat. Psychol. 61:29-48; Gwet 2014, ch. 4, where ``q`` is
  "the number of categories" of the rating scale, used or not, as irrCAC's ``categories``
  argument takes it): ``pe = sum_k pi_k (1 - pi_k) / (q - 1)``. A category nobody used adds
  nothing to the sum but still counts in ``q``, which lowers ``pe``;
* both are ``(pa - pe) / (1 - pe)``;
* Krippendorff's alpha, nominal (Krippendorff 2011, *Computing Krippendorff's Alpha-Reliability*),
  over the units with at least two values: ``1 - (N - 1) * D_o / D_e`` from the coincidence counts,
  see :func:`nominal_alpha`.

Undefined is ``None``, never NaN: no unit with two values, or a single category observed (the
textbook formulas divide 0 by 0 there; irrCAC reports 1.0, DKPro Statistics refuses, we report
``None`` and the caller shows the observed agreement beside it). AC1 is the exception: with a
scale of two or more categories its ``pe`` is 0 when one category is observed, so it is defined
and equals the observed agreement, as in Gwet's definition and irrCAC; with a scale of one
category (or no scale and one category observed) it is ``None`` too. The bootstrap interval
(:func:`bootstrap_alpha_interval`) resamples units with replacement, as Hayes and Krippendorff's
KALPHA does, with a fixed seed so that a report is reproducible.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

import numpy as np

DEFAULT_SEED = 20071
"""Seed of the bootstrap (any fixed number: the same data always gives the same interval)."""
DEFAULT_SAMPLES = 1000


def observed_agreement(units: Iterable[Sequence[str]]) -> float | None:
    """Share of agreeing pairs of values within a unit, averaged over units with two or more values."""
    return _shares_and_pa(units)[1]


def _shares_and_pa(units: Iterable[Sequence[str]]) -> tuple[dict[str, float], float | None]:
    """``pi_k`` of every category observed (in the order the units bring them) and the observed
    agreement ``pa``. A report's units repeat a few patterns thousands of times, so each distinct unit
    is counted once; the sums still run over the units in their order, so the floats are those of
    summing unit by unit."""
    known: dict[tuple[str, ...], tuple[float | None, tuple[tuple[str, float], ...]]] = {}
    scores: list[float] = []
    shares: dict[str, float] = defaultdict(float)
    n = 0
    for unit in units:
        if not unit:
            continue
        key = tuple(unit)
        stats = known.get(key)
        if stats is None:
            counts = Counter(key)
            r = len(key)
            score = sum(c * (c - 1) for c in counts.values()) / (r * (r - 1)) if r >= 2 else None
            stats = known[key] = (score, tuple((category, c / r) for category, c in counts.items()))
        n += 1
        if stats[0] is not None:
            scores.append(stats[0])
        for category, share in stats[1]:
            shares[category] += share
    pa = sum(scores) / len(scores) if scores else None
    return {category: total / n for category, total in shares.items()}, pa


def fleiss_kappa(units: Iterable[Sequence[str]]) -> float | None:
    """Fleiss' kappa, generalised to units with different numbers of values (see the module docstring)."""
    return _fleiss(*_shares_and_pa(units))


def _fleiss(shares: dict[str, float], pa: float | None) -> float | None:
    if pa is None or len(shares) < 2:
        return None
    pe = sum(p * p for p in shares.values())
    return None if pe >= 1 else (pa - pe) / (1 - pe)


def scale_of(scale: Iterable[str], units: Iterable[Sequence[str]]) -> tuple[str, ...]:
    """The categories AC1's ``q`` counts: ``scale`` in its order, then any other value observed, sorted."""
    ordered = tuple(dict.fromkeys(scale))
    return ordered + tuple(sorted({v for unit in units for v in unit} - set(ordered)))


def gwet_ac1(units: Iterable[Sequence[str]], scale: Iterable[str] = ()) -> float | None:
    """Gwet's AC1 with ``q`` the categories of ``scale`` plus any other value observed (see the module
    docstring); without ``scale``, the categories observed (irrCAC's default)."""
    units = list(units)
    return _ac1(*_shares_and_pa(units), len(scale_of(scale, units)))


def _ac1(shares: dict[str, float], pa: float | None, q: int) -> float | None:
    if pa is None or q < 2:
        return None
    pe = sum(p * (1 - p) for p in shares.values()) / (q - 1)
    return (pa - pe) / (1 - pe)


def observed_fleiss_ac1(
    units: Sequence[Sequence[str]], scale: Iterable[str] = ()
) -> tuple[float | None, float | None, float | None, tuple[str, ...]]:
    """``(observed_agreement, fleiss_kappa, gwet_ac1, scale_of(scale, units))`` of ``units``, each the
    same number as its own function gives, from one count of each unit's values (a report asks for
    all of them for every coefficient)."""
    shares, pa = _shares_and_pa(units)
    ordered = tuple(dict.fromkeys(scale))
    categories = ordered + tuple(sorted(set(shares) - set(ordered)))  # scale_of: shares has every value
    return pa, _fleiss(shares, pa), _ac1(shares, pa, len(categories)), categories


def _matrix(units: Iterable[Sequence[str]]) -> np.ndarray:
    """Pairable units as a (units x categories) count matrix."""
    pairable = [Counter(unit) for unit in units if len(unit) >= 2]
    categories = sorted({c for unit in pairable for c in unit})
    return np.array([[unit[c] for c in categories] for unit in pairable], dtype=float).reshape(
        len(pairable), len(categories)
    )


def _alpha_from_matrix(counts: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Nominal alpha for each row of ``weights`` (how often each unit is taken), NaN when undefined.

    With ``m_u`` the values of unit ``u``, ``n_c`` the pairable values of category ``c`` and ``N``
    all pairable values: ``D_o = sum_u (m_u^2 - sum_c n_uc^2) / (m_u - 1)`` and ``D_e = (N^2 -
    sum_c n_c^2) / (N - 1)``, both per value, and ``alpha = 1 - D_o / D_e``.
    """
    m = counts.sum(axis=1)
    disagreeing = (m * m - (counts * counts).sum(axis=1)) / (m - 1)
    n = weights @ m
    by_category = weights @ counts
    expected = (n * n - (by_category * by_category).sum(axis=1)) / (n - 1)
    observed = weights @ disagreeing
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = 1.0 - observed / expected
    alpha[~(expected > 0)] = np.nan
    return np.asarray(alpha)


def nominal_alpha(units: Iterable[Sequence[str]]) -> float | None:
    """Krippendorff's alpha (nominal) over the units with two or more values."""
    counts = _matrix(units)
    if counts.shape[0] == 0 or counts.shape[1] < 2:
        return None
    value = float(_alpha_from_matrix(counts, np.ones((1, counts.shape[0])))[0])
    return None if np.isnan(value) else value


def bootstrap_alpha_interval(
    units: Iterable[Sequence[str]],
    *,
    level: float = 0.95,
    samples: int = DEFAULT_SAMPLES,
    seed: int = DEFAULT_SEED,
) -> tuple[float, float] | None:
    """Percentile bootstrap interval of nominal alpha, resampling pairable units with replacement.

    The procedure, exactly (so that it can be recomputed elsewhere):

    1. Keep the units with two or more values and put them in a canonical order: each unit's
       values sorted, then the units sorted (as lists of strings). The interval therefore depends
       only on the units, not on the order the caller (or the database ids) gave them in.
    2. ``rng = numpy.random.default_rng(seed)``; the ``samples`` resamples are the rows of
       ``rng.multinomial(n, [1/n] * n, size=samples)`` (``n`` pairable units; row ``j``, column
       ``u`` is how often unit ``u`` is taken in resample ``j``). Drawing the rows in chunks, as
       done here to bound memory, gives the same rows.
    3. Nominal alpha of each resample (each unit counted as often as it is taken).
    4. Resamples in which alpha is undefined (one category left) are dropped; with fewer than half of
       them defined, or fewer than two pairable units, the interval is ``None``.
    5. The bounds are ``numpy.quantile(alphas, [(1 - level) / 2, (1 + level) / 2])`` (numpy's
       default, linear interpolation).
    """
    counts = _matrix(sorted(sorted(unit) for unit in units if len(unit) >= 2))
    n_units = counts.shape[0]
    if n_units < 2 or counts.shape[1] < 2:
        return None
    rng = np.random.default_rng(seed)
    values: list[np.ndarray] = []
    chunk = max(1, min(samples, 4_000_000 // n_units))  # bounded memory for big projects
    done = 0
    while done < samples:
        size = min(chunk, samples - done)
        weights = rng.multinomial(n_units, np.full(n_units, 1.0 / n_units), size=size).astype(float)
        values.append(_alpha_from_matrix(counts, weights))
        done += size
    alphas = np.concatenate(values)
    alphas = alphas[~np.isnan(alphas)]
    if len(alphas) < samples / 2:
        return None
    tail = (1 - level) / 2
    low, high = np.quantile(alphas, [tail, 1 - tail])
    return float(low), float(high)
