"""Import's fast reader (`io.annotation_rows.RowReader`) against the typed reader it stands in for.

Every line of a file of good lines and of mutated ones is imported twice into fresh projects: once as
the importer does it (the fast reader, the typed reader where it gives up) and once with the fast
reader switched off (every line through `model.annotation_jsonl`, as before). Both must accept and
reject the same lines with the same messages and store the same rows, and the fast reader must have
taken the good lines itself (else the comparison proves nothing).
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from annotator.io import annotation_rows, importer
from annotator.io.importer import import_paths
from annotator.services.project import Project
from annotator.store.tables import Base

SCHEME = """
name = "rows"
version = 1

[[labels]]
name = "claim"
key = "C"
color = "#f6c343"
aliases = ["assertion"]

  [[labels.attributes]]
  name = "claim_type"
  key = "Y"
  values = ["factual", "opinion"]
  value_aliases = { fact = "factual" }
  aliases = ["kind"]

[[labels]]
name = "source"
key = "S"
color = "#5aa9e6"

  [[labels.attributes]]
  name = "canonical"
  key = "N"
  type = "text"

[[labels]]
name = "cue"
key = "U"
color = "#f08a8a"

[[relations]]
name = "attributed_to"
from = "claim"
to = "source"
max_per_from = 1
aliases = ["said_by"]

  [[relations.args]]
  name = "cue"
  labels = ["cue"]

  [[relations.attributes]]
  name = "quote_type"
  values = ["direct", "indirect"]
  value_aliases = { quoted = "direct" }

[stance]
values = ["favor", "against"]
value_aliases = { pro = "favor" }
span_labels = ["claim"]

  [[stance.targets]]
  name = "nato"
  aliases = ["nato_membership"]

  [[stance.targets]]
  name = "aid"
"""

TEXT = "Reuters said that aid will come soon. Officials said talks fail. 😀 The end."
NOW = "2026-12-01T00:00:00.000000Z"


def _at(word: str) -> tuple[int, int]:
    start = TEXT.index(word)
    return start, start + len(word)


def _base(n: int) -> dict[str, Any]:
    text = f"{TEXT} ({n})"
    claim, source, cue = _at("aid will come soon"), _at("Reuters"), _at("said")
    return {
        "document": {"id": f"d{n}", "title": f"T{n}", "text": text},
        "annotator": "alice",
        "status": "done",
        "spans": [
            {"id": "c", "label": "claim", "start": claim[0], "end": claim[1], "text": "aid will come soon",
             "attributes": {"claim_type": "factual"}},
            {"id": "s", "label": "source", "start": source[0], "end": source[1], "attributes": {"canonical": "R"}},
            {"id": "u", "label": "cue", "start": cue[0], "end": cue[1]},
        ],
        "relations": [{"type": "attributed_to", "from": "c", "to": "s", "args": {"cue": "u"},
                       "attributes": {"quote_type": "direct"}}],
        "stances": [{"target": "nato", "value": "favor", "span": None},
                    {"target": "aid", "value": "against", "span": "c"}],
    }  # fmt: skip


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """A mutation: set the value at a dotted path (list indices as numbers); `...` deletes it."""

    def apply(line: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = line
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        key: Any = int(last) if isinstance(node, list) else last
        if value is ...:
            del node[key]
        else:
            node[key] = value

    return apply


MUTATIONS: list[tuple[str, Callable[[dict[str, Any]], None]]] = [
    # good lines, some of them unusual
    ("as is", lambda line: None),
    ("integer ids", lambda line: line.update(json.loads(json.dumps(line).replace('"c"', "7")))),
    ("no span ids", lambda line: [s.pop("id") for s in line["spans"]] and line.update(relations=[], stances=[])),
    ("label alias", _set("spans.0.label", "assertion")),
    ("alias of a lone span", lambda line: line["spans"].append({"label": "assertion", "start": 0, "end": 7})),
    ("attribute alias", _set("spans.0.attributes", {"kind": "fact"})),
    ("attributes as empty list", _set("spans.2.attributes", [])),
    ("no quoted text", _set("spans.0.text", ...)),
    ("timestamps", _set("spans.1.created_at", "2024-01-01T10:00:00+02:00")),
    ("updated only", _set("relations.0.updated_at", "2024-01-02")),
    ("relation alias", _set("relations.0.type", "said_by")),
    ("relation value alias", _set("relations.0.attributes", {"quote_type": "quoted"})),
    ("no args", _set("relations.0.args", ...)),
    ("stance aliases", _set("stances.0", {"target": "nato_membership", "value": "pro"})),
    ("status object", _set("status", {"status": "in_progress", "seconds": 3, "note": "n", "updated_at": "2024-05-05"})),
    ("no status", _set("status", ...)),
    ("uid", _set("annotator_uid", "u-1")),
    ("empty uid", _set("annotator_uid", "")),
    ("fragments", _set("spans.0", {"id": "c", "label": "claim", "fragments": [[0, 7], [8, 12]]})),
    ("one fragment", _set("spans.0", {"id": "c", "label": "claim", "fragments": [[0, 7]]})),
    ("padded annotator", _set("annotator", "  bob ")),
    ("integer document id", _set("document.id", 5)),
    ("extra keys", lambda line: line.update(extra=1, scheme="abc")),
    # bad lines
    ("not an object", lambda line: line.clear()),
    ("annotator missing", _set("annotator", ...)),
    ("annotator blank", _set("annotator", " ")),
    ("uid not a string", _set("annotator_uid", 3)),
    ("document not an object", _set("document", "d")),
    ("document sha wrong", _set("document.sha256", "0" * 64)),
    ("document id a list", _set("document.id", [1])),
    ("unknown document without text", _set("document.text", ...)),
    ("spans not a list", _set("spans", {})),
    ("span not an object", _set("spans.2", "x")),
    ("span id empty", _set("spans.0.id", "")),
    ("span id boolean", _set("spans.0.id", True)),
    ("span id twice", _set("spans.1.id", "c")),
    ("label unknown", _set("spans.0.label", "quote")),
    ("label a number", _set("spans.0.label", 1)),
    ("attributes a string", _set("spans.0.attributes", "x")),
    ("attribute a number", _set("spans.0.attributes", {"claim_type": 1})),
    ("attribute a list", _set("spans.0.attributes", {"claim_type": ["factual"]})),
    ("attribute unknown", _set("spans.0.attributes", {"colour": "red"})),
    ("attribute value unknown", _set("spans.0.attributes", {"claim_type": "rumour"})),
    ("start boolean", _set("spans.0.start", False)),
    ("start a float", _set("spans.0.start", 1.0)),
    ("end missing", _set("spans.0.end", ...)),
    ("empty span", _set("spans.0.end", 18)),
    ("empty lone span", lambda line: line["spans"].append({"label": "cue", "start": 3, "end": 3})),
    ("end past the text", _set("spans.0.end", 10_000)),
    ("negative start", _set("spans.0.start", -1)),
    ("quoted text differs", _set("spans.0.text", "aid will come")),
    ("quoted text a number", _set("spans.0.text", 3)),
    ("timestamp unreadable", _set("spans.0.created_at", "yesterday")),
    ("timestamp a number", _set("stances.0.updated_at", 5)),
    ("fragments bad", _set("spans.0.fragments", [[3, 1]])),
    ("relations not a list", _set("relations", "x")),
    ("relation not an object", _set("relations.0", 1)),
    ("relation type unknown", _set("relations.0.type", "quotes")),
    ("relation type missing", _set("relations.0.type", ...)),
    ("relation from unknown", _set("relations.0.from", "zz")),
    ("relation to missing", _set("relations.0.to", ...)),
    ("relation ends swapped", lambda line: line["relations"][0].update({"from": "s", "to": "c"})),
    ("relation twice", lambda line: line["relations"].append(copy.deepcopy(line["relations"][0]))),
    ("role unknown", _set("relations.0.args", {"hint": "u"})),
    ("role on a wrong span", _set("relations.0.args", {"cue": "s"})),
    ("role names no span", _set("relations.0.args", {"cue": "q"})),
    ("args a list", _set("relations.0.args", ["u"])),
    ("relation attribute unknown", _set("relations.0.attributes", {"tone": "x"})),
    ("relation attribute value", _set("relations.0.attributes", {"quote_type": "none"})),
    ("relation attribute a number", _set("relations.0.attributes", {"quote_type": 2})),
    ("stances not a list", _set("stances", {})),
    ("stance target unknown", _set("stances.0.target", "eu")),
    ("stance value unknown", _set("stances.0.value", "maybe")),
    ("stance value a number", _set("stances.0.value", 1)),
    ("stance span unknown", _set("stances.1.span", "zz")),
    ("stance on a source", _set("stances.1.span", "s")),
    ("stance twice", lambda line: line["stances"].append({"target": "nato", "value": "against"})),
    ("status unknown", _set("status", "finished")),
    ("status a list", _set("status", {"status": [1]})),  # was a TypeError (a traceback), not a reason
    ("seconds negative", lambda line: line.update(seconds=-1)),
]


def _lines() -> list[str]:
    lines = []
    for n, (_, mutate) in enumerate(MUTATIONS):
        line = _base(n)
        mutate(line)
        lines.append(json.dumps(line, ensure_ascii=False))
    # the other cases: not JSON; a second annotator on a document; a duplicate and a differing
    # re-import of a layer; a line naming a stored document by id or sha256 only
    second = _base(0) | {"annotator": "bob"}
    by_sha = _base(1) | {"annotator": "carol"}
    by_sha["document"] = {"sha256": hashlib.sha256(by_sha["document"]["text"].encode()).hexdigest()}
    differing = _base(0)
    differing["spans"][0]["attributes"] = {"claim_type": "opinion"}
    extra = [second, _base(0), differing, {"document": {"id": "d2"}, "annotator": "dave", "spans": []}, by_sha]
    return [*lines, "{not json", *(json.dumps(line, ensure_ascii=False) for line in extra)]


def _import(tmp_path: Path, name: str, lines: list[str]) -> tuple[Any, dict[str, list[dict[str, Any]]]]:
    scheme = tmp_path / "scheme.toml"
    scheme.write_text(SCHEME, encoding="utf-8")
    (tmp_path / name).mkdir()
    path = tmp_path / name / "lines.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    project = Project.open(tmp_path / name / "p.db", scheme_path=scheme)
    try:
        report = import_paths(project, [path])
        tables: dict[str, list[dict[str, Any]]] = {}
        with project.session() as s:
            for table in Base.metadata.sorted_tables:
                if table.name in {"schemes", "meta"}:
                    continue
                rows = s.execute(select(table).order_by(*table.primary_key)).mappings()
                # Left out: the file's path, and an annotator's random uid and creation time.
                skip = {"source"} | ({"uid", "created_at"} if table.name == "annotators" else set())
                tables[table.name] = [{k: v for k, v in row.items() if k not in skip} for row in rows]
    finally:
        project.close()
    return report, tables


def test_the_fast_reader_accepts_rejects_and_stores_exactly_as_the_typed_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "utc_now", lambda: NOW)
    lines = _lines()
    fast_rows = annotation_rows.RowReader.rows
    taken: list[str] = []

    def counted(self: annotation_rows.RowReader, obj: dict[str, Any], text: str) -> Any:
        rows = fast_rows(self, obj, text)
        if rows is not None:
            taken.append(obj["document"].get("id", "?"))
        return rows

    monkeypatch.setattr(annotation_rows.RowReader, "rows", counted)
    fast_report, fast = _import(tmp_path, "fast", lines)
    monkeypatch.setattr(annotation_rows.RowReader, "rows", lambda self, obj, text: None)
    typed_report, typed = _import(tmp_path, "typed", lines)

    rejected = [(r.line, r.reason) for r in typed_report.rejected]
    assert [(r.line, r.reason) for r in fast_report.rejected] == rejected
    assert [(d.line, d.ext_id) for d in fast_report.duplicates] == [(d.line, d.ext_id) for d in typed_report.duplicates]
    assert typed_report.duplicates
    assert fast_report.annotations_added == typed_report.annotations_added
    assert fast_report.documents_added == typed_report.documents_added
    for name, rows in typed.items():
        assert fast[name] == rows, name
    # The comparison covers something: bad lines were rejected with the typed reader's messages,
    # good ones stored, and the fast reader itself took the plain lines.
    reasons = dict(rejected)
    good = [n for n, (label, _) in enumerate(MUTATIONS) if label == "not an object"][0]
    assert len(reasons) >= len(MUTATIONS) - good, reasons
    assert "span 'c': text 'aid will come' is not the document's text" in " ".join(reasons.values())
    assert "status [1] is not one of not_started, in_progress, done" in reasons.values()
    assert len(typed["spans"]) > 40
    assert len(taken) >= good - 3, taken  # fragments (2) and the padded annotator go typed
