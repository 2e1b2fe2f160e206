"""Span corrections: move a span's edges, or give it another label, keeping what still applies.

A resize keeps the span's id, so its attributes, attribution links and claim stances stay with it.
A relabel keeps the attributes the new label defines, the links whose ends still fit a relation
type, and the claim stances when the new label may carry one; everything else is removed and
reported in the returned `SpanEdit`, which also holds what undo needs (`revert_span_edit`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from annotator.model.changes import Changes
from annotator.model.errors import SchemeError, ValidationError
from annotator.model.types import Relation, Span, Stance, check_offsets
from annotator.services.annotations import fill_from_registry, refresh_aliases
from annotator.services.project import Project
from annotator.store import annotations as q
from annotator.store import documents as docs


@dataclass(frozen=True)
class SpanEdit:
    """One span before and after an edit, and what the edit removed along the way."""

    before: Span
    after: Span
    dropped_attributes: tuple[str, ...] = ()
    dropped_relations: tuple[Relation, ...] = ()
    dropped_stances: tuple[Stance, ...] = ()

    def dropped_text(self) -> str:
        """What was dropped, in words for the status bar ("" when nothing was)."""
        parts = [f"{name.replace('_', ' ')} = {self.before.attributes[name]}" for name in self.dropped_attributes]
        parts += [f"{rel.type.replace('_', ' ')} link" for rel in self.dropped_relations]
        parts += [f"claim stance on {st.target.replace('_', ' ')}" for st in self.dropped_stances]
        return ", ".join(parts)


def _changes(doc_id: int, span_id: int) -> Changes:
    return Changes(doc_ids=frozenset({doc_id}), spans=True, relations=True, stances=True, span_ids=frozenset({span_id}))


def resize_span(project: Project, span_id: int, start: int, end: int) -> tuple[SpanEdit, Changes]:
    """Give the span new offsets; it keeps its id, label, attributes, links and stances. A source
    whose canonical name is still empty gets the one the registry knows for its new text (tagged
    "Zelenskyy told", trimmed to "Zelenskyy": "Volodymyr Zelensky"), as a new span would."""
    with project.session() as s:
        before = q.get_span(s, span_id)
        text = docs.get_document(s, before.doc_id).text
        check_offsets(text, start, end)
        attributes = dict(before.attributes)
        fill_from_registry(project, s, before.label, text[start:end], attributes)
        filled = {"attributes": attributes} if attributes != before.attributes else {}
        after = q.update_span(s, span_id, start=start, end=end, text=text[start:end], **filled)
        refresh_aliases(project, s, before, after)
    return SpanEdit(before, after), _changes(before.doc_id, span_id)


def relabel_span(project: Project, span_id: int, label: str) -> tuple[SpanEdit, Changes]:
    """Give the span another label, dropping the attributes, links and claim stances that the
    scheme does not allow on the new label."""
    scheme = project.scheme
    lab = scheme.label(label)
    if lab is None:
        raise ValidationError(f"label {label!r} is not in the scheme (known: {', '.join(scheme.label_names)})")
    with project.session() as s:
        before = q.get_span(s, span_id)
        kept: dict[str, str] = {}
        for name, value in before.attributes.items():
            attr = lab.attribute(name)
            try:
                if attr is not None:
                    attr.validate_value(value)
                    kept[name] = value
            except SchemeError:
                pass
        dropped_attrs = tuple(name for name in before.attributes if name not in kept)
        dropped_rels = tuple(
            r for r in q.relations_touching(s, [span_id]) if not _fits(project, r, span_id, lab.name, s)
        )
        dropped_stances = tuple(q.stances_on_spans(s, [span_id])) if lab.name not in scheme.stance_span_labels else ()
        for rel in dropped_rels:
            q.delete_relation(s, rel.id)
        for stance in dropped_stances:
            q.delete_stance(s, stance.id)
        after = q.update_span(s, span_id, label=lab.name, attributes=kept)
    return SpanEdit(before, after, dropped_attrs, dropped_rels, dropped_stances), _changes(before.doc_id, span_id)


def _fits(project: Project, rel: Relation, span_id: int, new_label: str, s: Any) -> bool:
    """Whether relation `rel` still joins the right labels once span `span_id` is `new_label`."""
    rel_type = project.scheme.relation(rel.type)
    if rel_type is None:
        return False
    other_id = rel.to_span if rel.from_span == span_id else rel.from_span
    other = project.scheme.canonical_label(q.get_span(s, other_id).label)
    from_label = new_label if rel.from_span == span_id else other
    to_label = new_label if rel.to_span == span_id else other
    return (from_label, to_label) == (rel_type.from_label, rel_type.to_label)


def revert_span_edit(project: Project, edit: SpanEdit) -> Changes:
    """Undo a resize or relabel: the span's old label, attributes and offsets, and whatever the
    edit dropped, come back with their old ids."""
    old = edit.before
    with project.session() as s:
        restored = q.update_span(
            s, old.id, label=old.label, attributes=dict(old.attributes), start=old.start, end=old.end, text=old.text
        )
        refresh_aliases(project, s, edit.after, restored)
        for rel in edit.dropped_relations:
            q.insert_relation(s, rel)
        for stance in edit.dropped_stances:
            q.insert_stance(s, stance)
    return _changes(old.doc_id, old.id)


def redo_span_edit(project: Project, edit: SpanEdit) -> Changes:
    """Redo an edit undone by `revert_span_edit`, with the same outcome as the first time."""
    new = edit.after
    with project.session() as s:
        for rel in edit.dropped_relations:
            q.delete_relation(s, rel.id)
        for stance in edit.dropped_stances:
            q.delete_stance(s, stance.id)
        redone = q.update_span(
            s, new.id, label=new.label, attributes=dict(new.attributes), start=new.start, end=new.end, text=new.text
        )
        refresh_aliases(project, s, edit.before, redone)
    return _changes(new.doc_id, new.id)
