"""doccano JSONL: UTF-16 offsets, export -> import -> export round trip, the older layout, bad lines."""

from __future__ import annotations

import json
from pathlib import Path

from annotator.io.doccano import export_doccano, import_doccano
from annotator.services.project import Project
from annotator.store import annotations as store_ann
from tests.io.test_labelstudio import TEXT, _at, _seed


def test_round_trip_with_utf16_offsets(tmp_path: Path) -> None:
    project = Project.open(tmp_path / "a.db")
    try:
        _seed(project)
        export_doccano(project, tmp_path / "one.jsonl")
    finally:
        project.close()
    lines = [json.loads(x) for x in (tmp_path / "one.jsonl").read_text(encoding="utf-8").splitlines()]
    alice = next(line for line in lines if line["annotator"] == "alice")
    source = next(e for e in alice["entities"] if e["label"] == "source")
    start = TEXT.index("Zelensky")
    assert source["start_offset"] == len(TEXT[:start].encode("utf-16-le")) // 2 != start
    claim = next(e for e in alice["entities"] if e["label"] == "claim")
    # doccano drops an entity's unknown keys but keeps the line's: the pieces travel at the line level.
    assert "fragments" not in claim
    (pieces,) = alice["fragments"]
    assert pieces["label"] == "claim" and (pieces["start_offset"], pieces["end_offset"]) == (
        claim["start_offset"],
        claim["end_offset"],
    )
    assert len(pieces["fragments"]) == 2
    assert alice["relations"] == [{"id": 1, "from_id": claim["id"], "to_id": source["id"], "type": "attributed_to"}]
    other = Project.open(tmp_path / "b.db")
    try:
        report = import_doccano(other, [tmp_path / "one.jsonl"])
        assert report.ok, report.rejected
        with other.session() as s:
            spans = store_ann.spans_for(s, 1)
        assert {(sp.label, sp.start, sp.end) for sp in spans} >= {("source", *_at("Zelensky"))}
        assert (_at("NATO membership is close"), _at("talks went well")) in [sp.fragments for sp in spans]
        export_doccano(other, tmp_path / "two.jsonl")
    finally:
        other.close()
    assert (tmp_path / "two.jsonl").read_bytes() == (tmp_path / "one.jsonl").read_bytes()


def test_older_layout_and_bad_lines(tmp_path: Path) -> None:
    text = "A 😀 claim here"
    good = {"text": text, "label": [[5, 10, "claim"]]}  # "claim" in UTF-16 units
    inside = {"text": text, "label": [[3, 10, "claim"]]}  # splits the emoji
    unknown = {"text": text, "label": [[5, 10, "speaker"]]}
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in (good, inside, unknown)) + "\n", "utf-8")
    project = Project.open(tmp_path / "p.db")
    try:
        report = import_doccano(project, [path], annotator="dana")
        assert [r.line for r in report.rejected] == [2, 3]
        assert "inside a character" in report.rejected[0].reason and "speaker" in report.rejected[1].reason
        with project.session() as s:
            (span,) = store_ann.spans_for(s, 1)
        assert span.text == "claim"
    finally:
        project.close()


def test_cli_exports_and_imports_labelstudio_and_doccano(tmp_path: Path) -> None:
    from annotator import cli

    source = tmp_path / "a.db"
    project = Project.open(source)
    try:
        _seed(project)
    finally:
        project.close()
    for fmt, name in (("labelstudio", "tasks.json"), ("doccano", "lines.jsonl")):
        out = tmp_path / name
        assert cli.main(["--project", str(source), "export", "--format", fmt, "--out", str(out)]) == 0
        target = tmp_path / f"{fmt}.db"
        assert cli.main(["--project", str(target), "import", "--format", fmt, str(out)]) == 0
        project = Project.open(target)
        try:
            with project.session() as s:
                assert store_ann.table_counts(s)["spans"] == 3
        finally:
            project.close()
