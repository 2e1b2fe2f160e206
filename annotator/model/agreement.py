"""Inter-annotator agreement on nominal values, and the inputs of the whole-project report.

Pure maths over plain values (no Qt, no SQL). Ratings are ``{annotator: {item: value}}`` with
string values; an item that is absent or ``None`` is missing. Public API:

* :func:`cohen_kappa` / :func:`cohen_pair` (two raters, the latter with the item count and the
  observed agreement) and :func:`pairwise_kappa` (every pair, keyed ``"A|B"`` with the two names
  sorted, see :func:`pair_key`). Items missing for either rater are dropped.
* :func:`krippendorff_alpha` (nominal, any number of raters, missing values allowed) and
  :func:`krippendorff_alpha_units` (the same over units given as lists of values), through the
  ``krippendorff`` package, imported lazily.
* :func:`categorical_agreement` and :func:`matched_value_agreement` (the same over spans matched
  between annotators, e.g. a claim attribute or claim stance) return
  :class:`~annotator.model.agreement_report.Coefficients`: alpha with its bootstrap interval,
  Fleiss' kappa, Gwet's AC1 (:mod:`annotator.model.agreement_coefficients`), kappa per pair, and
  the number of items under each.
* :class:`AnnotatorWork` and :class:`AgreementInput` are the report's input;
  :func:`annotator.model.agreement_compare.agreement_report` builds the report.

Undefined results are ``None``, never NaN, including kappa, Fleiss' kappa and alpha when all values
given are one and the same category (0/0 in the textbook formulas; see ``agreement_report.CONVENTIONS``).
Gwet's AC1 counts the scheme's whole scale (``scale``) and stays defined there.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import combinations
from typing import TypeVar

from annotator.model.agreement_coefficients import bootstrap_alpha_interval, observed_fleiss_ac1
from annotator.model.agreement_report import Coefficients, PairKappa
from annotator.model.agreement_spans import AnnotatedRelation, AnnotatedSpan

K = TypeVar("K", bound=Hashable)
PAIR_SEPARATOR = "|"
_MISSING_KRIPPENDORFF = (
    "Krippendorff's alpha needs the 'krippendorff' package (which needs numpy); "
    "install it with: pip install krippendorff"
)


def pair_key(first: str, second: str) -> str:
    """Report key for a pair of annotators: the two names sorted and joined with ``"|"``."""
    return PAIR_SEPARATOR.join(sorted((first, second)))


def cohen_pair(first: Mapping[K, str | None], second: Mapping[K, str | None]) -> PairKappa:
    """Cohen's kappa over the items both raters labelled, with their number and observed agreement."""
    return _cohen_of_pairs(
        [(a, b) for item, a in first.items() if a is not None and (b := second.get(item)) is not None]
    )


def _cohen_of_pairs(paired: Sequence[tuple[str, str]]) -> PairKappa:
    """:func:`cohen_pair` of the two values of each item both raters labelled, in the items' order."""
    n = len(paired)
    if n == 0:
        return PairKappa(None, 0, None)
    agreed = sum(1 for a, b in paired if a == b)
    first_counts = Counter(a for a, _ in paired)
    second_counts = Counter(b for _, b in paired)
    # Integer arithmetic: kappa = (n*agreed - sum n_a*n_b) / (n^2 - sum n_a*n_b).
    chance = sum(count * second_counts[value] for value, count in first_counts.items())
    kappa = None if chance == n * n else (n * agreed - chance) / (n * n - chance)
    return PairKappa(kappa, n, agreed / n)


def cohen_kappa(first: Mapping[K, str | None], second: Mapping[K, str | None]) -> float | None:
    """Cohen's kappa; ``None`` with no common item or when both used one and the same category only."""
    return cohen_pair(first, second).kappa


def pairwise_kappa(ratings: Mapping[str, Mapping[K, str | None]]) -> dict[str, float | None]:
    """Cohen's kappa for every pair of annotators, keyed by :func:`pair_key`."""
    return {pair_key(a, b): cohen_kappa(ratings[a], ratings[b]) for a, b in combinations(sorted(ratings), 2)}


def _pairwise(ratings: Mapping[str, Mapping[K, str | None]]) -> dict[str, PairKappa]:
    return {pair_key(a, b): cohen_pair(ratings[a], ratings[b]) for a, b in combinations(sorted(ratings), 2)}


def krippendorff_alpha_units(units: Iterable[Sequence[str]]) -> float | None:
    """Nominal alpha where each unit is the list of values it received (from any raters)."""
    pairable = [tuple(unit) for unit in units if len(unit) >= 2]
    domain = sorted({value for unit in pairable for value in unit})
    if len(domain) < 2:
        return None
    rows: dict[tuple[str, ...], list[int]] = {}  # each distinct unit counted once
    value_counts = []
    for unit in pairable:
        row = rows.get(unit)
        if row is None:
            row = rows[unit] = [unit.count(value) for value in domain]
        value_counts.append(row)
    try:
        import krippendorff
    except ImportError as exc:
        raise ImportError(_MISSING_KRIPPENDORFF) from exc
    alpha = float(krippendorff.alpha(value_counts=value_counts, level_of_measurement="nominal"))
    return None if math.isnan(alpha) else alpha


def krippendorff_alpha(ratings: Mapping[str, Mapping[K, str | None]]) -> float | None:
    """Nominal Krippendorff's alpha over all annotators with missing values."""
    units: dict[K, list[str]] = defaultdict(list)
    for by_item in ratings.values():
        for item, value in by_item.items():
            if value is not None:
                units[item].append(value)
    return krippendorff_alpha_units(units.values())


def coefficients(
    units: Sequence[Sequence[str]],
    kappa: Mapping[str, PairKappa],
    extra_spans: int = 0,
    scale: Sequence[str] = (),
    *,
    interval: bool = True,
) -> Coefficients:
    """Every multi-rater coefficient over ``units`` (each the list of values one unit received);
    ``scale`` is the categories the scheme allows (Gwet's AC1 counts them all, used or not). With
    ``interval=False`` alpha's bootstrap interval is left to be computed later: ``alpha_ci`` is None
    and ``pending_units`` keeps the units it will be computed from."""
    pairable = [tuple(unit) for unit in units if len(unit) >= 2]  # (tuple() of a tuple is itself)
    # The observed agreement of all units is that of the pairable ones (a unit with one value has no pair).
    observed, fleiss, ac1, categories = observed_fleiss_ac1(units, scale)
    return Coefficients(
        units=len(pairable),
        values=sum(len(unit) for unit in pairable),
        categories=tuple(sorted({value for unit in pairable for value in unit})),
        observed=observed,
        alpha=krippendorff_alpha_units(pairable),
        alpha_ci=bootstrap_alpha_interval(pairable) if interval else None,
        fleiss_kappa=fleiss,
        gwet_ac1=ac1,
        kappa=kappa,
        extra_spans=extra_spans,
        scale=categories,
        pending_units=None if interval else tuple(pairable),
    )


def categorical_agreement(
    ratings: Mapping[str, Mapping[K, str | None]], scale: Sequence[str] = (), *, interval: bool = True
) -> Coefficients:
    """All coefficients for ``{annotator: {item: value}}`` (an item is a unit); ``scale`` and
    ``interval`` as in :func:`coefficients`."""
    units: dict[K, list[str]] = defaultdict(list)
    for _, by_item in sorted(ratings.items()):
        for item, value in by_item.items():
            if value is not None:
                units[item].append(value)
    return coefficients(list(units.values()), _pairwise(ratings), scale=scale, interval=interval)


SpanUnits = tuple[list[list[tuple[str, str]]], list[tuple[str, str]]]
"""What :func:`span_units` returns: the units of linked spans, and the spans left out."""


def matched_value_agreement(
    values: Mapping[str, Mapping[str, str | None]],
    matchings: Mapping[tuple[str, str], Mapping[str, str]],
    scale: Sequence[str] = (),
    *,
    units_of_spans: SpanUnits | None = None,
    interval: bool = True,
) -> Coefficients:
    """Agreement on a value carried by matched spans (a claim attribute, a claim's stance).

    ``values`` is ``{annotator: {span_id: value}}``; ``matchings`` is ``{(first, second):
    {first_span_id: second_span_id}}``. Kappa for a pair uses its matched span pairs as items.
    The other coefficients use one unit per group of spans linked by the pairwise matchings, with
    one span per annotator (:func:`span_units`); the spans left out that carry a value are counted
    in ``extra_spans``. ``units_of_spans`` is ``span_units(matchings)`` when the caller has it already
    (every attribute of a label shares its matchings); ``interval`` as in :func:`coefficients`.
    """
    kappa: dict[str, PairKappa] = {}
    nothing: Mapping[str, str | None] = {}
    for (a, b), matching in sorted(matchings.items()):
        mine, theirs = values.get(a, nothing), values.get(b, nothing)
        kappa[pair_key(a, b)] = _cohen_of_pairs(
            [
                (x, y)
                for span_id, other in matching.items()
                if (x := mine.get(span_id)) is not None and (y := theirs.get(other)) is not None
            ]
        )
    groups, left_out = span_units(matchings) if units_of_spans is None else units_of_spans
    by_name: defaultdict[str, Mapping[str, str | None]] = defaultdict(lambda: nothing, values)
    units = [
        [value for name, span_id in group if (value := by_name[name].get(span_id)) is not None] for group in groups
    ]
    extra = sum(1 for name, span_id in left_out if by_name[name].get(span_id) is not None)
    return coefficients(units, kappa, extra, scale, interval=interval)


def span_units(
    matchings: Mapping[tuple[str, str], Mapping[str, str]],
) -> tuple[list[list[tuple[str, str]]], list[tuple[str, str]]]:
    """Units of linked spans with at most one span per annotator, and the spans left out.

    A group of ``(annotator, span_id)`` nodes joined by matched pairs can hold two spans of one
    annotator (A's two spans matched to B's and to C's overlapping spans). Such a group keeps, for
    each annotator, the span with the most links inside the group (ties: the first span id); the
    others are left out of the unit and counted, never folded into it.
    """
    linked = _links(matchings)
    units: list[list[tuple[str, str]]] = []
    left_out: list[tuple[str, str]] = []
    for group in _linked_groups(linked):
        if len({node[0] for node in group}) == len(group):  # one span per annotator: all of it (sorted)
            units.append(group)
            continue
        best: dict[str, tuple[str, str]] = {}
        for node in sorted(group, key=lambda n: (-len(linked[n]), n)):
            if node[0] in best:
                left_out.append(node)
            else:
                best[node[0]] = node
        units.append(sorted(best.values()))
    return units, left_out


Node = tuple[str, str]


def _links(matchings: Mapping[tuple[str, str], Mapping[str, str]]) -> dict[Node, list[Node]]:
    """Each ``(annotator, span_id)`` node's linked nodes, one entry per matched pair it is in."""
    linked: dict[Node, list[Node]] = defaultdict(list)
    for (a, b), matching in matchings.items():
        for first, second in matching.items():
            one, other = (a, first), (b, second)
            linked[one].append(other)
            linked[other].append(one)
    return linked


def _linked_groups(linked: Mapping[Node, list[Node]]) -> list[list[Node]]:
    """Connected components of the linked nodes, each sorted, in the order of their first node (a
    walk from each node, in sorted order, not yet reached)."""
    reached: set[Node] = set()
    groups: list[list[Node]] = []
    for start in sorted(linked):
        if start in reached:
            continue
        reached.add(start)
        group, todo = [start], [start]
        while todo:
            for other in linked[todo.pop()]:
                if other not in reached:
                    reached.add(other)
                    group.append(other)
                    todo.append(other)
        if len(group) > 1:
            group.sort()
        groups.append(group)
    return groups


@dataclass(frozen=True)
class AnnotatedStance:
    """A stance value toward a target: for the document, or for one span when ``span_id`` is set."""

    doc_id: str
    target: str
    value: str
    span_id: str | None = None

    def __post_init__(self) -> None:
        if not self.doc_id or not self.target or not self.value:
            raise ValueError(f"stance needs doc_id, target and value: {self!r}")

    @classmethod
    def checked(cls, doc_id: str, target: str, value: str, span_id: str | None = None) -> AnnotatedStance:
        """The constructor's stance, checked as it checks it, made without its per-field frozen
        assignments: the agreement report makes one per stored stance."""
        if not doc_id or not target or not value:
            return cls(doc_id, target, value, span_id)  # raises the constructor's error
        stance = object.__new__(cls)
        stance.__dict__.update(doc_id=doc_id, target=target, value=value, span_id=span_id)
        return stance


@dataclass(frozen=True)
class AnnotatorWork:
    """Everything one annotator did on the documents in ``doc_ids`` (the ones they annotated)."""

    annotator: str
    doc_ids: frozenset[str]
    spans: tuple[AnnotatedSpan, ...] = ()
    relations: tuple[AnnotatedRelation, ...] = ()
    stances: tuple[AnnotatedStance, ...] = ()

    def __post_init__(self) -> None:
        if not self.annotator or PAIR_SEPARATOR in self.annotator:
            raise ValueError(f"annotator name must be non-empty without {PAIR_SEPARATOR!r}: {self.annotator!r}")
        doc_of = self._doc_of
        if len(doc_of) != len(self.spans):
            raise ValueError(f"{self.annotator}: duplicate span ids")
        if stray := set(doc_of.values()) - self.doc_ids:
            raise ValueError(f"{self.annotator}: spans in documents not in doc_ids: {sorted(stray)}")
        for rel in self.relations:
            head, tail = doc_of.get(rel.head_id), doc_of.get(rel.tail_id)
            if head is None or tail is None:
                raise ValueError(f"{self.annotator}: relation {rel!r} refers to an unknown span")
            if head != tail:
                raise ValueError(f"{self.annotator}: relation {rel!r} crosses documents")
        self._check_stances(doc_of)

    def _check_stances(self, doc_of: Mapping[str, str]) -> None:
        keys = {(s.doc_id, s.target, s.span_id) for s in self.stances}
        if len(keys) != len(self.stances):
            raise ValueError(f"{self.annotator}: more than one value for the same stance target")
        for stance in self.stances:
            if stance.doc_id not in self.doc_ids:
                raise ValueError(f"{self.annotator}: stance {stance!r} in a document not in doc_ids")
            if stance.span_id is not None and doc_of.get(stance.span_id) != stance.doc_id:
                raise ValueError(f"{self.annotator}: stance {stance!r} refers to an unknown span")

    @cached_property
    def _doc_of(self) -> dict[str, str]:
        """Each span id's document (checked and kept for :attr:`relations_by_doc`)."""
        return {span.span_id: span.doc_id for span in self.spans}

    @cached_property
    def spans_by_doc(self) -> Mapping[str, tuple[AnnotatedSpan, ...]]:
        grouped: dict[str, list[AnnotatedSpan]] = defaultdict(list)
        for span in self.spans:
            grouped[span.doc_id].append(span)
        return {doc: tuple(spans) for doc, spans in grouped.items()}

    @cached_property
    def relations_by_doc(self) -> Mapping[str, tuple[AnnotatedRelation, ...]]:
        doc_of = self._doc_of
        grouped: dict[str, list[AnnotatedRelation]] = defaultdict(list)
        for rel in self.relations:
            grouped[doc_of[rel.head_id]].append(rel)
        return {doc: tuple(rels) for doc, rels in grouped.items()}

    @cached_property
    def document_stance_index(self) -> Mapping[tuple[str, str], str]:
        """``{(doc_id, target): value}`` of document-level stances."""
        return {(s.doc_id, s.target): s.value for s in self.stances if s.span_id is None}

    def document_stances(self, target: str) -> dict[str, str]:
        """``{doc_id: value}`` of document-level stances toward ``target``."""
        return {doc: value for (doc, t), value in self.document_stance_index.items() if t == target}

    def span_stances(self, target: str) -> dict[str, str]:
        """``{span_id: value}`` of span-level (claim) stances toward ``target``."""
        return {s.span_id: s.value for s in self.stances if s.span_id is not None and s.target == target}


@dataclass(frozen=True)
class AgreementInput:
    """All annotators' work; ``span_labels``/``targets`` from the scheme appear even when unused.

    ``doc_lengths`` gives each document's length in characters (the continuum of unitizing alpha);
    a document missing from it is taken to end at its last annotated character. ``stance_values``
    and ``attribute_values`` (``{label: {attribute: values}}``, choice attributes) are the scheme's
    scales, which Gwet's AC1 counts in full; without them AC1 counts the categories observed.
    """

    works: tuple[AnnotatorWork, ...]
    span_labels: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    doc_lengths: Mapping[str, int] = field(default_factory=dict)
    stance_values: tuple[str, ...] = ()
    attribute_values: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        names = [work.annotator for work in self.works]
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate annotator names: {sorted(names)}")
