"""The annotation scheme: span labels with attributes, relation types, stance targets and values.

A scheme is read from TOML (`resources/schemes/default.toml` is the default; the format is in the
README) by `model.scheme_parse`, which reports every problem with its line. Every element has a
description, and every element that can be renamed keeps its old names as aliases, so look-ups
here resolve old names to current ones: import, merge, agreement and export all go through them.
Nothing else in the application knows the default labels: everything asks the scheme.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.model.errors import SchemeError

ATTRIBUTE_KINDS = ("choice", "text")


@dataclass(frozen=True)
class AttributeDef:
    """One attribute of a span label: a closed choice list or free text.

    `aliases` are the attribute's old names; `value_aliases` maps old value names to current ones.
    """

    name: str
    kind: str = "choice"
    values: tuple[str, ...] = ()
    completion: str | None = None
    value_aliases: Mapping[str, str] = field(default_factory=dict)
    description: str = ""
    value_descriptions: Mapping[str, str] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()
    key: str | None = None
    """The key that takes the keyboard to this attribute's field (then a digit or a first letter)."""
    archived_values: tuple[str, ...] = ()
    """Values kept (stored ones stay valid and are exported) but no longer offered."""

    @property
    def active_values(self) -> tuple[str, ...]:
        return tuple(v for v in self.values if v not in self.archived_values)

    def canonical_value(self, value: str) -> str:
        return self.value_aliases.get(value, value) if value not in self.values else value

    def validate_value(self, value: str) -> None:
        if self.kind == "choice" and self.canonical_value(value) not in self.values:
            raise SchemeError(f"value {value!r} is not one of {', '.join(self.values)} for {self.name!r}")


@dataclass(frozen=True)
class SpanLabel:
    name: str
    key: str
    color: str
    description: str = ""
    attributes: tuple[AttributeDef, ...] = ()
    aliases: tuple[str, ...] = ()
    archived: bool = False

    def attribute(self, name: str) -> AttributeDef | None:
        for attr in self.attributes:
            if attr.name == name:
                return attr
        return next((a for a in self.attributes if name in a.aliases), None)


@dataclass(frozen=True)
class RoleDef:
    """An extra argument of a relation (e.g. the `cue` of an attribution): a role name and the span
    labels it may point at. A role may be repeated as role2, role3, ... (brat numbers repeats so)."""

    name: str
    labels: tuple[str, ...]

    def matches(self, role: str) -> bool:
        return role == self.name or (role.startswith(self.name) and role[len(self.name) :].isdigit())


@dataclass(frozen=True)
class RelationType:
    name: str
    from_label: str
    to_label: str
    max_per_from: int | None = 1
    aliases: tuple[str, ...] = ()
    description: str = ""
    archived: bool = False
    args: tuple[RoleDef, ...] = ()
    attributes: tuple[AttributeDef, ...] = ()

    def role(self, role: str) -> RoleDef | None:
        return next((r for r in self.args if r.matches(role)), None)

    def attribute(self, name: str) -> AttributeDef | None:
        return next((a for a in self.attributes if a.name == name or name in a.aliases), None)

    def validate_extras(self, arg_labels: Mapping[str, str], attributes: Mapping[str, Any]) -> None:
        """Raise SchemeError unless every argument (role -> its span's label) and attribute fits."""
        for role, label in arg_labels.items():
            found = self.role(role)
            if found is None:
                known = ", ".join(r.name for r in self.args) or "none"
                raise SchemeError(f"relation {self.name!r} has no role {role!r} (roles: {known})")
            if label not in found.labels:
                raise SchemeError(
                    f"role {role!r} of {self.name!r} takes a {' or '.join(found.labels)}, not a {label!r}"
                )
        for key, value in attributes.items():
            attr = self.attribute(key)
            if attr is None:
                raise SchemeError(f"attribute {key!r} is not defined for relation {self.name!r}")
            if not isinstance(value, str):
                raise SchemeError(f"attribute {key!r} must be a string, not {type(value).__name__}")
            attr.validate_value(value)


@dataclass(frozen=True)
class StanceTarget:
    name: str
    description: str = ""
    aliases: tuple[str, ...] = ()
    archived: bool = False


@dataclass(frozen=True)
class Scheme:
    """A validated scheme. Look-ups by name go through the methods, which also honour aliases."""

    name: str
    labels: tuple[SpanLabel, ...]
    relations: tuple[RelationType, ...]
    targets: tuple[StanceTarget, ...]
    stance_values: tuple[str, ...]
    stance_span_labels: tuple[str, ...] = ()
    version: int = 1
    source_text: str = field(default="", compare=False)
    description: str = ""
    guidelines: str = ""
    stance_value_aliases: Mapping[str, str] = field(default_factory=dict)
    stance_value_descriptions: Mapping[str, str] = field(default_factory=dict)
    archived_stance_values: tuple[str, ...] = ()
    formats: Mapping[str, Mapping[str, Mapping[str, str]]] = field(default_factory=dict)
    """Names the file formats use for the scheme's elements, e.g. {"brat": {"types": {"A_b": "A-b"}}}."""

    def label(self, name: str) -> SpanLabel | None:
        for lab in self.labels:
            if lab.name == name:
                return lab
        return next((lab for lab in self.labels if name in lab.aliases), None)

    def relation(self, name: str) -> RelationType | None:
        for rel in self.relations:
            if rel.name == name:
                return rel
        return next((rel for rel in self.relations if name in rel.aliases), None)

    def target(self, name: str) -> StanceTarget | None:
        for target in self.targets:
            if target.name == name:
                return target
        return next((t for t in self.targets if name in t.aliases), None)

    @property
    def label_names(self) -> tuple[str, ...]:
        return tuple(lab.name for lab in self.labels)

    @property
    def target_names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.targets)

    @property
    def active_labels(self) -> tuple[SpanLabel, ...]:
        """The labels offered for new annotations (archived ones keep their rows but are hidden)."""
        return tuple(lab for lab in self.labels if not lab.archived)

    @property
    def active_targets(self) -> tuple[StanceTarget, ...]:
        return tuple(t for t in self.targets if not t.archived)

    def attribute_names(self) -> tuple[str, ...]:
        """Every attribute name across labels, in scheme order, without repeats."""
        seen: dict[str, None] = {}
        for lab in self.labels:
            for attr in lab.attributes:
                seen.setdefault(attr.name, None)
        return tuple(seen)

    def canonical_label(self, name: str) -> str:
        lab = self.label(name)
        return lab.name if lab else name

    def canonical_relation(self, name: str) -> str:
        rel = self.relation(name)
        return rel.name if rel else name

    def canonical_target(self, name: str) -> str:
        target = self.target(name)
        return target.name if target else name

    def canonical_stance_value(self, value: str) -> str:
        if value in self.stance_values:
            return value
        return self.stance_value_aliases.get(value, value)

    def canonical_attributes(self, label: str, attributes: Mapping[str, str]) -> dict[str, str]:
        """The attributes of a span under current names (attribute and value renames resolved)."""
        lab = self.label(label)
        if lab is None:
            return dict(attributes)
        out: dict[str, str] = {}
        for key, value in attributes.items():
            attr = lab.attribute(key)
            if attr is None:
                out[key] = value
            else:
                out[attr.name] = attr.canonical_value(value) if isinstance(value, str) else value
        return out

    def validate_span(self, label: str, attributes: Mapping[str, Any]) -> None:
        """Raise SchemeError when a label, attribute or value is not in the scheme."""
        lab = self.label(label)
        if lab is None:
            raise SchemeError(f"label {label!r} is not in the scheme (known: {', '.join(self.label_names)})")
        for key, value in attributes.items():
            attr = lab.attribute(key)
            if attr is None:
                raise SchemeError(f"attribute {key!r} is not defined for label {lab.name!r}")
            if not isinstance(value, str):
                raise SchemeError(f"attribute {key!r} must be a string, not {type(value).__name__}")
            attr.validate_value(value)

    def validate_stance(self, target: str, value: str) -> None:
        if self.target(target) is None:
            raise SchemeError(f"stance target {target!r} is not in the scheme")
        if self.canonical_stance_value(value) not in self.stance_values:
            raise SchemeError(f"stance value {value!r} is not one of {', '.join(self.stance_values)}")

    def as_dict(self) -> dict[str, Any]:
        """The scheme as plain data (what the version hash and the TOML writer are made from)."""
        return {
            "name": self.name,
            "version": self.version,
            "description": self.description,
            "guidelines": self.guidelines,
            "labels": [
                {
                    "name": lab.name,
                    "key": lab.key,
                    "color": lab.color,
                    "description": lab.description,
                    "aliases": list(lab.aliases),
                    "archived": lab.archived,
                    "attributes": [
                        {
                            "name": a.name,
                            "type": a.kind,
                            "description": a.description,
                            "aliases": list(a.aliases),
                            "values": list(a.values),
                            "value_aliases": dict(a.value_aliases),
                            "value_descriptions": dict(a.value_descriptions),
                            "completion": a.completion,
                            **({"key": a.key} if a.key else {}),  # schemes without keys keep their hash
                            **({"archived_values": list(a.archived_values)} if a.archived_values else {}),
                        }
                        for a in lab.attributes
                    ],
                }
                for lab in self.labels
            ],
            "relations": [
                {
                    "name": r.name,
                    "from": r.from_label,
                    "to": r.to_label,
                    "max_per_from": r.max_per_from,
                    "description": r.description,
                    "aliases": list(r.aliases),
                    "archived": r.archived,
                }
                for r in self.relations
            ],
            "stance": {
                "values": list(self.stance_values),
                "value_aliases": dict(self.stance_value_aliases),
                "value_descriptions": dict(self.stance_value_descriptions),
                "span_labels": list(self.stance_span_labels),
                **({"archived_values": list(self.archived_stance_values)} if self.archived_stance_values else {}),
                "targets": [
                    {"name": t.name, "description": t.description, "aliases": list(t.aliases), "archived": t.archived}
                    for t in self.targets
                ],
            },
        }

    @property
    def version_hash(self) -> str:
        """A short hash of everything the scheme says (not of its comments or layout)."""
        data = json.dumps(self.as_dict(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(data.encode("utf-8")).hexdigest()[:12]


def load_scheme_file(path: Path) -> Scheme:
    from annotator.model.scheme_parse import load_scheme_file as load

    return load(path)


def parse_scheme(text: str, origin: str = "<scheme>") -> Scheme:
    """Parse and validate scheme TOML; errors read `origin line N: problem`, one line per problem."""
    from annotator.model.scheme_parse import parse_scheme as parse

    return parse(text, origin)
