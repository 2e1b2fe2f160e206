"""doccano JSONL (sequence labeling with relations): export and import of spans and relations.

One line per (document, annotator): `{"id": doc id, "text", "entities": [{"id", "label",
"start_offset", "end_offset"}], "relations": [{"id", "from_id", "to_id", "type"}], "annotator"}`.
doccano counts offsets in UTF-16 code units, as its JavaScript front end does (doccano issues #2290
and #2484, unless the project counts grapheme clusters), so offsets are converted both ways. Import
also takes the older `"label": [[start, end, "LABEL"], ...]` lines. doccano has no discontinuous
spans, span attributes, relation roles or stances: a discontinuous span is written as its bounding
entity, and its pieces go in a line-level `fragments` list of `{"label", "start_offset",
"end_offset", "fragments"}` (doccano drops unknown keys of an entity but keeps a line's unknown keys
as the example's metadata and exports them back: checked in doccano 1.8.4 with
scripts/check_peer_formats.py); the import matches them to entities by label and bounds, and also
reads pieces in an entity's own `fragments` key. The rest is not written. A bad line is rejected
whole as FILE:LINE.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from annotator.io.export_layers import Cancel, ExportReport, Progress, Ticker, iter_layers
from annotator.io.export_layers import resolve_annotator as _resolve
from annotator.io.import_report import CancelFn, FileTally, ImportReport, ProgressFn, Rejection
from annotator.io.record_files import FileRejected, Records, import_record_files
from annotator.io.staged_files import StagedFiles
from annotator.io.utf16 import Utf16Offsets
from annotator.services.project import Project
from annotator.store import documents as docs
from annotator.store import streams as q


def export_doccano(
    project: Project,
    out_path: Path,
    *,
    annotator: str | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> ExportReport:
    out_path = Path(out_path)
    annotator_id = _resolve(project, annotator)
    counts = {"lines": 0, "entities": 0, "relations": 0}
    with project.reading() as s, StagedFiles(out_path.parent) as staged:
        totals = q.layer_counts(s, annotator_id)
        ticker = Ticker(totals["spans"] + totals["relations"], progress, cancel)
        names = q.annotator_names(s)
        rows = docs.stream_document_texts(s)
        current: tuple[Any, ...] | None = None
        handle = staged.open(out_path.name)
        for layer in iter_layers(s, annotator_id):
            while current is None or current[0] < layer.doc_id:
                current = next(rows)
            text, offsets = current[4], Utf16Offsets(current[4])
            entities, ids, pieces_of = [], {}, []
            for n, row in enumerate(layer.spans, start=1):
                sid, _, _, label, start, end, _, _, fragments, *_ = row
                ids[sid] = n
                entity: dict[str, Any] = {
                    "id": n,
                    "label": project.scheme.canonical_label(label),
                    "start_offset": offsets.to_units(start),
                    "end_offset": offsets.to_units(end),
                }
                pieces = json.loads(fragments) if fragments and fragments != "null" else None
                if pieces:
                    units = [[offsets.to_units(a), offsets.to_units(b)] for a, b in pieces]
                    pieces_of.append({k: v for k, v in entity.items() if k != "id"} | {"fragments": units})
                entities.append(entity)
            relations = [
                {"id": n, "from_id": ids[r[4]], "to_id": ids[r[5]], "type": r[3]}
                for n, r in enumerate(layer.relations, start=1)
                if r[4] in ids and r[5] in ids
            ]
            line = {"id": current[1], "text": text, "entities": entities, "relations": relations}
            if pieces_of:
                line["fragments"] = pieces_of
            handle.write(json.dumps(line | {"annotator": names[layer.annotator_id]}, ensure_ascii=False) + "\n")
            counts["lines"] += 1
            counts["entities"] += len(entities)
            counts["relations"] += len(relations)
            ticker.advance(len(layer.spans) + len(layer.relations))
        paths = staged.commit()
    return ExportReport(paths, counts)


class LineError(Exception):
    """Internal: why one line is rejected."""


def import_doccano(
    project: Project,
    paths: Sequence[str | Path],
    *,
    annotator: str | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> ImportReport:
    default = annotator or "doccano"

    def read(path: Path, tally: FileTally) -> Records:
        try:
            return list(_records(path, default, tally))
        except (OSError, UnicodeDecodeError) as exc:
            raise FileRejected(f"cannot read as UTF-8 ({exc})") from exc

    return import_record_files(project, [Path(p) for p in paths], read, progress=progress, cancel=cancel)


def _records(path: Path, default: str, tally: FileTally) -> Iterator[tuple[int, str]]:
    with path.open(encoding="utf-8") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                yield number, json.dumps(line_record(raw, default), ensure_ascii=False)
            except LineError as exc:
                tally.rejected.append(Rejection(str(path), number, str(exc)))


def line_record(raw: str, default: str) -> dict[str, Any]:
    """The annotation-JSONL record of one doccano line."""
    try:
        obj = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise LineError(f"not JSON ({exc.msg})") from exc
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str) or not obj["text"]:
        raise LineError("a doccano line is an object with a non-empty `text`")
    text = obj["text"]
    offsets = Utf16Offsets(text)
    entities = obj.get("entities")
    if entities is None:  # the older sequence-labeling layout
        entities = [
            {"id": i, "start_offset": e[0], "end_offset": e[1], "label": e[2]}
            for i, e in enumerate(obj.get("label") or [])
        ]
    spans = []
    line_pieces = [p for p in obj.get("fragments") or [] if isinstance(p, dict)]
    for entity in entities:
        try:
            start, end = offsets.to_code_points(entity["start_offset"]), offsets.to_code_points(entity["end_offset"])
            given = entity.get("fragments") or _take_pieces(line_pieces, entity)
            pieces = [[offsets.to_code_points(a), offsets.to_code_points(b)] for a, b in given]
        except (KeyError, TypeError, ValueError) as exc:
            raise LineError(
                f"entity {entity.get('id') if isinstance(entity, dict) else entity!r}: bad offsets ({exc})"
            ) from exc
        span = {"id": str(entity.get("id")), "label": entity.get("label"), "start": start, "end": end}
        spans.append(span | ({"fragments": pieces} if pieces else {}))
    relations = [
        {"type": r.get("type"), "from": str(r.get("from_id")), "to": str(r.get("to_id"))}
        for r in obj.get("relations") or []
        if isinstance(r, dict)
    ]
    document = {"text": text, **({"id": str(obj["id"])} if obj.get("id") not in (None, "") else {})}
    who = obj.get("annotator") or obj.get("user") or default
    return {"document": document, "annotator": str(who), "spans": spans, "relations": relations}


def _take_pieces(line_pieces: list[dict[str, Any]], entity: dict[str, Any]) -> list[Any]:
    """The pieces the line-level `fragments` list gives this entity (matched by label and bounds, once)."""
    key = ("label", "start_offset", "end_offset")
    for n, item in enumerate(line_pieces):
        if all(item.get(k) == entity.get(k) for k in key):
            return list(line_pieces.pop(n).get("fragments") or [])
    return []
