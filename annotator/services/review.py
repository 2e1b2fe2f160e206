"""Review mode: adjudicate aligned items into gold, comment, sort by disagreement, blind mode.

Items come from `services.alignment.align_document`. `accept` copies one annotator's version into the
`gold` layer (origin manual), replacing gold's version of the item; `reject` removes gold's version
and records the rejection in the rejections table (the CSV export lists them with the comments,
keyed "rejected:<item key>"). `gold_snapshot`/`restore_gold` let an undo command
put a document's gold layer back. Blind mode is the project setting "blind_mode" ("1"/"0"): while on,
an annotator sees only their own layer of a document (gold included among the hidden) until their
status for it is done.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from annotator.model.changes import Changes
from annotator.model.errors import StaleWriteError, ValidationError
from annotator.model.types import GOLD, Annotator, Relation, Span, Stance, Status
from annotator.services.alignment import (
    Agreement,
    Alignment,
    RelationItem,
    ReviewItem,
    SpanItem,
    StanceItem,
    align_document,
    same_version,
)
from annotator.services.project import Project
from annotator.store import Session, disagreement, rejections
from annotator.store import annotations as q

__all__ = [
    "Agreement",
    "Alignment",
    "RelationItem",
    "ReviewItem",
    "SpanItem",
    "StanceItem",
    "align_document",
]

BLIND_SETTING = "blind_mode"


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
    rejected: tuple[tuple[str, int], ...]
    """(item key, id of the reviewer who rejected it): a redo keeps the reviewer as the author."""


# -- adjudication --------------------------------------------------------------------------------


def accept(project: Project, doc_id: int, item: ReviewItem, version_annotator_id: int) -> Changes:
    """Copy one annotator's version of `item` into gold, replacing gold's version of it.

    `item` is the item as the reviewer saw it: when gold's version of it (or its rejection) changed
    since (another curator decided it, a gold edit), nothing is saved and StaleWriteError carries
    gold's version now beside the one this decision would have made; `fresh_item` is the item as it
    is now, which a decision that keeps mine is made on."""
    _check_unchanged(project, doc_id, item, item.versions.get(version_annotator_id))
    with project.session() as s:
        return _accept_in(s, project, _gold(s).id, doc_id, item, version_annotator_id)


def fresh_item(project: Project, doc_id: int, item: ReviewItem) -> ReviewItem | None:
    """`item` as the document holds it now (compared among the same annotators); None when gone."""
    alignment = align_document(project, doc_id, list(item.versions))
    return next((i for i in alignment.items if i.key == item.key), None)


def _seen(item: ReviewItem | None) -> tuple[object, ...]:
    """What a decision depends on: gold's version of the item (row and version) and its rejection."""
    if item is None:
        return (None, False)
    gold = item.gold
    return (None if gold is None else (type(gold).__name__, gold.id, gold.version), item.rejected)


def _check_unchanged(project: Project, doc_id: int, item: ReviewItem, mine: object | None) -> None:
    now = fresh_item(project, doc_id, item)
    if _seen(now) != _seen(item):
        what = describe_item(item)
        raise StaleWriteError(
            f"someone else decided or changed gold's {what} since you saw it; your decision was not saved",
            stored=None if now is None else now.gold,
            mine=mine,
        )


def describe_item(item: ReviewItem) -> str:
    """A few words naming an item, for command texts and messages."""
    if isinstance(item, SpanItem):
        return item.label.replace("_", " ")
    if isinstance(item, RelationItem):
        return item.type.replace("_", " ")
    where = " (claim)" if item.span_item is not None else ""
    return f"stance {item.target.replace('_', ' ')}{where}"


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
            if (
                item.agreement == Agreement.AGREED
                and not _rejected(item)
                and not _gold_holds(item)
                and _ends_settled(item)
            ):
                _accept_in(s, project, gold_id, doc_id, item, alignment.annotator_ids[0])
                accepted += 1
    return accepted


def reject(project: Project, doc_id: int, item: ReviewItem, *, author_id: int | None = None) -> Changes:
    """Remove gold's version of `item` (if any) and record the item as rejected; refused as for
    `accept` when gold's version of it changed since the reviewer saw it."""
    _check_unchanged(project, doc_id, item, None)
    with project.session() as s:
        gold_id = _gold(s).id
        if isinstance(item, SpanItem) and item.gold is not None:
            q.delete_span(s, item.gold.id)  # its gold relations and claim stances go with it
        elif isinstance(item, RelationItem) and item.gold is not None:
            q.delete_relation(s, item.gold.id)
        elif isinstance(item, StanceItem) and item.gold is not None:
            q.delete_stance(s, item.gold.id)
        rejections.add_rejection(s, doc_id, author_id or gold_id, item.key)
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
        return item.gold is not None and isinstance(first, Span) and same_version(item.gold, first)
    if isinstance(item, StanceItem):
        return item.gold is not None and isinstance(first, Stance) and item.gold.value == first.value
    return item.gold is not None


def _accept_in(s: Session, project: Project, gold_id: int, doc_id: int, item: ReviewItem, annotator_id: int) -> Changes:
    version = item.versions.get(annotator_id)
    if version is None:
        raise ValidationError(f"annotator {annotator_id} has no version of {item.key} to accept")
    if isinstance(item, SpanItem) and isinstance(version, Span):
        _gold_copy(s, project, gold_id, version, item.gold)
    elif isinstance(item, RelationItem) and isinstance(version, Relation):
        head = _gold_end(s, gold_id, item.from_item, q.get_span(s, version.from_span))
        tail = _gold_end(s, gold_id, item.to_item, q.get_span(s, version.to_span))
        same_head = [r for r in q.relations_for(s, doc_id, [gold_id]) if r.type == version.type and r.from_span == head]
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
    target = _at_same_place(here, version)
    if target is None and replace is not None:
        target = next((g for g in here if g.id == replace.id), None)
    if target is None:
        return _insert_gold_copy(s, gold_id, version)
    if same_version(target, version):
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
    exact = _at_same_place(here, version)
    return exact.id if exact is not None else _insert_gold_copy(s, gold_id, version).id


def _at_same_place(spans: Sequence[Span], version: Span) -> Span | None:
    """The span with `version`'s label and offsets, if any."""
    place = (version.label, version.start, version.end)
    return next((g for g in spans if (g.label, g.start, g.end) == place), None)


def _insert_gold_copy(s: Session, gold_id: int, version: Span) -> Span:
    """A new gold span copying `version`'s label, offsets, text and attributes."""
    copy = Span(
        0, version.doc_id, gold_id, version.label, version.start, version.end, version.text, dict(version.attributes)
    )
    return q.insert_span(s, copy)


def _unrecord(s: Session, doc_id: int, item_key: str) -> None:
    rejections.remove_rejections(s, doc_id, [item_key])


def gold_snapshot(project: Project, doc_id: int) -> GoldSnapshot:
    """The document's gold layer and rejections now, for `restore_gold` (undo)."""
    with project.session() as s:
        return _snapshot_in(s, doc_id)


def _snapshot_in(s: Session, doc_id: int) -> GoldSnapshot:
    gold = q.annotator_by_name(s, GOLD)
    layer = [] if gold is None else [gold.id]
    return GoldSnapshot(
        doc_id,
        tuple(q.spans_for(s, doc_id, layer)),
        tuple(q.relations_for(s, doc_id, layer)),
        tuple(q.stances_for(s, doc_id, layer)),
        tuple(rejections.rejections_by_author(s, doc_id)),
    )


def _rows(snapshot: GoldSnapshot) -> dict[tuple[str, int], Span | Relation | Stance]:
    rows: dict[tuple[str, int], Span | Relation | Stance] = {("span", sp.id): sp for sp in snapshot.spans}
    rows.update({("relation", r.id): r for r in snapshot.relations})
    rows.update({("stance", st.id): st for st in snapshot.stances})
    return rows


def _check_snapshot(s: Session, expected: GoldSnapshot, target: GoldSnapshot) -> None:
    """Refuse (StaleWriteError) when gold on the document is no longer `expected`: someone else
    changed it since, and putting `target` back would undo their change unasked."""
    now = _snapshot_in(s, expected.doc_id)
    had, has = _rows(expected), _rows(now)
    versions_had = {key: row.version for key, row in had.items()}
    versions_has = {key: row.version for key, row in has.items()}
    if versions_had == versions_has and sorted(now.rejected) == sorted(expected.rejected):
        return
    changed = next((k for k in sorted({*had, *has}) if versions_had.get(k) != versions_has.get(k)), None)
    raise StaleWriteError(
        "someone else changed gold on this document since this step; nothing was changed",
        stored=None if changed is None else has.get(changed),
        mine=None if changed is None else _rows(target).get(changed),
    )


def restore_gold(project: Project, snapshot: GoldSnapshot, *, expected: GoldSnapshot | None = None) -> Changes:
    """Put a document's gold layer and rejections back as `snapshot` recorded them (same ids). With
    `expected` (gold as this undo step left it) a gold layer someone else changed since is left alone
    (StaleWriteError with their row beside mine)."""
    with project.session() as s:
        if expected is not None:
            _check_snapshot(s, expected, snapshot)
        gold_id = _gold(s).id
        q.delete_layer(s, snapshot.doc_id, gold_id)
        rejections.remove_rejections(s, snapshot.doc_id)
        for span in snapshot.spans:
            q.insert_span(s, span)
        for rel in snapshot.relations:
            q.insert_relation(s, rel)
        for stance in snapshot.stances:
            q.insert_stance(s, stance)
        for key, author in snapshot.rejected:
            rejections.add_rejection(s, snapshot.doc_id, author, key)
    return Changes(frozenset({snapshot.doc_id}), spans=True, relations=True, stances=True)


# -- comments ------------------------------------------------------------------------------------


def add_comment(project: Project, doc_id: int, author_id: int, item_key: str, text: str) -> Comment:
    """A reviewer's comment on an item (any key, e.g. an item's key or "document")."""
    if not text.strip():
        raise ValidationError("a comment needs some text")
    if not item_key or item_key.startswith(rejections.REJECTION_KEY_PREFIX):
        # Reserved: the CSV export lists rejections among the comments under such keys.
        raise ValidationError(f"comment item key {item_key!r} is empty or reserved")
    with project.session() as s:
        comment_id = q.add_comment(s, doc_id, author_id, item_key, text.strip())
    return next(c for c in comments(project, doc_id) if c.id == comment_id)


def comments(project: Project, doc_id: int) -> list[Comment]:
    """The document's comments, oldest first."""
    with project.session() as s:
        names = {a.id: a.name for a in q.list_annotators(s)}
        rows = q.comments_for(s, doc_id)
    return [
        Comment(cid, doc_id, author, names.get(author, ""), key, text, created)
        for cid, author, key, text, created in rows
    ]


def delete_comment(project: Project, comment_id: int) -> None:
    with project.session() as s:
        q.delete_comment(s, comment_id)


# -- sorting by disagreement ---------------------------------------------------------------------


def disagreement_scores(project: Project, annotator_ids: Sequence[int] | None = None) -> dict[int, float]:
    """Per document, a score in [0, 1] (higher: more disagreement; `model.disagreement` defines it).

    Over every annotator but gold (the default), these are the scores the store keeps current with
    every write, read in one query: documents never worked on are absent (sort them as 0.0). For
    other `annotator_ids` they are computed now, for the documents any of them worked on.
    """
    with project.session() as s:
        if annotator_ids is None:
            return disagreement.stored_scores(s)
        return disagreement.computed_scores(s, list(annotator_ids))


def disagreement_of(project: Project, doc_ids: Sequence[int]) -> dict[int, float]:
    """The stored scores of some documents (0.0 for those never worked on)."""
    with project.session() as s:
        found = disagreement.stored_scores(s, doc_ids)
    return {doc_id: found.get(doc_id, 0.0) for doc_id in doc_ids}


# -- blind mode ----------------------------------------------------------------------------------


def is_blind(project: Project) -> bool:
    return project.store.setting(BLIND_SETTING, "0") == "1"


def set_blind(project: Project, on: bool) -> Changes:
    project.store.set_setting(BLIND_SETTING, "1" if on else "0")
    return Changes(annotators=True)


def annotated_layers(project: Project, doc_id: int, annotator_ids: Iterable[int]) -> list[int]:
    """Those of `annotator_ids` (in that order) whose layer of the document holds annotations."""
    wanted = list(dict.fromkeys(annotator_ids))
    with project.session() as s:
        found = {a for _, a in q.annotated_layers(s, wanted, [doc_id])}
    return [i for i in wanted if i in found]


def visible_layers(project: Project, me_id: int, doc_id: int, wanted_ids: Iterable[int]) -> list[int]:
    """The layers of `wanted_ids` I may see: all, unless blind mode is on and I have not finished."""
    wanted = list(dict.fromkeys(wanted_ids))
    if not is_blind(project):
        return wanted
    with project.session() as s:
        done = q.get_status(s, doc_id, me_id).status == Status.DONE
    return wanted if done else [i for i in wanted if i == me_id]
