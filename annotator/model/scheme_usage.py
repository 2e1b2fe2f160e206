"""How many annotations use each scheme element, and the plan for one scheme change.

`SchemeUsage` is counted by the store under the names stored (the current scheme's names);
`SchemePlan` joins a diff with those counts and says which changes are refused: removing an element
that annotations use (archive it instead), or moving the ends of a relation type in use.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from annotator.model.scheme import Scheme
from annotator.model.scheme_diff import SchemeChange


@dataclass
class SchemeUsage:
    labels: Counter[str] = field(default_factory=Counter)
    attributes: Counter[tuple[str, str]] = field(default_factory=Counter)
    values: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    relations: Counter[str] = field(default_factory=Counter)
    targets: Counter[str] = field(default_factory=Counter)
    stance_values: Counter[str] = field(default_factory=Counter)

    def count(self, kind: str, path: tuple[str, ...]) -> int:
        """Annotations using the element at `path` (see `scheme_diff` for paths)."""
        if not path:
            return 0
        if kind == "label":
            return self.labels[path[0]]
        if kind == "attribute" and len(path) == 2:
            return self.attributes[(path[0], path[1])]
        if kind == "value" and len(path) == 3:
            return self.values[(path[0], path[1], path[2])]
        if kind == "relation":
            return self.relations[path[0]]
        if kind == "target":
            return self.targets[path[0]]
        if kind == "stance_value":
            return self.stance_values[path[0]]
        return 0


@dataclass(frozen=True)
class PlannedChange:
    change: SchemeChange
    uses: int
    refused: str = ""

    def describe(self) -> str:
        text = self.change.describe()
        if self.change.old and self.change.action != "add":
            text += f" ({self.uses} annotation{'s' if self.uses != 1 else ''})"
        return text + (f": REFUSED, {self.refused}" if self.refused else "")


@dataclass(frozen=True)
class SchemePlan:
    """A scheme change as `apply --dry-run` shows it; applied only when nothing is refused."""

    old: Scheme | None
    new: Scheme
    changes: tuple[PlannedChange, ...]

    @property
    def refused(self) -> tuple[PlannedChange, ...]:
        return tuple(c for c in self.changes if c.refused)

    @property
    def touched(self) -> int:
        """Annotations whose stored names change (renames)."""
        return sum(c.uses for c in self.changes if c.change.action == "rename")

    def lines(self) -> list[str]:
        if not self.changes:
            return ["no changes"]
        return [c.describe() for c in self.changes]


def plan_changes(old: Scheme, new: Scheme, changes: list[SchemeChange], usage: SchemeUsage) -> SchemePlan:
    planned = []
    for change in changes:
        uses = usage.count(change.kind, change.old)
        refused = ""
        if change.action == "remove" and uses:
            refused = "it is in use; archive it (archived = true) to keep the annotations and hide it"
        elif change.action == "edit" and change.kind == "relation" and change.detail.startswith("ends") and uses:
            refused = "relations of this type exist; add a new relation type instead"
        planned.append(PlannedChange(change, uses, refused))
    return SchemePlan(old, new, tuple(planned))


def unmapped_names(used: SchemeUsage, ours: Scheme) -> list[str]:
    """The names in `used` (another project's annotations) that `ours` cannot map, even through its
    aliases, each as "kind name"."""
    out: list[str] = []
    for label in sorted(used.labels):
        if ours.label(label) is None:
            out.append(f"label {label!r}")
    for label, attr in sorted(used.attributes):
        lab = ours.label(label)
        if lab is not None and lab.attribute(attr) is None:
            out.append(f"attribute {label}.{attr}")
    for label, attr, value in sorted(used.values):
        lab = ours.label(label)
        found = lab.attribute(attr) if lab is not None else None
        if found is not None and found.kind == "choice" and found.canonical_value(value) not in found.values:
            out.append(f"attribute value {label}.{attr}.{value}")
    out += [f"relation type {r!r}" for r in sorted(used.relations) if ours.relation(r) is None]
    out += [f"stance target {t!r}" for t in sorted(used.targets) if ours.target(t) is None]
    known = set(ours.stance_values)
    out += [f"stance value {v!r}" for v in sorted(used.stance_values) if ours.canonical_stance_value(v) not in known]
    return out
