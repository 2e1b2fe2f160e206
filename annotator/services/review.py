"""Review mode: adjudicate aligned items into gold, comment, sort by disagreement, blind mode.

Items come from `services.alignment.align_document`. `accept` copies one annotator's version into the
`gold` layer (origin manual), replacing gold's version of the item; `reject` removes gold's version
and records the rejection in the rejections table (the CSV export lists them with the comments,
keyed "rejected:<item key>"). A decision is refused (StaleWriteError) when gold's version of its item
changed since the reviewer saw it; the check and the write share one transaction (services.gold,
which also holds `gold_snapshot`/`restore_gold` for undo). Blind mode is the project setting
"blind_mode" ("1"/"0"): while on, an annotator sees only their own layer of a document (gold
included among the hidden) until their status for it is done.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from annotator.model.changes import Changes
from annotator.model.errors import StaleWriteError, ValidationError
from annotator.model.types import Span, Stance, Status
from annotator.services.alignment import (
    Agreement,
    Alignment,
    RelationItem,
    ReviewItem,
    SpanItem,
    StanceItem,
    align_document,
    align_in,
    same_version,
)
from annotator.services.gold import (
    Deciding,
    GoldSnapshot,
    Trail,
    accept_in,
    decided,
    decision_session,
    gold_snapshot,
    restore_gold,
    unrecord,
)
from annotator.services.project import Project
from annotator.store import annotations as q
from annotator.store import disagreement, rejections

__all__ = [
    "Agreement",
    "Alignment",
    "GoldSnapshot",
    "RelationItem",
    "ReviewItem",
    "SpanItem",
    "StanceItem",
    "Trail",
    "align_document",
    "gold_snapshot",
    "restore_gold",
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


# -- adjudication --------------------------------------------------------------------------------


def accept(
    project: Project, doc_id: int, item: ReviewItem, version_annotator_id: int, *, trail: Trail | None = None
) -> Changes:
    """Copy one annotator's version of `item` into gold, replacing gold's version of it.

    `item` is the item as the reviewer saw it: when gold's version of it (or its rejection) changed
    since (another curator decided it, a gold edit), nothing is saved and StaleWriteError carries
    gold's version now beside the one this decision would have made; `fresh_item` is the item as it
    is now, which a decision that keeps mine is made on. The check and the write are one transaction
    holding the document's gold (`gold.decision_session`)."""
    with decision_session(project, doc_id, trail) as d:
        _check_unchanged(item, _item_in(d, project, doc_id, item), item.versions.get(version_annotator_id))
        return accept_in(d, project, doc_id, item, version_annotator_id)


def fresh_item(project: Project, doc_id: int, item: ReviewItem) -> ReviewItem | None:
    """`item` as the document holds it now (compared among the same annotators); None when gone."""
    alignment = align_document(project, doc_id, list(item.versions))
    return next((i for i in alignment.items if i.key == item.key), None)


def _item_in(d: Deciding, project: Project, doc_id: int, item: ReviewItem) -> ReviewItem | None:
    alignment = align_in(d.session, project, doc_id, list(item.versions))
    return next((i for i in alignment.items if i.key == item.key), None)


def _seen(item: ReviewItem | None) -> tuple[object, ...]:
    """What a decision depends on: gold's version of the item (row and version) and its rejection."""
    if item is None:
        return (None, False)
    gold = item.gold
    return (None if gold is None else (type(gold).__name__, gold.id, gold.version), item.rejected)


def _check_unchanged(
    item: ReviewItem, now: ReviewItem | None, mine: object | None, *, outcome: str = "your decision was not saved"
) -> None:
    if _seen(now) != _seen(item):
        raise StaleWriteError(
            f"someone else decided or changed gold's {describe_item(item)} since you saw it; {outcome}",
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


def accept_all_agreed(
    project: Project,
    doc_id: int,
    annotator_ids: Sequence[int],
    *,
    shown: Alignment | None = None,
    trail: Trail | None = None,
) -> int:
    """Accept every agreed item gold does not already hold; returns how many.

    Rejected items are skipped, and so are relations and claim stances on a rejected span. A relation
    or claim stance is taken only when the spans it hangs on are settled too (agreed, or already in
    gold): accepting it copies those spans, and a conflicting span must stay the reviewer's call.
    With `shown` (the alignment the reviewer's view was built from) only the items it showed as
    agreed are taken, and when gold's version of any of them (or its rejection) changed since,
    none is: StaleWriteError names the first such item (gold's version now beside the one this
    would have copied). Without `shown` (a script, the API) nobody saw gold's versions, so none is
    replaced: when gold holds another version of any agreed item (a curator's decision or edit),
    none is taken, refused the same way. One transaction: all of them or none.
    """
    with decision_session(project, doc_id, trail) as d:
        alignment = align_in(d.session, project, doc_id, annotator_ids)
        first = alignment.annotator_ids[0] if alignment.annotator_ids else 0
        chosen = [item for item in alignment.items if _to_accept(item)]
        if shown is None:
            decided = next((item for item in chosen if item.gold is not None), None)
            if decided is not None:
                raise StaleWriteError(
                    f"gold already holds another version of the agreed {describe_item(decided)} (someone decided "
                    "or changed it); none of the agreed items was accepted",
                    stored=decided.gold,
                    mine=decided.versions.get(first),
                )
        else:
            now = {item.key: item for item in alignment.items}
            seen = [item for item in shown.items if _to_accept(item)]
            for item in seen:
                mine = item.versions.get(shown.annotator_ids[0]) if shown.annotator_ids else None
                _check_unchanged(item, now.get(item.key), mine, outcome="none of the agreed items was accepted")
            keys = {item.key for item in seen}
            chosen = [item for item in chosen if item.key in keys]
        for item in chosen:
            accept_in(d, project, doc_id, item, first)
    return len(chosen)


def _to_accept(item: ReviewItem) -> bool:
    """An item "accept all agreed" takes: agreed, not rejected, not yet in gold, its ends settled."""
    return item.agreement == Agreement.AGREED and not _rejected(item) and not _gold_holds(item) and _ends_settled(item)


def reject(
    project: Project, doc_id: int, item: ReviewItem, *, author_id: int | None = None, trail: Trail | None = None
) -> Changes:
    """Remove gold's version of `item` (if any) and record the item as rejected; refused as for
    `accept` when gold's version of it changed since the reviewer saw it."""
    with decision_session(project, doc_id, trail) as d:
        s = d.session
        now = _item_in(d, project, doc_id, item)
        _check_unchanged(item, now, None)
        if isinstance(item, SpanItem) and item.gold is not None:
            q.delete_span(s, item.gold.id)  # its gold relations and claim stances go with it
        elif isinstance(item, RelationItem) and item.gold is not None:
            q.delete_relation(s, item.gold.id)
        elif isinstance(item, StanceItem) and item.gold is not None:
            q.delete_stance(s, item.gold.id)
        rejections.add_rejection(s, doc_id, author_id or d.gold_id, item.key)
    return decided(doc_id)


def clear_rejection(project: Project, doc_id: int, item_key: str) -> Changes:
    with project.session() as s:
        unrecord(s, doc_id, item_key)
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


def _gold_holds(item: ReviewItem) -> bool:
    first = next(v for v in item.versions.values() if v is not None)
    if isinstance(item, SpanItem):
        return item.gold is not None and isinstance(first, Span) and same_version(item.gold, first)
    if isinstance(item, StanceItem):
        return item.gold is not None and isinstance(first, Stance) and item.gold.value == first.value
    return item.gold is not None


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


def visible_layers(
    project: Project, me_id: int, doc_id: int, wanted_ids: Iterable[int], *, blind: bool | None = None
) -> list[int]:
    """The layers of `wanted_ids` I may see: all, unless blind mode is on and I have not finished.
    `blind`: whether blind mode is on, when the caller knows (default: read from the project)."""
    wanted = list(dict.fromkeys(wanted_ids))
    if not (is_blind(project) if blind is None else blind):
        return wanted
    with project.session() as s:
        done = q.get_status(s, doc_id, me_id).status == Status.DONE
    return wanted if done else [i for i in wanted if i == me_id]
