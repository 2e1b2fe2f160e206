"""Aligning annotators' layers of one document into review items.

`align_document` groups the chosen annotators' spans into items: a span joins an item when another
annotator's first span there has the same offsets (any label) or the same label and overlaps it. An
item is `agreed` when every chosen annotator has the same label, offsets and attributes;
`conflicting` when two versions share offsets but differ in label or attributes; `single` when one
annotator has it; otherwise `partial` (same label, other offsets, or not everyone has it). Relations
are compared through the aligned spans (grouped by type, claim item and source item; `conflicting`
when someone links that claim to another source) and stances per target (document level) or per
target and claim item (claim level; `conflicting` when values differ). Item keys are stable text:
"span:START:END:LABEL" (offsets and label of the version most annotators share, "#2" appended for a
repeat), "relation:TYPE:<claim key>-><source key>", "stance:TARGET" and "stance:TARGET@<span key>".
An item the reviewer rejected carries `rejected` (recorded in the rejections table).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from annotator.model.errors import NotFoundError
from annotator.model.scheme import Scheme
from annotator.model.types import GOLD, Relation, Span, Stance
from annotator.services.project import Project
from annotator.store import Session, rejections
from annotator.store import annotations as q


class Agreement(StrEnum):
    AGREED = "agreed"
    PARTIAL = "partial"
    CONFLICTING = "conflicting"
    SINGLE = "single"


@dataclass(frozen=True)
class SpanItem:
    """Aligned spans. `versions` has every chosen annotator id (in the order given), None if absent."""

    key: str
    label: str
    start: int
    end: int
    text: str
    agreement: Agreement
    versions: Mapping[int, Span | None]
    gold: Span | None = None
    rejected: bool = False


@dataclass(frozen=True)
class RelationItem:
    key: str
    type: str
    from_item: SpanItem
    to_item: SpanItem
    agreement: Agreement
    versions: Mapping[int, Relation | None]
    gold: Relation | None = None
    rejected: bool = False


@dataclass(frozen=True)
class StanceItem:
    """A stance toward `target`, for the document (`span_item` None) or for one claim item."""

    key: str
    target: str
    span_item: SpanItem | None
    agreement: Agreement
    versions: Mapping[int, Stance | None]
    gold: Stance | None = None
    rejected: bool = False


ReviewItem = SpanItem | RelationItem | StanceItem


@dataclass(frozen=True)
class Alignment:
    """One document's aligned items; `extra_gold` are gold spans equivalent to no item."""

    doc_id: int
    annotator_ids: tuple[int, ...]
    gold_id: int | None
    spans: tuple[SpanItem, ...]
    relations: tuple[RelationItem, ...]
    stances: tuple[StanceItem, ...]
    extra_gold: tuple[Span, ...] = ()

    @property
    def items(self) -> tuple[ReviewItem, ...]:
        return (*self.spans, *self.relations, *self.stances)

    def item(self, key: str) -> ReviewItem:
        found = next((i for i in self.items if i.key == key), None)
        if found is None:
            raise NotFoundError(f"document {self.doc_id} has no review item {key!r}")
        return found

    def counts(self) -> dict[str, int]:
        """Items per agreement category (spans, relations and stances together)."""
        counts = Counter(item.agreement.value for item in self.items)
        return {a.value: counts.get(a.value, 0) for a in Agreement}


def align_document(project: Project, doc_id: int, annotator_ids: Sequence[int]) -> Alignment:
    """Align the chosen annotators' spans, relations and stances of one document (gold alongside)."""
    with project.session() as s:
        return align_in(s, project, doc_id, annotator_ids)


def align_in(s: Session, project: Project, doc_id: int, annotator_ids: Sequence[int]) -> Alignment:
    """`align_document` reading through `s`: a decision aligns inside its own write transaction."""
    ids = tuple(dict.fromkeys(i for i in annotator_ids))
    gold = q.annotator_by_name(s, GOLD)
    gold_id = gold.id if gold is not None else None
    layers = [i for i in ids if i != gold_id] + ([gold_id] if gold_id is not None else [])
    spans = q.spans_for(s, doc_id, layers)
    relations = q.relations_for(s, doc_id, layers)
    stances = q.stances_for(s, doc_id, layers)
    rejected = rejected_keys(s, doc_id)
    chosen = tuple(i for i in ids if i != gold_id)
    span_items, extra, item_of = _align_spans(chosen, gold_id, spans, rejected)
    position = {item.key: n for n, item in enumerate(span_items)}
    return Alignment(
        doc_id,
        chosen,
        gold_id,
        span_items,
        _align_relations(chosen, gold_id, relations, item_of, position, rejected),
        _align_stances(project, chosen, gold_id, stances, item_of, position, rejected),
        extra,
    )


def _fit(ref: Span, span: Span) -> tuple[int, int] | None:
    """How well `span` joins an item whose reference is `ref` (higher is better; None: it does not)."""
    if (ref.start, ref.end) == (span.start, span.end):
        return (3 if ref.label == span.label else 2, 0)
    if ref.label == span.label and span.overlaps(ref.start, ref.end):
        return (1, min(ref.end, span.end) - max(ref.start, span.start))
    return None


def same_version(a: Span, b: Span) -> bool:
    return (a.label, a.start, a.end, dict(a.attributes)) == (b.label, b.start, b.end, dict(b.attributes))


def _classify_spans(versions: list[Span], n: int) -> Agreement:
    if len(versions) == 1:
        return Agreement.SINGLE
    at: dict[tuple[int, int], set[tuple[str, tuple[tuple[str, str], ...]]]] = defaultdict(set)
    for v in versions:
        at[(v.start, v.end)].add((v.label, tuple(sorted(v.attributes.items()))))
    if any(len(kinds) > 1 for kinds in at.values()):
        return Agreement.CONFLICTING
    return Agreement.AGREED if len(versions) == n and len(at) == 1 else Agreement.PARTIAL


_SPAN_KEY = re.compile(r"span:(\d+):(\d+):([A-Za-z_][A-Za-z0-9_]*)")
_RELATION_KEY = re.compile(r"^((?:rejected:)?relation:)([A-Za-z_][A-Za-z0-9_]*)")
_STANCE_KEY = re.compile(r"^((?:rejected:)?stance:)([A-Za-z_][A-Za-z0-9_]*)")


def renamed_item_key(key: str, scheme: Scheme) -> str:
    """An item key (of a comment or rejection) with the scheme's old names replaced by current ones,
    so review keeps its rejections and comments across a scheme rename."""
    key = _SPAN_KEY.sub(lambda m: f"span:{m[1]}:{m[2]}:{scheme.canonical_label(m[3])}", key)
    key = _RELATION_KEY.sub(lambda m: m[1] + scheme.canonical_relation(m[2]), key)
    return _STANCE_KEY.sub(lambda m: m[1] + scheme.canonical_target(m[2]), key)


def _unique(key: str, used: set[str]) -> str:
    out, n = key, 1
    while out in used:
        n += 1
        out = f"{key}#{n}"
    used.add(out)
    return out


def _align_spans(
    chosen: tuple[int, ...], gold_id: int | None, spans: list[Span], rejected: set[str]
) -> tuple[tuple[SpanItem, ...], tuple[Span, ...], dict[int, SpanItem]]:
    order = {a: n for n, a in enumerate(chosen)}
    clusters: list[dict[int, Span]] = []
    active: list[dict[int, Span]] = []
    for span in sorted(
        (sp for sp in spans if sp.annotator_id in order),
        key=lambda sp: (sp.start, sp.end, order[sp.annotator_id], sp.id),
    ):
        # Spans come by start, so an item whose first span ends before this one can join no more.
        active = [c for c in active if next(iter(c.values())).end > span.start]
        fits = [
            (fit, -n, c)
            for n, c in enumerate(active)
            if span.annotator_id not in c and (fit := _fit(next(iter(c.values())), span)) is not None
        ]
        if fits:
            max(fits, key=lambda f: (f[0], f[1]))[2][span.annotator_id] = span
        else:
            clusters.append({span.annotator_id: span})
            active.append(clusters[-1])
    golds = [sp for sp in spans if sp.annotator_id == gold_id]
    gold_of = _place_gold(clusters, golds)
    used: set[str] = set()
    items: list[SpanItem] = []
    item_of: dict[int, SpanItem] = {}
    for n, cluster in enumerate(clusters):
        versions = [cluster[a] for a in chosen if a in cluster]
        (start, end, label), _ = Counter((v.start, v.end, v.label) for v in versions).most_common(1)[0]
        ref = next(v for v in versions if (v.start, v.end, v.label) == (start, end, label))
        key = _unique(f"span:{start}:{end}:{label}", used)
        gold = gold_of.get(n)
        item = SpanItem(
            key,
            label,
            start,
            end,
            ref.text,
            _classify_spans(versions, len(chosen)),
            {a: cluster.get(a) for a in chosen},
            gold,
            key in rejected,
        )
        items.append(item)
        item_of.update({v.id: item for v in versions})
        if gold is not None:
            item_of[gold.id] = item
    placed = {g.id for g in gold_of.values()}
    return tuple(items), tuple(g for g in golds if g.id not in placed), item_of


def _place_gold(clusters: list[dict[int, Span]], golds: list[Span]) -> dict[int, Span]:
    """Gold's span for each item: same label and offsets as a version, else same offsets, else overlap."""
    candidates = []
    for g_index, gold in enumerate(golds):
        for c_index, cluster in enumerate(clusters):
            fits = [f for v in cluster.values() if (f := _fit(v, gold)) is not None]
            if fits:
                candidates.append((max(fits), -g_index, -c_index))
    out: dict[int, Span] = {}
    taken: set[int] = set()
    for _, g_neg, c_neg in sorted(candidates, reverse=True):
        if -c_neg not in out and -g_neg not in taken:
            out[-c_neg] = golds[-g_neg]
            taken.add(-g_neg)
    return out


def _align_relations(
    chosen: tuple[int, ...],
    gold_id: int | None,
    relations: list[Relation],
    item_of: Mapping[int, SpanItem],
    position: Mapping[str, int],
    rejected: set[str],
) -> tuple[RelationItem, ...]:
    groups: dict[tuple[str, str, str], dict[int, Relation]] = {}
    ends: dict[tuple[str, str, str], tuple[SpanItem, SpanItem]] = {}
    gold: dict[tuple[str, str, str], Relation] = {}
    heads: dict[tuple[str, str], dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    for rel in relations:
        a, b = item_of.get(rel.from_span), item_of.get(rel.to_span)
        if a is None or b is None:
            continue
        key = (rel.type, a.key, b.key)
        if rel.annotator_id == gold_id:
            gold.setdefault(key, rel)
            continue
        groups.setdefault(key, {}).setdefault(rel.annotator_id, rel)
        ends[key] = (a, b)
        heads[(rel.type, a.key)][rel.annotator_id].add(b.key)
    items = []
    for key in sorted(groups, key=lambda k: (position[k[1]], position[k[2]], k[0])):
        present, (a, b) = groups[key], ends[key]
        if len(present) == len(chosen) > 1:
            agreement = Agreement.AGREED
        elif any(heads[(key[0], a.key)].get(other) for other in chosen if other not in present):
            agreement = Agreement.CONFLICTING
        else:
            agreement = Agreement.SINGLE if len(present) == 1 else Agreement.PARTIAL
        text_key = f"relation:{key[0]}:{a.key}->{b.key}"
        items.append(
            RelationItem(
                text_key,
                key[0],
                a,
                b,
                agreement,
                {x: present.get(x) for x in chosen},
                gold.get(key),
                text_key in rejected,
            )
        )
    return tuple(items)


def _align_stances(
    project: Project,
    chosen: tuple[int, ...],
    gold_id: int | None,
    stances: list[Stance],
    item_of: Mapping[int, SpanItem],
    position: Mapping[str, int],
    rejected: set[str],
) -> tuple[StanceItem, ...]:
    groups: dict[tuple[str, str | None], dict[int, Stance]] = {}
    gold: dict[tuple[str, str | None], Stance] = {}
    span_items: dict[str | None, SpanItem | None] = {None: None}
    for stance in stances:
        span_item = None if stance.span_id is None else item_of.get(stance.span_id)
        if stance.span_id is not None and span_item is None:
            continue
        key = (stance.target, span_item.key if span_item else None)
        span_items[key[1]] = span_item
        if stance.annotator_id == gold_id:
            gold.setdefault(key, stance)
        else:
            groups.setdefault(key, {}).setdefault(stance.annotator_id, stance)
    targets = {name: n for n, name in enumerate(project.scheme.target_names)}
    items = []
    for key in sorted(
        groups,
        key=lambda k: (
            k[1] is not None,
            position[k[1]] if k[1] else -1,
            targets.get(k[0], len(targets)),
            k[0],
        ),
    ):
        present = groups[key]
        values = {st.value for st in present.values()}
        if len(values) > 1:
            agreement = Agreement.CONFLICTING
        elif len(present) == len(chosen) > 1:
            agreement = Agreement.AGREED
        else:
            agreement = Agreement.SINGLE if len(present) == 1 else Agreement.PARTIAL
        target, span_item = key[0], span_items[key[1]]
        text_key = f"stance:{target}" + (f"@{span_item.key}" if span_item else "")
        items.append(
            StanceItem(
                text_key,
                target,
                span_item,
                agreement,
                {x: present.get(x) for x in chosen},
                gold.get(key),
                text_key in rejected,
            )
        )
    return tuple(items)


def rejected_keys(s: Session, doc_id: int) -> set[str]:
    return rejections.rejected_keys(s, doc_id)
