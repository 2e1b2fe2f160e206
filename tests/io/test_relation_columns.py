"""relations.csv and the xlsx relations sheet carry a relation's role arguments and attributes, and
spans carry a discontinuous span's pieces (issue 13); read back with pandas and openpyxl."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd

from annotator.io.export_csv import export_csv
from annotator.io.export_xlsx import export_xlsx
from annotator.io.importer import import_paths
from annotator.paths import SCHEMES_DIR
from annotator.services.project import Project

PARC = SCHEMES_DIR / "attribution.toml"
TEXT = '"Quote 😀 one," he said, adding: "two." She told reporters "=SUM(A1)" and agreed.'


def _at(phrase: str, nth: int = 0) -> list[int]:
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(phrase, start + 1)
    return [start, start + len(phrase)]


def _span(local: str, label: str, *pieces: list[int]) -> dict[str, Any]:
    if len(pieces) == 1:
        return {"id": local, "label": label, "start": pieces[0][0], "end": pieces[0][1]}
    return {"id": local, "label": label, "fragments": list(pieces)}


def _project(tmp_path: Path) -> Project:
    record = {
        "document": {"id": "q", "text": TEXT},
        "annotator": "alice",
        "spans": [
            _span("c1", "content", _at('"Quote 😀 one,"'), _at('"two."')),
            _span("s1", "source", _at("he")),
            _span("u1", "cue", _at("said")),
            _span("u2", "cue", _at("adding")),
            _span("c2", "content", _at('"=SUM(A1)"')),
            _span("s2", "source", _at("She")),
            _span("u3", "cue", _at("told reporters")),
        ],
        "relations": [
            {"type": "attribution", "from": "c1", "to": "s1", "args": {"cue": "u1", "cue2": "u2"}},
            {
                "type": "attribution",
                "from": "c2",
                "to": "s2",
                "args": {"cue": "u3"},
                "attributes": {"quote_type": "direct"},
            },
        ],
    }
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    project = Project.open(tmp_path / "p.db", scheme_path=PARC)
    report = import_paths(project, [source])
    assert report.ok, report.rejected
    return project


def test_csv_has_role_and_attribute_columns_and_fragments(tmp_path: Path) -> None:
    project = _project(tmp_path)
    try:
        export_csv(project, tmp_path / "csv")
    finally:
        project.close()
    spans = pd.read_csv(tmp_path / "csv" / "spans.csv", keep_default_na=False, dtype=str)
    span_id = dict(zip(spans["text"], spans["span_id"], strict=True))
    quote = _at('"Quote 😀 one,"'), _at('"two."')
    fragments = dict(zip(spans["text"], spans["fragments"], strict=True))
    assert fragments['"Quote 😀 one," "two."'] == f"{quote[0][0]}-{quote[0][1]};{quote[1][0]}-{quote[1][1]}"
    assert fragments["he"] == ""
    relations = pd.read_csv(tmp_path / "csv" / "relations.csv", keep_default_na=False, dtype=str)
    assert list(relations.columns)[-2:] == ["cue_span_id", "quote_type"]
    rows = {r["from_span_id"]: r for r in relations.to_dict("records")}
    first = rows[span_id['"Quote 😀 one," "two."']]
    assert first["cue_span_id"] == f"{span_id['said']};{span_id['adding']}"  # cue, cue2 in role order
    assert first["quote_type"] == ""
    second = rows[span_id['"=SUM(A1)"']]
    assert (second["cue_span_id"], second["quote_type"]) == (span_id["told reporters"], "direct")


def test_xlsx_relations_sheet_has_the_same_columns_with_ids_as_numbers(tmp_path: Path) -> None:
    project = _project(tmp_path)
    try:
        export_xlsx(project, tmp_path / "out.xlsx")
    finally:
        project.close()
    book = openpyxl.load_workbook(tmp_path / "out.xlsx")
    spans = [[c.value for c in row] for row in book["spans"].iter_rows()]
    head = spans[0]
    span_id = {row[head.index("text")]: row[head.index("span_id")] for row in spans[1:]}
    assert span_id['"=SUM(A1)"'] is not None  # the workbook keeps the text itself, as text
    relations = [[c for c in row] for row in book["relations"].iter_rows()]
    header = [c.value for c in relations[0]]
    assert header[-2:] == ["cue_span_id", "quote_type"]
    rows = {row[header.index("from_span_id")].value: row for row in relations[1:]}
    single = rows[span_id['"=SUM(A1)"']][header.index("cue_span_id")]
    assert single.value == span_id["told reporters"] and single.data_type == "n"
    repeated = rows[span_id['"Quote 😀 one," "two."']][header.index("cue_span_id")]
    assert repeated.value == f"{span_id['said']};{span_id['adding']}" and repeated.data_type == "s"
    assert rows[span_id['"=SUM(A1)"']][header.index("quote_type")].value == "direct"
