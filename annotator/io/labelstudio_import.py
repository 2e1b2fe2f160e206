"""Label Studio JSON tasks import: see `labelstudio` for the mapping (the inverse of its export).

The file is one JSON array of tasks (as Label Studio exports it); each task's annotations and
predictions become annotation-JSONL records fed to `AnnotationImporter`, in the file's one
transaction. A task whose offsets point outside the text, disagree with the
region's `text`, or name labels the scheme lacks is rejected whole, as `FILE:N: task N: reason`.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from annotator.io.import_report import CancelFn, FileTally, ImportReport, ProgressFn
from annotator.io.labelstudio import STANCE_PREFIX
from annotator.io.record_files import FileRejected, Records, import_record_files
from annotator.io.utf16 import Utf16Offsets
from annotator.model.types import FRAGMENT_JOINER
from annotator.services.project import Project

REGION_TYPES = frozenset({"labels", "hypertextlabels"})


class TaskError(Exception):
    """Internal: why one task is rejected."""


def import_labelstudio(
    project: Project,
    paths: Sequence[str | Path],
    *,
    annotator: str | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> ImportReport:
    default = annotator or "labelstudio"
    files = [Path(p) for p in paths]
    return import_record_files(
        project, files, lambda path, tally: _read_tasks(path, default, tally), progress=progress, cancel=cancel
    )


def _read_tasks(path: Path, default: str, tally: FileTally) -> Records:
    try:
        tasks = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FileRejected(f"not a Label Studio JSON export ({exc})", getattr(exc, "lineno", None)) from exc
    if isinstance(tasks, dict):
        tasks = [tasks]
    if not isinstance(tasks, list):
        raise FileRejected("a Label Studio export is a JSON array of tasks")
    records: Records = []
    for number, task in enumerate(tasks, start=1):
        try:
            records += [(number, json.dumps(r, ensure_ascii=False)) for r in task_records(task, number, default)]
        except TaskError as exc:
            tally.reject(number, f"task {number}: {exc}")
    return records


def task_records(task: Any, number: int, default: str) -> list[dict[str, Any]]:
    """The annotation records of one task: one per annotation and per prediction."""
    if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
        raise TaskError("a task is an object with a `data` object")
    data = task["data"]
    text = data.get("text")
    if not isinstance(text, str) or not text:
        raise TaskError("data.text must be a non-empty string")
    doc_id = str(data.get("doc_id") or data.get("id") or task.get("id") or "") or None
    document = {"text": text, **({"id": doc_id} if doc_id else {})}
    if isinstance(data.get("title"), str) and data["title"]:
        document["title"] = data["title"]
    offsets = Utf16Offsets(text)
    records = []
    for kind in ("annotations", "predictions"):
        for n, item in enumerate(task.get(kind) or [], start=1):
            if not isinstance(item, dict) or item.get("was_cancelled"):
                continue
            who = _who(item, kind, default)
            try:
                record = _record(item.get("result") or [], text, offsets)
            except TaskError as exc:
                raise TaskError(f"{kind[:-1]} {n}: {exc}") from exc
            records.append({"document": document, "annotator": who, **record})
    return records


def _who(item: dict[str, Any], kind: str, default: str) -> str:
    if kind == "predictions":
        return str(item.get("model_version") or "prediction")
    found = item.get("annotator") or item.get("completed_by")
    if isinstance(found, dict):
        found = found.get("email") or found.get("username") or found.get("id")
    return str(found) if found not in (None, "") else default


def _record(result: list[Any], text: str, offsets: Utf16Offsets) -> dict[str, Any]:
    spans: dict[str, dict[str, Any]] = {}
    relations, stances = [], []
    for item in result:
        if isinstance(item, dict) and item.get("type") in REGION_TYPES:
            span = _span(item, text, offsets)
            spans[span["id"]] = span
    for item in result:
        if not isinstance(item, dict) or item.get("type") in REGION_TYPES:
            continue
        if item.get("type") == "relation":
            labels = item.get("labels") or []
            if len(labels) != 1:
                raise TaskError(f"relation {item.get('from_id')}->{item.get('to_id')} needs exactly one label")
            relations.append({"type": labels[0], "from": item.get("from_id"), "to": item.get("to_id")})
            continue
        name, value = str(item.get("from_name", "")), item.get("value") or {}
        region = item.get("id") if item.get("id") in spans else None
        chosen = value.get("choices") or value.get("text") or []
        if not isinstance(chosen, list) or len(chosen) != 1 or not isinstance(chosen[0], str):
            raise TaskError(f"{name}: exactly one choice or text expected, got {chosen!r}")
        if name.startswith(STANCE_PREFIX):
            stances.append({"target": name[len(STANCE_PREFIX) :], "value": chosen[0], "span": region})
        elif region is not None:
            spans[region]["attributes"][name] = chosen[0]
        else:
            raise TaskError(f"{name}: a choice that is neither a stance (stance_<target>) nor on a region")
    return {"spans": list(spans.values()), "relations": relations, "stances": stances}


def _span(item: dict[str, Any], text: str, offsets: Utf16Offsets) -> dict[str, Any]:
    value = item.get("value") or {}
    region = str(item.get("id") or "")
    labels = value.get("labels") or value.get("hypertextlabels") or []
    if not region or len(labels) != 1:
        raise TaskError(f"region {region or '?'}: needs an id and exactly one label")
    raw = [(value.get("start"), value.get("end")), *((item.get("meta") or {}).get("fragments") or [])]
    try:
        start, end, pieces, covered = _read(raw, text, _code_point)
    except (KeyError, TypeError, ValueError) as exc:
        raise TaskError(f"region {region}: bad offsets ({exc})") from exc
    if "text" in value and value["text"] != covered:
        # Label Studio before its editor counted code points (its issue #1347) wrote UTF-16 units:
        # such a region is read in units when its text matches there, and only then.
        with contextlib.suppress(KeyError, TypeError, ValueError):
            start, end, pieces, covered = _read(raw, text, offsets.to_code_points)
    if not 0 <= start < end <= len(text):
        raise TaskError(f"region {region}: offsets {value['start']}..{value['end']} are outside the text")
    if "text" in value and value["text"] != covered:
        raise TaskError(f"region {region}: text {value['text']!r} is not the text at its offsets ({covered!r})")
    span: dict[str, Any] = {"id": region, "label": labels[0], "start": start, "end": end, "attributes": {}}
    if pieces:
        span["fragments"] = [list(p) for p in pieces]
    return span


def _code_point(offset: Any) -> int:
    if not isinstance(offset, int) or isinstance(offset, bool):
        raise TypeError(f"offset {offset!r} is not a whole number")
    return offset


def _read(raw: list[Any], text: str, convert: Any) -> tuple[int, int, list[tuple[int, int]], str]:
    """Bounds, pieces and covered text of a region whose offsets `convert` turns into code points."""
    (start, end), *rest = [(convert(a), convert(b)) for a, b in raw]
    covered = FRAGMENT_JOINER.join(text[a:b] for a, b in rest) if rest else text[start:end]
    return start, end, rest, covered
