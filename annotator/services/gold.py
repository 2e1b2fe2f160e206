"""Writing a document's gold layer for review decisions: the decision transaction, copying one
annotator's version of an item into gold, and gold snapshots put back by undo/redo.

Every decision and every gold undo/redo runs in `decision_session`: one write transaction that
holds the document's gold (store.locks: a transaction advisory lock and row locks on a server, the
write lock on a file) from before it reads gold until it commits, so the check that gold is still
what the reviewer saw and the write it guards see the same gold. A `Trail` handed to a decision
records gold as that transaction found and left it (the undo command's snapshots), so an undo never
puts back a gold read before someone else's change.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from annotator.model.changes import Changes
from annotator.model.errors import StaleWriteError, ValidationError
from annotator.model.types import GOLD, Annotator, Relation, Span, Stance
from annotator.services.alignment import RelationItem, ReviewItem, SpanItem, StanceItem, same_version
from annotator.services.annotations import follow_annotations
from annotator.services.project import Project
from annotator.store import Session, locks, rejections
from annotator.store import annotations as q


@dataclass(frozen=True)
class GoldSnapshot:
    """A document's gold layer and rejection records, for undoing review decisions."""

    doc_id: int
    spans: tuple[Span, ...]
    relations: tuple[Relation, ...]
    stances: tuple[Stance, ...]
    rejected: tuple[tuple[str, int], ...]
    """(item key, id of the reviewer who rejected it): a redo keeps the reviewer as the author."""


@dataclass
class Trail:
    """Gold before and after one decision, read inside the decision's own transaction."""

    before: GoldSnapshot | None = None
    after: GoldSnapshot | None = None


@dataclass(frozen=True)
class Deciding:
    """An open decision transaction: its session and gold's annotator id."""

    session: Session
    gold_id: int


@contextmanager
def decision_session(project: Project, doc_id: int, trail: Trail | None = None) -> Iterator[Deciding]:
    """One write transaction deciding on `doc_id`'s gold (see the module docstring)."""
    with project.locked_session() as s:
        locks.hold_decisions(s, doc_id)
        gold_id = gold_annotator(s).id
        locks.hold_layer_rows(s, doc_id, gold_id)
        if trail is not None:
            trail.before = snapshot_in(s, doc_id)
        yield Deciding(s, gold_id)
        follow_annotations(s, doc_id, gold_id)
        if trail is not None:
            s.flush()
            trail.after = snapshot_in(s, doc_id)


def decided(doc_id: int) -> Changes:
    """What a decision may have changed: gold's annotations of the document and so its status
    (between not started and in progress only: `follow_annotations`)."""
    return Changes(frozenset({doc_id}), spans=True, relations=True, stances=True, status=True, done_kept=True)


def gold_annotator(s: Session) -> Annotator:
    return q.annotator_by_name(s, GOLD) or q.add_annotator(s, GOLD)


# -- copying a version into gold -----------------------------------------------------------------


def accept_in(d: Deciding, project: Project, doc_id: int, item: ReviewItem, annotator_id: int) -> Changes:
    """Make gold's version of `item` the one `annotator_id` has (in `item` as aligned)."""
    s, gold_id = d.session, d.gold_id
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
            fresh = Stance(0, doc_id, gold_id, version.target, version.value, span_id)
            q.insert_stance(s, fresh, version=q.next_stance_version(s, doc_id, gold_id))
        elif current.value != version.value:
            q.update_stance_value(s, current.id, version.value)
    unrecord(s, doc_id, item.key)
    return decided(doc_id)


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


def unrecord(s: Session, doc_id: int, item_key: str) -> None:
    rejections.remove_rejections(s, doc_id, [item_key])


# -- snapshots for undo --------------------------------------------------------------------------


def gold_snapshot(project: Project, doc_id: int) -> GoldSnapshot:
    """The document's gold layer and rejections now, for `restore_gold` (undo)."""
    with project.session() as s:
        return snapshot_in(s, doc_id)


def snapshot_in(s: Session, doc_id: int) -> GoldSnapshot:
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
    now = snapshot_in(s, expected.doc_id)
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


def restore_gold(
    project: Project, snapshot: GoldSnapshot, *, expected: GoldSnapshot | None = None, trail: Trail | None = None
) -> Changes:
    """Put a document's gold layer and rejections back as `snapshot` recorded them (same ids). With
    `expected` (gold as this undo step left it) a gold layer someone else changed since is left alone
    (StaleWriteError with their row beside mine)."""
    with decision_session(project, snapshot.doc_id, trail) as d:
        s = d.session
        if expected is not None:
            _check_snapshot(s, expected, snapshot)
        q.delete_layer(s, snapshot.doc_id, d.gold_id)
        rejections.remove_rejections(s, snapshot.doc_id)
        for span in snapshot.spans:
            q.insert_span(s, span)
        for rel in snapshot.relations:
            q.insert_relation(s, rel)
        for stance in snapshot.stances:
            q.insert_stance(s, stance)
        for key, author in snapshot.rejected:
            rejections.add_rejection(s, snapshot.doc_id, author, key)
    return decided(snapshot.doc_id)
