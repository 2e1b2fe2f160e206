"""Inter-annotator agreement: nominal coefficients and the whole-project agreement report.

Pure maths over plain values (no Qt, no SQL). Ratings are ``{annotator: {item: value}}`` with
string values; an item that is absent or ``None`` is missing. Public API:

* :func:`cohen_kappa` (two raters) and :func:`pairwise_kappa` (every pair, keyed ``"A|B"`` with
  the two names sorted, see :func:`pair_key`). Items missing for either rater are dropped.
* :func:`krippendorff_alpha` (nominal, any number of raters, missing values allowed) and
  :func:`krippendorff_alpha_units` (the same over units given as lists of values). The
  ``krippendorff`` package computes it; it is imported lazily, so kappa and span scores work
  without it and alpha raises a clear ``ImportError``.
* :func:`categorical_agreement` (alpha plus pairwise kappa) and :func:`matched_value_agreement`
  (the same over spans matched between annotators, e.g. a claim attribute or claim stance).
* :func:`agreement_report` turns an :class:`AgreementInput` (one :class:`AnnotatorWork` per
  annotator) into a nested dict; span maths lives in :mod:`annotator.model.agreement_spans`.

Undefined results are ``None``, never NaN. Kappa is ``None`` with no comparable item and 1.0
when both raters used one and the same category throughout (expected agreement 1, observed 1).
Alpha is ``None`` when no unit has two values, or when all paired values are one category:
alpha measures agreement beyond variation and there is no variation to measure.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import combinations
from typing import TypeAlias, TypeVar

from annotator.model.agreement_spans import (
    AnnotatedRelation,
    AnnotatedSpan,
    MatchCounts,
    SpanAgreement,
    SpanPair,
    add_confusion,
    attribution_agreement,
    label_confusion,
    match_overlap_by_label,
    matching_ids,
    micro_average,
    ordered_names,
    span_agreement_by_label,
)

K = TypeVar("K", bound=Hashable)
ReportValue: TypeAlias = "None | int | float | str | Sequence[ReportValue] | Mapping[str, ReportValue]"
Report: TypeAlias = dict[str, ReportValue]
PAIR_SEPARATOR = "|"
_MISSING_KRIPPENDORFF = (
    "Krippendorff's alpha needs the 'krippendorff' package (which needs numpy); "
    "install it with: pip install krippendorff"
)


def pair_key(first: str, second: str) -> str:
    """Report key for a pair of annotators: the two names sorted and joined with ``"|"``."""
    return PAIR_SEPARATOR.join(sorted((first, second)))


def cohen_kappa(first: Mapping[K, str | None], second: Mapping[K, str | None]) -> float | None:
    """Cohen's kappa over the items both raters labelled (see the module docstring for ``None``)."""
    pairs = [(value, second.get(item)) for item, value in first.items()]
    paired = [(a, b) for a, b in pairs if a is not None and b is not None]
    n = len(paired)
    if n == 0:
        return None
    agreed = sum(1 for a, b in paired if a == b)
    first_counts = Counter(a for a, _ in paired)
    second_counts = Counter(b for _, b in paired)
    # Integer arithmetic: kappa = (n*agreed - sum n_a*n_b) / (n^2 - sum n_a*n_b).
    chance = sum(count * second_counts[value] for value, count in first_counts.items())
    if chance == n * n:
        return 1.0
    return (n * agreed - chance) / (n * n - chance)


def pairwise_kappa(ratings: Mapping[str, Mapping[K, str | None]]) -> dict[str, float | None]:
    """Cohen's kappa for every pair of annotators, keyed by :func:`pair_key`."""
    return {pair_key(a, b): cohen_kappa(ratings[a], ratings[b]) for a, b in combinations(sorted(ratings), 2)}


def krippendorff_alpha_units(units: Iterable[Sequence[str]]) -> float | None:
    """Nominal alpha where each unit is the list of values it received (from any raters)."""
    pairable = [list(unit) for unit in units if len(unit) >= 2]
    domain = sorted({value for unit in pairable for value in unit})
    if len(domain) < 2:
        return None
    value_counts = [[unit.count(value) for value in domain] for unit in pairable]
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


@dataclass(frozen=True)
class CategoricalAgreement:
    """Alpha over all annotators plus Cohen's kappa per pair."""

    alpha: float | None
    kappa: Mapping[str, float | None] = field(default_factory=dict)

    def as_dict(self) -> dict[str, ReportValue]:
        return {"alpha": self.alpha, "kappa": dict(self.kappa)}


def categorical_agreement(ratings: Mapping[str, Mapping[K, str | None]]) -> CategoricalAgreement:
    """Alpha and pairwise kappa for ``{annotator: {item: value}}``."""
    return CategoricalAgreement(krippendorff_alpha(ratings), pairwise_kappa(ratings))


def matched_value_agreement(
    values: Mapping[str, Mapping[str, str | None]],
    matchings: Mapping[tuple[str, str], Mapping[str, str]],
) -> CategoricalAgreement:
    """Agreement on a value carried by matched spans (a claim attribute, a claim's stance).

    ``values`` is ``{annotator: {span_id: value}}``; ``matchings`` is ``{(first, second):
    {first_span_id: second_span_id}}``. Kappa for a pair uses its matched span pairs as items.
    Alpha uses one unit per group of spans linked by any pairwise matching, holding every
    non-missing value in the group.
    """
    kappa: dict[str, float | None] = {}
    for (a, b), matching in sorted(matchings.items()):
        first = {span_id: values.get(a, {}).get(span_id) for span_id in matching}
        second = {span_id: values.get(b, {}).get(other) for span_id, other in matching.items()}
        kappa[pair_key(a, b)] = cohen_kappa(first, second)
    units = [
        [value for name, span_id in group if (value := values.get(name, {}).get(span_id)) is not None]
        for group in _linked_groups(matchings)
    ]
    return CategoricalAgreement(krippendorff_alpha_units(units), kappa)


def _linked_groups(matchings: Mapping[tuple[str, str], Mapping[str, str]]) -> list[list[tuple[str, str]]]:
    """Connected components of ``(annotator, span_id)`` nodes joined by matched pairs."""
    parent: dict[tuple[str, str], tuple[str, str]] = {}

    def root(node: tuple[str, str]) -> tuple[str, str]:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for (a, b), matching in matchings.items():
        for first, second in matching.items():
            parent[root((a, first))] = root((b, second))
    groups: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for node in sorted(parent):
        groups[root(node)].append(node)
    return list(groups.values())


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
        spans = {span.span_id: span for span in self.spans}
        if len(spans) != len(self.spans):
            raise ValueError(f"{self.annotator}: duplicate span ids")
        if stray := {span.doc_id for span in self.spans} - self.doc_ids:
            raise ValueError(f"{self.annotator}: spans in documents not in doc_ids: {sorted(stray)}")
        for rel in self.relations:
            if rel.head_id not in spans or rel.tail_id not in spans:
                raise ValueError(f"{self.annotator}: relation {rel!r} refers to an unknown span")
            if spans[rel.head_id].doc_id != spans[rel.tail_id].doc_id:
                raise ValueError(f"{self.annotator}: relation {rel!r} crosses documents")
        self._check_stances(spans)

    def _check_stances(self, spans: Mapping[str, AnnotatedSpan]) -> None:
        keys = [(s.doc_id, s.target, s.span_id) for s in self.stances]
        if len(set(keys)) != len(keys):
            raise ValueError(f"{self.annotator}: more than one value for the same stance target")
        for stance in self.stances:
            if stance.doc_id not in self.doc_ids:
                raise ValueError(f"{self.annotator}: stance {stance!r} in a document not in doc_ids")
            if stance.span_id is not None and (
                stance.span_id not in spans or spans[stance.span_id].doc_id != stance.doc_id
            ):
                raise ValueError(f"{self.annotator}: stance {stance!r} refers to an unknown span")

    @cached_property
    def spans_by_doc(self) -> Mapping[str, tuple[AnnotatedSpan, ...]]:
        grouped: dict[str, list[AnnotatedSpan]] = defaultdict(list)
        for span in self.spans:
            grouped[span.doc_id].append(span)
        return {doc: tuple(spans) for doc, spans in grouped.items()}

    @cached_property
    def relations_by_doc(self) -> Mapping[str, tuple[AnnotatedRelation, ...]]:
        doc_of = {span.span_id: span.doc_id for span in self.spans}
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
    """All annotators' work; ``span_labels``/``targets`` from the scheme appear even when unused."""

    works: tuple[AnnotatorWork, ...]
    span_labels: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        names = [work.annotator for work in self.works]
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate annotator names: {sorted(names)}")


@dataclass(frozen=True)
class _DocComparison:
    spans: dict[str, SpanAgreement]
    matched: list[SpanPair]
    attribution: MatchCounts
    confusion: dict[str, dict[str, int]]


def _compare_doc(a: AnnotatorWork, b: AnnotatorWork, doc: str, labels: Sequence[str]) -> _DocComparison:
    first, second = a.spans_by_doc.get(doc, ()), b.spans_by_doc.get(doc, ())
    spans = span_agreement_by_label(first, second, labels)
    matched = match_overlap_by_label(first, second)
    attribution = attribution_agreement(
        a.relations_by_doc.get(doc, ()), b.relations_by_doc.get(doc, ()), matching_ids(matched)
    )
    return _DocComparison(spans, matched, attribution, label_confusion(first, second, labels))


@dataclass(frozen=True)
class _PairComparison:
    first: AnnotatorWork
    second: AnnotatorWork
    docs: dict[str, _DocComparison]

    def spans(self, label: str) -> SpanAgreement:
        return micro_average(doc.spans.get(label, SpanAgreement()) for doc in self.docs.values())

    def micro(self) -> SpanAgreement:
        return micro_average(micro_average(doc.spans.values()) for doc in self.docs.values())

    def matching(self, label: str | None = None) -> dict[str, str]:
        pairs = [p for doc in self.docs.values() for p in doc.matched if label in (None, p[0].label)]
        return matching_ids(pairs)

    def attribution(self) -> MatchCounts:
        return sum((doc.attribution for doc in self.docs.values()), MatchCounts(0, 0, 0))

    def confusion(self) -> dict[str, dict[str, int]]:
        total: dict[str, dict[str, int]] = {}
        for doc in self.docs.values():
            add_confusion(total, doc.confusion)
        return total


def _compare_pairs(data: AgreementInput, labels: Sequence[str]) -> dict[str, _PairComparison]:
    works = sorted(data.works, key=lambda work: work.annotator)
    return {
        pair_key(a.annotator, b.annotator): _PairComparison(
            a, b, {doc: _compare_doc(a, b, doc, labels) for doc in sorted(a.doc_ids & b.doc_ids)}
        )
        for a, b in combinations(works, 2)
    }


def _stance_section(data: AgreementInput, targets: Sequence[str]) -> Report:
    return {
        target: categorical_agreement({work.annotator: work.document_stances(target) for work in data.works}).as_dict()
        for target in targets
    }


def _claim_stance_section(data: AgreementInput, pairs: Mapping[str, _PairComparison]) -> Report:
    observed = {s.target for work in data.works for s in work.stances if s.span_id is not None}
    matchings = {(p.first.annotator, p.second.annotator): p.matching() for p in pairs.values()}
    return {
        target: matched_value_agreement(
            {work.annotator: work.span_stances(target) for work in data.works}, matchings
        ).as_dict()
        for target in ordered_names(data.targets, observed)
    }


def _attribute_section(data: AgreementInput, pairs: Mapping[str, _PairComparison], labels: Sequence[str]) -> Report:
    section: Report = {}
    for label in labels:
        spans = [(w.annotator, s) for w in data.works for s in w.spans if s.label == label]
        matchings = {(p.first.annotator, p.second.annotator): p.matching(label) for p in pairs.values()}
        section[label] = {
            attr: matched_value_agreement(_attribute_values(spans, attr), matchings).as_dict()
            for attr in sorted({attr for _, span in spans for attr in span.attributes})
        }
    return section


def _attribute_values(spans: Iterable[tuple[str, AnnotatedSpan]], attr: str) -> dict[str, dict[str, str | None]]:
    values: dict[str, dict[str, str | None]] = defaultdict(dict)
    for name, span in spans:
        values[name][span.span_id] = span.attributes.get(attr)
    return values


def _per_document(data: AgreementInput, pairs: Mapping[str, _PairComparison], targets: Sequence[str]) -> Report:
    section: Report = {}
    for doc in sorted({doc for work in data.works for doc in work.doc_ids}):
        present = {key: p for key, p in pairs.items() if doc in p.docs}
        section[doc] = {
            "annotators": sorted(w.annotator for w in data.works if doc in w.doc_ids),
            "spans": {key: micro_average(p.docs[doc].spans.values()).as_dict() for key, p in present.items()},
            "attribution": {key: p.docs[doc].attribution.f1 for key, p in present.items()},
            "stance_agreement": {key: _stance_match(p, doc, targets) for key, p in present.items()},
        }
    return section


def _stance_match(pair: _PairComparison, doc: str, targets: Sequence[str]) -> float | None:
    """Share of targets, among those both annotators judged in ``doc``, given the same value."""
    first, second = pair.first.document_stance_index, pair.second.document_stance_index
    both = [(first.get((doc, t)), second.get((doc, t))) for t in targets]
    judged = [(a, b) for a, b in both if a is not None and b is not None]
    return None if not judged else sum(1 for a, b in judged if a == b) / len(judged)


def _per_annotator(data: AgreementInput, pairs: Mapping[str, _PairComparison]) -> Report:
    section: Report = {}
    for work in sorted(data.works, key=lambda w: w.annotator):
        own = [p for p in pairs.values() if work.annotator in (p.first.annotator, p.second.annotator)]
        scores = [f1 for p in own if (f1 := p.micro().overlap.f1) is not None]
        section[work.annotator] = {
            "documents": len(work.doc_ids),
            "spans": dict(sorted(Counter(span.label for span in work.spans).items())),
            "relations": len(work.relations),
            "document_stances": sum(1 for s in work.stances if s.span_id is None),
            "span_stances": sum(1 for s in work.stances if s.span_id is not None),
            "mean_overlap_f1": sum(scores) / len(scores) if scores else None,
        }
    return section


def agreement_report(data: AgreementInput) -> Report:
    """The nested agreement report for every annotator pair; see the module docstring for ``None``.

    Pairs are compared only on the documents both annotated. Keys: ``annotators``, ``documents``,
    ``stance`` ``{target: {alpha, kappa: {pair: k}}}`` (item = document), ``spans`` ``{label: {pair:
    scores}}``, ``spans_micro`` ``{pair: scores}``, ``span_confusion`` ``{pair: matrix}``,
    ``attribution`` ``{pair: f1}``, ``attributes`` ``{label: {attribute: {alpha, kappa}}}`` and
    ``claim_stance`` ``{target: {alpha, kappa}}`` (items = overlap-matched spans), ``per_document``
    and ``per_annotator``.
    """
    labels = ordered_names(data.span_labels, {s.label for w in data.works for s in w.spans})
    targets = ordered_names(data.targets, {s.target for w in data.works for s in w.stances if s.span_id is None})
    pairs = _compare_pairs(data, labels)
    return {
        "annotators": sorted(work.annotator for work in data.works),
        "documents": sorted({doc for work in data.works for doc in work.doc_ids}),
        "stance": _stance_section(data, targets),
        "spans": {label: {key: p.spans(label).as_dict() for key, p in pairs.items()} for label in labels},
        "spans_micro": {key: p.micro().as_dict() for key, p in pairs.items()},
        "span_confusion": {key: p.confusion() for key, p in pairs.items()},
        "attribution": {key: p.attribution().f1 for key, p in pairs.items()},
        "attributes": _attribute_section(data, pairs, labels),
        "claim_stance": _claim_stance_section(data, pairs),
        "per_document": _per_document(data, pairs, targets),
        "per_annotator": _per_annotator(data, pairs),
    }
