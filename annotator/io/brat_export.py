"""brat standoff export: a folder per annotator holding `DOC.txt` + `DOC.ann`, and `annotation.conf`.

Layout: `OUT/<annotator>/<doc id>.txt` (the text exactly, CRLF kept) and `.ann` for every layer, and
`OUT/annotation.conf` declaring the scheme's labels, relations, events and attributes, so brat opens
the folder and `annotator import --format brat OUT` reads it back (annotator = folder name).

Mapping, the inverse of `brat_import`: a span is a T line (a discontinuous one lists its fragments
`s e;s e`, its text the pieces joined by one space); a span attribute is an A line (the value `true`
is written as a binary attribute); a relation without role arguments or attributes whose ends differ
is an R line `Type Arg1:T Arg2:T`; any other relation is an E line anchored on its `from` span, with
`Arg2:` its `to` span when that differs, then its role arguments, and its attributes as A lines on
the E (brat cannot put attributes on R lines). Comments by the layer's annotator on its spans and
relations are `#` AnnotatorNotes lines. Stances, statuses, times and origins are not written (brat
has no place for them). The folder is written under a temporary name and renamed into place whole.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from annotator.io.brat_format import TypeMap
from annotator.io.export_layers import Cancel, ExportReport, Layer, Progress, Ticker, iter_layers, resolve_annotator
from annotator.io.staged_files import new_folder
from annotator.model.scheme import Scheme
from annotator.services.project import Project
from annotator.store import annotations as store_ann
from annotator.store import documents as docs
from annotator.store import streams as q

_UNSAFE = re.compile(r"[^\w.\-]+")


def export_brat(
    project: Project,
    out_dir: Path,
    *,
    annotator: str | None = None,
    mapping: Path | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> ExportReport:
    """Write the brat folder `out_dir` (new, or an empty folder); `annotator` limits it to that layer."""
    counts = {"documents": 0, "spans": 0, "relations": 0, "notes": 0}
    with new_folder(Path(out_dir), "brat") as staging:
        annotator_id = resolve_annotator(project, annotator)
        types = TypeMap(project.scheme, mapping)
        (staging / "annotation.conf").write_text(annotation_conf(project.scheme, types), encoding="utf-8")
        with project.reading() as s:
            totals = q.layer_counts(s, annotator_id)
            ticker = Ticker(totals["spans"] + totals["relations"], progress, cancel)
            names = q.annotator_names(s)
            texts = _Texts(docs.stream_document_texts(s))
            used: dict[str, set[str]] = {}
            for layer in iter_layers(s, annotator_id):
                ext_id, sha, text = texts.get(layer.doc_id)
                folder = _safe(names[layer.annotator_id]) or f"annotator{layer.annotator_id}"
                taken = used.setdefault(folder, set())
                stem = _safe(ext_id) or sha[:16]
                if stem in taken:
                    stem = f"{stem}_{sha[:8]}"
                taken.add(stem)
                (staging / folder).mkdir(exist_ok=True)
                with (staging / folder / f"{stem}.txt").open("w", encoding="utf-8", newline="") as handle:
                    handle.write(text)
                comments = [
                    (key, note)
                    for _, author, key, note, _ in store_ann.comments_for(s, layer.doc_id)
                    if author == layer.annotator_id
                ]
                lines = ann_lines(layer, types, project.scheme, comments, counts)
                with (staging / folder / f"{stem}.ann").open("w", encoding="utf-8", newline="") as handle:
                    handle.writelines(line + "\n" for line in lines)
                counts["documents"] += 1
                ticker.advance(len(layer.spans) + len(layer.relations))
    return ExportReport((Path(out_dir),), counts)


class _Texts:
    """Walks the id-ordered document stream in step with the doc-ordered layers."""

    def __init__(self, rows: Iterator[tuple[Any, ...]]) -> None:
        self._rows = rows
        self._current: tuple[Any, ...] | None = None

    def get(self, doc_id: int) -> tuple[str, str, str]:
        while self._current is None or self._current[0] < doc_id:
            self._current = next(self._rows)
        return self._current[1], self._current[2], self._current[4]


def _safe(name: str) -> str:
    return _UNSAFE.sub("_", name).strip("._")[:120]


def _json(raw: str | None) -> dict[str, Any]:
    return json.loads(raw) if raw and raw != "null" else {}


def ann_lines(
    layer: Layer, types: TypeMap, scheme: Scheme, comments: list[tuple[str, str]], counts: dict[str, int]
) -> list[str]:
    """The .ann lines of one layer (see the module text)."""
    lines: list[str] = []
    ids: dict[int, str] = {}
    keys: dict[str, str] = {}
    attributes: list[tuple[str, str, str]] = []
    for n, row in enumerate(layer.spans, start=1):
        sid, _, _, label, start, end, text, attrs, fragments, *_ = row
        ids[sid] = f"T{n}"
        label = scheme.canonical_label(label)
        pieces: list[list[int]] = json.loads(fragments) if fragments and fragments != "null" else []
        offsets = ";".join(f"{s} {e}" for s, e in pieces) if pieces else f"{start} {end}"
        lines.append(f"T{n}\t{types.to_brat('types', label)} {offsets}\t{text}")
        keys[f"span:{start}:{end}:{label}"] = f"T{n}"
        attributes += [(f"T{n}", k, v) for k, v in _json(attrs).items()]
    counts["spans"] += len(layer.spans)
    n_r = n_e = 0
    span_key = {v: k for k, v in keys.items()}
    for row in layer.relations:
        _, _, _, rtype, source, target, args_raw, attrs_raw, *_ = row
        args, attrs = _json(args_raw), _json(attrs_raw)
        if source not in ids or target not in ids or any(v not in ids for v in args.values()):
            continue
        name = types.to_brat("types", rtype)
        if source != target and not args and not attrs:
            n_r += 1
            ident = f"R{n_r}"
            lines.append(f"{ident}\t{name} Arg1:{ids[source]} Arg2:{ids[target]}")
        else:
            n_e += 1
            ident = f"E{n_e}"
            parts = [f"{name}:{ids[source]}"]
            if target != source:
                parts.append(f"Arg2:{ids[target]}")
            parts += [f"{types.to_brat('roles', _base(r)) + r[len(_base(r)) :]}:{ids[v]}" for r, v in args.items()]
            lines.append(f"{ident}\t{' '.join(parts)}")
            attributes += [(ident, k, v) for k, v in attrs.items()]
        keys[f"relation:{rtype}:{span_key[ids[source]]}->{span_key[ids[target]]}"] = ident
        counts["relations"] += 1
    for n, (target, name, value) in enumerate(attributes, start=1):
        brat = types.to_brat("attributes", name)
        lines.append(f"A{n}\t{brat} {target}" + ("" if value == "true" else f" {value}"))
    n_notes = 0
    for key, note in comments:
        if key in keys:
            n_notes += 1
            lines.append(f"#{n_notes}\tAnnotatorNotes {keys[key]}\t{note}")
    counts["notes"] += n_notes
    return lines


def _base(role: str) -> str:
    return role.rstrip("0123456789")


def annotation_conf(scheme: Scheme, types: TypeMap) -> str:
    """brat's annotation.conf for the scheme: entities, relations, events and attributes."""

    def brat(name: str) -> str:
        return types.to_brat("types", name)

    events = [r for r in scheme.relations if r.args or r.attributes or r.from_label == r.to_label]
    binary = [r for r in scheme.relations if r not in events]
    out = ["# Written by annotator from the scheme " + repr(scheme.name), "[entities]"]
    out += [brat(lab.name) for lab in scheme.labels]
    out.append("[relations]")
    out += [f"{brat(r.name)}\tArg1:{brat(r.from_label)}, Arg2:{brat(r.to_label)}" for r in binary]
    out.append("<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>")
    out.append("[events]")
    for r in events:
        roles = [] if r.from_label == r.to_label else [f"Arg2:{brat(r.to_label)}"]
        roles += [f"{types.to_brat('roles', a.name)}*:{'|'.join(brat(x) for x in a.labels)}" for a in r.args]
        out.append(f"{brat(r.name)}\t{', '.join(roles)}".rstrip())
    out.append("[attributes]")
    owners: dict[str, list[str]] = {}
    values: dict[str, tuple[str, ...]] = {}
    for owner, attrs in [(lab.name, lab.attributes) for lab in scheme.labels] + [
        (r.name, r.attributes) for r in events
    ]:
        for attr in attrs:
            owners.setdefault(attr.name, []).append(brat(owner))
            values[attr.name] = values.get(attr.name, ()) + tuple(
                v for v in attr.values if v not in values.get(attr.name, ())
            )
    for name, where in owners.items():
        choice = f", Value:{'|'.join(values[name])}" if values[name] else ""
        out.append(f"{types.to_brat('attributes', name)}\tArg:{'|'.join(where)}{choice}")
    return "\n".join(out) + "\n"
