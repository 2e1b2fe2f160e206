"""Fingerprints of a layer, to tell an identical re-import (a duplicate) from a differing one.

Computed the same for a stored layer (`stored_content`) and for a line's rows (`LineRows.content`):
an order-free tuple of the spans (label, offsets, attributes, fragments), the relations (type, the
spans at both ends and in each role, attributes) and the stances, under the scheme's current names.
"""

from __future__ import annotations

from typing import Any

from annotator.model.types import Relation, Span, Stance

SpanKey = tuple[str, int, int, tuple[tuple[str, str], ...], tuple[tuple[int, int], ...]]
RelationKey = tuple[str, SpanKey, SpanKey, tuple[tuple[str, SpanKey], ...], tuple[tuple[str, str], ...]]
Content = tuple[tuple[SpanKey, ...], tuple[RelationKey, ...], tuple[tuple[str, str, Any], ...]]


def stored_content(spans: list[Span], relations: list[Relation], stances: list[Stance]) -> Content | tuple[()]:
    """The fingerprint (`content_key`) of a stored layer."""
    keys = {s.id: span_key(s.label, s.start, s.end, s.attributes, s.fragments) for s in spans}
    relation_keys = [
        relation_key(
            r.type,
            keys[r.from_span],
            keys[r.to_span],
            {role: keys[i] for role, i in r.args.items() if i in keys},
            r.attributes,
        )
        for r in relations
    ]
    stance_keys = [(s.target, s.value, keys[s.span_id] if s.span_id is not None else ()) for s in stances]
    return content_key(list(keys.values()), relation_keys, stance_keys)


def span_key(label: str, start: int, end: int, attributes: Any, fragments: tuple[tuple[int, int], ...] = ()) -> SpanKey:
    return (label, start, end, tuple(sorted(dict(attributes).items())), tuple(fragments))


def relation_key(
    rtype: str, source: SpanKey, target: SpanKey, args: dict[str, SpanKey], attributes: Any
) -> RelationKey:
    return (rtype, source, target, tuple(sorted(args.items())), tuple(sorted(dict(attributes).items())))


def content_key(
    spans: list[SpanKey], relations: list[RelationKey], stances: list[tuple[str, str, Any]]
) -> Content | tuple[()]:
    """An order-free fingerprint of a layer, to tell an identical re-import from a different one."""
    if not spans and not relations and not stances:
        return ()
    return (tuple(sorted(spans)), tuple(sorted(relations)), tuple(sorted(stances)))
