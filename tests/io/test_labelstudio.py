"""Label Studio JSON tasks: code-point offsets (older UTF-16 exports read too), export -> import -> export round
trip, bad tasks."""

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


def test_offsets_are_code_points_and_round_trip_is_identical(tmp_path: Path) -> None:
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
    # Label Studio 1.23.2 draws a region by code points (scripts/check_peer_formats.py): the flag and
    # 𝔘 before it count one each, not two as in UTF-16.
    units = len(TEXT[: TEXT.index("Zelensky")].encode("utf-16-le")) // 2
    assert source["value"]["start"] == TEXT.index("Zelensky") != units
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


def _task(text: str, start: int, end: int, covered: str, label: str = "claim") -> dict[str, object]:
    value = {"start": start, "end": end, "text": covered, "labels": [label]}
    region = {"id": "r1", "type": "labels", "from_name": "label", "to_name": "text", "value": value}
    return {"data": {"text": text}, "annotations": [{"result": [region]}]}


def test_a_bad_task_is_rejected_whole_and_named(tmp_path: Path) -> None:
    good = _task("A 😀 b c", 4, 5, "b")
    # Label Studio before its editor counted code points wrote UTF-16 units: read so when the text says so.
    old_units = _task("A 😀 b d", 5, 6, "b")
    split = _task("A 😀 b e", 3, 4, "x")  # inside the emoji in units, a space in code points
    wrong_text = _task("A 😀 z c", 4, 5, "b")
    unknown = _task("A 😀 b f", 4, 5, "b", label="speaker")
    path = tmp_path / "tasks.json"
    path.write_text(json.dumps([good, old_units, split, wrong_text, unknown], ensure_ascii=False), encoding="utf-8")
    project = Project.open(tmp_path / "p.db")
    try:
        report = import_labelstudio(project, [path], annotator="carol")
        assert [r.line for r in report.rejected] == [3, 4, 5]
        reasons = [r.reason for r in report.rejected]
        assert "'x' is not the text" in reasons[0] and "is not the text" in reasons[1] and "speaker" in reasons[2]
        with project.session() as s:
            spans = [store_ann.spans_for(s, doc)[0] for doc in (1, 2)]
            assert store_ann.annotator_by_name(s, "carol") is not None
        assert [(span.start, span.end, span.text) for span in spans] == [(4, 5, "b"), (4, 5, "b")]
    finally:
        project.close()
