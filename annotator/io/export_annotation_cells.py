"""Cells of spans.csv and relations.csv (and their xlsx sheets) for issue 13's structures: a
discontinuous span's `fragments`, and a relation's role arguments and attributes.

A span's `fragments` cell lists its pieces as `s-e;s-e` (code points; empty for a one-piece span).
A scheme may give a relation type role-typed arguments (an attribution's `cue`) and attributes (its
`quote_type`). relations.csv gets one `<role>_span_id` column per role the scheme declares (across
all relation types, in scheme order) and one column per relation attribute, named as in the scheme
(prefixed `relation_` where a name would clash with another column). A role given more than once
(brat's `cue`, `cue2`, ...) lists its span ids in the one cell, `;`-separated in role order. A
relation of a type without that role or attribute leaves the cell empty. Rows come from
`store.streams.stream_relations`, whose args and attributes are JSON text (or None).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from annotator.io.csv_safety import CellGuard
from annotator.model.scheme import Scheme

ROLE_SUFFIX = "_span_id"
FRAGMENT_JOINER = ";"
ID_JOINER = ";"


def fragments_cell(raw: str | None) -> str:
    """A discontinuous span's pieces (JSON text from the stream) as `s-e;s-e`; empty for a continuous span."""
    if not raw or raw == "null":
        return ""
    return FRAGMENT_JOINER.join(f"{s}-{e}" for s, e in json.loads(raw))


def unique_names(fixed: Sequence[str], extra: Iterable[str], prefix: str) -> list[str]:
    """Extra column names, prefixed where they would clash with a fixed one or each other."""
    taken = set(fixed)
    out = []
    for name in extra:
        while name in taken:
            name = prefix + name
        taken.add(name)
        out.append(name)
    return out


class RelationCells:
    """Column names and cells for the relations' role arguments and attributes."""

    def __init__(self, scheme: Scheme, fixed: Sequence[str], guard: CellGuard) -> None:
        roles: dict[str, None] = {}
        attributes: dict[str, None] = {}
        for rtype in scheme.relations:
            for role in rtype.args:
                roles.setdefault(role.name, None)
            for attr in rtype.attributes:
                attributes.setdefault(attr.name, None)
        self.roles = tuple(roles)
        self.attributes = tuple(attributes)
        names = unique_names(fixed, [f"{r}{ROLE_SUFFIX}" for r in self.roles] + list(self.attributes), "relation_")
        self.names = tuple(names)
        self.role_columns = frozenset(names[: len(self.roles)])
        """The columns holding span ids (numbers when they hold one)."""
        self.guard = guard
        self._blank = ("",) * len(names)
        self._decoded: dict[tuple[str | None, str | None], tuple[str, ...]] = {}

    def cells(self, args_json: str | None, attributes_json: str | None) -> tuple[str, ...]:
        """The extra cells of one relation row (each distinct pair of JSON texts decoded once)."""
        if not self.names:
            return ()
        key = (_none(args_json), _none(attributes_json))
        if key == (None, None):
            return self._blank
        found = self._decoded.get(key)
        if found is None:
            found = self._decoded[key] = self._decode(*key)
        return found

    def _decode(self, args_json: str | None, attributes_json: str | None) -> tuple[str, ...]:
        args: dict[str, int] = json.loads(args_json) if args_json else {}
        attributes: dict[str, str] = json.loads(attributes_json) if attributes_json else {}
        by_role: dict[str, list[tuple[int, int]]] = {}
        for role, span_id in args.items():
            base = next((r for r in self.roles if role == r or _numbered(role, r)), None)
            if base is not None:
                by_role.setdefault(base, []).append((_repeat(role, base), int(span_id)))
        cells = [ID_JOINER.join(str(i) for _, i in sorted(by_role.get(r, []))) for r in self.roles]
        cells += [self.guard.text(str(attributes.get(a, ""))) for a in self.attributes]
        return tuple(cells)


def _none(raw: str | None) -> str | None:
    return None if not raw or raw in ("null", "{}") else raw


def _numbered(role: str, base: str) -> bool:
    return role.startswith(base) and role[len(base) :].isdigit()


def _repeat(role: str, base: str) -> int:
    """1 for `cue`, n for `cuen`: the order of a repeated role's spans."""
    return int(role[len(base) :] or 1)
