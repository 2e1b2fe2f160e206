"""Label Studio JSON tasks: UTF-16 offsets, export -> import -> export round trip, bad tasks."""

from __future__ import annotations

import json
from pathlib import Path

from annotator.io.labelstudio import export_labelstudio
from annotator.io.labelstudio_import import import_labelstudio
from annotator.services import annotations as svc
from annotator.services.project import Project
from annotator.store import annotations as store_ann
from tests.io.test_export_csv import add_document

TEXT = "Kyiv 🇺🇦 said: 𝔘 NATO membership is close.\r\nZelensky 😀 agreed; talks went well."


def _at(phrase: str) -> tuple[int, int]:
    start = TEXT.index(phrase)
    return start, start + len(phrase)


def _seed(project: Project) -> None:
    doc = add_document(project, "d1", TEXT, "Talks")
    alice = project.annotator("alice").id
    a, b = _at("NATO membership is close")
    claim, _ = svc.add_span(project, doc, alice, "claim", a, b, {"claim_type": "prediction"})
    c, d = _at("talks went well")
    with project.session() as s:
        store_ann.update_span(s, claim.id, fragments=((a, b), (c, d)), end=d, text=f"{TEXT[a:b]} {TEXT[c:d]}")
    s0, s1 = _at("Zelensky")
    source, _ = svc.add_span(project, doc, alice, "source", s0, s1, {"canonical": "=Volodymyr Zelensky"})
    svc.link(project, "attributed_to", claim.id, source.id)
    svc.set_stance(project, doc, alice, "nato_membership", "favor")
    svc.set_stance(project, doc, alice, "security_guarantees", "against", span_id=claim.id)
    svc.add_span(project, doc, project.annotator("bob").id, "claim", *_at("Kyiv"), {})


def test_offsets_are_utf16_units_and_round_trip_is_identical(tmp_path: Path) -> None:
    project = Project.open(tmp_path / "a.db")
    try:
        _seed(project)
        export_labelstudio(project, tmp_path / "one.json")
    finally:
        project.close()
    tasks = json.loads((tmp_path / "one.json").read_text(encoding="utf-8"))
    (task,) = tasks
    assert task["data"]["text"] == TEXT and task["data"]["doc_id"] == "d1"
    alice = next(a for a in task["annotations"] if a["annotator"] == "alice")
    regions = {r["id"]: r for r in alice["result"] if r["type"] == "labels"}
    source = next(r for r in regions.values() if r["value"]["labels"] == ["source"])
    units = len(TEXT[: TEXT.index("Zelensky")].encode("utf-16-le")) // 2
    assert source["value"]["start"] == units != TEXT.index("Zelensky")
    assert source["value"]["text"] == "Zelensky"
    claim = next(r for r in regions.values() if r["value"]["labels"] == ["claim"])
    assert len(claim["meta"]["fragments"]) == 2
    assert {
        "type": "relation",
        "from_id": claim["id"],
        "to_id": source["id"],
        "direction": "right",
        "labels": ["attributed_to"],
    } in alice["result"]
    assert (tmp_path / "one.config.xml").read_text(encoding="utf-8").startswith("<View>")

    other = Project.open(tmp_path / "b.db")
    try:
        report = import_labelstudio(other, [tmp_path / "one.json"])
        assert report.ok, report.rejected
        assert report.annotations_added.spans == 3 and report.annotations_added.stances == 2
        with other.session() as s:
            spans = store_ann.spans_for(s, 1)
        claim_span = next(sp for sp in spans if sp.fragments)
        assert claim_span.fragments == (_at("NATO membership is close"), _at("talks went well"))
        export_labelstudio(other, tmp_path / "two.json")
    finally:
        other.close()
    assert json.loads((tmp_path / "two.json").read_text(encoding="utf-8")) == tasks


def test_a_bad_task_is_rejected_whole_and_named(tmp_path: Path) -> None:
    good = {
        "data": {"text": "A 😀 b c"},
        "annotations": [
            {
                "result": [
                    {
                        "id": "r1",
                        "type": "labels",
                        "from_name": "label",
                        "to_name": "text",
                        "value": {"start": 5, "end": 6, "text": "b", "labels": ["claim"]},
                    }
                ]
            }
        ],
    }
    split = json.loads(json.dumps(good))
    split["annotations"][0]["result"][0]["value"].update(start=3, end=4, text="x")  # inside the emoji
    wrong_text = json.loads(json.dumps(good))
    wrong_text["data"]["text"] = "A 😀 z c"
    unknown = json.loads(json.dumps(good))
    unknown["annotations"][0]["result"][0]["value"]["labels"] = ["speaker"]
    path = tmp_path / "tasks.json"
    path.write_text(json.dumps([good, split, wrong_text, unknown], ensure_ascii=False), encoding="utf-8")
    project = Project.open(tmp_path / "p.db")
    try:
        report = import_labelstudio(project, [path], annotator="carol")
        assert [r.line for r in report.rejected] == [2, 3, 4]
        reasons = [r.reason for r in report.rejected]
        assert "inside a character" in reasons[0] and "is not the text" in reasons[1] and "speaker" in reasons[2]
        with project.session() as s:
            (span,) = store_ann.spans_for(s, 1)
            assert store_ann.annotator_by_name(s, "carol") is not None
        assert (span.start, span.end, span.text) == (4, 5, "b")
    finally:
        project.close()
