"""Reading a scheme from TOML: every problem found, each with its line, or a valid `Scheme`.

`check_scheme` returns all problems (for `annotator scheme check` and the editor); `parse_scheme`
raises one SchemeError whose message has one `origin line N: problem` line per problem. A text that
is too big or nested too deeply is refused with a line and reason before tomllib reads it.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotator.model.errors import SchemeError
from annotator.model.scheme import (
    ATTRIBUTE_KINDS,
    AttributeDef,
    RelationType,
    RoleDef,
    Scheme,
    SpanLabel,
    StanceTarget,
)
from annotator.model.scheme_lines import KeyPath, LineMap, size_problem

_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_COLOR_RE = re.compile(r"^#[0-9A-Fa-f]{6}$")
MAX_PROBLEMS = 50
DEFAULT_COLORS = ("#f6c343", "#5aa9e6", "#8bd17c", "#f08a8a", "#c59be8", "#f5a65b", "#6fd6c8")
# `formats`: tables the file formats read for themselves (e.g. [formats.brat] type names).
_TOP_KEYS = {"name", "version", "description", "guidelines", "labels", "relations", "stance", "formats"}
_LABEL_KEYS = {"name", "key", "color", "description", "aliases", "archived", "attributes"}
_ATTR_KEYS = {
    "name",
    "type",
    "description",
    "aliases",
    "values",
    "value_aliases",
    "value_descriptions",
    "completion",
    "key",
    "archived_values",
}
_REL_KEYS = {"name", "from", "to", "max_per_from", "description", "aliases", "archived", "args", "attributes"}
_ROLE_KEYS = {"name", "labels"}
_STANCE_KEYS = {"values", "value_aliases", "value_descriptions", "span_labels", "targets", "archived_values"}
_TARGET_KEYS = {"name", "description", "aliases", "archived"}


@dataclass(frozen=True)
class SchemeProblem:
    line: int | None
    message: str

    def render(self, origin: str) -> str:
        return f"{origin} line {self.line}: {self.message}" if self.line else f"{origin}: {self.message}"


def load_scheme_file(path: Path) -> Scheme:
    return parse_scheme(read_scheme_text(path), origin=str(path))


def read_scheme_text(path: Path) -> str:
    try:
        if path.stat().st_size > 4 * 1024 * 1024:
            raise SchemeError(f"{path} line 1: the file is larger than 1024 KiB; a scheme is far smaller")
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SchemeError(f"{path}: cannot read scheme file: {exc}") from exc


def parse_scheme(text: str, origin: str = "<scheme>") -> Scheme:
    scheme, problems = check_scheme(text)
    if scheme is None:
        raise SchemeError("\n".join(p.render(origin) for p in problems))
    return scheme


def check_scheme(text: str) -> tuple[Scheme | None, list[SchemeProblem]]:
    """The scheme and no problems, or None and every problem found (each with its line if known)."""
    too_big = size_problem(text)
    if too_big is not None:
        return None, [SchemeProblem(*too_big)]
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        return None, [SchemeProblem(int(match.group(1)) if match else None, f"not valid TOML: {message}")]
    except RecursionError:
        return None, [SchemeProblem(1, "values are nested too deeply")]
    builder = _SchemeBuilder(text)
    scheme = builder.build(data)
    problems = sorted(builder.problems, key=lambda p: (p.line or 0, p.message))
    if len(problems) > MAX_PROBLEMS:  # a generated or corrupted file: the first ones say enough
        more = len(problems) - MAX_PROBLEMS
        problems = [*problems[:MAX_PROBLEMS], SchemeProblem(None, f"... and {more} more problems")]
    return (scheme if not problems else None), problems


class _SchemeBuilder:
    def __init__(self, text: str) -> None:
        self._text = text
        self._lines = LineMap(text)
        self.problems: list[SchemeProblem] = []

    def _problem(self, path: KeyPath, message: str) -> None:
        self.problems.append(SchemeProblem(self._lines.line_of(path), message))

    def build(self, data: dict[str, Any]) -> Scheme:
        self._unknown(data, _TOP_KEYS, (), "the scheme")
        raw_labels = data.get("labels")
        if not isinstance(raw_labels, list) or not raw_labels:
            self._problem(("labels",), "the scheme needs at least one [[labels]] table")
            raw_labels = []
        labels = tuple(self._label(raw, i) for i, raw in enumerate(raw_labels))
        self._unique([lab.name for lab in labels], "label", ("labels",), "name")
        self._unique([lab.key for lab in labels], "label key", ("labels",), "key")
        self._unique([lab.color.lower() for lab in labels], "label colour", ("labels",), "color")
        raw_rel = data.get("relations", [])
        if not isinstance(raw_rel, list):
            self._problem(("relations",), "relations must be [[relations]] tables")
            raw_rel = []
        relations = tuple(self._relation(raw, i, labels) for i, raw in enumerate(raw_rel))
        self._unique([r.name for r in relations], "relation type", ("relations",), "name")
        stance = data.get("stance", {})
        if not isinstance(stance, dict):
            self._problem(("stance",), "[stance] must be a table")
            stance = {}
        self._unknown(stance, _STANCE_KEYS, ("stance",), "[stance]")
        sp: KeyPath = ("stance",)
        values = self._str_list(stance.get("values", []), "stance values", (*sp, "values"))
        self._unique(list(values), "stance value", (*sp, "values"))
        value_aliases = self._str_map(stance.get("value_aliases", {}), "stance value_aliases", (*sp, "value_aliases"))
        self._aliases_land(value_aliases, values, "stance value", (*sp, "value_aliases"))
        value_desc = self._str_map(
            stance.get("value_descriptions", {}), "stance value_descriptions", (*sp, "value_descriptions")
        )
        self._described(value_desc, values, "stance value", (*sp, "value_descriptions"))
        archived_stance = self._archived(stance, values, "stance value", sp)
        raw_targets = stance.get("targets", [])
        if not isinstance(raw_targets, list):
            self._problem((*sp, "targets"), "targets must be [[stance.targets]] tables")
            raw_targets = []
        targets = tuple(self._target(raw, i) for i, raw in enumerate(raw_targets))
        self._unique([t.name for t in targets], "stance target", (*sp, "targets"), "name")
        if targets and not values:
            self._problem(("stance",), "[stance] has targets but no values")
        span_labels = self._str_list(stance.get("span_labels", []), "stance span_labels", (*sp, "span_labels"))
        for name in span_labels:
            if name not in {lab.name for lab in labels}:
                self._problem((*sp, "span_labels"), f"stance span_labels names unknown label {name!r}")
        self._alias_clashes("label", [(lab.name, lab.aliases) for lab in labels], ("labels",))
        self._alias_clashes("relation type", [(r.name, r.aliases) for r in relations], ("relations",))
        self._alias_clashes("stance target", [(t.name, t.aliases) for t in targets], (*sp, "targets"))
        name = data.get("name", "scheme")
        version = data.get("version", 1)
        if not isinstance(name, str) or not name.strip():
            self._problem(("name",), "'name' must be a non-empty string")
            name = "scheme"
        if not isinstance(version, int) or isinstance(version, bool):
            self._problem(("version",), "'version' must be an integer")
            version = 1
        description = self._text_value(data, "description", ())
        guidelines = self._text_value(data, "guidelines", ())
        return Scheme(
            name,
            labels,
            relations,
            targets,
            values,
            span_labels,
            version,
            self._text,
            description,
            guidelines,
            value_aliases,
            value_desc,
            archived_stance,
            self._formats(data.get("formats", {})),
        )

    def _formats(self, raw: Any) -> dict[str, dict[str, dict[str, str]]]:
        """[formats.<format>.<kind>] tables mapping scheme names to a format's names (strings only)."""
        out: dict[str, dict[str, dict[str, str]]] = {}
        if not isinstance(raw, dict):
            self._problem(("formats",), "[formats] must be a table")
            return out
        for fmt, kinds in raw.items():
            if not isinstance(kinds, dict):
                self._problem(("formats", fmt), f"[formats.{fmt}] must be a table")
                continue
            out[fmt] = {
                kind: self._str_map(names, f"[formats.{fmt}.{kind}]", ("formats", fmt, kind))
                for kind, names in kinds.items()
            }
        return out

    def _label(self, raw: Any, index: int) -> SpanLabel:
        path: KeyPath = ("labels", index)
        if not isinstance(raw, dict):
            self._problem(path, "each [[labels]] entry must be a table")
            raw = {}
        self._unknown(raw, _LABEL_KEYS, path, "a label")
        name = self._name(raw.get("name"), "label", path)
        key = raw.get("key", name[:1] if name != "?" else "X")
        if not isinstance(key, str) or len(key) != 1 or not key.isascii() or not key.isalnum():
            self._problem((*path, "key"), f"label {name!r}: key must be a single letter or digit, got {key!r}")
            key = "?"
        color = raw.get("color", DEFAULT_COLORS[index % len(DEFAULT_COLORS)])
        if not isinstance(color, str) or not _COLOR_RE.match(color):
            self._problem((*path, "color"), f"label {name!r}: color must look like #rrggbb, got {color!r}")
            color = "#000000"
        raw_attrs = raw.get("attributes", [])
        if not isinstance(raw_attrs, list):
            self._problem((*path, "attributes"), f"label {name!r}: attributes must be [[labels.attributes]] tables")
            raw_attrs = []
        attrs = tuple(self._attribute(a, name, (*path, "attributes", i)) for i, a in enumerate(raw_attrs))
        self._unique([a.name for a in attrs], f"attribute of {name!r}", (*path, "attributes"), "name")
        self._alias_clashes(f"attribute of {name!r}", [(a.name, a.aliases) for a in attrs], (*path, "attributes"))
        aliases = self._names(raw.get("aliases", []), f"aliases of {name!r}", (*path, "aliases"))
        return SpanLabel(
            name,
            key.upper(),
            color,
            self._text_value(raw, "description", path),
            attrs,
            aliases,
            self._flag(raw, "archived", path),
        )

    def _attribute(self, raw: Any, label: str, path: KeyPath) -> AttributeDef:
        if not isinstance(raw, dict):
            self._problem(path, f"label {label!r}: each attribute must be a table")
            raw = {}
        self._unknown(raw, _ATTR_KEYS, path, "an attribute")
        name = self._name(raw.get("name"), f"attribute of label {label!r}", path)
        kind = raw.get("type", "choice")
        if kind not in ATTRIBUTE_KINDS:
            self._problem(
                (*path, "type"), f"attribute {name!r}: type must be one of {', '.join(ATTRIBUTE_KINDS)}, got {kind!r}"
            )
            kind = "text"
        values = self._str_list(raw.get("values", []), f"values of {name!r}", (*path, "values"))
        if kind == "choice" and not values:
            self._problem((*path, "values"), f"attribute {name!r} is a choice but lists no values")
        self._unique(list(values), f"value of {name!r}", (*path, "values"))
        value_aliases = self._str_map(raw.get("value_aliases", {}), f"attribute {name!r}: value_aliases", path)
        self._aliases_land(value_aliases, values, f"value of {name!r}", (*path, "value_aliases"))
        value_desc = self._str_map(raw.get("value_descriptions", {}), f"attribute {name!r}: value_descriptions", path)
        self._described(value_desc, values, f"value of {name!r}", (*path, "value_descriptions"))
        completion = raw.get("completion")
        if completion is not None and not isinstance(completion, str):
            self._problem((*path, "completion"), f"attribute {name!r}: completion must be a string")
        key = raw.get("key")
        if key is not None and (not isinstance(key, str) or len(key) != 1 or not key.isalpha()):
            self._problem((*path, "key"), f"attribute {name!r}: key must be a single letter, got {key!r}")
            key = None
        archived_values = self._archived(raw, values, f"value of {name!r}", path)
        return AttributeDef(
            name,
            kind,
            values,
            completion if isinstance(completion, str) else None,
            value_aliases,
            self._text_value(raw, "description", path),
            value_desc,
            self._names(raw.get("aliases", []), f"aliases of {name!r}", (*path, "aliases")),
            key.upper() if key else None,
            archived_values=archived_values,
        )

    def _relation(self, raw: Any, index: int, labels: tuple[SpanLabel, ...]) -> RelationType:
        path: KeyPath = ("relations", index)
        if not isinstance(raw, dict):
            self._problem(path, "each [[relations]] entry must be a table")
            raw = {}
        self._unknown(raw, _REL_KEYS, path, "a relation")
        name = self._name(raw.get("name"), "relation", path)
        names = {lab.name for lab in labels}
        ends = []
        for end in ("from", "to"):
            if raw.get(end) not in names:
                self._problem((*path, end), f"relation {name!r}: '{end}' must name a label, got {raw.get(end)!r}")
            ends.append(str(raw.get(end, "")))
        limit = raw.get("max_per_from", 1)
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 0:
            self._problem((*path, "max_per_from"), f"relation {name!r}: max_per_from must be 0 (no limit) or more")
            limit = 1
        aliases = self._names(raw.get("aliases", []), f"aliases of {name!r}", (*path, "aliases"))
        roles = tuple(self._role(r, name, names, (*path, "args", i)) for i, r in enumerate(self._list(raw, "args")))
        self._unique([r.name for r in roles], f"role of {name!r}", (*path, "args"), "name")
        attrs = tuple(
            self._attribute(a, name, (*path, "attributes", i)) for i, a in enumerate(self._list(raw, "attributes"))
        )
        self._unique([a.name for a in attrs], f"attribute of {name!r}", (*path, "attributes"), "name")
        return RelationType(
            name,
            ends[0],
            ends[1],
            limit or None,
            aliases,
            self._text_value(raw, "description", path),
            self._flag(raw, "archived", path),
            roles,
            attrs,
        )

    def _list(self, raw: dict[str, Any], key: str) -> list[Any]:
        value = raw.get(key, [])
        return value if isinstance(value, list) else []

    def _role(self, raw: Any, relation: str, names: set[str], path: KeyPath) -> RoleDef:
        """A relation's extra argument: `[[relations.args]] name = "cue", labels = ["cue"]`."""
        if not isinstance(raw, dict):
            self._problem(path, f"relation {relation!r}: each [[relations.args]] entry must be a table")
            raw = {}
        self._unknown(raw, _ROLE_KEYS, path, "a relation role")
        name = self._name(raw.get("name"), f"role of relation {relation!r}", path)
        labels = self._str_list(raw.get("labels", []), f"labels of role {name!r}", (*path, "labels"))
        unknown = [lab for lab in labels if lab not in names]
        if not labels or unknown:
            self._problem((*path, "labels"), f"role {name!r} of {relation!r} must list known labels, got {labels!r}")
        return RoleDef(name, labels)

    def _target(self, raw: Any, index: int) -> StanceTarget:
        path: KeyPath = ("stance", "targets", index)
        if not isinstance(raw, dict):
            self._problem(path, "each [[stance.targets]] entry must be a table")
            raw = {}
        self._unknown(raw, _TARGET_KEYS, path, "a stance target")
        name = self._name(raw.get("name"), "stance target", path)
        return StanceTarget(
            name,
            self._text_value(raw, "description", path),
            self._names(raw.get("aliases", []), f"aliases of {name!r}", (*path, "aliases")),
            self._flag(raw, "archived", path),
        )

    # -- small checks ----------------------------------------------------------------------------

    def _name(self, value: Any, what: str, path: KeyPath) -> str:
        if not isinstance(value, str) or not _NAME_RE.match(value):
            self._problem((*path, "name"), f"{what} needs a name made of letters, digits and _, got {value!r}")
            return "?"
        return value

    def _names(self, value: Any, what: str, path: KeyPath) -> tuple[str, ...]:
        names = self._str_list(value, what, path)
        for name in names:
            if not _NAME_RE.match(name):
                self._problem(path, f"{what}: {name!r} is not a name made of letters, digits and _")
        return names

    def _str_list(self, value: Any, what: str, path: KeyPath) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            self._problem(path, f"{what} must be a list of non-empty strings")
            return ()
        return tuple(value)

    def _str_map(self, value: Any, what: str, path: KeyPath) -> dict[str, str]:
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            self._problem(path, f"{what} must map names to strings")
            return {}
        return dict(value)

    def _text_value(self, raw: dict[str, Any], key: str, path: KeyPath) -> str:
        value = raw.get(key, "")
        if not isinstance(value, str):
            self._problem((*path, key), f"{key} must be a string")
            return ""
        return value

    def _archived(self, raw: dict[str, Any], values: tuple[str, ...], what: str, path: KeyPath) -> tuple[str, ...]:
        archived = self._str_list(raw.get("archived_values", []), "archived_values", (*path, "archived_values"))
        for value in archived:
            if value not in values:
                self._problem((*path, "archived_values"), f"archived_values names {value!r}, which is not a {what}")
        return archived

    def _flag(self, raw: dict[str, Any], key: str, path: KeyPath) -> bool:
        value = raw.get(key, False)
        if not isinstance(value, bool):
            self._problem((*path, key), f"{key} must be true or false")
            return False
        return value

    def _unknown(self, raw: dict[str, Any], known: set[str], path: KeyPath, what: str) -> None:
        for key in raw:
            if key not in known:
                self._problem((*path, key), f"{what} has no key {key!r} (known: {', '.join(sorted(known))})")

    def _unique(self, names: list[str], what: str, path: KeyPath, key: str | None = None) -> None:
        seen: set[str] = set()
        for i, name in enumerate(names):
            if name in seen and name != "?":
                self._problem((*path, i, key) if key else path, f"duplicate {what} {name!r}")
            seen.add(name)

    def _aliases_land(self, aliases: dict[str, str], values: tuple[str, ...], what: str, path: KeyPath) -> None:
        for old, new in aliases.items():
            if new not in values:
                self._problem(path, f"alias {old!r} points to {new!r}, which is not a {what}")
            if old in values:
                self._problem(path, f"alias {old!r} is also a current {what}")

    def _described(self, descriptions: dict[str, str], values: tuple[str, ...], what: str, path: KeyPath) -> None:
        for value in descriptions:
            if value not in values:
                self._problem(path, f"description for {value!r}, which is not a {what}")

    def _alias_clashes(self, what: str, entries: list[tuple[str, tuple[str, ...]]], path: KeyPath) -> None:
        names = {name for name, _ in entries}
        owner: dict[str, str] = {}
        for i, (name, aliases) in enumerate(entries):
            for alias in aliases:
                if alias in names:
                    self._problem((*path, i, "aliases"), f"{what} {name!r}: alias {alias!r} is also a current {what}")
                elif alias in owner and owner[alias] != name:
                    self._problem(
                        (*path, i, "aliases"), f"alias {alias!r} belongs to both {owner[alias]!r} and {name!r}"
                    )
                owner.setdefault(alias, name)
