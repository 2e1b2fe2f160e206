"""Label Studio JSON tasks: export (spans, relations, attributes, stances) and import (annotations and
predictions). Offsets are code points, as in annotator: Label Studio's editor converts the browser's
UTF-16 positions to code points before it stores a region and draws stored regions by code point
(checked in Label Studio 1.23.2 with scripts/check_peer_formats.py: an emoji before a span).

Export writes `OUT.json`, a JSON array with one task per annotated document (`data.text`,
`data.doc_id`, `data.title`) and one annotation per annotator layer (its name in `annotator`), and
`OUT.config.xml`, a labeling config for the scheme. In an annotation's `result`:
- a span is a region `{"id", "type": "labels", "from_name": "label", "to_name": "text", "value":
  {"start", "end", "text", "labels": [label]}}`; a discontinuous span is its bounding region with
  its pieces in `meta.fragments` (Label Studio has no discontinuous regions; it keeps `meta`);
- a span attribute is a per-region result with the region's id, `from_name` the attribute,
  `type` "choices" (`value.choices`) or "textarea" (`value.text`);
- a relation is `{"type": "relation", "from_id", "to_id", "direction": "right", "labels": [type]}`;
- a stance is a "choices" result with `from_name` "stance_<target>" (per region when it has an id).
Relation roles and relation attributes, statuses and times are not written (no place for them).
Import reads the same; an annotation's annotator is its `annotator`, else `completed_by` (an email
or id), else `--annotator` (default "labelstudio"); predictions are imported as annotator
"prediction" (or their `model_version`). A bad task is rejected whole as `FILE:TASK: reason`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from annotator.io.export_layers import Cancel, ExportReport, Layer, Progress, Ticker, resolve_annotator
from annotator.io.staged_files import StagedFiles
from annotator.model.scheme import Scheme
from annotator.services.project import Project
from annotator.store import documents as docs
from annotator.store import streams as q

STANCE_PREFIX = "stance_"


def export_labelstudio(
    project: Project,
    out_path: Path,
    *,
    annotator: str | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> ExportReport:
    """Write the tasks to `out_path` (.json) and the labeling config beside it (.config.xml)."""
    from annotator.io.export_layers import iter_layers

    out_path = Path(out_path)
    annotator_id = resolve_annotator(project, annotator)
    counts = {"tasks": 0, "annotations": 0, "regions": 0, "relations": 0}
    config_name = out_path.with_suffix(".config.xml").name
    with project.reading() as s, StagedFiles(out_path.parent) as staged:
        totals = q.layer_counts(s, annotator_id)
        ticker = Ticker(totals["spans"] + totals["relations"] + totals["stances"], progress, cancel)
        names = q.annotator_names(s)
        texts = _Texts(docs.stream_document_texts(s))
        handle = staged.open(out_path.name)
        handle.write("[")
        current: dict[str, Any] | None = None
        for layer in iter_layers(s, annotator_id):
            if current is None or current["data"]["_id"] != layer.doc_id:
                if current is not None:
                    _write_task(handle, current, counts)
                ext_id, title, text = texts.get(layer.doc_id)
                current = {"data": {"text": text, "doc_id": ext_id, "title": title, "_id": layer.doc_id}}
                current["annotations"] = []
            result = _result(layer, project.scheme, counts)
            current["annotations"].append({"annotator": names[layer.annotator_id], "result": result})
            ticker.advance(len(layer.spans) + len(layer.relations) + len(layer.stances))
        if current is not None:
            _write_task(handle, current, counts)
        handle.write("\n]\n")
        staged.open(config_name).write(labeling_config(project.scheme))
        paths = staged.commit()
    return ExportReport(paths, counts)


def _write_task(handle: Any, task: dict[str, Any], counts: dict[str, int]) -> None:
    task["data"].pop("_id")
    handle.write(("\n" if not counts["tasks"] else ",\n") + json.dumps(task, ensure_ascii=False))
    counts["tasks"] += 1
    counts["annotations"] += len(task["annotations"])


class _Texts:
    def __init__(self, rows: Iterator[tuple[Any, ...]]) -> None:
        self._rows = rows
        self._current: tuple[Any, ...] | None = None

    def get(self, doc_id: int) -> tuple[str, str, str]:
        while self._current is None or self._current[0] < doc_id:
            self._current = next(self._rows)
        return self._current[1], self._current[3], self._current[4]


def _json(raw: str | None) -> Any:
    return json.loads(raw) if raw and raw != "null" else None


def _result(layer: Layer, scheme: Scheme, counts: dict[str, int]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    regions: dict[int, tuple[str, dict[str, Any]]] = {}
    for n, row in enumerate(layer.spans, start=1):
        sid, _, _, label, start, end, text, attrs, fragments, *_ = row
        region = f"s{n}"
        where = {"start": start, "end": end, "text": text}
        item: dict[str, Any] = {
            "id": region,
            "type": "labels",
            "from_name": "label",
            "to_name": "text",
            "value": {**where, "labels": [scheme.canonical_label(label)]},
        }
        pieces = _json(fragments)
        if pieces:
            item["value"]["text"] = None
            item["meta"] = {"fragments": [[a, b] for a, b in pieces]}
            where["text"] = None
        out.append(item)
        regions[sid] = (region, where)
        for name, value in (_json(attrs) or {}).items():
            kind, field = ("textarea", "text") if _is_text(scheme, name) else ("choices", "choices")
            out.append(
                {"id": region, "type": kind, "from_name": name, "to_name": "text", "value": {**where, field: [value]}}
            )
    counts["regions"] += len(layer.spans)
    for row in layer.relations:
        source, target = row[4], row[5]
        if source in regions and target in regions:
            out.append(
                {
                    "type": "relation",
                    "from_id": regions[source][0],
                    "to_id": regions[target][0],
                    "direction": "right",
                    "labels": [row[3]],
                }
            )
            counts["relations"] += 1
    for row in layer.stances:
        target, value, span_id = row[3], row[4], row[5]
        item = {"type": "choices", "from_name": STANCE_PREFIX + target, "to_name": "text"}
        if span_id is None:
            out.append(item | {"value": {"choices": [value]}})
        elif span_id in regions:
            region, where = regions[span_id]
            out.append(item | {"id": region, "value": {**where, "choices": [value]}})
    for item in out:  # a region without text (a discontinuous span) leaves `text` out
        if "value" in item and item["value"].get("text", "") is None:
            del item["value"]["text"]
    return out


def _is_text(scheme: Scheme, name: str) -> bool:
    return any(a.name == name and a.kind == "text" for lab in scheme.labels for a in lab.attributes)


def labeling_config(scheme: Scheme) -> str:
    """A Label Studio labeling config (XML) for the scheme's labels, attributes, relations, stances."""
    from xml.sax.saxutils import quoteattr

    lines = ["<View>", '  <Labels name="label" toName="text">']
    lines += [f"    <Label value={quoteattr(lab.name)} background={quoteattr(lab.color)}/>" for lab in scheme.labels]
    lines += ["  </Labels>", '  <Text name="text" value="$text"/>']
    if scheme.relations:
        lines.append("  <Relations>")
        lines += [f"    <Relation value={quoteattr(r.name)}/>" for r in scheme.relations]
        lines.append("  </Relations>")
    seen: set[str] = set()
    for lab in scheme.labels:
        for attr in lab.attributes:
            if attr.name in seen:
                continue
            seen.add(attr.name)
            if attr.kind == "text":
                lines.append(f'  <TextArea name={quoteattr(attr.name)} toName="text" perRegion="true"/>')
                continue
            lines.append(f'  <Choices name={quoteattr(attr.name)} toName="text" perRegion="true">')
            lines += [f"    <Choice value={quoteattr(v)}/>" for v in attr.values]
            lines.append("  </Choices>")
    for target in scheme.targets:
        lines.append(f'  <Choices name={quoteattr(STANCE_PREFIX + target.name)} toName="text">')
        lines += [f"    <Choice value={quoteattr(v)}/>" for v in scheme.stance_values]
        lines.append("  </Choices>")
    lines.append("</View>")
    return "\n".join(lines) + "\n"
