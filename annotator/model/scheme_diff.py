"""What changes between two versions of a scheme: additions, renames, removals, archives, edits.

A new element is the same as an old one when it has the old one's name or lists it among its
aliases (`value_aliases` for attribute and stance values). Elements are addressed by a path of
names: `("claim",)` is a label, `("claim", "claim_type")` its attribute, `("claim", "claim_type",
"factual")` a value; relation types, stance targets and stance values have one-name paths. The
service layer adds how many annotations each change touches and refuses removals of used elements.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Protocol, TypeVar

from annotator.model.scheme import AttributeDef, Scheme

KINDS = ("label", "attribute", "value", "relation", "target", "stance_value", "scheme")
_KIND_TEXT = {
    "label": "label",
    "attribute": "attribute",
    "value": "attribute value",
    "relation": "relation type",
    "target": "stance target",
    "stance_value": "stance value",
    "scheme": "scheme",
}


class _Named(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def aliases(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class SchemeChange:
    """One change. `old` is the element's path in the old scheme (empty when added), `new` in the new."""

    action: str  # add | rename | remove | archive | restore | edit
    kind: str  # one of KINDS
    old: tuple[str, ...]
    new: tuple[str, ...]
    detail: str = ""

    @property
    def counted(self) -> tuple[str, ...]:
        """The path whose annotations this change touches (annotations carry old names)."""
        return self.old

    def describe(self) -> str:
        what = _KIND_TEXT[self.kind]
        old, new = ".".join(self.old), ".".join(self.new)
        if self.action == "add":
            return f"add {what} {new}"
        if self.action == "rename":
            return f"rename {what} {old} -> {new}"
        if self.action == "remove":
            return f"remove {what} {old}"
        if self.action == "edit" and self.kind == "scheme":
            return f"change the scheme's {self.detail}"
        if self.action == "edit":
            return f"change {what} {new}: {self.detail}"
        return f"{self.action} {what} {new}"


T = TypeVar("T", bound=_Named)


def _match(old: Sequence[T], new: Sequence[T]) -> tuple[list[tuple[T, T]], list[T], list[T]]:
    """(pairs of old and new, removed olds, added news)."""
    pairs: list[tuple[T, T]] = []
    taken: set[str] = set()
    by_name = {n.name: n for n in new}
    for o in old:
        n = by_name.get(o.name) or next((x for x in new if o.name in x.aliases and x.name not in by_name), None)
        if n is None:
            n = next((x for x in new if o.name in x.aliases), None)
        if n is not None and n.name not in taken:
            pairs.append((o, n))
            taken.add(n.name)
    matched_old = {o.name for o, _ in pairs}
    removed = [o for o in old if o.name not in matched_old]
    added = [n for n in new if n.name not in taken]
    return pairs, removed, added


def _values(
    kind: str,
    owner: tuple[str, ...],
    new_owner: tuple[str, ...],
    old: Iterable[str],
    new: Sequence[str],
    aliases: Mapping[str, str],
    archived: tuple[tuple[str, ...], tuple[str, ...]] = ((), ()),
) -> list[SchemeChange]:
    changes: list[SchemeChange] = []
    seen: set[str] = set()
    for value in old:
        if value in new:
            seen.add(value)
            was, now = value in archived[0], value in archived[1]
            if was != now:
                action = "archive" if now else "restore"
                changes.append(SchemeChange(action, kind, (*owner, value), (*new_owner, value)))
        elif aliases.get(value) in new:
            changes.append(SchemeChange("rename", kind, (*owner, value), (*new_owner, aliases[value])))
            seen.add(aliases[value])
        else:
            changes.append(SchemeChange("remove", kind, (*owner, value), ()))
    changes += [SchemeChange("add", kind, (), (*new_owner, v)) for v in new if v not in seen]
    return changes


def _common(
    kind: str, o: _Named, n: _Named, old_path: tuple[str, ...], new_path: tuple[str, ...]
) -> list[SchemeChange]:
    out: list[SchemeChange] = []
    if o.name != n.name:
        out.append(SchemeChange("rename", kind, old_path, new_path))
    was, now = getattr(o, "archived", False), getattr(n, "archived", False)
    if was != now:
        out.append(SchemeChange("archive" if now else "restore", kind, old_path, new_path))
    return out


def _edits(
    kind: str, o: object, n: object, path: tuple[str, ...], old_path: tuple[str, ...], fields: dict[str, str]
) -> list[SchemeChange]:
    out = []
    for attr, text in fields.items():
        before, after = getattr(o, attr), getattr(n, attr)
        if before != after:
            detail = text if attr.endswith("description") else f"{text} {before} -> {after}"
            out.append(SchemeChange("edit", kind, old_path, path, detail))
    return out


def _attributes(label: tuple[str, str], old: Sequence[AttributeDef], new: Sequence[AttributeDef]) -> list[SchemeChange]:
    old_label, new_label = (label[0],), (label[1],)
    pairs, removed, added = _match(old, new)
    changes = [SchemeChange("remove", "attribute", (*old_label, a.name), ()) for a in removed]
    changes += [SchemeChange("add", "attribute", (), (*new_label, a.name)) for a in added]
    for o, n in pairs:
        old_path, new_path = (*old_label, o.name), (*new_label, n.name)
        changes += _common("attribute", o, n, old_path, new_path)
        fields = {"kind": "type", "completion": "completion", "description": "description"}
        changes += _edits("attribute", o, n, new_path, old_path, fields)
        if o.value_descriptions != n.value_descriptions:
            changes.append(SchemeChange("edit", "attribute", old_path, new_path, "value descriptions"))
        if n.kind == "choice" or o.kind == "choice":
            archived = (o.archived_values, n.archived_values)
            changes += _values("value", old_path, new_path, o.values, n.values, n.value_aliases, archived)
    return changes


def diff_schemes(old: Scheme, new: Scheme) -> list[SchemeChange]:
    """Every change from `old` to `new`, labels first, in scheme order."""
    changes: list[SchemeChange] = []
    pairs, removed, added = _match(old.labels, new.labels)
    changes += [SchemeChange("remove", "label", (lab.name,), ()) for lab in removed]
    changes += [SchemeChange("add", "label", (), (lab.name,)) for lab in added]
    for o, n in pairs:
        changes += _common("label", o, n, (o.name,), (n.name,))
        fields = {"key": "key", "color": "colour", "description": "description"}
        changes += _edits("label", o, n, (n.name,), (o.name,), fields)
        changes += _attributes((o.name, n.name), o.attributes, n.attributes)
    rel_pairs, rel_removed, rel_added = _match(old.relations, new.relations)
    changes += [SchemeChange("remove", "relation", (r.name,), ()) for r in rel_removed]
    changes += [SchemeChange("add", "relation", (), (r.name,)) for r in rel_added]
    for ro, rn in rel_pairs:
        changes += _common("relation", ro, rn, (ro.name,), (rn.name,))
        ends_before = (new.canonical_label(ro.from_label), new.canonical_label(ro.to_label))
        ends_after = (rn.from_label, rn.to_label)
        if ends_before != ends_after:
            detail = f"ends {'->'.join(ends_before)} become {'->'.join(ends_after)}"
            changes.append(SchemeChange("edit", "relation", (ro.name,), (rn.name,), detail))
        fields = {"max_per_from": "max_per_from", "description": "description"}
        changes += _edits("relation", ro, rn, (rn.name,), (ro.name,), fields)
    t_pairs, t_removed, t_added = _match(old.targets, new.targets)
    changes += [SchemeChange("remove", "target", (t.name,), ()) for t in t_removed]
    changes += [SchemeChange("add", "target", (), (t.name,)) for t in t_added]
    for to, tn in t_pairs:
        changes += _common("target", to, tn, (to.name,), (tn.name,))
        changes += _edits("target", to, tn, (tn.name,), (to.name,), {"description": "description"})
    archived = (old.archived_stance_values, new.archived_stance_values)
    changes += _values("stance_value", (), (), old.stance_values, new.stance_values, new.stance_value_aliases, archived)
    if {new.canonical_label(x) for x in old.stance_span_labels} != set(new.stance_span_labels):
        detail = f"labels with a stance: {', '.join(new.stance_span_labels) or 'none'}"
        changes.append(SchemeChange("edit", "scheme", (), (), detail))
    for attr in ("name", "description", "guidelines"):
        if getattr(old, attr) != getattr(new, attr):
            changes.append(SchemeChange("edit", "scheme", (), (), attr))
    return changes


def inherited_aliases(old: Scheme, new: Scheme) -> Scheme:
    """`new` with every old name its elements had (through earlier renames) kept as an alias."""

    def keep(o: _Named, n: _Named) -> tuple[str, ...]:
        extra = [x for x in (o.name, *o.aliases) if x != n.name and x not in n.aliases]
        return (*n.aliases, *dict.fromkeys(extra))

    pairs, _, _ = _match(old.labels, new.labels)
    old_of = {n.name: o for o, n in pairs}
    labels = []
    for lab in new.labels:
        o = old_of.get(lab.name)
        if o is None:
            labels.append(lab)
            continue
        attr_pairs, _, _ = _match(o.attributes, lab.attributes)
        old_attr = {n.name: a for a, n in attr_pairs}
        attrs = []
        for attr in lab.attributes:
            oa = old_attr.get(attr.name)
            if oa is None:
                attrs.append(attr)
                continue
            values = dict(attr.value_aliases)
            for old_name, target in oa.value_aliases.items():
                current = attr.canonical_value(target)
                if old_name not in values and old_name not in attr.values and current in attr.values:
                    values[old_name] = current
            attrs.append(replace(attr, aliases=keep(oa, attr), value_aliases=values))
        labels.append(replace(lab, aliases=keep(o, lab), attributes=tuple(attrs)))
    rel_pairs, _, _ = _match(old.relations, new.relations)
    old_rel = {n.name: o for o, n in rel_pairs}
    relations = tuple(replace(r, aliases=keep(old_rel[r.name], r)) if r.name in old_rel else r for r in new.relations)
    t_pairs, _, _ = _match(old.targets, new.targets)
    old_t = {n.name: o for o, n in t_pairs}
    targets = tuple(replace(t, aliases=keep(old_t[t.name], t)) if t.name in old_t else t for t in new.targets)
    stance_aliases = dict(new.stance_value_aliases)
    for old_name, target in old.stance_value_aliases.items():
        current = new.canonical_stance_value(target)
        if old_name not in stance_aliases and old_name not in new.stance_values and current in new.stance_values:
            stance_aliases[old_name] = current
    return replace(new, labels=tuple(labels), relations=relations, targets=targets, stance_value_aliases=stance_aliases)


def undo_target(before: Scheme, after: Scheme) -> Scheme:
    """`before` with `after`'s names as aliases, so applying it takes a project back from `after`
    (renamed rows return to their old names) instead of reading the renames as removals."""

    def back(b: T, a: T) -> tuple[str, ...]:
        return b.aliases if a.name == b.name or a.name in b.aliases else (*b.aliases, a.name)

    pairs, _, _ = _match(before.labels, after.labels)
    after_of = {b.name: a for b, a in pairs}
    labels = []
    for lab in before.labels:
        a = after_of.get(lab.name)
        if a is None:
            labels.append(lab)
            continue
        attr_pairs, _, _ = _match(lab.attributes, a.attributes)
        after_attr = {b.name: x for b, x in attr_pairs}
        attrs = []
        for attr in lab.attributes:
            x = after_attr.get(attr.name)
            if x is None:
                attrs.append(attr)
                continue
            values = dict(attr.value_aliases)
            for value in attr.values:
                now = x.canonical_value(value)
                if now != value and now not in attr.values:
                    values[now] = value
            attrs.append(replace(attr, aliases=back(attr, x), value_aliases=values))
        labels.append(replace(lab, aliases=back(lab, a), attributes=tuple(attrs)))
    rel_pairs, _, _ = _match(before.relations, after.relations)
    after_rel = {b.name: a for b, a in rel_pairs}
    relations = tuple(
        replace(r, aliases=back(r, after_rel[r.name])) if r.name in after_rel else r for r in before.relations
    )
    t_pairs, _, _ = _match(before.targets, after.targets)
    after_t = {b.name: a for b, a in t_pairs}
    targets = tuple(replace(t, aliases=back(t, after_t[t.name])) if t.name in after_t else t for t in before.targets)
    stance_aliases = dict(before.stance_value_aliases)
    for value in before.stance_values:
        now = after.canonical_stance_value(value)
        if now != value and now not in before.stance_values:
            stance_aliases[now] = value
    return replace(
        before, labels=tuple(labels), relations=relations, targets=targets, stance_value_aliases=stance_aliases
    )
