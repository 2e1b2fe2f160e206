"""Annotation use-cases: one transaction per user action, each returning what changed.

Every mutation returns the values an undo command needs (the row before and after), so the GUI's
QUndoCommands store ids and values only and call back into these functions.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from annotator.model.changes import Changes
from annotator.model.errors import SchemeError, StaleWriteError, ValidationError
from annotator.model.types import (
    DocStatus,
    Origin,
    Relation,
    Span,
    Stance,
    Status,
    check_fragments,
    check_offsets,
    fragments_text,
)
from annotator.services.project import Project
from annotator.store import Session, locks
from annotator.store import annotations as q
from annotator.store import documents as docs
from annotator.store import sources as registry

REGISTRY = "source_registry"
"""The scheme's `completion` value for attributes backed by the project's source registry."""


@dataclass(frozen=True)
class RemovedSpan:
    """A deleted span with the relations and stances that went with it, for undo."""

    span: Span
    relations: tuple[Relation, ...] = ()
    stances: tuple[Stance, ...] = ()


@dataclass(frozen=True)
class LinkResult:
    relation: Relation
    replaced: tuple[Relation, ...] = field(default_factory=tuple)


def _changes(doc_id: int, span_id: int | None = None, **kinds: bool) -> Changes:
    """What changed in document `doc_id`; `span_id`: the one span added, changed or deleted."""
    return Changes(doc_ids=frozenset({doc_id}), span_ids=None if span_id is None else frozenset({span_id}), **kinds)


@contextmanager
def _adding(project: Project, doc_id: int, annotator_id: int) -> Iterator[Session]:
    """The session of a write that may add a row to a layer after checking what is there (a
    stance where I saw none, a link replacing the claim's old one): its check and write see the
    same layer. On gold, a review decision's hold on the document (store.locks.hold_gold_writes),
    so two curators, or a curator and a decision, cannot both pass the check; on a file, the write
    lock from the first read."""
    with project.locked_session() as s:
        locks.hold_gold_writes(s, doc_id, annotator_id)
        yield s


def _check_span(project: Project, label: str, attributes: dict[str, str]) -> str:
    try:
        project.scheme.validate_span(label, attributes)
    except SchemeError as exc:
        raise ValidationError(str(exc)) from exc
    return project.scheme.canonical_label(label)


def add_span(
    project: Project,
    doc_id: int,
    annotator_id: int,
    label: str,
    start: int,
    end: int,
    attributes: dict[str, str] | None = None,
    *,
    span_id: int = 0,
) -> tuple[Span, Changes]:
    """Add a span to a layer. One the layer already holds (same label, offsets and attributes, in one
    piece) is given back and nothing changes, as `link` does for a link: two curators adding one gold
    span at once (their check and write hold gold, see `_adding`), or a view that had not shown it."""
    attrs = dict(attributes or {})
    label = _check_span(project, label, attrs)
    with _adding(project, doc_id, annotator_id) as s:
        doc = docs.get_document(s, doc_id)
        check_offsets(doc.text, start, end)
        fill_from_registry(project, s, label, doc.text[start:end], attrs)
        held = next((h for h in q.spans_at(s, doc_id, annotator_id, label, start, end) if _same(h, attrs)), None)
        if held is not None:
            return held, Changes()
        span = Span(span_id, doc_id, annotator_id, label, start, end, doc.text[start:end], attrs, Origin.MANUAL)
        span = q.insert_span(s, span)
        _mark_in_progress(s, doc_id, annotator_id)
    return span, _changes(doc_id, span.id, spans=True, status=True, done_kept=True)


def _same(held: Span, attributes: dict[str, str]) -> bool:
    return not held.fragments and dict(held.attributes) == attributes


def delete_span(project: Project, span_id: int) -> tuple[RemovedSpan, Changes]:
    with project.session() as s:
        span = q.get_span(s, span_id)
        removed = RemovedSpan(span, tuple(q.relations_touching(s, [span_id])), tuple(q.stances_on_spans(s, [span_id])))
        q.delete_span(s, span_id)
        _forget_alias(project, s, span)
        _settle_status(s, span.doc_id, span.annotator_id)
    return removed, _changes(
        span.doc_id, span.id, spans=True, relations=True, stances=True, status=True, done_kept=True
    )


def restore_span(project: Project, removed: RemovedSpan) -> Changes:
    """Undo a delete: the span, its relations and stances come back with their old ids."""
    with project.session() as s:
        q.insert_span(s, removed.span)
        for rel in removed.relations:
            q.insert_relation(s, rel)
        for stance in removed.stances:
            q.insert_stance(s, stance)
        _register_aliases(project, s, removed.span)
        _mark_in_progress(s, removed.span.doc_id, removed.span.annotator_id)
    return _changes(
        removed.span.doc_id, removed.span.id, spans=True, relations=True, stances=True, status=True, done_kept=True
    )


def update_span(
    project: Project,
    span_id: int,
    *,
    label: str | None = None,
    attributes: dict[str, str] | None = None,
    start: int | None = None,
    end: int | None = None,
    expected_version: int | None = None,
) -> tuple[Span, Span, Changes]:
    """Change label, attributes or offsets. Returns (before, after, changes).

    With `expected_version` (the version of the span the user saw) a span someone else changed
    since is left alone: StaleWriteError carries it as stored now and as this write would have
    made it; nothing is saved. Passing the stored version back keeps mine."""
    return _checked_update(project, span_id, label, attributes, start, end, expected_version)


def _checked_update(
    project: Project,
    span_id: int,
    label: str | None,
    attributes: dict[str, str] | None,
    start: int | None,
    end: int | None,
    expected_version: int | None,
    attribute: tuple[str, str | None] | None = None,
) -> tuple[Span, Span, Changes]:
    try:
        return _update_span(project, span_id, label, attributes, start, end, expected_version, attribute)
    except StaleWriteError as exc:
        if exc.stored is not None or expected_version is None:
            raise
        # Changed between our read and our write (another transaction committed in between).
        with project.session() as s:
            stored = q.get_span(s, span_id)
        raise StaleWriteError(_stale_message(stored), stored=stored) from exc


def _stale_message(stored: Span) -> str:
    return (
        f"someone else changed this {stored.label} span since you saw it (it is now version {stored.version}); "
        "your change was not saved"
    )


def _update_span(
    project: Project,
    span_id: int,
    label: str | None,
    attributes: dict[str, str] | None,
    start: int | None,
    end: int | None,
    expected_version: int | None,
    attribute: tuple[str, str | None] | None = None,
) -> tuple[Span, Span, Changes]:
    """`attribute` (name, value; None or "" removes it) changes one attribute of the stored ones,
    read in the same transaction (one session per action: `set_attribute`)."""
    with project.session() as s:
        before = q.get_span(s, span_id)
        if attribute is not None:
            name, value = attribute
            attributes = {k: v for k, v in before.attributes.items() if k != name or value}
            if value:
                attributes[name] = value
        new_label = before.label if label is None else label
        new_attrs = dict(before.attributes if attributes is None else attributes)
        if label is not None and attributes is None:
            lab = project.scheme.label(new_label)
            new_attrs = {k: v for k, v in new_attrs.items() if lab and lab.attribute(k)}
        new_label = _check_span(project, new_label, new_attrs)
        values: dict[str, Any] = {"attributes": new_attrs}
        if new_label != before.label:  # an unchanged label is not written: the score (labels and
            values["label"] = new_label  # offsets only) then needs no refresh (store.disagreement)
        if start is not None or end is not None:
            doc = docs.get_document(s, before.doc_id)
            new_start = before.start if start is None else start
            new_end = before.end if end is None else end
            check_offsets(doc.text, new_start, new_end)
            if before.fragments:  # a discontinuous span: the first piece starts, the last one ends, anew
                pieces = [list(p) for p in before.fragments]
                pieces[0][0], pieces[-1][1] = new_start, new_end
                values.update(_fragment_values(doc.text, pieces))
            else:
                values.update(start=new_start, end=new_end, text=doc.text[new_start:new_end])
        if expected_version is not None and before.version != expected_version:
            raise StaleWriteError(_stale_message(before), stored=before, mine=replace(before, **values))
        after = q.update_span(s, span_id, **values)
        refresh_aliases(project, s, before, after)
    return before, after, _changes(before.doc_id, before.id, spans=True)


def _fragment_values(text: str, pieces: list[list[int]]) -> dict[str, Any]:
    """start, end, text and fragments of a span made of `pieces` (validated; one piece: continuous)."""
    fragments = check_fragments(text, pieces)
    if not fragments:
        (start, end), *_ = pieces
        return {"start": start, "end": end, "text": text[start:end], "fragments": ()}
    return {
        "start": fragments[0][0],
        "end": fragments[-1][1],
        "text": fragments_text(text, fragments),
        "fragments": fragments,
    }


def set_fragments(project: Project, span_id: int, pieces: tuple[tuple[int, int], ...]) -> tuple[Span, Span, Changes]:
    """Make the span exactly these pieces (sorted, non-overlapping; one piece: a continuous span)."""
    with project.session() as s:
        before = q.get_span(s, span_id)
        doc = docs.get_document(s, before.doc_id)
        after = q.update_span(s, span_id, **_fragment_values(doc.text, [list(p) for p in pieces]))
    return before, after, _changes(before.doc_id, before.id, spans=True)


def add_fragment(project: Project, span_id: int, start: int, end: int) -> tuple[Span, Span, Changes]:
    """Add start..end as another piece of the span ("... ," he said, "..." is one quote in two pieces).
    A piece touching or overlapping an existing one is merged with it."""
    with project.session() as s:
        span = q.get_span(s, span_id)
        check_offsets(docs.get_document(s, span.doc_id).text, start, end)
    merged: list[list[int]] = []
    for a, b in sorted([*span.parts, (start, end)]):
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    if len(merged) == len(span.parts) and [list(p) for p in span.parts] == merged:
        raise ValidationError("that text is already part of the span")
    return set_fragments(project, span_id, tuple((a, b) for a, b in merged))


def set_attribute(
    project: Project, span_id: int, name: str, value: str | None, *, expected_version: int | None = None
) -> tuple[Span, Span, Changes]:
    """Set one attribute (None or "" removes it); `expected_version` as for `update_span`. One
    transaction: the other attributes are the ones stored when it writes."""
    return _checked_update(project, span_id, None, None, None, None, expected_version, (name, value))


def link(project: Project, relation_type: str, from_span: int, to_span: int) -> tuple[LinkResult, Changes]:
    """Link two spans. Where the scheme allows one link per span, the old link is replaced."""
    rel_type = project.scheme.relation(relation_type)
    if rel_type is None:
        raise ValidationError(f"relation type {relation_type!r} is not in the scheme")
    with project.locked_session() as s:
        a, b = q.get_span(s, from_span), q.get_span(s, to_span)
        locks.hold_gold_writes(s, a.doc_id, a.annotator_id)  # before the claim's links are read
        if a.doc_id != b.doc_id or a.annotator_id != b.annotator_id:
            raise ValidationError("a relation joins two spans of the same document and annotator")
        if (project.scheme.canonical_label(a.label), project.scheme.canonical_label(b.label)) != (
            rel_type.from_label,
            rel_type.to_label,
        ):
            raise ValidationError(
                f"{rel_type.name} goes from a {rel_type.from_label} to a "
                f"{rel_type.to_label}, not from {a.label} to {b.label}"
            )
        existing = [
            r for r in q.relations_touching(s, [from_span]) if r.from_span == from_span and r.type == rel_type.name
        ]
        if any(r.to_span == to_span for r in existing):
            same = next(r for r in existing if r.to_span == to_span)
            return LinkResult(same), _changes(a.doc_id)
        replaced: list[Relation] = []
        if rel_type.max_per_from is not None and len(existing) >= rel_type.max_per_from:
            for old in existing[: len(existing) - rel_type.max_per_from + 1]:
                q.delete_relation(s, old.id)
                replaced.append(old)
        rel = q.insert_relation(s, Relation(0, a.doc_id, a.annotator_id, rel_type.name, from_span, to_span))
    return LinkResult(rel, tuple(replaced)), _changes(a.doc_id, relations=True)


def unlink(project: Project, relation_id: int) -> Changes:
    with project.session() as s:
        rel = next((r for r in q.relations_for_ids(s, [relation_id])), None)
        if rel is None:
            return Changes()
        q.delete_relation(s, relation_id)
    return _changes(rel.doc_id, relations=True)


def restore_relations(project: Project, relations: tuple[Relation, ...]) -> Changes:
    changes = Changes()
    with project.session() as s:
        for rel in relations:
            q.insert_relation(s, rel)
            changes = changes | _changes(rel.doc_id, relations=True)
    return changes


def set_stance(
    project: Project,
    doc_id: int,
    annotator_id: int,
    target: str,
    value: str | None,
    span_id: int | None = None,
    *,
    expected_version: int | None = None,
) -> tuple[str | None, Changes]:
    """Set (or with None clear) a stance. Returns the previous value, for undo.

    With `expected_version` (the version of the stance the user saw, 0 for none) a stance someone
    else set, changed or cleared since is left alone: StaleWriteError carries it as stored now
    (None: cleared) and as this write would have made it; nothing is saved."""
    previous, _version, changes = write_stance(
        project, doc_id, annotator_id, target, value, span_id, expected_version=expected_version
    )
    return previous, changes


def write_stance(
    project: Project,
    doc_id: int,
    annotator_id: int,
    target: str,
    value: str | None,
    span_id: int | None = None,
    *,
    expected_version: int | None = None,
) -> tuple[str | None, int, Changes]:
    """`set_stance`, also returning the version it stored (0: cleared), which a later write names."""
    try:
        if value is not None:
            project.scheme.validate_stance(target, value)
        elif project.scheme.target(target) is None:
            raise SchemeError(f"stance target {target!r} is not in the scheme")
    except SchemeError as exc:
        raise ValidationError(str(exc)) from exc
    version = 0
    with _adding(project, doc_id, annotator_id) as s:
        old = q.find_stance(s, doc_id, annotator_id, target, span_id)
        if expected_version is not None and (old.version if old else 0) != expected_version:
            mine = Stance(old.id if old else 0, doc_id, annotator_id, target, value or "", span_id)
            raise StaleWriteError(
                f"someone else {'set' if old else 'cleared'} the stance on {target} since you saw it; "
                "your change was not saved",
                stored=old,
                mine=mine if value is not None else None,
            )
        if old is not None and value is None:
            q.delete_stance(s, old.id)
        elif old is not None and value is not None:
            version = q.update_stance_value(s, old.id, value).version
        elif value is not None:
            fresh = Stance(0, doc_id, annotator_id, target, value, span_id)
            version = q.insert_stance(s, fresh, version=q.next_stance_version(s, doc_id, annotator_id)).version
        if value is not None:
            _mark_in_progress(s, doc_id, annotator_id)
        else:
            _settle_status(s, doc_id, annotator_id)
    return (old.value if old else None), version, _changes(doc_id, stances=True, status=True, done_kept=True)


def stance_version(project: Project, doc_id: int, annotator_id: int, target: str, span_id: int | None = None) -> int:
    """The stored version of a stance (0: there is none), what a later `set_stance` names."""
    with project.session() as s:
        stance = q.find_stance(s, doc_id, annotator_id, target, span_id)
    return stance.version if stance else 0


def set_status(project: Project, doc_id: int, annotator_id: int, status: Status) -> tuple[Status, Changes]:
    """Returns the previous status, for undo."""
    with project.session() as s:
        before = q.get_status(s, doc_id, annotator_id).status
        q.put_status(s, doc_id, annotator_id, status=status)
    return before, _changes(doc_id, status=True)


def add_time(project: Project, doc_id: int, annotator_id: int, seconds: float) -> DocStatus:
    with project.session() as s:
        current = q.get_status(s, doc_id, annotator_id)
        return q.put_status(s, doc_id, annotator_id, seconds=current.seconds + max(0.0, seconds))


def set_note(project: Project, doc_id: int, annotator_id: int, note: str) -> tuple[str, Changes]:
    with project.session() as s:
        before = q.get_status(s, doc_id, annotator_id).note
        q.put_status(s, doc_id, annotator_id, note=note)
    return before, _changes(doc_id, status=True, done_kept=True)


def _registry_attributes(project: Project, label: str) -> list[str]:
    lab = project.scheme.label(label)
    return [a.name for a in lab.attributes if a.completion == REGISTRY] if lab else []


def fill_from_registry(project: Project, s: Any, label: str, text: str, attrs: dict[str, str]) -> None:
    """A new span whose text the registry knows gets its canonical name at once ("Zelenskyy" ->
    "Volodymyr Zelensky"), so a name is normalised once per project, not once per mention; so does
    a span whose edges moved onto such a text while its name was still empty (`span_edits`)."""
    names = _registry_attributes(project, label)
    if names and any(n not in attrs for n in names):
        canonical = docs.canonical_name(s, text.strip())
        for name in names:
            if canonical and name not in attrs:
                attrs[name] = canonical


def _register_aliases(project: Project, s: Any, span: Span) -> None:
    """Setting a registry-backed attribute records the span's text as an alias of that name."""
    for name in _registry_attributes(project, span.label):
        canonical = span.attributes.get(name, "").strip()
        if canonical:
            docs.register_source_alias(s, span.text.strip(), canonical)
            docs.register_source_alias(s, canonical, canonical)


def refresh_aliases(project: Project, s: Any, before: Span, after: Span) -> None:
    """After a span changed: its text is an alias of its canonical name, and its old spelling leaves
    the registry when no live span is written that way any more."""
    _register_aliases(project, s, after)
    if after.text != before.text:
        _forget_alias(project, s, before)


def _forget_alias(project: Project, s: Any, span: Span) -> None:
    """A deleted span takes its spelling out of the registry when no live span is written that way,
    so a span deleted for a wrong size leaves no alias behind to be offered again."""
    fields = [
        ((lab.name, *lab.aliases), a) for lab in project.scheme.labels for a in _registry_attributes(project, lab.name)
    ]
    text = span.text.strip()
    if not fields or not text or not any(span.attributes.get(a) for _, a in fields):
        return
    if registry.live_texts(s, fields, span.text) == 0 and text not in span.attributes.values():
        registry.put_alias(s, text, None)


def _settle_status(s: Any, doc_id: int, annotator_id: int) -> None:
    """Status follows the annotations: with the last of mine gone, an in-progress document is not
    started again (a document I marked done stays done)."""
    if q.get_status(s, doc_id, annotator_id).status == Status.IN_PROGRESS and not q.has_annotations(
        s, doc_id, annotator_id
    ):
        q.put_status(s, doc_id, annotator_id, status=Status.NOT_STARTED)


def follow_annotations(s: Any, doc_id: int, annotator_id: int) -> None:
    """The layer's status after any change to its annotations of the document: in progress once it
    holds some (a review decision filling gold), not started again with none (done stays done)."""
    if q.has_annotations(s, doc_id, annotator_id):
        _mark_in_progress(s, doc_id, annotator_id)
    else:
        _settle_status(s, doc_id, annotator_id)


def _mark_in_progress(s: Any, doc_id: int, annotator_id: int) -> None:
    if q.get_status(s, doc_id, annotator_id).status == Status.NOT_STARTED:
        q.put_status(s, doc_id, annotator_id, status=Status.IN_PROGRESS)
