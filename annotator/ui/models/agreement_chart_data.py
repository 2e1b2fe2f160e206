"""Chart series for the agreement report window: `ChartData` and the two charts built from the report.

A `ChartData` is categories on the x axis, one value list per bar set (None: undefined), per bar
set an optional interval per category that the chart draws as an error bar (α's 95% bootstrap
interval), and per bar set the number of items under each value (shown when a bar is hovered; the
category labels also say it where all bars of a category rest on the same items), and which pair
of annotators (`pairs`, by report key) a set name or category is about, so that the chart can
shorten their names to fit. No Qt here; `widgets/agreement_charts.py` draws it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import combinations

from annotator.model.agreement import pair_key
from annotator.model.agreement_report import AgreementReport

Interval = tuple[float, float] | None


@dataclass(frozen=True)
class ChartData:
    categories: tuple[str, ...]
    sets: tuple[tuple[str, tuple[float | None, ...]], ...] = field(default_factory=tuple)
    intervals: Mapping[str, tuple[Interval, ...]] = field(default_factory=dict)  # set name -> per category
    counts: Mapping[str, tuple[int, ...]] = field(default_factory=dict)  # set name -> items per category
    pairs: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # set name or category -> its pair

    def values(self) -> dict[str, list[float | None]]:
        return {name: list(values) for name, values in self.sets}


def stance_chart(report: AgreementReport) -> ChartData:
    """Bars per target: α (with its 95% interval as an error bar), Fleiss' κ, AC1, then κ per pair."""
    section = report.stance
    targets = tuple(section)
    sets = [
        ("α (all)", tuple(section[t].alpha for t in targets)),
        ("Fleiss κ", tuple(section[t].fleiss_kappa for t in targets)),
        ("Gwet AC1", tuple(section[t].gwet_ac1 for t in targets)),
    ]
    sets += [
        (f"κ {p}", tuple(section[t].kappa[p].kappa if p in section[t].kappa else None for t in targets))
        for p in report.pairs
    ]
    intervals = {"α (all)": tuple(section[t].alpha_ci for t in targets)}
    units = tuple(section[t].units for t in targets)
    counts = {name: units for name in ("α (all)", "Fleiss κ", "Gwet AC1")}
    counts |= {
        f"κ {p}": tuple(section[t].kappa[p].items if p in section[t].kappa else 0 for t in targets)
        for p in report.pairs
    }
    categories = tuple(f"{t}<br>n = {section[t].units}" for t in targets)
    pairs = {f"κ {p}": names for p, names in _pair_names(report).items()}
    return ChartData(categories, tuple(sets), intervals, counts, pairs)


def span_chart(report: AgreementReport) -> ChartData:
    """Two bar sets (exact F1, overlap F1) over one category per label and pair ("claim<br>A|B<br>n = 7":
    n is the spans both annotators marked, what both F1 rest on)."""
    keys = [(label, p) for label in report.spans for p in report.pairs if p in report.spans[label]]
    n = tuple(
        report.spans[label][p].overlap.first_total + report.spans[label][p].overlap.second_total for label, p in keys
    )
    categories = tuple(f"{label}<br>{p}<br>n = {count}" for (label, p), count in zip(keys, n, strict=True))
    sets = tuple(
        (f"{kind} F1", tuple(getattr(report.spans[label][p], kind).f1 for label, p in keys))
        for kind in ("exact", "overlap")
    )
    names = _pair_names(report)
    pairs = {category: names[p] for category, (_label, p) in zip(categories, keys, strict=True) if p in names}
    return ChartData(categories, sets, counts={name: n for name, _ in sets}, pairs=pairs)


def _pair_names(report: AgreementReport) -> dict[str, tuple[str, str]]:
    """Report pair key -> the two names in it, in the key's order."""
    return {pair_key(a, b): (min(a, b), max(a, b)) for a, b in combinations(report.annotators, 2)}
