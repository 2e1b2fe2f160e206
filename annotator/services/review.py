"""Review mode: align annotators' layers of a document, adjudicate them into gold, comment, blind mode.

This module owns adjudication. `align_document` groups the chosen annotators' spans into items: a
span joins an item when another annotator's first span there has the same offsets (any label) or
the same label and overlaps it. An item is `agreed` when every chosen annotator has the same label,
offsets and attributes; `conflicting` when two versions share offsets but differ in label or
attributes; `single` when one annotator has it; otherwise `partial` (same label, other offsets, or
not everyone has it). Relations are compared through the aligned spans (grouped by type, claim item
and source item; `conflicting` when someone links that claim to another source) and stances per
target (document level) or per target and claim item (claim level; `conflicting` when values
differ). Item keys are stable text: "span:START:END:LABEL" (offsets and label of the version most
annotators share, "#2" appended for a repeat), "relation:TYPE:<claim key>-><source key>",
"stance:TARGET" and "stance:TARGET@<span key>". `accept` copies one annotator's version into the
`gold` layer (origin manual), replacing gold's version of the item; `reject` removes gold's
version and records the rejection as a comment by gold with key "rejected:<item key>" (so it is
exported with the comments); `comments` leaves those records out. `gold_snapshot`/`restore_gold`
let an undo command put a document's gold layer back. Blind mode is the project setting
"blind_mode" ("1"/"0"): while on, an annotator sees only their own layer of a document (gold
included among the hidden) until their status for it is done.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import combinations, groupby

from annotator.model.agreement_spans import AnnotatedSpan, micro_average, span_agreement_by_label
from annotator.model.changes import Changes
from annotator.model.errors import NotFoundError, ValidationError
from annotator.model.types import GOLD, Annotator, Relation, Span, Stance, Status
from annotator.services.project import Project
from annotator.store import Session
from annotator.store import annotations as q

REJECTED_PREFIX = "rejected:"
BLIND_SETTING = "blind_mode"


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


@dataclass(frozen=True)
class Comment:
    id: int
    doc_id: int
    author_id: int
    author: str
    item_key: str
    text: str
    created_at: str


@dataclass(frozen=True)
class GoldSnapshot:
    """A document's gold layer and rejection records, for undoing review decisions."""

    doc_id: int
    spans: tuple[Span, ...]
    relations: tuple[Relation, ...]
    stances: tuple[Stance, ...]
    rejected: tuple[str, ...]


# -- alignment -----------------------------------------------------------------------------------


def align_document(project: Project, doc_id: int, annotator_ids: Sequence[int]) -> Alignment:
    """Align the chosen annotators' spans, relations and stances of one document (gold alongside)."""
    ids = tuple(dict.fromkeys(i for i in annotator_ids))
    with project.session() as s:
        gold = q.annotator_by_name(s, GOLD)
        gold_id = gold.id if gold is not None else None
        layers = [i for i in ids if i != gold_id] + ([gold_id] if gold_id is not None else [])
        spans = q.spans_for(s, doc_id, layers)
        relations = q.relations_for(s, doc_id, layers)
        stances = q.stances_for(s, doc_id, layers)
        rejected = _rejected_keys(s, doc_id)
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


def _same(a: Span, b: Span) -> bool:
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


# -- adjudication --------------------------------------------------------------------------------


def accept(project: Project, doc_id: int, item: ReviewItem, version_annotator_id: int) -> Changes:
    """Copy one annotator's version of `item` into gold, replacing gold's version of it."""
    with project.session() as s:
        return _accept_in(s, project, _gold(s).id, doc_id, item, version_annotator_id)


def accept_all_agreed(project: Project, doc_id: int, annotator_ids: Sequence[int]) -> int:
    """Accept every agreed item gold does not already hold; returns how many.

    Rejected items are skipped, and so are relations and claim stances on a rejected span. A relation
    or claim stance is taken only when the spans it hangs on are settled too (agreed, or already in
    gold): accepting it copies those spans, and a conflicting span must stay the reviewer's call.
    """
    alignment = align_document(project, doc_id, annotator_ids)
    accepted = 0
    with project.session() as s:
        gold_id = _gold(s).id
        for item in alignment.items:
            if item.agreement == Agreement.AGREED and not _rejected(item) and not _gold_holds(item) \
                    and _ends_settled(item):
                _accept_in(s, project, gold_id, doc_id, item, alignment.annotator_ids[0])
                accepted += 1
    return accepted


def reject(project: Project, doc_id: int, item: ReviewItem, *, author_id: int | None = None) -> Changes:
    """Remove gold's version of `item` (if any) and record the item as rejected."""
    with project.session() as s:
        gold_id = _gold(s).id
        if isinstance(item, SpanItem) and item.gold is not None:
            q.delete_span(s, item.gold.id)  # its gold relations and claim stances go with it
        elif isinstance(item, RelationItem) and item.gold is not None:
            q.delete_relation(s, item.gold.id)
        elif isinstance(item, StanceItem) and item.gold is not None:
            q.delete_stance(s, item.gold.id)
        if REJECTED_PREFIX + item.key not in {k for _, _, k, _, _ in q.comments_for(s, doc_id)}:
            q.add_comment(s, doc_id, author_id or gold_id, REJECTED_PREFIX + item.key, "rejected")
    return Changes(frozenset({doc_id}), spans=True, relations=True, stances=True)


def clear_rejection(project: Project, doc_id: int, item_key: str) -> Changes:
    with project.session() as s:
        _unrecord(s, doc_id, item_key)
    return Changes(frozenset({doc_id}))


def _ends_settled(item: ReviewItem) -> bool:
    """The spans a relation or claim stance hangs on are agreed or already adjudicated."""
    if isinstance(item, RelationItem):
        ends: tuple[SpanItem | None, ...] = (item.from_item, item.to_item)
    elif isinstance(item, StanceItem):
        ends = (item.span_item,)
    else:
        return True
    return all(end is None or end.agreement == Agreement.AGREED or end.gold is not None for end in ends)


def _rejected(item: ReviewItem) -> bool:
    """Rejected itself, or hanging on a rejected span (accepting it would bring the span back)."""
    if isinstance(item, RelationItem):
        return item.rejected or item.from_item.rejected or item.to_item.rejected
    if isinstance(item, StanceItem) and item.span_item is not None:
        return item.rejected or item.span_item.rejected
    return item.rejected


def _gold(s: Session) -> Annotator:
    return q.annotator_by_name(s, GOLD) or q.add_annotator(s, GOLD)


def _gold_holds(item: ReviewItem) -> bool:
    first = next(v for v in item.versions.values() if v is not None)
    if isinstance(item, SpanItem):
        return item.gold is not None and isinstance(first, Span) and _same(item.gold, first)
    if isinstance(item, StanceItem):
        return item.gold is not None and isinstance(first, Stance) and item.gold.value == first.value
    return item.gold is not None


def _accept_in(
    s: Session, project: Project, gold_id: int, doc_id: int, item: ReviewItem, annotator_id: int
) -> Changes:
    version = item.versions.get(annotator_id)
    if version is None:
        raise ValidationError(f"annotator {annotator_id} has no version of {item.key} to accept")
    if isinstance(item, SpanItem) and isinstance(version, Span):
        _gold_copy(s, project, gold_id, version, item.gold)
    elif isinstance(item, RelationItem) and isinstance(version, Relation):
        head = _gold_end(s, gold_id, item.from_item, q.get_span(s, version.from_span))
        tail = _gold_end(s, gold_id, item.to_item, q.get_span(s, version.to_span))
        same_head = [
            r for r in q.relations_for(s, doc_id, [gold_id]) if r.type == version.type and r.from_span == head
        ]
        if not any(r.to_span == tail for r in same_head):
            kind = project.scheme.relation(version.type)
            if kind is not None and kind.max_per_from is not None and len(same_head) >= kind.max_per_from:
                for old in same_head:  # gold's conflicting version of this claim's source
                    q.delete_relation(s, old.id)
            q.insert_relation(s, Relation(0, doc_id, gold_id, version.type, head, tail))
    elif isinstance(item, StanceItem) and isinstance(version, Stance):
        span_id = None
        if item.span_item is not None and version.span_id is not None:
            span_id = _gold_end(s, gold_id, item.span_item, q.get_span(s, version.span_id))
        current = q.find_stance(s, doc_id, gold_id, version.target, span_id)
        if current is None:
            q.insert_stance(s, Stance(0, doc_id, gold_id, version.target, version.value, span_id))
        elif current.value != version.value:
            q.update_stance_value(s, current.id, version.value)
    _unrecord(s, doc_id, item.key)
    return Changes(frozenset({doc_id}), spans=True, relations=True, stances=True)


def _gold_copy(s: Session, project: Project, gold_id: int, version: Span, replace: Span | None) -> Span:
    """Make gold's span for an item equal to `version` (label, offsets and attributes)."""
    here = q.spans_for(s, version.doc_id, [gold_id])
    target = next(
        (g for g in here if (g.label, g.start, g.end) == (version.label, version.start, version.end)), None
    )
    if target is None and replace is not None:
        target = next((g for g in here if g.id == replace.id), None)
    if target is None:
        return q.insert_span(
            s,
            Span(
                0,
                version.doc_id,
                gold_id,
                version.label,
                version.start,
                version.end,
                version.text,
                dict(version.attributes),
            ),
        )
    if _same(target, version):
        return target
    if target.label != version.label:  # links and claim stances made for the old label no longer fit
        for rel in q.relations_touching(s, [target.id]):
            q.delete_relation(s, rel.id)
        if version.label not in project.scheme.stance_span_labels:
            for stance in q.stances_on_spans(s, [target.id]):
                q.delete_stance(s, stance.id)
    return q.update_span(
        s,
        target.id,
        label=version.label,
        start=version.start,
        end=version.end,
        text=version.text,
        attributes=dict(version.attributes),
    )


def _gold_end(s: Session, gold_id: int, item: SpanItem, version: Span) -> int:
    """Gold's span for a relation end or stance claim: gold's version of the item, else a copy."""
    here = q.spans_for(s, version.doc_id, [gold_id])
    if item.gold is not None and any(g.id == item.gold.id for g in here):
        return item.gold.id
    exact = next(
        (g for g in here if (g.label, g.start, g.end) == (version.label, version.start, version.end)), None
    )
    if exact is not None:
        return exact.id
    return q.insert_span(
        s,
        Span(
            0,
            version.doc_id,
            gold_id,
            version.label,
            version.start,
            version.end,
            version.text,
            dict(version.attributes),
        ),
    ).id


def _rejected_keys(s: Session, doc_id: int) -> set[str]:
    return {
        k.removeprefix(REJECTED_PREFIX)
        for _, _, k, _, _ in q.comments_for(s, doc_id)
        if k.startswith(REJECTED_PREFIX)
    }


def _unrecord(s: Session, doc_id: int, item_key: str) -> None:
    for comment_id, _, key, _, _ in q.comments_for(s, doc_id):
        if key == REJECTED_PREFIX + item_key:
            q.delete_comment(s, comment_id)


def gold_snapshot(project: Project, doc_id: int) -> GoldSnapshot:
    """The document's gold layer and rejections now, for `restore_gold` (undo)."""
    with project.session() as s:
        gold = q.annotator_by_name(s, GOLD)
        layer = [] if gold is None else [gold.id]
        return GoldSnapshot(
            doc_id,
            tuple(q.spans_for(s, doc_id, layer)),
            tuple(q.relations_for(s, doc_id, layer)),
            tuple(q.stances_for(s, doc_id, layer)),
            tuple(sorted(_rejected_keys(s, doc_id))),
        )


def restore_gold(project: Project, snapshot: GoldSnapshot) -> Changes:
    """Put a document's gold layer and rejections back as `snapshot` recorded them (same ids)."""
    with project.session() as s:
        gold_id = _gold(s).id
        q.delete_layer(s, snapshot.doc_id, gold_id)
        for key in _rejected_keys(s, snapshot.doc_id):
            _unrecord(s, snapshot.doc_id, key)
        for span in snapshot.spans:
            q.insert_span(s, span)
        for rel in snapshot.relations:
            q.insert_relation(s, rel)
        for stance in snapshot.stances:
            q.insert_stance(s, stance)
        for key in snapshot.rejected:
            q.add_comment(s, snapshot.doc_id, gold_id, REJECTED_PREFIX + key, "rejected")
    return Changes(frozenset({snapshot.doc_id}), spans=True, relations=True, stances=True)


# -- comments ------------------------------------------------------------------------------------


def add_comment(project: Project, doc_id: int, author_id: int, item_key: str, text: str) -> Comment:
    """A reviewer's comment on an item (any key, e.g. an item's key or "document")."""
    if not text.strip():
        raise ValidationError("a comment needs some text")
    if not item_key or item_key.startswith(REJECTED_PREFIX):
        raise ValidationError(f"comment item key {item_key!r} is empty or reserved")
    with project.session() as s:
        comment_id = q.add_comment(s, doc_id, author_id, item_key, text.strip())
    return next(c for c in comments(project, doc_id) if c.id == comment_id)


def comments(project: Project, doc_id: int) -> list[Comment]:
    """The document's comments, oldest first (rejection records left out)."""
    with project.session() as s:
        names = {a.id: a.name for a in q.list_annotators(s)}
        rows = q.comments_for(s, doc_id)
    return [
        Comment(cid, doc_id, author, names.get(author, ""), key, text, created)
        for cid, author, key, text, created in rows
        if not key.startswith(REJECTED_PREFIX)
    ]


def delete_comment(project: Project, comment_id: int) -> None:
    with project.session() as s:
        q.delete_comment(s, comment_id)


# -- sorting by disagreement ---------------------------------------------------------------------


def disagreement_scores(project: Project, annotator_ids: Sequence[int] | None = None) -> dict[int, float]:
    """Per document with anyone's work, a score in [0, 1] (higher: more disagreement).

    The score is the mean of the parts that apply: `1 - mean overlap F1` over pairs of annotators
    who worked on the document (spans, any label), and the share of stance targets (document
    level, judged by two or more) whose values differ. A document where fewer than two annotators
    worked, or nothing compares, scores 0.0; documents nobody touched are absent (sort them as 0).
    Gold is left out unless named. One streamed pass over spans and one over stances.
    """
    with project.session() as s:
        if annotator_ids is None:
            ids = [a.id for a in q.list_annotators(s) if a.name != GOLD]
        else:
            ids = list(annotator_ids)
        present: dict[int, set[int]] = defaultdict(set)
        for doc_id, annotator_id in q.work_pairs(s, ids):
            present[doc_id].add(annotator_id)
        parts: dict[int, list[float]] = defaultdict(list)
        for doc_id, rows in groupby(q.review_spans(s, ids), key=lambda r: r[1]):
            by_annotator: dict[int, list[AnnotatedSpan]] = defaultdict(list)
            for sid, _, annotator_id, label, start, end, _ in rows:
                by_annotator[annotator_id].append(AnnotatedSpan(str(sid), "d", start, end, label))
            f1s = [
                f1
                for a, b in combinations(sorted(present[doc_id]), 2)
                if (
                    f1 := micro_average(
                        span_agreement_by_label(by_annotator[a], by_annotator[b]).values()
                    ).overlap.f1
                )
                is not None
            ]
            if f1s:
                parts[doc_id].append(1.0 - sum(f1s) / len(f1s))
        for doc_id, rows in groupby(q.review_stances(s, ids), key=lambda r: r[1]):
            values: dict[str, set[str]] = defaultdict(set)
            judged: Counter[str] = Counter()
            for _, _, _, target, value, span_id in rows:
                if span_id is None:
                    values[target].add(value)
                    judged[target] += 1
            compared = [t for t, n in judged.items() if n >= 2]
            if compared:
                parts[doc_id].append(sum(1 for t in compared if len(values[t]) > 1) / len(compared))
    return {
        doc_id: (sum(parts[doc_id]) / len(parts[doc_id]) if len(who) >= 2 and parts[doc_id] else 0.0)
        for doc_id, who in present.items()
    }


# -- blind mode ----------------------------------------------------------------------------------


def is_blind(project: Project) -> bool:
    return project.store.setting(BLIND_SETTING, "0") == "1"


def set_blind(project: Project, on: bool) -> Changes:
    project.store.set_setting(BLIND_SETTING, "1" if on else "0")
    return Changes(annotators=True)


def visible_layers(project: Project, me_id: int, doc_id: int, wanted_ids: Iterable[int]) -> list[int]:
    """The layers of `wanted_ids` I may see: all, unless blind mode is on and I have not finished."""
    wanted = list(dict.fromkeys(wanted_ids))
    if not is_blind(project):
        return wanted
    with project.session() as s:
        done = q.get_status(s, doc_id, me_id).status == Status.DONE
    return wanted if done else [i for i in wanted if i == me_id]
