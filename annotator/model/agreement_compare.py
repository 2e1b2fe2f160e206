"""The whole-project agreement report: every pair of annotators compared once per shared document.

:func:`agreement_report` turns an :class:`~annotator.model.agreement.AgreementInput` into an
:class:`~annotator.model.agreement_report.AgreementReport`. For each pair and each document both
worked on, the spans are matched once per label (optimal overlap matching) and once across labels
(for the confusion matrix), from one candidate search; span scores, attribution, claim attributes
and claim stance all reuse those two matchings. Unitizing alpha is computed per label over the
documents every annotator of the report worked on, laid end to end, and per label and pair over the
documents both worked on.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from itertools import combinations

import numpy as np

from annotator.model.agreement import (
    AgreementInput,
    AnnotatorWork,
    SpanUnits,
    categorical_agreement,
    matched_value_agreement,
    pair_key,
    span_units,
)
from annotator.model.agreement_coefficients import bootstrap_alpha_interval
from annotator.model.agreement_report import (
    AgreementReport,
    AnnotatorSummary,
    Attribution,
    Coefficients,
    DocumentAgreement,
    Unitizing,
)
from annotator.model.agreement_spans import (
    NO_MATCH,
    AnnotatedRelation,
    AnnotatedSpan,
    MatchCounts,
    SpanAgreement,
    SpanPair,
    attribution_agreement,
    match_overlap_twice,
    matching_ids,
    micro_average,
    ordered_names,
)
from annotator.model.agreement_unitizing import (
    Ints,
    merge_overlapping_arrays,
    offsets_dtype,
    unitizing_alpha_arrays,
)
from annotator.model.errors import Cancelled

EMPTY = MatchCounts(0, 0, 0)


@dataclass(frozen=True)
class DocComparison:
    """Two annotators on one document, each matching computed once."""

    spans: dict[str, SpanAgreement]
    matched: list[SpanPair]  # overlap matching within each label
    attribution: dict[str, MatchCounts]  # per relation type
    names: list[str]  # the confusion matrix's labels (rows and columns, then NO_MATCH)
    confusion: dict[tuple[str, str], int]  # its cells that are not 0, (first label, second label)
    micro: SpanAgreement  # micro_average of ``spans``

    @cached_property
    def attribution_pooled(self) -> MatchCounts:
        return sum(self.attribution.values(), EMPTY)


def compare_document(
    first: Sequence[AnnotatedSpan],
    second: Sequence[AnnotatedSpan],
    first_relations: Iterable[AnnotatedRelation],
    second_relations: Iterable[AnnotatedRelation],
    labels: Sequence[str],
) -> DocComparison:
    """Span scores per label, the overlap matching, attribution per relation type and confusion, for
    the two annotators' spans and relations of one document. The report makes one per pair and shared
    document (thousands), so the counts are taken in single passes and equal scores share one value."""
    first_by_label = _count_labels(first)
    second_by_label = _count_labels(second)
    names = ordered_names(labels, {*first_by_label, *second_by_label})
    matched, across = match_overlap_twice(first, second)
    overlap_by_label = _count_labels([a for a, _ in matched])
    exact_by_label = _exact_by_label(first, second)
    spans = {
        label: _span_scores(
            first_by_label.get(label, 0),
            second_by_label.get(label, 0),
            exact_by_label.get(label, 0),
            overlap_by_label.get(label, 0),
        )
        for label in names
    }
    first_rel, second_rel = tuple(first_relations), tuple(second_relations)
    types = sorted({r.label for r in first_rel} | {r.label for r in second_rel})
    attribution: dict[str, MatchCounts] = {}
    if len(types) == 1:
        attribution = {types[0]: attribution_agreement(first_rel, second_rel, matching_ids(matched))}
    elif types:
        ids = matching_ids(matched)
        attribution = {
            t: attribution_agreement(
                [r for r in first_rel if r.label == t], [r for r in second_rel if r.label == t], ids
            )
            for t in types
        }
    # micro_average(spans.values()), from the totals: every span's label is one of ``names``.
    micro = _span_scores(len(first), len(second), sum(exact_by_label.values()), len(matched))
    confusion = _confusion_cells(first_by_label, second_by_label, across)
    return DocComparison(spans, matched, attribution, names, confusion, micro)


def _confusion_cells(
    first_by_label: Mapping[str, int], second_by_label: Mapping[str, int], across: Sequence[SpanPair]
) -> dict[tuple[str, str], int]:
    """The cells of :func:`~annotator.model.agreement_spans.label_confusion` that are not 0, from the
    matching across labels (one-to-one: what is left of each label is unmatched)."""
    cells: dict[tuple[str, str], int] = {}
    first_left, second_left = dict(first_by_label), dict(second_by_label)
    for a, b in across:
        key = (a.label, b.label)
        cells[key] = cells.get(key, 0) + 1
        first_left[a.label] -= 1
        second_left[b.label] -= 1
    for label, left in first_left.items():
        if left:
            cells[(label, NO_MATCH)] = left
    for label, left in second_left.items():
        if left:
            cells[(NO_MATCH, label)] = left
    return cells


@lru_cache(maxsize=4096)
def _span_scores(first: int, second: int, exact: int, overlap: int) -> SpanAgreement:
    """One shared (immutable) value per distinct set of counts: most documents repeat a few."""
    return SpanAgreement(MatchCounts(first, second, exact), MatchCounts(first, second, overlap))


def _exact_by_label(first: Sequence[AnnotatedSpan], second: Sequence[AnnotatedSpan]) -> dict[str, int]:
    """Per label, the pairs :func:`~annotator.model.agreement_spans.match_exact` would match (spans of
    one document): for each set of pieces and label, the fewer of the two sides' spans."""
    pool: dict[tuple[int, int, tuple[tuple[int, int], ...], str], int] = {}
    for span in second:
        key = (span.start, span.end, span.fragments, span.label)
        pool[key] = pool.get(key, 0) + 1
    counts: dict[str, int] = {}
    for span in first:
        key = (span.start, span.end, span.fragments, span.label)
        left = pool.get(key)
        if left:
            pool[key] = left - 1
            counts[span.label] = counts.get(span.label, 0) + 1
    return counts


def _count_labels(spans: Iterable[AnnotatedSpan]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for span in spans:
        counts[span.label] = counts.get(span.label, 0) + 1
    return counts


@dataclass(frozen=True)
class PairComparison:
    first: AnnotatorWork
    second: AnnotatorWork
    docs: dict[str, DocComparison]

    @cached_property
    def _by_label(self) -> dict[str, SpanAgreement]:
        total: dict[str, tuple[list[int], list[int]]] = {}
        for doc in self.docs.values():
            for label, scores in doc.spans.items():
                exact, overlap = total.setdefault(label, ([0, 0, 0], [0, 0, 0]))
                for acc, counts in ((exact, scores.exact), (overlap, scores.overlap)):
                    acc[0] += counts.first_total
                    acc[1] += counts.second_total
                    acc[2] += counts.matched
        return {label: SpanAgreement(MatchCounts(*e), MatchCounts(*o)) for label, (e, o) in total.items()}

    def spans(self, label: str) -> SpanAgreement:
        return self._by_label.get(label, SpanAgreement())

    @cached_property
    def _micro(self) -> SpanAgreement:
        return micro_average(self._by_label.values())

    def micro(self) -> SpanAgreement:
        return self._micro

    def matching(self, label: str | None = None) -> dict[str, str]:
        """First span id -> second span id of the overlap matching, of one label or of all (shared: do
        not change it)."""
        return self._matchings.get(label, {})

    @cached_property
    def _matchings(self) -> dict[str | None, dict[str, str]]:
        every: dict[str, str] = {}
        by_label: dict[str | None, dict[str, str]] = {None: every}
        for doc in self.docs.values():
            for a, b in doc.matched:
                every[a.span_id] = b.span_id
                by_label.setdefault(a.label, {})[a.span_id] = b.span_id
        return by_label

    def attribution(self) -> Attribution:
        by_type: dict[str, MatchCounts] = defaultdict(lambda: EMPTY)
        for doc in self.docs.values():
            for name, counts in doc.attribution.items():
                by_type[name] = by_type[name] + counts
        ordered = dict(sorted(by_type.items()))
        return Attribution(sum(ordered.values(), EMPTY), ordered)

    def confusion(self) -> dict[str, dict[str, int]]:
        """The label confusion matrices of the documents added up (each document's dense matrix, as
        :func:`~annotator.model.agreement_spans.label_confusion` gives it: rows and columns grow in the
        order the documents bring them)."""
        total: dict[str, dict[str, int]] = {}
        names: list[str] | None = None
        for doc in self.docs.values():
            if doc.names != names:
                names = doc.names
                rows = [*names, NO_MATCH]
                for row in rows:
                    cells = total.setdefault(row, {})
                    for column in rows:
                        cells.setdefault(column, 0)
            for (row, column), count in doc.confusion.items():
                total[row][column] += count
        return total


def compare_pairs(data: AgreementInput, labels: Sequence[str]) -> dict[str, PairComparison]:
    works = sorted(data.works, key=lambda work: work.annotator)
    result = {}
    for a, b in combinations(works, 2):
        docs = {
            doc: compare_document(
                a.spans_by_doc.get(doc, ()),
                b.spans_by_doc.get(doc, ()),
                a.relations_by_doc.get(doc, ()),
                b.relations_by_doc.get(doc, ()),
                labels,
            )
            for doc in sorted(a.doc_ids & b.doc_ids)
        }
        result[pair_key(a.annotator, b.annotator)] = PairComparison(a, b, docs)
    return result


class _SpanUnits:
    """The units of linked spans (:func:`~annotator.model.agreement.span_units`) of every pair's overlap
    matching, computed once and shared by claim stance and every label's attributes. The matching
    pairs spans of one label only, so each group of linked spans holds one label: a label's units are
    the units of its spans, in the same order and with the same spans left out as ``span_units`` of
    that label's matchings alone would give."""

    def __init__(self, data: AgreementInput, matchings: Mapping[tuple[str, str], Mapping[str, str]]) -> None:
        self._data = data
        self.matchings = matchings

    @cached_property
    def everything(self) -> SpanUnits:
        return span_units(self.matchings)

    def of_label(self, label: str) -> SpanUnits:
        return self._by_label.get(label, ([], []))

    @cached_property
    def _by_label(self) -> dict[str, SpanUnits]:
        label_of = {(w.annotator, s.span_id): s.label for w in self._data.works for s in w.spans}
        groups, left_out = self.everything
        split: dict[str, SpanUnits] = {}
        for group in groups:
            split.setdefault(label_of[group[0]], ([], []))[0].append(group)
        for node in left_out:
            split.setdefault(label_of[node], ([], []))[1].append(node)
        return split


def _claim_stance(data: AgreementInput, units: _SpanUnits, interval: bool) -> dict[str, Coefficients]:
    observed = {s.target for work in data.works for s in work.stances if s.span_id is not None}
    targets = ordered_names(data.targets, observed)
    return {
        target: matched_value_agreement(
            {w.annotator: w.span_stances(target) for w in data.works},
            units.matchings,
            data.stance_values,
            units_of_spans=units.everything,  # the same units for every target
            interval=interval,
        )
        for target in targets
    }


def _attributes(
    data: AgreementInput,
    pairs: Mapping[str, PairComparison],
    labels: Sequence[str],
    units_of: _SpanUnits,
    interval: bool,
) -> dict[str, dict[str, Coefficients]]:
    section: dict[str, dict[str, Coefficients]] = {}
    # {label: {attribute: {annotator: {span id: value}}}} in one pass over the spans. A span without the
    # attribute is left out rather than given None: every use looks values up with .get().
    found: dict[str, dict[str, dict[str, dict[str, str]]]] = defaultdict(dict)
    for w in data.works:
        name = w.annotator
        for s in w.spans:
            if s.attributes:
                of_label = found[s.label]
                for attr, value in s.attributes.items():
                    of_label.setdefault(attr, {}).setdefault(name, {})[s.span_id] = value
    for label in labels:
        section[label] = {}
        by_attr = found.get(label)
        if not by_attr:
            continue
        matchings = {(p.first.annotator, p.second.annotator): p.matching(label) for p in pairs.values()}
        units = units_of.of_label(label)  # the same units for every attribute
        for attr in sorted(by_attr):
            scale = data.attribute_values.get(label, {}).get(attr, ())
            section[label][attr] = matched_value_agreement(
                by_attr[attr], matchings, scale, units_of_spans=units, interval=interval
            )
    return section


class _UnitizingParts:
    """Every annotator's span pieces as arrays (document, label, start, end), gathered once for unitizing
    alpha over all annotators and over each pair (a discontinuous span is the characters of its pieces).
    ``extents`` is each document's length on the continuum (:func:`_extents`)."""

    def __init__(self, data: AgreementInput, labels: Sequence[str], extents: Mapping[str, int]) -> None:
        self.labels = labels
        self.docs = sorted(extents)
        self.extents = np.array([extents[doc] for doc in self.docs], dtype=np.int64)
        doc_index = {doc: k for k, doc in enumerate(self.docs)}
        label_index = {label: k for k, label in enumerate(labels)}
        self.parts: dict[str, tuple[Ints, Ints, Ints, Ints]] = {}
        for work in data.works:
            # (span, start, end) of each piece; merging sorts them, so their order here is moot
            pieces = [(s, s.start, s.end) for s in work.spans if not s.fragments]
            pieces += [(s, a, b) for s in work.spans if s.fragments for a, b in s.fragments]
            self.parts[work.annotator] = (
                np.array([doc_index[s.doc_id] for s, _, _ in pieces], dtype=np.intp),
                np.array([label_index[s.label] for s, _, _ in pieces], dtype=np.intp),
                np.array([a for _, a, _ in pieces], dtype=np.int64),
                np.array([b for _, _, b in pieces], dtype=np.int64),
            )

    def over(self, works: Sequence[AnnotatorWork]) -> dict[str, Unitizing]:
        """alpha_U per label for ``works`` over the documents all of them worked on, laid end to end."""
        shared = frozenset.intersection(*(w.doc_ids for w in works)) if works else frozenset()
        chosen = np.array([k for k, doc in enumerate(self.docs) if doc in shared], dtype=np.intp)
        sizes = self.extents[chosen]
        offsets = np.full(len(self.docs), -1, dtype=np.int64)
        offsets[chosen] = np.cumsum(sizes) - sizes
        length = int(sizes.sum())
        dtype = offsets_dtype(0, length)
        own: list[tuple[Ints, Ints, Ints]] = []
        for work in sorted(works, key=lambda w: w.annotator):
            doc_k, label_k, starts, ends = self.parts[work.annotator]
            shift = offsets[doc_k]
            kept = shift >= 0
            own.append(
                (label_k[kept], (starts[kept] + shift[kept]).astype(dtype), (ends[kept] + shift[kept]).astype(dtype))
            )
        section: dict[str, Unitizing] = {}
        for k, label in enumerate(self.labels):
            raters, merged = [], 0
            for label_k, starts, ends in own:
                mine = label_k == k
                merged_starts, merged_ends, folded = merge_overlapping_arrays(starts[mine], ends[mine])
                raters.append((merged_starts, merged_ends))
                merged += folded
            result = unitizing_alpha_arrays(raters, 0, length)
            section[label] = Unitizing(
                result.alpha, result.observed, result.expected, len(shared), length, result.units, merged
            )
        return section


def _extents(data: AgreementInput) -> dict[str, int]:
    """Each document's length on the unitizing continuum: its length, or its last annotated character
    (any annotator's) when that is further."""
    ends: dict[str, int] = {}
    for work in data.works:
        for doc, spans in work.spans_by_doc.items():
            ends[doc] = max(ends.get(doc, 0), *(s.end for s in spans))
    docs = {doc for work in data.works for doc in work.doc_ids}
    return {doc: max(data.doc_lengths.get(doc, 0), ends.get(doc, 0), 0) for doc in docs}


def _unitizing_pairs(data: AgreementInput, parts: _UnitizingParts) -> dict[str, dict[str, Unitizing]]:
    """alpha_U per label and pair, each pair over the documents both worked on."""
    works = sorted(data.works, key=lambda w: w.annotator)
    by_pair = {pair_key(a.annotator, b.annotator): parts.over((a, b)) for a, b in combinations(works, 2)}
    return {label: {pair: section[label] for pair, section in by_pair.items()} for label in parts.labels}


def _per_document(
    data: AgreementInput, pairs: Mapping[str, PairComparison], targets: Sequence[str]
) -> dict[str, DocumentAgreement]:
    section = {}
    works = sorted(data.works, key=lambda w: w.annotator)
    for doc in sorted({doc for work in data.works for doc in work.doc_ids}):
        spans: dict[str, SpanAgreement] = {}
        attribution: dict[str, float | None] = {}
        links: dict[str, int] = {}
        shares: dict[str, float | None] = {}
        judged: dict[str, int] = {}
        for key, pair in pairs.items():  # one pass over the pairs that share the document
            compared = pair.docs.get(doc)
            if compared is None:
                continue
            pooled = compared.attribution_pooled
            spans[key] = compared.micro
            attribution[key] = pooled.f1
            links[key] = pooled.first_total + pooled.second_total
            shares[key], judged[key] = _stance_match(pair, doc, targets)
        section[doc] = DocumentAgreement(
            annotators=tuple(w.annotator for w in works if doc in w.doc_ids),
            spans=spans,
            attribution=attribution,
            stance_agreement=shares,
            attribution_links=links,
            stance_targets=judged,
        )
    return section


def _stance_match(pair: PairComparison, doc: str, targets: Sequence[str]) -> tuple[float | None, int]:
    """Share of targets, among those both annotators judged in ``doc``, given the same value; and
    how many targets both judged."""
    first, second = pair.first.document_stance_index, pair.second.document_stance_index
    both = [(first.get((doc, t)), second.get((doc, t))) for t in targets]
    judged = [(a, b) for a, b in both if a is not None and b is not None]
    return (None if not judged else sum(1 for a, b in judged if a == b) / len(judged)), len(judged)


def _per_annotator(data: AgreementInput, pairs: Mapping[str, PairComparison]) -> dict[str, AnnotatorSummary]:
    section = {}
    for work in sorted(data.works, key=lambda w: w.annotator):
        own = [p for p in pairs.values() if work.annotator in (p.first.annotator, p.second.annotator)]
        scores = [f1 for p in own if (f1 := p.micro().overlap.f1) is not None]
        section[work.annotator] = AnnotatorSummary(
            documents=len(work.doc_ids),
            spans=dict(sorted(Counter(span.label for span in work.spans).items())),
            relations=len(work.relations),
            document_stances=sum(1 for s in work.stances if s.span_id is None),
            span_stances=sum(1 for s in work.stances if s.span_id is not None),
            mean_overlap_f1=sum(scores) / len(scores) if scores else None,
            mean_overlap_f1_pairs=len(scores),
        )
    return section


@dataclass(frozen=True)
class _Later:
    """What :func:`completed` computes the later sections from (``AgreementReport.pending``)."""

    data: AgreementInput
    pairs: dict[str, PairComparison]
    labels: Sequence[str]
    targets: Sequence[str]
    intervals: bool


def agreement_overview(data: AgreementInput, *, intervals: bool = True) -> AgreementReport:
    """The first part of :func:`agreement_report`, what the report window's Overview and Spans tabs
    show: annotators, documents, each pair's documents, document stance, span scores, confusion and
    attribution (about half the time). Attributes, claim stance, unitizing, per document and per
    annotator are left empty and pending (``AgreementReport.pending``) for :func:`completed`."""
    labels = ordered_names(data.span_labels, {s.label for w in data.works for s in w.spans})
    targets = ordered_names(data.targets, {s.target for w in data.works for s in w.stances if s.span_id is None})
    pairs = compare_pairs(data, labels)
    return AgreementReport(
        annotators=tuple(sorted(work.annotator for work in data.works)),
        documents=tuple(sorted({doc for work in data.works for doc in work.doc_ids})),
        pair_documents={key: len(p.docs) for key, p in pairs.items()},
        stance={
            t: categorical_agreement(
                {w.annotator: w.document_stances(t) for w in data.works}, data.stance_values, interval=intervals
            )
            for t in targets
        },
        spans={label: {key: p.spans(label) for key, p in pairs.items()} for label in labels},
        spans_micro={key: p.micro() for key, p in pairs.items()},
        span_confusion={key: p.confusion() for key, p in pairs.items()},
        attribution={key: p.attribution() for key, p in pairs.items()},
        attributes={},
        claim_stance={},
        unitizing={},
        unitizing_pairs={},
        per_document={},
        per_annotator={},
        pending=_Later(data, pairs, labels, targets, intervals),
    )


def completed(report: AgreementReport, cancel: Callable[[], bool] | None = None) -> AgreementReport:
    """``report`` with the sections :func:`agreement_overview` left pending computed: exactly the
    report :func:`agreement_report` gives (with the overview's ``intervals``). ``cancel()`` is asked
    between sections; when it says yes, :class:`~annotator.model.errors.Cancelled` is raised."""
    later = report.pending
    if not isinstance(later, _Later):
        return report

    def check() -> None:
        if cancel is not None and cancel():
            raise Cancelled("agreement report cancelled")

    data, pairs, labels = later.data, later.pairs, later.labels
    units = _SpanUnits(data, {(p.first.annotator, p.second.annotator): p.matching() for p in pairs.values()})
    attributes = _attributes(data, pairs, labels, units, later.intervals)
    check()
    claim_stance = _claim_stance(data, units, later.intervals)
    check()
    parts = _UnitizingParts(data, labels, _extents(data))
    unitizing = parts.over(data.works)
    unitizing_pairs = _unitizing_pairs(data, parts)
    check()
    return replace(
        report,
        attributes=attributes,
        claim_stance=claim_stance,
        unitizing=unitizing,
        unitizing_pairs=unitizing_pairs,
        per_document=_per_document(data, pairs, later.targets),
        per_annotator=_per_annotator(data, pairs),
        pending=None,
    )


def agreement_report(data: AgreementInput, *, intervals: bool = True) -> AgreementReport:
    """The agreement report for every annotator pair (see the module docstring). With
    ``intervals=False`` alpha's bootstrap intervals are left out (``Coefficients.pending_units``),
    for :func:`with_intervals` to add: the report window shows the figures first. The report window
    computes it in two steps, :func:`agreement_overview` then :func:`completed`."""
    return completed(agreement_overview(data, intervals=intervals))


def with_intervals(report: AgreementReport, cancel: Callable[[], bool] | None = None) -> AgreementReport:
    """``report`` with every pending alpha interval computed (the same values as a report built with
    ``intervals=True``). ``cancel()`` is asked before each interval; when it says yes,
    :class:`~annotator.model.errors.Cancelled` is raised."""
    done: dict[int, Coefficients] = {}

    def filled(c: Coefficients) -> Coefficients:
        if c.pending_units is None:
            return c
        if cancel is not None and cancel():
            raise Cancelled("agreement intervals cancelled")
        if id(c) not in done:
            done[id(c)] = replace(c, alpha_ci=bootstrap_alpha_interval(c.pending_units), pending_units=None)
        return done[id(c)]

    return replace(
        report,
        stance={t: filled(c) for t, c in report.stance.items()},
        attributes={label: {a: filled(c) for a, c in attrs.items()} for label, attrs in report.attributes.items()},
        claim_stance={t: filled(c) for t, c in report.claim_stance.items()},
    )
