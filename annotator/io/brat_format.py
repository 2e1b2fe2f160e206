"""brat standoff, the format itself: parsing `.ann` lines, and the names that map brat types to a scheme.

brat (https://brat.nlplab.org/standoff.html) keeps a document's text in `NAME.txt` and its
annotations in `NAME.ann`, one per line, tab-separated: `T` text-bound spans with offsets
`start end[;start end...]` (code points; several pieces make a discontinuous span) and the covered
text (pieces joined by one space; a piece holding a line break continues on the next lines), `R`
binary relations `Type Arg1:Tn Arg2:Tm`, `E` events `Type:Trigger Role:Tn ...`, `A`/`M` attributes
`Name Target [Value]`, `#` notes `AnnotatorNotes Target<TAB>text`. `N` (normalisation) and `*`
(equivalence) lines are counted and left out.

Type names map to the scheme case-insensitively (`-` and `_` alike), through the scheme's own
`[formats.brat]` table (`types = {label_or_relation = "BratName"}`, `roles`, `attributes`), or through
a mapping file of the same shape; export writes the brat names back.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.model.errors import AnnotatorError
from annotator.model.scheme import Scheme

_ID = re.compile(r"^(?:[TREAMN]\d+|#\d*|\*)\t")
_OFFSETS = re.compile(r"^\d+ \d+(?:;\d+ \d+)*$")


class AnnError(Exception):
    """One bad line of a .ann file: its line number and the reason."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line, self.reason = line, reason


@dataclass
class TextBound:
    id: str
    type: str
    pieces: list[tuple[int, int]]
    text: str
    line: int


@dataclass
class Link:
    """An R or E line: type, the trigger (E only) and the (role, target id) arguments in file order."""

    id: str
    type: str
    trigger: str | None
    args: list[tuple[str, str]]
    line: int


@dataclass
class Ann:
    """A parsed .ann file."""

    spans: dict[str, TextBound] = field(default_factory=dict)
    links: dict[str, Link] = field(default_factory=dict)
    attributes: list[tuple[str, str, str, int]] = field(default_factory=list)  # name, target, value, line
    notes: list[tuple[str, str, int]] = field(default_factory=list)  # target, text, line
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys("TREAM#N*", 0))


def parse_ann(lines: Iterable[str]) -> Ann:
    """Parse .ann lines (without line ends); raises AnnError naming the first bad line."""
    ann = Ann()
    pending: TextBound | None = None
    expected = 0
    for number, line in enumerate(lines, start=1):
        if pending is not None and len(pending.text) < expected and not _ID.match(line):
            pending.text += "\n" + line  # a covered text holding a line break goes on
            continue
        pending = None
        if line[:1] != "T":
            line = line.removesuffix("\r")  # a CRLF .ann; a T line's text may hold a CR of the document
        if not line.strip():
            continue
        if not _ID.match(line):
            raise AnnError(number, f"not a brat annotation line: {line[:60]!r}")
        kind = "#" if line[0] == "#" else line[0]
        ann.counts[kind] += 1
        ident, _, rest = line.partition("\t")
        if kind == "T":
            span = _text_bound(ident, rest, number)
            if ident in ann.spans:
                raise AnnError(number, f"id {ident} is used twice")
            ann.spans[ident] = pending = span
            expected = sum(e - s for s, e in span.pieces) + len(span.pieces) - 1
        elif kind in "RE":
            link = _link(ident, kind, rest, number)
            if ident in ann.links:
                raise AnnError(number, f"id {ident} is used twice")
            ann.links[ident] = link
        elif kind in "AM":
            fields = rest.split()
            if len(fields) not in (2, 3):
                raise AnnError(number, "an attribute line is `A1<TAB>Name Target [Value]`")
            ann.attributes.append((fields[0], fields[1], fields[2] if len(fields) == 3 else "true", number))
        elif kind == "#":
            head, _, note = rest.partition("\t")
            fields = head.split()
            if len(fields) == 2:
                ann.notes.append((fields[1], note, number))
    return ann


def _text_bound(ident: str, rest: str, number: int) -> TextBound:
    head, tab, text = rest.partition("\t")
    kind, _, offsets = head.partition(" ")
    if not tab or not kind or not _OFFSETS.match(offsets):
        raise AnnError(number, f"{ident}: a T line is `T1<TAB>Type start end[;start end]<TAB>text`")
    pieces = [(int(s), int(e)) for s, e in (p.split(" ") for p in offsets.split(";"))]
    return TextBound(ident, kind, pieces, text, number)


def _link(ident: str, kind: str, rest: str, number: int) -> Link:
    fields = rest.split()
    if not fields:
        raise AnnError(number, f"{ident}: no type")
    if kind == "R":
        args = [tuple(f.split(":", 1)) for f in fields[1:]]
        if len(args) != 2 or any(len(a) != 2 for a in args):
            raise AnnError(number, f"{ident}: an R line is `R1<TAB>Type Arg1:T1 Arg2:T2`")
        return Link(ident, fields[0], None, [(a[0], a[1]) for a in args], number)
    parts = [f.split(":", 1) for f in fields]
    if any(len(p) != 2 or not p[1] for p in parts):
        raise AnnError(number, f"{ident}: an E line is `E1<TAB>Type:Trigger Role:Id ...`")
    return Link(ident, parts[0][0], parts[0][1], [(p[0], p[1]) for p in parts[1:]], number)


def _norm(name: str) -> str:
    return name.casefold().replace("-", "_")


class TypeMap:
    """brat type, role and attribute names <-> scheme names."""

    def __init__(self, scheme: Scheme, mapping: Path | None = None) -> None:
        declared = {kind: dict(scheme.formats.get("brat", {}).get(kind, {})) for kind in _KINDS}
        if mapping is not None:
            try:
                extra = _brat_table(mapping.read_text(encoding="utf-8"), str(mapping), whole=True)
            except OSError as exc:
                raise AnnotatorError(f"{mapping}: cannot read mapping file ({exc.strerror})") from exc
            for key in declared:
                declared[key].update(extra[key])
        self.export: dict[str, dict[str, str]] = declared  # ours -> brat, per kind
        self.labels = self._table([lab.name for lab in scheme.labels], declared["types"])
        self.relations = self._table([r.name for r in scheme.relations], declared["types"])
        roles = [role.name for r in scheme.relations for role in r.args]
        self.roles = self._table(roles, declared["roles"])
        attrs = [a.name for lab in scheme.labels for a in lab.attributes]
        attrs += [a.name for r in scheme.relations for a in r.attributes]
        self.attributes = self._table(attrs, declared["attributes"])

    @staticmethod
    def _table(names: list[str], declared: Mapping[str, str]) -> dict[str, str]:
        table = {_norm(name): name for name in names}
        table.update({_norm(brat): ours for ours, brat in declared.items() if ours in names})
        return table

    def label(self, brat: str) -> str | None:
        return self.labels.get(_norm(brat))

    def relation(self, brat: str) -> str | None:
        return self.relations.get(_norm(brat))

    def role(self, brat: str) -> str:
        base = brat.rstrip("0123456789")
        found = self.roles.get(_norm(base))
        return brat if found is None else found + brat[len(base) :]

    def attribute(self, brat: str) -> str:
        return self.attributes.get(_norm(brat), brat)

    def to_brat(self, kind: str, name: str) -> str:
        """Our `name` as brat writes it (`kind`: types, roles or attributes)."""
        return self.export[kind].get(name, name)


_KINDS = ("types", "roles", "attributes")


def _brat_table(toml: str, origin: str, *, whole: bool = False) -> dict[str, dict[str, str]]:
    """A mapping file: `[types]`, `[roles]`, `[attributes]` tables of scheme name = brat name."""
    try:
        data: dict[str, Any] = tomllib.loads(toml)
    except tomllib.TOMLDecodeError as exc:
        raise AnnotatorError(f"{origin}: {exc}") from exc
    table = data if whole else data.get("formats", {}).get("brat", {})
    out: dict[str, dict[str, str]] = {}
    for key in _KINDS:
        found = table.get(key, {})
        if not isinstance(found, dict) or not all(isinstance(v, str) for v in found.values()):
            raise AnnotatorError(f"{origin}: [formats.brat] {key} must map scheme names to brat names")
        out[key] = dict(found)
    return out


def canonical(ann: Ann) -> list[str]:
    """The file's content with ids resolved to what they point at, sorted: two .ann files with equal
    canonical lines are equal up to ids, line order and the order of a span's fragments."""

    def span(ident: str) -> str:
        t = ann.spans.get(ident)
        return ident if t is None else f"{t.type} {';'.join(f'{s} {e}' for s, e in sorted(t.pieces))}"

    # The covered text follows from the offsets (import checks it), so it is left out here.
    out = [f"T {span(t.id)}" for t in ann.spans.values()]
    for link in ann.links.values():
        head = f"{link.type}:{span(link.trigger)}" if link.trigger else link.type
        roles = sorted(f"{role.rstrip('0123456789')}:{span(target)}" for role, target in link.args)
        out.append(f"{'E' if link.trigger else 'R'} {head} {' '.join(roles)}")
    links = {k: f"{v.type}:{span(v.trigger) if v.trigger else ''}" for k, v in ann.links.items()}
    out += [f"A {name} {links.get(target) or span(target)} {value}" for name, target, value, _ in ann.attributes]
    out += [f"# {links.get(target) or span(target)}\t{note}" for target, note, _ in ann.notes]
    return sorted(out)
