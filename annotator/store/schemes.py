"""The project's scheme versions, the use counts of scheme elements, and renaming stored names.

Every scheme the project has had is a row (TOML text, time), its author a meta fact beside it; the
newest is in force. A rename is applied to the stored rows in the same transaction as the new version, so the
database always holds current names and the aliases only serve what comes from outside (old JSONL
files, colleagues' older projects).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, Result, func, select, update
from sqlalchemy.orm import Session

from annotator.model.errors import StaleWriteError
from annotator.model.scheme import Scheme
from annotator.model.scheme_usage import SchemeUsage
from annotator.store.engine import utc_now
from annotator.store.tables import CommentRow, MetaRow, RelationRow, SchemeRow, SpanRow, StanceRow

_BATCH = 2000
_AUTHOR = "scheme_author."
"""Meta key prefix of a version's author (the schemes table predates authors; no migration needed)."""


@dataclass(frozen=True)
class SchemeVersion:
    id: int
    toml: str
    installed_at: str
    author: str


def current_toml(session: Session) -> str | None:
    row = session.scalars(select(SchemeRow).order_by(SchemeRow.id.desc()).limit(1)).first()
    return row.toml if row else None


def supersede_current(session: Session) -> str | None:
    """Mark the scheme in force as replaced (its version goes up by one, and only from the version
    read here, so of two people applying a change to it at once the second is refused with
    StaleWriteError) and return its TOML, which the caller compares with what it planned against."""
    row = session.execute(select(SchemeRow.id, SchemeRow.toml, SchemeRow.version).order_by(SchemeRow.id.desc())).first()
    if row is None:
        return None
    bumped = session.execute(
        update(SchemeRow)
        .where(SchemeRow.id == row.id, SchemeRow.version == row.version)
        .values(version=SchemeRow.version + 1)
    )
    if _count(bumped) != 1:
        raise StaleWriteError("someone else changed the scheme while this change was being saved; nothing was saved")
    return str(row.toml)


def add_version(session: Session, toml: str, author: str) -> None:
    row = SchemeRow(toml=toml, installed_at=utc_now())
    session.add(row)
    session.flush()
    session.add(MetaRow(key=f"{_AUTHOR}{row.id}", value=author))


def versions(session: Session) -> list[SchemeVersion]:
    authors = dict(session.execute(select(MetaRow.key, MetaRow.value).where(MetaRow.key.startswith(_AUTHOR))).all())
    rows = session.execute(select(SchemeRow.id, SchemeRow.toml, SchemeRow.installed_at).order_by(SchemeRow.id)).all()
    return [SchemeVersion(r[0], r[1], r[2], authors.get(f"{_AUTHOR}{r[0]}", "")) for r in rows]


def usage(session: Session) -> SchemeUsage:
    """How many spans, relations and stances use each label, attribute, value, type, target and value."""
    counts = SchemeUsage()
    for label, attributes in session.execute(select(SpanRow.label, SpanRow.attributes)).yield_per(_BATCH):
        counts.labels[label] += 1
        for key, value in (attributes or {}).items():
            counts.attributes[(label, key)] += 1
            counts.values[(label, key, str(value))] += 1
    for rtype, n in session.execute(select(RelationRow.type, func.count()).group_by(RelationRow.type)):
        counts.relations[rtype] = n
    stance_counts = select(StanceRow.target, StanceRow.value, func.count()).group_by(StanceRow.target, StanceRow.value)
    for target, value, n in session.execute(stance_counts):
        counts.targets[target] += n
        counts.stance_values[value] += n
    return counts


def _count(result: Result[Any]) -> int:
    return cast(CursorResult[Any], result).rowcount or 0


def rename_to_current(session: Session, scheme: Scheme) -> int:
    """Rewrite every stored name that is an alias in `scheme` to its current name; returns rows changed."""
    changed = 0
    for rtype in session.scalars(select(RelationRow.type).distinct()).all():
        if scheme.canonical_relation(rtype) != rtype:
            result = session.execute(
                update(RelationRow)
                .where(RelationRow.type == rtype)
                .values(type=scheme.canonical_relation(rtype), version=RelationRow.version + 1)
            )
            changed += _count(result)
    for target in session.scalars(select(StanceRow.target).distinct()).all():
        if scheme.canonical_target(target) != target:
            result = session.execute(
                update(StanceRow)
                .where(StanceRow.target == target)
                .values(target=scheme.canonical_target(target), version=StanceRow.version + 1)
            )
            changed += _count(result)
    for value in session.scalars(select(StanceRow.value).distinct()).all():
        if scheme.canonical_stance_value(value) != value:
            new_value = scheme.canonical_stance_value(value)
            result = session.execute(
                update(StanceRow).where(StanceRow.value == value).values(value=new_value, version=StanceRow.version + 1)
            )
            changed += _count(result)
    updates: list[dict[str, object]] = []
    # An ORM bulk UPDATE by primary key of a versioned row takes the version read: it checks and bumps it.
    rows = session.execute(select(SpanRow.id, SpanRow.label, SpanRow.attributes, SpanRow.version)).yield_per(_BATCH)
    for span_id, label, attributes, version in rows.all():
        new_label = scheme.canonical_label(label)
        new_attrs = scheme.canonical_attributes(label, attributes or {})
        if new_label != label or new_attrs != (attributes or {}):
            updates.append({"id": span_id, "label": new_label, "attributes": new_attrs, "version": version})
    for start in range(0, len(updates), _BATCH):
        session.execute(update(SpanRow), updates[start : start + _BATCH])
    return changed + len(updates)


def rewrite_item_keys(session: Session, rename: Callable[[str], str]) -> int:
    """Apply `rename` to every comment's item key (review rejections are comments too)."""
    updates: list[dict[str, object]] = []
    for comment_id, key, version in session.execute(select(CommentRow.id, CommentRow.item_key, CommentRow.version)):
        new = rename(key)
        if new != key:
            updates.append({"id": comment_id, "item_key": new, "version": version})
    if updates:
        session.execute(update(CommentRow), updates)
    return len(updates)
