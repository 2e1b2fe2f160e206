"""Writing a scheme back to TOML, in the documented layout: `scheme show --toml` and the editor.

`parse_scheme(scheme_to_toml(s)) == s` for every valid scheme. Defaults (empty descriptions and
aliases, `archived = false`) are left out so the text stays short.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from annotator.model.scheme import AttributeDef, Scheme


def _str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _long(value: str) -> str:
    """A multi-line literal string when that is safe (readable Markdown), else an escaped one."""
    if "\n" in value and "'''" not in value and all(c in "\n\t" or c >= " " for c in value):
        return "'''\n" + value + "'''"
    return _str(value)


def _list(values: tuple[str, ...] | list[str]) -> str:
    return "[" + ", ".join(_str(v) for v in values) + "]"


def _map(values: Mapping[str, str]) -> str:
    return "{ " + ", ".join(f"{_str(k)} = {_str(v)}" for k, v in values.items()) + " }"


def _common(out: list[str], indent: str, item: Any) -> None:
    if getattr(item, "description", ""):
        out.append(f"{indent}description = {_str(item.description)}")
    if getattr(item, "aliases", ()):
        out.append(f"{indent}aliases = {_list(item.aliases)}")
    if getattr(item, "archived", False):
        out.append(f"{indent}archived = true")


def _attribute(out: list[str], attr: AttributeDef, owner: str = "labels") -> None:
    out += ["", f"  [[{owner}.attributes]]", f"  name = {_str(attr.name)}"]
    if attr.kind != "choice":
        out.append(f"  type = {_str(attr.kind)}")
    _common(out, "  ", attr)
    if attr.values:
        out.append(f"  values = {_list(attr.values)}")
    if attr.value_aliases:
        out.append(f"  value_aliases = {_map(attr.value_aliases)}")
    if attr.value_descriptions:
        out.append(f"  value_descriptions = {_map(attr.value_descriptions)}")
    if attr.archived_values:
        out.append(f"  archived_values = {_list(attr.archived_values)}")
    if attr.completion:
        out.append(f"  completion = {_str(attr.completion)}")
    if attr.key:
        out.append(f"  key = {_str(attr.key)}")


def scheme_to_toml(scheme: Scheme) -> str:
    out = [f"name = {_str(scheme.name)}", f"version = {scheme.version}"]
    if scheme.description:
        out.append(f"description = {_str(scheme.description)}")
    if scheme.guidelines:
        out.append(f"guidelines = {_long(scheme.guidelines)}")
    for lab in scheme.labels:
        out += ["", "[[labels]]", f"name = {_str(lab.name)}", f"key = {_str(lab.key)}", f"color = {_str(lab.color)}"]
        _common(out, "", lab)
        for attr in lab.attributes:
            _attribute(out, attr)
    for rel in scheme.relations:
        out += ["", "[[relations]]", f"name = {_str(rel.name)}"]
        out += [f"from = {_str(rel.from_label)}", f"to = {_str(rel.to_label)}"]
        if rel.max_per_from != 1:
            out.append(f"max_per_from = {rel.max_per_from or 0}")
        _common(out, "", rel)
        for role in rel.args:
            out += ["", "  [[relations.args]]", f"  name = {_str(role.name)}", f"  labels = {_list(role.labels)}"]
        for attr in rel.attributes:
            _attribute(out, attr, "relations")
    if scheme.stance_values or scheme.targets or scheme.stance_span_labels:
        out += ["", "[stance]", f"values = {_list(scheme.stance_values)}"]
        if scheme.stance_value_aliases:
            out.append(f"value_aliases = {_map(scheme.stance_value_aliases)}")
        if scheme.stance_value_descriptions:
            out.append(f"value_descriptions = {_map(scheme.stance_value_descriptions)}")
        if scheme.stance_span_labels:
            out.append(f"span_labels = {_list(scheme.stance_span_labels)}")
        if scheme.archived_stance_values:
            out.append(f"archived_values = {_list(scheme.archived_stance_values)}")
        for target in scheme.targets:
            out += ["", "  [[stance.targets]]", f"  name = {_str(target.name)}"]
            _common(out, "  ", target)
    for fmt, kinds in scheme.formats.items():
        for kind, names in kinds.items():
            out += ["", f"[formats.{fmt}.{kind}]", *(f"{_str(k)} = {_str(v)}" for k, v in names.items())]
    return "\n".join(out) + "\n"
