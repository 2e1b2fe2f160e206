"""Span and relation agreement between two annotators (pure maths, no Qt, no SQL).

This module owns the span/relation inputs of the agreement maths and every comparison of two
annotators' spans: exact and overlap matching, precision/recall/F1 per label and micro-averaged, a
label confusion matrix, and attribution (relation) agreement. Offsets are half-open code-point
ranges ``[start, end)``; two spans overlap when they share at least one character, so spans that
merely touch do not. A discontinuous span (``fragments``: its sorted, non-overlapping pieces) is the
set of its pieces' characters for overlap (what two spans share is the sum over their pieces), and
its exact fragment list for exact matching (same pieces, not merely the same bounds). Overlap
matching is one-to-one and optimal: the most pairs, then the most shared characters (see
:mod:`annotator.model.agreement_matching` for the last tie-break), so each span is matched at most
once. Scores are "second against first": precision is the share of the second annotator's spans that
were matched, recall the share of the first annotator's. A ratio whose denominator is zero is
``None`` (undefined), never NaN; F1 is ``2 * matched / (first_total + second_total)``, so it is 0.0
when exactly one side is empty and ``None`` only when both are.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from operator import le
from types import MappingProxyType

from annotator.model.agreement_matching import (
    candidate_pairs,
    matching_of_candidates,
    max_overlap_matching,
    shared_characters,
)

NO_MATCH = "(none)"
"""Row/column of :func:`label_confusion` for spans the other annotator has no overlapping span for."""


@dataclass(frozen=True)
class AnnotatedSpan:
    """One annotator's labelled character range; ``attributes`` maps attribute name to value."""

    span_id: str
    doc_id: str
    start: int
    end: int
    label: str
    attributes: Mapping[str, str] = field(default_factory=dict, compare=False)
    fragments: tuple[tuple[int, int], ...] = ()
    """A discontinuous span's pieces, sorted and apart, bounded by start/end; () for one piece."""

    def __post_init__(self) -> None:
        if not self.span_id or not self.doc_id or not self.label:
            raise ValueError(f"span needs a span_id, doc_id and label: {self!r}")
        if self.start < 0 or self.end <= self.start:
            raise ValueError(f"span {self.span_id!r} needs 0 <= start < end, got [{self.start}, {self.end})")
        pieces = tuple((int(a), int(b)) for a, b in self.fragments)
        if pieces and (
            (pieces[0][0], pieces[-1][1]) != (self.start, self.end)
            or any(a >= b for a, b in pieces)
            or any(p[1] > q[0] for p, q in zip(pieces, pieces[1:], strict=False))
        ):
            raise ValueError(
                f"span {self.span_id!r}: fragments {pieces} are not sorted pieces of [{self.start}, {self.end})"
            )
        object.__setattr__(self, "fragments", pieces if len(pieces) > 1 else ())
        # Freeze the mapping so the dataclass is immutable in fact, not only in name.
        object.__setattr__(self, "attributes", MappingProxyType(dict(self.attributes)))

    @classmethod
    def one_piece(
        cls, span_id: str, doc_id: str, start: int, end: int, label: str, attributes: MappingProxyType[str, str]
    ) -> AnnotatedSpan:
        """A continuous span, checked as the constructor checks it, that keeps ``attributes`` (already
        read-only; spans read from a project share one per distinct attribute set) instead of copying
        it: the agreement report makes one per stored span."""
        if not span_id or not doc_id or not label or start < 0 or end <= start:
            return cls(span_id, doc_id, start, end, label, attributes)  # raises the constructor's error
        span = object.__new__(cls)
        span.__dict__.update(
            span_id=span_id, doc_id=doc_id, start=start, end=end, label=label, attributes=attributes, fragments=()
        )
        return span

    @property
    def parts(self) -> tuple[tuple[int, int], ...]:
        """The span's pieces: its fragments, or (start, end) for a continuous span."""
        return self.fragments or ((self.start, self.end),)


SpanPair = tuple[AnnotatedSpan, AnnotatedSpan]


@dataclass(frozen=True)
class AnnotatedRelation:
    """A directed link between two spans of one annotator, e.g. claim (head) attributed_to source (tail)."""

    head_id: str
    tail_id: str
    label: str

    def __post_init__(self) -> None:
        if not self.head_id or not self.tail_id or not self.label:
            raise ValueError(f"relation needs head_id, tail_id and label: {self!r}")

    @classmethod
    def checked(cls, head_id: str, tail_id: str, label: str) -> AnnotatedRelation:
        """The constructor's relation, checked as it checks it, made without its per-field frozen
        assignments: the agreement report makes one per stored relation."""
        if not head_id or not tail_id or not label:
            return cls(head_id, tail_id, label)  # raises the constructor's error
        relation = object.__new__(cls)
        relation.__dict__.update(head_id=head_id, tail_id=tail_id, label=label)
        return relation


@dataclass(frozen=True)
class MatchCounts:
    """How many items each side has and how many were matched one-to-one."""

    first_total: int
    second_total: int
    matched: int

    def __post_init__(self) -> None:
        # Plain comparisons, not min(): a report builds tens of thousands of these.
        if self.first_total < 0 or self.second_total < 0 or self.matched < 0:
            raise ValueError(f"counts must be non-negative: {self!r}")
        if self.matched > self.first_total or self.matched > self.second_total:
            raise ValueError(f"more matches than items: {self!r}")

    @property
    def precision(self) -> float | None:
        return None if self.second_total == 0 else self.matched / self.second_total

    @property
    def recall(self) -> float | None:
        return None if self.first_total == 0 else self.matched / self.first_total

    @property
    def f1(self) -> float | None:
        total = self.first_total + self.second_total
        return None if total == 0 else 2 * self.matched / total

    def __add__(self, other: MatchCounts) -> MatchCounts:
        return MatchCounts(
            self.first_total + other.first_total,
            self.second_total + other.second_total,
            self.matched + other.matched,
        )


EMPTY_COUNTS = MatchCounts(0, 0, 0)


@dataclass(frozen=True)
class SpanAgreement:
    """Exact- and overlap-matching counts for one label (or micro over all labels)."""

    exact: MatchCounts = EMPTY_COUNTS
    overlap: MatchCounts = EMPTY_COUNTS

    def __add__(self, other: SpanAgreement) -> SpanAgreement:
        return SpanAgreement(self.exact + other.exact, self.overlap + other.overlap)

    def as_dict(self) -> dict[str, float | int | None]:
        """Flat report form: ``exact_precision``, ..., ``overlap_f1``, ``first_count``, ``second_count``."""
        out: dict[str, float | int | None] = {}
        for name, counts in (("exact", self.exact), ("overlap", self.overlap)):
            out[f"{name}_precision"] = counts.precision
            out[f"{name}_recall"] = counts.recall
            out[f"{name}_f1"] = counts.f1
        out["first_count"] = self.overlap.first_total
        out["second_count"] = self.overlap.second_total
        return out


def overlap_length(first: AnnotatedSpan, second: AnnotatedSpan) -> int:
    """Number of characters two spans share (0 when in different documents)."""
    if first.doc_id != second.doc_id:
        return 0
    return shared_characters(first.parts, second.parts)


def match_exact(first: Sequence[AnnotatedSpan], second: Sequence[AnnotatedSpan]) -> list[SpanPair]:
    """One-to-one pairs with the same document, pieces (start and end, or the exact fragment list) and
    label (duplicates pair up in order)."""
    pool: dict[tuple[str, tuple[tuple[int, int], ...], str], list[AnnotatedSpan]] = defaultdict(list)
    for span in reversed(second):
        pool[(span.doc_id, span.parts, span.label)].append(span)
    pairs: list[SpanPair] = []
    for span in first:
        candidates = pool.get((span.doc_id, span.parts, span.label))
        if candidates:
            pairs.append((span, candidates.pop()))
    return pairs


def match_overlap(
    first: Sequence[AnnotatedSpan], second: Sequence[AnnotatedSpan], *, same_label: bool = True
) -> list[SpanPair]:
    """Optimal one-to-one matching by overlap (:mod:`annotator.model.agreement_matching`) within each
    document, and with ``same_label`` within each label; pairs in the first list's order. Its last
    tie-break prefers spans that start (then end) earlier, then earlier in the input."""
    buckets: dict[tuple[str, str], tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    for i, span in enumerate(first):
        buckets[(span.doc_id, span.label if same_label else "")][0].append(i)
    for j, span in enumerate(second):
        buckets[(span.doc_id, span.label if same_label else "")][1].append(j)
    pairs: list[tuple[int, int]] = []
    for mine, theirs in buckets.values():
        if mine and theirs:
            # The matching's last tie-break is list order: make it position order (start, end), then
            # input order, so the result does not depend on how the caller happened to list spans.
            mine.sort(key=lambda i: (first[i].start, first[i].end, i))
            theirs.sort(key=lambda j: (second[j].start, second[j].end, j))
            found = max_overlap_matching(
                [(first[i].start, first[i].end) for i in mine],
                [(second[j].start, second[j].end) for j in theirs],
                pieces=([first[i].parts for i in mine], [second[j].parts for j in theirs]),
            )
            pairs.extend((mine[a], theirs[b]) for a, b in found)
    return [(first[i], second[j]) for i, j in sorted(pairs)]


def match_overlap_twice(
    first: Sequence[AnnotatedSpan], second: Sequence[AnnotatedSpan]
) -> tuple[list[SpanPair], list[SpanPair]]:
    """``(match_overlap(first, second), match_overlap(first, second, same_label=False))`` with one
    candidate search per document: the pairs within a label are the candidates across labels whose
    two labels agree. The same pairs in the same order as the two calls (spans are put in position
    order once per document; restricted to a label that is the order :func:`match_overlap` uses)."""
    if len({span.doc_id for span in first} | {span.doc_id for span in second}) == 1:
        # One document (the report compares document by document): no indices to map.
        within, across = _overlap_matchings(first, second)
    else:
        docs: dict[str, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
        for i, span in enumerate(first):
            docs[span.doc_id][0].append(i)
        for j, span in enumerate(second):
            docs[span.doc_id][1].append(j)
        within, across = [], []
        for mine, theirs in docs.values():
            if mine and theirs:
                inside, over = _overlap_matchings([first[i] for i in mine], [second[j] for j in theirs])
                within.extend((mine[x], theirs[y]) for x, y in inside)
                across.extend((mine[x], theirs[y]) for x, y in over)
        within.sort()
        across.sort()
    return [(first[i], second[j]) for i, j in within], [(first[i], second[j]) for i, j in across]


_FEW_PAIRS = 64
"""Up to this many span pairs a document's candidates are found by trying each pair (cheaper than a sweep)."""


def _overlap_matchings(
    first: Sequence[AnnotatedSpan], second: Sequence[AnnotatedSpan]
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """The two matchings of :func:`match_overlap_twice` for spans of one document, as sorted index
    pairs into ``first`` and ``second``. The matching's last tie-break is list order: it is made
    position order (start, end), then input order (a stable sort), so the result does not depend on
    how the caller happened to list spans."""
    if not first or not second:
        return [], []
    a, mine, first_bounds = _in_position_order(first)
    b, theirs, second_bounds = _in_position_order(second)
    edges: list[tuple[int, int, int]]
    if len(a) * len(b) > _FEW_PAIRS:
        edges = candidate_pairs(first_bounds, second_bounds, pieces=([s.parts for s in a], [s.parts for s in b]))
    else:  # the same pairs, in the same (sorted) order
        edges = []
        for x, one in enumerate(a):
            start, end = one.start, one.end
            for y, other in enumerate(b):
                if other.start >= end:
                    break  # b is in position order: no later span of b reaches back into this one
                if start < other.end:
                    if one.fragments or other.fragments:
                        shared = shared_characters(one.parts, other.parts)
                        if shared:
                            edges.append((x, y, shared))
                    else:
                        edges.append((x, y, min(end, other.end) - max(start, other.start)))
    same = [e for e in edges if a[e[0]].label == b[e[1]].label]
    across = matching_of_candidates(edges, first_bounds, second_bounds)
    within = matching_of_candidates(same, first_bounds, second_bounds) if len(same) < len(edges) else across
    if mine is None and theirs is None:  # both already in position order (spans read from a project)
        return within, across
    return _original_indices(within, mine, theirs), _original_indices(across, mine, theirs)


def _in_position_order(
    spans: Sequence[AnnotatedSpan],
) -> tuple[Sequence[AnnotatedSpan], list[int] | None, list[tuple[int, int]]]:
    """``spans`` sorted by (start, end) then input order, the input index of each (None when they were
    in that order already) and their (start, end) bounds in that order."""
    bounds = [(s.start, s.end) for s in spans]
    if all(map(le, bounds, bounds[1:])):
        return spans, None, bounds
    order = sorted(range(len(spans)), key=bounds.__getitem__)
    return [spans[i] for i in order], order, [bounds[i] for i in order]


def _original_indices(
    pairs: list[tuple[int, int]], mine: list[int] | None, theirs: list[int] | None
) -> list[tuple[int, int]]:
    return sorted((x if mine is None else mine[x], y if theirs is None else theirs[y]) for x, y in pairs)


def match_overlap_by_label(first: Sequence[AnnotatedSpan], second: Sequence[AnnotatedSpan]) -> list[SpanPair]:
    """:func:`match_overlap` run separately for each label, pooled."""
    labels = sorted({span.label for span in first} & {span.label for span in second})
    return [
        pair
        for label in labels
        for pair in match_overlap([s for s in first if s.label == label], [s for s in second if s.label == label])
    ]


def ordered_names(declared: Iterable[str], observed: Iterable[str]) -> list[str]:
    """Declared names in their order, then any other observed names sorted; no duplicates."""
    return list(dict.fromkeys([*declared, *sorted(set(observed))]))


def span_agreement_by_label(
    first: Sequence[AnnotatedSpan], second: Sequence[AnnotatedSpan], labels: Iterable[str] = ()
) -> dict[str, SpanAgreement]:
    """Exact and overlap agreement per label: ``labels`` first, then every label either side used."""
    observed = {span.label for span in (*first, *second)}
    result: dict[str, SpanAgreement] = {}
    for label in ordered_names(labels, observed):
        a = [span for span in first if span.label == label]
        b = [span for span in second if span.label == label]
        result[label] = SpanAgreement(
            exact=MatchCounts(len(a), len(b), len(match_exact(a, b))),
            overlap=MatchCounts(len(a), len(b), len(match_overlap(a, b))),
        )
    return result


def micro_average(per_label: Iterable[SpanAgreement]) -> SpanAgreement:
    """Micro average: pool the counts of all labels, then take the ratios."""
    e1 = e2 = em = o1 = o2 = om = 0
    for agreement in per_label:
        exact, overlap = agreement.exact, agreement.overlap
        e1, e2, em = e1 + exact.first_total, e2 + exact.second_total, em + exact.matched
        o1, o2, om = o1 + overlap.first_total, o2 + overlap.second_total, om + overlap.matched
    return SpanAgreement(MatchCounts(e1, e2, em), MatchCounts(o1, o2, om))


def label_confusion(
    first: Sequence[AnnotatedSpan],
    second: Sequence[AnnotatedSpan],
    labels: Iterable[str] = (),
    pairs: Sequence[SpanPair] | None = None,
) -> dict[str, dict[str, int]]:
    """Dense matrix ``[first_label][second_label] -> count`` over label-agnostic overlap matches.

    Unmatched spans of the first annotator are counted in column :data:`NO_MATCH`, unmatched spans
    of the second in row :data:`NO_MATCH`. Rows and columns are ``labels`` then observed labels,
    then :data:`NO_MATCH`; the ``NO_MATCH``/``NO_MATCH`` cell is always 0. ``pairs`` is that
    matching when the caller has it already (:func:`match_overlap_twice`).
    """
    names = [*ordered_names(labels, {span.label for span in (*first, *second)}), NO_MATCH]
    matrix = {row: dict.fromkeys(names, 0) for row in names}
    if pairs is None:
        pairs = match_overlap(first, second, same_label=False)
    for a, b in pairs:
        matrix[a.label][b.label] += 1
    matched_first = {id(a) for a, _ in pairs}
    matched_second = {id(b) for _, b in pairs}
    for span in first:
        if id(span) not in matched_first:
            matrix[span.label][NO_MATCH] += 1
    for span in second:
        if id(span) not in matched_second:
            matrix[NO_MATCH][span.label] += 1
    return matrix


def matching_ids(pairs: Iterable[SpanPair]) -> dict[str, str]:
    """First annotator's span_id -> second annotator's span_id for matched pairs."""
    return {a.span_id: b.span_id for a, b in pairs}


def attribution_agreement(
    first: Iterable[AnnotatedRelation], second: Iterable[AnnotatedRelation], matching: Mapping[str, str]
) -> MatchCounts:
    """Agreement on relations whose head (claim) the other annotator also marked.

    ``matching`` maps the first annotator's span ids to the second's (e.g. the overlap matching
    of every label). Only relations whose head is matched count; a first-annotator relation
    ``(head, tail, label)`` is agreed when the second annotator has ``(matching[head],
    matching[tail], label)``. An unmatched tail (source) is a disagreement. Use ``.f1`` of the
    result as attribution F1 (``None`` when neither side has a relation on a matched head).
    """
    matched_heads = set(matching.values())
    a = [rel for rel in first if rel.head_id in matching]
    b = [rel for rel in second if rel.head_id in matched_heads]
    available: dict[tuple[str, str, str], int] = {}
    for rel in b:
        key = (rel.head_id, rel.tail_id, rel.label)
        available[key] = available.get(key, 0) + 1
    agreed = 0
    for rel in a:
        key = (matching[rel.head_id], matching.get(rel.tail_id, ""), rel.label)
        left = available.get(key)
        if left:
            available[key] = left - 1
            agreed += 1
    return MatchCounts(len(a), len(b), agreed)
