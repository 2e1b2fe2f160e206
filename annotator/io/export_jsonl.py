"""Annotation JSONL export: one line per (document, annotator), the round-trip format of PRODUCT.md.

Each line carries the document (`id` = external id, `sha256`, `title`, `text` exactly as stored, and
`meta` when the document has metadata), the annotator's name and `annotator_uid` (a stable identity, so a
merge never fuses two people who share a name), `status`, `seconds` (time spent),
`note` and `status_updated_at` (left out when the layer has no status row, so that an import does
not invent one), then `spans` (ids "s1", "s2"... in (start, end, id) order, each with `label`,
`start`, `end`, `text`, `attributes`, `created_at`, `updated_at`), `relations` (`type`, `from`, `to`
as local span ids, with times) and `stances` (`target`, `value`, `span` = local span id or null,
with times), in id order. `origin` is not exported: an import marks rows "imported". Lines come in
(document id, annotator id) order. A layer with only a status row (a document opened and read, time
spent and nothing marked) has its line, so an import keeps that time; a document nobody touched has
none. Texts are never neutralised.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from annotator.io.export_layers import (
    Cancel,
    ExportReport,
    Layer,
    Progress,
    Row,
    Ticker,
    iter_layers,
    resolve_annotator,
)
from annotator.io.staged_files import StagedFiles
from annotator.services.project import Project
from annotator.store import documents as docs
from annotator.store import streams as q

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def export_jsonl(
    project: Project,
    out_path: Path,
    *,
    annotator: str | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> ExportReport:
    """Write the annotation JSONL to `out_path`; `annotator` limits it to that layer."""
    out_path = Path(out_path)
    annotator_id = resolve_annotator(project, annotator)
    counts = {"lines": 0, "spans": 0, "relations": 0, "stances": 0}
    with project.reading() as s, StagedFiles(out_path.parent) as staged:
        totals = q.layer_counts(s, annotator_id)
        ticker = Ticker(totals["spans"] + totals["relations"] + totals["stances"], progress, cancel)
        ticker.check()
        names = q.annotator_names(s)
        uids = q.annotator_uids(s)
        canonical = _Canonical(project)
        handle = staged.open(out_path.name)
        documents = _DocumentCursor(docs.stream_document_texts(s))
        for layer in iter_layers(s, annotator_id):
            line = _line(layer, documents.get(layer.doc_id), names[layer.annotator_id], canonical)
            line["annotator_uid"] = uids[layer.annotator_id]
            handle.write(_dumps(line))
            handle.write("\n")
            counts["lines"] += 1
            for kind in ("spans", "relations", "stances"):
                counts[kind] += len(line[kind])
            ticker.advance(len(layer.spans) + len(layer.relations) + len(layer.stances) + 1)
        ticker.check()
        paths = staged.commit()
    return ExportReport(paths, counts)


class _Canonical:
    """Per-export caches: a stored label's current name, and decoded attribute JSON strings (few
    distinct ones; the decoded dicts are only read, by the encoder, so sharing them is safe)."""

    def __init__(self, project: Project) -> None:
        self._scheme = project.scheme
        self.hash = project.scheme.version_hash
        self._cache: dict[str, str] = {}
        self._attributes: dict[str | None, dict[str, Any]] = {}

    def __call__(self, label: str) -> str:
        if label not in self._cache:
            self._cache[label] = self._scheme.canonical_label(label)
        return self._cache[label]

    def attributes(self, raw: str | None) -> dict[str, Any]:
        found = self._attributes.get(raw)
        if found is None:
            if len(self._attributes) > 50000:
                self._attributes.clear()
            found = self._attributes[raw] = json.loads(raw) if raw else {}
        return found


class _DocumentCursor:
    """Walks the id-ordered document stream in step with the id-ordered layers."""

    def __init__(self, rows: Iterator[Row]) -> None:
        self._rows = rows
        self._current: Row | None = None

    def get(self, doc_id: int) -> dict[str, Any]:
        while self._current is None or self._current[0] < doc_id:
            self._current = next(self._rows)
        _, ext_id, sha, title, text, meta_json = self._current
        doc: dict[str, Any] = {"id": ext_id, "sha256": sha, "title": title, "text": text}
        if meta_json and meta_json != "{}":
            doc["meta"] = json.loads(meta_json)
        return doc


def _times(row: Row) -> dict[str, Any]:
    return {"created_at": row[-2], "updated_at": row[-1]}


def _extras(row: Row, local: dict[int, str]) -> dict[str, Any]:
    """A relation's role arguments (as the line's span ids) and attributes, when it has any."""
    out: dict[str, Any] = {}
    args = json.loads(row[6]) if row[6] and row[6] != "null" else {}
    if args:
        out["args"] = {role: local[span_id] for role, span_id in args.items() if span_id in local}
    attributes = json.loads(row[7]) if row[7] and row[7] != "null" else {}
    if attributes:
        out["attributes"] = attributes
    return out


def _line(layer: Layer, document: dict[str, Any], annotator: str, canonical: _Canonical) -> dict[str, Any]:
    local = {row[0]: f"s{i}" for i, row in enumerate(layer.spans, start=1)}
    spans = [
        {
            "id": local[sid],
            "label": canonical(label),
            "start": start,
            "end": end,
            "text": text,
            "attributes": canonical.attributes(attrs),
            **({"fragments": json.loads(fragments)} if fragments and fragments != "null" else {}),
            "created_at": created,
            "updated_at": updated,
        }
        for sid, _, _, label, start, end, text, attrs, fragments, _, created, updated in layer.spans
    ]
    # A relation or stance always lies in its spans' layer (the services guarantee it); one that
    # did not could not be expressed with local ids, so it is left out rather than misnumbered.
    relations = [
        {"type": r[3], "from": local[r[4]], "to": local[r[5]], **_extras(r, local), **_times(r)}
        for r in layer.relations
        if r[4] in local and r[5] in local
    ]
    stances = [
        {"target": st[3], "value": st[4], "span": None if st[5] is None else local[st[5]], **_times(st)}
        for st in layer.stances
        if st[5] is None or st[5] in local
    ]
    line: dict[str, Any] = {"document": document, "annotator": annotator, "annotator_uid": "", "scheme": canonical.hash}
    if layer.status is not None:
        _, _, _, status, seconds, note, updated = layer.status
        line.update(status=status, seconds=seconds, note=note, status_updated_at=updated)
    line.update(spans=spans, relations=relations, stances=stances)
    return line
