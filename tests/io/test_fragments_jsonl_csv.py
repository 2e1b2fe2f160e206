"""Discontinuous spans and relation roles/attributes in annotation JSONL and CSV: round trip and bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from annotator.io.export_csv import export_csv
from annotator.io.export_jsonl import export_jsonl
from annotator.io.importer import import_paths
from annotator.paths import SCHEMES_DIR
from annotator.services.project import Project

TEXT = '"Quote 😀 one 𝔘," he said.\r\n"Quote two."\r\nEnd.'
PARC = SCHEMES_DIR / "attribution.toml"


def _piece(phrase: str) -> list[int]:
    start = TEXT.index(phrase)
    return [start, start + len(phrase)]


def _record() -> dict[str, Any]:
    one, two = _piece('"Quote 😀 one 𝔘,"'), _piece('"Quote two."')
    return {
        "document": {"id": "q", "text": TEXT},
        "annotator": "alice",
        "spans": [
            {"id": "c", "label": "content", "fragments": [one, two], "attributes": {}},
            {"id": "s", "label": "source", "start": _piece("he")[0], "end": _piece("he")[1]},
            {"id": "u", "label": "cue", "start": _piece("said")[0], "end": _piece("said")[1]},
        ],
        "relations": [
            {
                "type": "attribution",
                "from": "c",
                "to": "s",
                "args": {"cue": "u"},
                "attributes": {"quote_type": "direct"},
            }
        ],
    }


def _write(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def _content(path: Path) -> list[dict[str, Any]]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        obj = json.loads(line)
        for item in obj["spans"] + obj["relations"]:
            item.pop("created_at", None)
            item.pop("updated_at", None)
        obj.pop("annotator_uid", None)
        out.append(obj)
    return out


def test_jsonl_round_trip_keeps_fragments_roles_and_attributes(tmp_path: Path) -> None:
    source = _write(tmp_path / "in.jsonl", [_record()])
    first, second = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    project = Project.open(tmp_path / "a.db", scheme_path=PARC)
    try:
        report = import_paths(project, [source])
        assert report.ok, report.rejected
        export_jsonl(project, first)
    finally:
        project.close()
    (line,) = _content(first)
    content = next(s for s in line["spans"] if s["label"] == "content")
    one, two = _piece('"Quote 😀 one 𝔘,"'), _piece('"Quote two."')
    assert content["fragments"] == [one, two]
    assert (content["start"], content["end"]) == (one[0], two[1])
    assert content["text"] == TEXT[one[0] : one[1]] + " " + TEXT[two[0] : two[1]]
    (relation,) = line["relations"]
    assert relation["attributes"] == {"quote_type": "direct"}
    assert {s["id"]: s["label"] for s in line["spans"]}[relation["args"]["cue"]] == "cue"
    other = Project.open(tmp_path / "b.db", scheme_path=PARC)
    try:
        assert import_paths(other, [first]).ok
        export_jsonl(other, second)
        again = import_paths(other, [first])  # the same layer again: a duplicate, not a conflict
        assert again.ok and len(again.duplicates) == 1
    finally:
        other.close()
    assert _content(first) == _content(second)


def test_csv_fragments_column(tmp_path: Path) -> None:
    project = Project.open(tmp_path / "a.db", scheme_path=PARC)
    try:
        assert import_paths(project, [_write(tmp_path / "in.jsonl", [_record()])]).ok
        export_csv(project, tmp_path / "csv")
    finally:
        project.close()
    spans = pd.read_csv(tmp_path / "csv" / "spans.csv", keep_default_na=False, dtype=str)
    one, two = _piece('"Quote 😀 one 𝔘,"'), _piece('"Quote two."')
    by_label = dict(zip(spans["label"], spans["fragments"], strict=True))
    assert by_label == {"content": f"{one[0]}-{one[1]};{two[0]}-{two[1]}", "source": "", "cue": ""}


def test_bad_fragments_and_roles_reject_the_line(tmp_path: Path) -> None:
    records = []
    for change in (
        lambda r: r["spans"][0].update(fragments=[[30, 35], [0, 5]]),  # not sorted
        lambda r: r["spans"][0].update(fragments=[[0, 5], [3, 9]]),  # overlapping
        lambda r: r["spans"][0].update(fragments=[[0, 5], [40, 999]]),  # outside the text
        lambda r: r["spans"][0].update(start=1),  # start is not the first piece's start
        lambda r: r["relations"][0].update(args={"cue": "s"}),  # a cue must be a cue span
        lambda r: r["relations"][0].update(args={"speaker": "u"}),  # no such role
        lambda r: r["relations"][0].update(attributes={"quote_type": "shouted"}),  # no such value
    ):
        record = _record()
        change(record)
        records.append(record)
    project = Project.open(tmp_path / "a.db", scheme_path=PARC)
    try:
        report = import_paths(project, [_write(tmp_path / "bad.jsonl", records)])
        assert [r.line for r in report.rejected] == list(range(1, len(records) + 1))
        reasons = " | ".join(r.reason for r in report.rejected)
        for part in ("sorted", "outside", "bounds", "takes a cue", "no role 'speaker'", "shouted"):
            assert part in reasons
        with project.session() as s:
            from annotator.store import annotations as store_ann

            assert store_ann.table_counts(s)["spans"] == 0
    finally:
        project.close()


def test_merge_keeps_fragments_roles_and_attributes(tmp_path: Path) -> None:
    """A colleague's project file and their JSONL merge with the pieces, the cue and the quote type."""
    from annotator.services.merge import merge_jsonl, merge_project

    colleague = Project.open(tmp_path / "alice.db", scheme_path=PARC)
    try:
        assert import_paths(colleague, [_write(tmp_path / "in.jsonl", [_record()])]).ok
        export_jsonl(colleague, tmp_path / "alice.jsonl")
    finally:
        colleague.close()
    for name, merge, source in (
        ("from_file", merge_project, tmp_path / "alice.db"),
        ("from_jsonl", merge_jsonl, tmp_path / "alice.jsonl"),
    ):
        reviewer = Project.open(tmp_path / f"{name}.db", scheme_path=PARC)
        try:
            merge(reviewer, source)  # a problem (a piece or role it cannot place) raises
            export_jsonl(reviewer, tmp_path / f"{name}.jsonl")
        finally:
            reviewer.close()
        assert _content(tmp_path / f"{name}.jsonl") == _content(tmp_path / "alice.jsonl"), name
