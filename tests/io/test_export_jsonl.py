"""Annotation JSONL export: the line format, offsets after non-BMP text, filters, cancel, round trip."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from annotator.app import seed_project
from annotator.io.export_jsonl import export_jsonl
from annotator.io.importer import import_paths
from annotator.model.errors import Cancelled
from annotator.model.types import Status
from annotator.services import annotations as svc
from annotator.services import documents
from annotator.services.project import Project
from tests.io.test_export_csv import TEXT_1, seed


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_one_line_per_document_and_annotator(project: Project, tmp_path: Path) -> None:
    seed(project)
    report = export_jsonl(project, tmp_path / "out.jsonl")
    got = lines(tmp_path / "out.jsonl")
    assert [(g["document"]["id"], g["annotator"]) for g in got] == [
        ("-doc1", "alice"),
        ("-doc1", "bob"),
        ("-doc1", "gold"),
        ("doc2", "alice"),
    ]
    assert report.rows["lines"] == 4 and report.rows["spans"] == 12
    first = got[0]
    assert first["document"]["text"] == TEXT_1
    assert first["document"]["title"] == '=HYPERLINK("x")'
    assert first["document"]["meta"] == {"outlet": "@Kyiv Post", "score": -3}
    assert first["status"] == "done"
    assert [s["id"] for s in first["spans"]] == ["s1", "s2", "s3"]
    assert [s["start"] for s in first["spans"]] == sorted(s["start"] for s in first["spans"])
    by_id = {s["id"]: s for s in first["spans"]}
    (relation,) = first["relations"]
    assert by_id[relation["from"]]["label"] == "claim" and by_id[relation["to"]]["label"] == "source"
    assert {(st["target"], st["span"] and by_id[st["span"]]["text"]) for st in first["stances"]} == {
        ("nato_membership", None),
        ("security_guarantees", "NATO membership is close"),
    }
    for item in first["spans"] + first["relations"] + first["stances"]:
        assert item["created_at"] and item["updated_at"]
        assert "origin" not in item


def test_offsets_after_non_bmp_characters(project: Project, tmp_path: Path) -> None:
    seed(project)
    export_jsonl(project, tmp_path / "out.jsonl")
    for line in lines(tmp_path / "out.jsonl"):
        text = line["document"]["text"]
        for span in line["spans"]:
            assert span["text"] == text[span["start"] : span["end"]]
    raw = (tmp_path / "out.jsonl").read_text(encoding="utf-8")
    assert "🇺🇦" in raw and "=SUM(A1)" in raw


def test_annotator_filter(project: Project, tmp_path: Path) -> None:
    seed(project)
    export_jsonl(project, tmp_path / "gold.jsonl", annotator="gold")
    assert {line["annotator"] for line in lines(tmp_path / "gold.jsonl")} == {"gold"}


def test_cancel_leaves_no_file(project: Project, tmp_path: Path) -> None:
    seed(project)
    with pytest.raises(Cancelled):
        export_jsonl(project, tmp_path / "out" / "out.jsonl", cancel=lambda: True)
    assert not (tmp_path / "out").exists()
    existing = tmp_path / "keep"
    existing.mkdir()
    with pytest.raises(Cancelled):
        export_jsonl(project, existing / "out.jsonl", cancel=lambda: True)
    assert list(existing.iterdir()) == []


def test_round_trip_is_lossless(project: Project, tmp_path: Path) -> None:
    importer = pytest.importorskip("annotator.io.importer")
    seed(project)
    first = tmp_path / "first.jsonl"
    export_jsonl(project, first)
    second, third = tmp_path / "second.jsonl", tmp_path / "third.jsonl"
    for source, target, name in ((first, second, "p2.db"), (second, third, "p3.db")):
        fresh = Project.open(tmp_path / name)
        try:
            report = importer.import_paths(fresh, [source])
            assert report.ok, report.summary()
            export_jsonl(fresh, target)
        finally:
            fresh.close()
    assert first.read_text(encoding="utf-8") == second.read_text(encoding="utf-8")
    assert second.read_text(encoding="utf-8") == third.read_text(encoding="utf-8")


def test_reimport_into_same_project_adds_nothing(project: Project, tmp_path: Path) -> None:
    importer = pytest.importorskip("annotator.io.importer")
    seed(project)
    out = tmp_path / "out.jsonl"
    export_jsonl(project, out)
    report = importer.import_paths(project, [out])
    assert report.ok and len(report.duplicates) == 4
    again = tmp_path / "again.jsonl"
    export_jsonl(project, again)
    assert again.read_text(encoding="utf-8") == out.read_text(encoding="utf-8")


def test_a_document_only_opened_has_a_line_with_its_time_and_one_never_touched_has_none(
    project: Project, tmp_path: Path
) -> None:
    """README: every (document, annotator) with anything recorded has a line, time spent and a status
    set back to not_started included (an import then keeps them); a document nobody touched has none."""
    seed_project(project)
    first, opened, reset, *untouched = documents.document_ids(project)
    alice, bob = project.annotator("alice").id, project.annotator("bob").id
    svc.add_span(project, first, alice, "source", 0, 5)
    svc.add_time(project, opened, alice, 42.0)  # opened, read for 42 s, nothing marked
    svc.set_status(project, reset, bob, Status.DONE)
    svc.set_status(project, reset, bob, Status.NOT_STARTED)
    export_jsonl(project, tmp_path / "out.jsonl")
    got = lines(tmp_path / "out.jsonl")
    ids = {doc_id: documents.load_view(project, doc_id, alice).document.info.ext_id for doc_id in (opened, reset)}
    shown = {(g["document"]["id"], g["annotator"]): (g["status"], g["seconds"], len(g["spans"])) for g in got}
    assert len(got) == 3 and untouched
    assert shown[(ids[opened], "alice")] == ("not_started", 42.0, 0)
    assert shown[(ids[reset], "bob")] == ("not_started", 0.0, 0)
    copy = Project.open(tmp_path / "copy.db")
    try:
        import_paths(copy, [tmp_path / "out.jsonl"])
        export_jsonl(copy, tmp_path / "again.jsonl")
    finally:
        copy.close()
    assert [
        (g["document"]["id"], g["annotator"], g["status"], g["seconds"]) for g in lines(tmp_path / "again.jsonl")
    ] == [(g["document"]["id"], g["annotator"], g["status"], g["seconds"]) for g in got]
