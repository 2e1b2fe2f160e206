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
