"""The project's source registry as a use-case: canonical names ranked by use, their aliases, and the
three edits the Sources window offers (rename a name, merge two, move an alias to another name).

Canonical names come from live spans only, so a span deleted for a wrong size takes its spelling
with it. Aliases are the spellings written on the spans (plus the alias table, which remembers a
spelling for names typed once and for merges). Every edit returns a `RegistryEdit` holding the
affected spans' attributes and alias rows before and after, so an undo command applies `before` and
a redo applies `after`: ids and values only, the same round trip every time.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, replace

from annotator.model.changes import Changes
from annotator.model.errors import NotFoundError, StaleWriteError, ValidationError
from annotator.model.types import Span
from annotator.services.annotations import REGISTRY
from annotator.services.project import Project
from annotator.store import Session
from annotator.store import annotations as store_ann
from annotator.store import sources as q
from annotator.store.sources import RegistryField


@dataclass(frozen=True)
class Alias:
    text: str
    count: int  # live spans written this way


@dataclass(frozen=True)
class SourceName:
    name: str
    count: int  # live spans with this canonical name
    aliases: tuple[Alias, ...]  # other spellings, most used first


@dataclass(frozen=True)
class RegistryState:
    """Span attributes and alias rows as they stand on one side of an edit."""

    spans: tuple[tuple[int, int, tuple[tuple[str, str], ...]], ...] = ()  # (span id, doc id, attributes)
    aliases: tuple[tuple[str, str | None], ...] = ()  # (alias, canonical or None for absent)


@dataclass(frozen=True)
class RegistryEdit:
    text: str  # what the edit did, for the undo menu and status bar
    before: RegistryState
    after: RegistryState


def registry_fields(project: Project) -> list[RegistryField]:
    return [
        ((lab.name, *lab.aliases), attr.name)
        for lab in project.scheme.labels
        for attr in lab.attributes
        if attr.completion == REGISTRY
    ]


def source_names(project: Project) -> list[SourceName]:
    """Every canonical name on a live span, most used first, each with its other spellings."""
    fields = registry_fields(project)
    if not fields:
        return []
    with project.session() as s:
        rows = q.name_counts(s, fields)
        table = q.aliases(s)
    totals: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for name, text, n in rows:
        totals[name] += n
        spelling = text.strip()
        if spelling and spelling != name:
            spellings[name][spelling] += n
    for alias, name in table.items():
        if name in totals and alias != name and alias not in spellings[name]:
            spellings[name][alias] += 0
    return [
        SourceName(name, n, tuple(Alias(a, c) for a, c in sorted(spellings[name].items(), key=lambda x: (-x[1], x[0]))))
        for name, n in sorted(totals.items(), key=lambda x: (-x[1], x[0].casefold()))
    ]


def completions(project: Project) -> list[str]:
    """Canonical names only, most used first: what the canonical-name field offers."""
    return [n.name for n in source_names(project)]


def alias_map(project: Project) -> dict[str, str]:
    """Spelling -> canonical name, so typing a known alias stores its canonical name."""
    with project.session() as s:
        table = q.aliases(s)
    live = {n.name for n in source_names(project)}
    return {alias: name for alias, name in table.items() if alias != name and name in live}


def _edit_spans(
    project: Project, spans: list[tuple[int, int, dict[str, str]]], new_name: str
) -> tuple[list[tuple[int, int, tuple[tuple[str, str], ...]]], list[tuple[int, int, tuple[tuple[str, str], ...]]]]:
    attrs = {a for _, a in registry_fields(project)}
    before, after = [], []
    for span_id, doc_id, old in spans:
        new = {k: (new_name if k in attrs and v else v) for k, v in old.items()}
        before.append((span_id, doc_id, tuple(sorted(old.items()))))
        after.append((span_id, doc_id, tuple(sorted(new.items()))))
    return before, after


def _clean(name: str) -> str:
    name = name.strip()
    if not name:
        raise ValidationError("a source name cannot be empty")
    return name


def _retarget(project: Project, old: str, new: str, keep_old_as_alias: bool, text: str) -> tuple[RegistryEdit, Changes]:
    """Every span named `old` is named `new`; alias rows pointing at `old` point at `new`."""
    fields = registry_fields(project)
    with project.session() as s:
        spans = q.spans_named(s, fields, old)
        table = q.aliases(s)
    if not spans:
        raise ValidationError(f"no span is named {old!r}")
    before_spans, after_spans = _edit_spans(project, spans, new)
    alias_before: list[tuple[str, str | None]] = [(a, c) for a, c in table.items() if c == old or a in (old, new)]
    moved: dict[str, str | None] = {a: (new if c == old else c) for a, c in alias_before}
    moved[new] = new
    moved[old] = new if keep_old_as_alias else None
    alias_before += [(a, None) for a in moved if a not in table]
    before = RegistryState(tuple(before_spans), tuple(sorted(alias_before, key=lambda x: x[0])))
    after = RegistryState(tuple(after_spans), tuple(sorted(moved.items())))
    edit = RegistryEdit(text, before, after)
    return edit, apply_state(project, after, expected=before)


def rename_source(project: Project, old: str, new: str) -> tuple[RegistryEdit, Changes]:
    """Correct a canonical name's spelling everywhere; the old spelling is not kept."""
    old, new = _clean(old), _clean(new)
    if new == old:
        raise ValidationError("the new name is the same as the old one")
    if new in {n.name for n in source_names(project)}:
        raise ValidationError(f"{new!r} is already a source name: merge the two instead")
    return _retarget(project, old, new, False, f"Rename source {old} to {new}")


def merge_sources(project: Project, absorbed: str, into: str) -> tuple[RegistryEdit, Changes]:
    """`absorbed` was a variant of `into`: its spans take `into`, and it stays on as an alias."""
    absorbed, into = _clean(absorbed), _clean(into)
    if absorbed == into:
        raise ValidationError("pick two different names to merge")
    if into not in {n.name for n in source_names(project)}:
        raise ValidationError(f"no span is named {into!r}")
    return _retarget(project, absorbed, into, True, f"Merge source {absorbed} into {into}")


def move_alias(project: Project, alias: str, to: str) -> tuple[RegistryEdit, Changes]:
    """The spelling `alias` stands for `to` from now on: its spans and its alias row follow."""
    alias, to = _clean(alias), _clean(to)
    fields = registry_fields(project)
    names = {n.name: n for n in source_names(project)}
    owner = next((n.name for n in names.values() if any(a.text == alias for a in n.aliases)), None)
    if owner is None:
        raise ValidationError(f"{alias!r} is not an alias of any source name")
    if owner == to:
        raise ValidationError(f"{alias!r} is already an alias of {to!r}")
    with project.session() as s:
        spans = q.spans_named(s, fields, owner, alias)
        table = q.aliases(s)
    before_spans, after_spans = _edit_spans(project, spans, to)
    before = RegistryState(tuple(before_spans), ((alias, table.get(alias)),))
    after = RegistryState(tuple(after_spans), ((alias, to),))
    edit = RegistryEdit(f"Move alias {alias} to {to}", before, after)
    return edit, apply_state(project, after, expected=before)


def apply_state(project: Project, state: RegistryState, *, expected: RegistryState | None = None) -> Changes:
    """Write one side of an edit: the spans' attributes and the alias rows, in one transaction.

    With `expected` (the side the last step left) spans and alias rows someone else changed since are
    left alone: StaleWriteError carries the stored one beside mine, and nothing is written."""
    with project.session() as s:
        if expected is not None:
            _check_state(s, expected, state)
        for span_id, _doc, attrs in state.spans:
            q.set_span_attributes(s, span_id, dict(attrs))
        for alias, canonical in state.aliases:
            q.put_alias(s, alias, canonical)
    return Changes(doc_ids=frozenset(doc for _, doc, _ in state.spans), spans=True)


def _check_state(s: Session, expected: RegistryState, target: RegistryState) -> None:
    mine = {span_id: dict(attrs) for span_id, _doc, attrs in target.spans}
    for span_id, _doc, attrs in expected.spans:
        try:
            now: Span | None = store_ann.get_span(s, span_id)
        except NotFoundError:
            now = None
        if now is None or dict(now.attributes) != dict(attrs):
            raise StaleWriteError(
                "someone else changed or removed a source this step renames since; nothing was changed",
                stored=now,
                mine=None if now is None else replace(now, attributes=mine.get(span_id, dict(attrs))),
            )
    table = q.aliases(s)
    wanted = dict(target.aliases)
    for alias, canonical in expected.aliases:
        if table.get(alias) != canonical:
            raise StaleWriteError(
                f"someone else changed what the spelling {alias!r} stands for since; nothing was changed",
                stored=f"{alias} → {table.get(alias) or '(not an alias)'}",
                mine=f"{alias} → {wanted.get(alias) or '(not an alias)'}",
            )
