"""The annotation scheme: span labels with attributes, relation types, stance targets and values.

A scheme is read from TOML (`resources/schemes/default.toml` is the default) and validated here.
Errors name the file and, where it can be found, the line of the offending entry. Nothing else in
the application knows the default labels: everything asks the scheme.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.model.errors import SchemeError

ATTRIBUTE_KINDS = ("choice", "text")
_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_COLOR_RE = re.compile(r"^#[0-9A-Fa-f]{6}$")
_DEFAULT_COLORS = ("#f6c343", "#5aa9e6", "#8bd17c", "#f08a8a", "#c59be8", "#f5a65b", "#6fd6c8")


@dataclass(frozen=True)
class AttributeDef:
    """One attribute of a span label: a closed choice list or free text."""

    name: str
    kind: str = "choice"
    values: tuple[str, ...] = ()
    completion: str | None = None
    aliases: Mapping[str, str] = field(default_factory=dict)

    def validate_value(self, value: str) -> None:
        if self.kind == "choice" and value not in self.values:
            raise SchemeError(f"value {value!r} is not one of {', '.join(self.values)} for {self.name!r}")


@dataclass(frozen=True)
class SpanLabel:
    name: str
    key: str
    color: str
    description: str = ""
    attributes: tuple[AttributeDef, ...] = ()
    aliases: tuple[str, ...] = ()

    def attribute(self, name: str) -> AttributeDef | None:
        return next((a for a in self.attributes if a.name == name), None)


@dataclass(frozen=True)
class RelationType:
    name: str
    from_label: str
    to_label: str
    max_per_from: int | None = 1
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class StanceTarget:
    name: str
    description: str = ""


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
    source_text: str = ""

    def label(self, name: str) -> SpanLabel | None:
        for lab in self.labels:
            if lab.name == name or name in lab.aliases:
                return lab
        return None

    def relation(self, name: str) -> RelationType | None:
        for rel in self.relations:
            if rel.name == name or name in rel.aliases:
                return rel
        return None

    def target(self, name: str) -> StanceTarget | None:
        return next((t for t in self.targets if t.name == name), None)

    @property
    def label_names(self) -> tuple[str, ...]:
        return tuple(lab.name for lab in self.labels)

    @property
    def target_names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.targets)

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
            attr.validate_value(attr.aliases.get(value, value))

    def validate_stance(self, target: str, value: str) -> None:
        if self.target(target) is None:
            raise SchemeError(f"stance target {target!r} is not in the scheme")
        if value not in self.stance_values:
            raise SchemeError(f"stance value {value!r} is not one of {', '.join(self.stance_values)}")


def load_scheme_file(path: Path) -> Scheme:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SchemeError(f"{path}: cannot read scheme file: {exc}") from exc
    return parse_scheme(text, origin=str(path))


def parse_scheme(text: str, origin: str = "<scheme>") -> Scheme:
    """Parse and validate scheme TOML; errors read `origin line N: problem`."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SchemeError(f"{origin}: {exc}") from exc
    return _SchemeBuilder(text, origin).build(data)


class _SchemeBuilder:
    def __init__(self, text: str, origin: str) -> None:
        self._lines = text.splitlines()
        self._origin = origin

    def _fail(self, problem: str, *needles: str) -> SchemeError:
        line = self._find_line(needles)
        where = f"{self._origin} line {line}" if line else self._origin
        return SchemeError(f"{where}: {problem}")

    def _find_line(self, needles: tuple[str, ...]) -> int | None:
        for needle in needles:
            for number, line in enumerate(self._lines, start=1):
                if needle and needle in line:
                    return number
        return None

    def build(self, data: dict[str, Any]) -> Scheme:
        raw_labels = data.get("labels")
        if not isinstance(raw_labels, list) or not raw_labels:
            raise self._fail("the scheme needs at least one [[labels]] table", "labels")
        labels = tuple(self._label(raw, i) for i, raw in enumerate(raw_labels))
        self._unique([lab.name for lab in labels], "label", "[[labels]]")
        self._unique([lab.key.upper() for lab in labels], "label key", "key")
        relations = tuple(self._relation(raw, labels) for raw in data.get("relations", []))
        stance = data.get("stance", {})
        if not isinstance(stance, dict):
            raise self._fail("[stance] must be a table", "stance")
        values = self._str_list(stance.get("values", []), "stance values", "values")
        targets = tuple(self._target(raw) for raw in stance.get("targets", []))
        self._unique([t.name for t in targets], "stance target", "[[stance.targets]]")
        if targets and not values:
            raise self._fail("[stance] has targets but no values", "[stance]")
        span_labels = self._str_list(stance.get("span_labels", []), "stance span_labels", "span_labels")
        for name in span_labels:
            if name not in {lab.name for lab in labels}:
                raise self._fail(f"stance span_labels names unknown label {name!r}", "span_labels")
        name = data.get("name", "scheme")
        version = data.get("version", 1)
        if not isinstance(name, str) or not isinstance(version, int):
            raise self._fail("'name' must be a string and 'version' an integer", "name", "version")
        return Scheme(name, labels, relations, targets, values, span_labels, version, "\n".join(self._lines))

    def _label(self, raw: Any, index: int) -> SpanLabel:
        if not isinstance(raw, dict):
            raise self._fail("each [[labels]] entry must be a table", "[[labels]]")
        name = self._name(raw.get("name"), "label")
        key = raw.get("key", name[0])
        if not isinstance(key, str) or len(key) != 1 or not key.isalnum():
            raise self._fail(f"label {name!r}: key must be a single letter or digit, got {key!r}", f'"{name}"')
        color = raw.get("color", _DEFAULT_COLORS[index % len(_DEFAULT_COLORS)])
        if not isinstance(color, str) or not _COLOR_RE.match(color):
            raise self._fail(f"label {name!r}: color must look like #rrggbb, got {color!r}", "color")
        attrs = tuple(self._attribute(a, name) for a in raw.get("attributes", []))
        self._unique([a.name for a in attrs], f"attribute of {name!r}", "[[labels.attributes]]")
        aliases = self._str_list(raw.get("aliases", []), f"aliases of {name!r}", "aliases")
        description = str(raw.get("description", ""))
        return SpanLabel(name, key.upper(), color, description, attrs, aliases)

    def _attribute(self, raw: Any, label: str) -> AttributeDef:
        if not isinstance(raw, dict):
            raise self._fail(f"label {label!r}: each attribute must be a table", "attributes")
        name = self._name(raw.get("name"), f"attribute of label {label!r}")
        kind = raw.get("type", "choice")
        if kind not in ATTRIBUTE_KINDS:
            raise self._fail(
                f"attribute {name!r}: type must be one of {', '.join(ATTRIBUTE_KINDS)}, got {kind!r}",
                f'"{kind}"',
                f'"{name}"',
            )
        values = self._str_list(raw.get("values", []), f"values of {name!r}", f'"{name}"')
        if kind == "choice" and not values:
            raise self._fail(f"attribute {name!r} is a choice but lists no values", f'"{name}"')
        self._unique(list(values), f"value of {name!r}", f'"{name}"')
        aliases = raw.get("value_aliases", {})
        if not isinstance(aliases, dict) or not all(isinstance(v, str) for v in aliases.values()):
            raise self._fail(f"attribute {name!r}: value_aliases must map old names to new ones", "value_aliases")
        completion = raw.get("completion")
        return AttributeDef(name, kind, values, completion if isinstance(completion, str) else None, dict(aliases))

    def _relation(self, raw: Any, labels: tuple[SpanLabel, ...]) -> RelationType:
        if not isinstance(raw, dict):
            raise self._fail("each [[relations]] entry must be a table", "[[relations]]")
        name = self._name(raw.get("name"), "relation")
        names = {lab.name for lab in labels}
        for end in ("from", "to"):
            if raw.get(end) not in names:
                raise self._fail(
                    f"relation {name!r}: '{end}' must name a label, got {raw.get(end)!r}", f"{end} =", f'"{name}"'
                )
        limit = raw.get("max_per_from", 1)
        if limit is not None and (not isinstance(limit, int) or limit < 1):
            raise self._fail(f"relation {name!r}: max_per_from must be a positive integer", "max_per_from")
        aliases = self._str_list(raw.get("aliases", []), f"aliases of {name!r}", "aliases")
        return RelationType(name, raw["from"], raw["to"], limit, aliases)

    def _target(self, raw: Any) -> StanceTarget:
        if not isinstance(raw, dict):
            raise self._fail("each [[stance.targets]] entry must be a table", "targets")
        return StanceTarget(self._name(raw.get("name"), "stance target"), str(raw.get("description", "")))

    def _name(self, value: Any, what: str) -> str:
        if not isinstance(value, str) or not _NAME_RE.match(value):
            raise self._fail(
                f"{what} needs a name made of letters, digits and _, got {value!r}",
                f"name = {value!r}".replace("'", '"') if isinstance(value, str) else "name",
            )
        return value

    def _str_list(self, value: Any, what: str, needle: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self._fail(f"{what} must be a list of non-empty strings", needle)
        return tuple(value)

    def _unique(self, names: list[str], what: str, needle: str) -> None:
        seen: set[str] = set()
        for name in names:
            if name in seen:
                raise self._fail(f"duplicate {what} {name!r}", f'"{name}"', needle)
            seen.add(name)
