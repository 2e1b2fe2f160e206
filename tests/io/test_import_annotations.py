"""Importing annotation JSONL: matching documents, validation per line, duplicates, round trip."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from annotator.io import annotation_jsonl
from annotator.io.importer import import_paths
from annotator.model.types import Origin, Status
from annotator.services.documents import stats
from annotator.services.project import Project
from annotator.store import annotations as q
from annotator.store import documents as docs

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "annotations.jsonl"


def _lines() -> list[dict[str, Any]]:
    return [json.loads(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines()]


def _write(path: Path, lines: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    return path


def _layer(project: Project, name: str) -> dict[str, Any]:
    with project.session() as s:
        ann = q.annotator_by_name(s, name)
        assert ann is not None
        doc = docs.find_document_with_text(s, ext_id="doc_emoji")
        assert doc is not None
        spans = q.spans_for(s, doc.id, [ann.id])
        return {
            "doc": doc,
            "spans": spans,
            "relations": q.relations_for(s, doc.id, [ann.id]),
            "stances": q.stances_for(s, doc.id, [ann.id]),
            "status": q.get_status(s, doc.id, ann.id),
        }


def test_fixture_imports_with_document_annotators_and_non_bmp_offsets(project: Project) -> None:
    report = import_paths(project, [FIXTURE])
    assert report.ok, report.rejected
    assert report.documents_added == 1
    assert (report.annotations_added.spans, report.annotations_added.relations, report.annotations_added.stances) == (
        4,
        1,
        3,
    )
    alice = _layer(project, "alice")
    text = alice["doc"].text
    assert alice["doc"].info.title == "Kyiv Monday"
    assert [(s.label, s.text) for s in alice["spans"]] == [
        ("source", "Zelensky"),
        ("claim", "NATO must offer guarantees now"),
        ("claim", "Critics 😀 disagree"),
    ]
    for span in alice["spans"]:
        assert span.text == text[span.start : span.end] and span.origin == Origin.IMPORTED
    claim = alice["spans"][1]
    assert (claim.created_at, claim.updated_at) == ("2024-01-01T00:00:00.000000Z", "2024-01-01T00:00:01.000000Z")
    (rel,) = alice["relations"]
    assert (rel.from_span, rel.to_span, rel.created_at) == (
        claim.id,
        alice["spans"][0].id,
        "2024-01-02T03:04:05.000000Z",
    )
    assert sorted((s.target, s.value, s.span_id) for s in alice["stances"]) == [
        ("nato_membership", "favor", None),
        ("security_guarantees", "favor", claim.id),
    ]
    status = alice["status"]
    assert (status.status, status.seconds, status.note) == (Status.DONE, 42.5, "easy")
    bob = _layer(project, "bob")
    assert [(s.label, s.attributes) for s in bob["spans"]] == [("source", {"source_type": "anonymous"})]
    assert bob["status"].status == Status.NOT_STARTED


def test_reimport_is_a_duplicate_and_a_changed_layer_is_rejected(project: Project, tmp_path: Path) -> None:
    import_paths(project, [FIXTURE])
    before = stats(project)
    again = import_paths(project, [FIXTURE])
    assert again.ok and again.annotations_added.total() == 0
    assert [(d.line, d.ext_id) for d in again.duplicates] == [(1, "doc_emoji/alice"), (2, "doc_emoji/bob")]
    assert stats(project) == before
    changed = _lines()[1]
    changed["stances"][0]["value"] = "against"
    report = import_paths(project, [_write(tmp_path / "changed.jsonl", [changed])])
    assert [r.reason for r in report.rejected] == [
        "annotator 'bob' already has different annotations on document 'doc_emoji'; they are not merged"
    ]
    assert stats(project) == before


def test_same_line_twice_in_one_file_is_a_duplicate(project: Project, tmp_path: Path) -> None:
    line = _lines()[0]
    report = import_paths(project, [_write(tmp_path / "twice.jsonl", [line, line])])
    assert report.ok and [d.line for d in report.duplicates] == [2]
    assert report.annotations_added.spans == 3


def _bad(mutate: Any) -> dict[str, Any]:
    line = copy.deepcopy(_lines()[0])
    mutate(line)
    return line


BAD_LINES = [
    (lambda ln: ln["spans"][0].update(label="quote"), "span 's1': label 'quote' is not in the scheme"),
    (lambda ln: ln["spans"][0]["attributes"].update(mood="x"), "span 's1': attribute 'mood' is not defined"),
    (lambda ln: ln["spans"][0]["attributes"].update(claim_type="rumour"), "span 's1': value 'rumour' is not one of"),
    (lambda ln: ln["spans"][0].update(start=-1), "span 's1': offsets -1..61 are outside"),
    (lambda ln: ln["spans"][0].update(end=10_000), "span 's1': offsets 31..10000 are outside"),
    (lambda ln: ln["spans"][0].update(start=40, end=40), "span 's1': offsets 40..40 are outside"),
    (lambda ln: ln["spans"][0].update(start="31"), "span 's1': offsets must be integers"),
    (lambda ln: ln["spans"][0].update(start=31.0), "span 's1': offsets must be integers"),
    (lambda ln: ln["spans"][0].update(text="NATO must offer guarantees NOW"), "span 's1': text 'NATO must offer"),
    (lambda ln: ln["relations"][0].update(type="quotes"), "relation #1: relation type 'quotes' is not in the scheme"),
    (lambda ln: ln["relations"][0].update(to="s9"), "relation #1: 'to' names no span of this line ('s9')"),
    (lambda ln: ln["relations"][0].update(to="s3"), "relation #1: 'attributed_to' goes from 'claim' to 'source'"),
    (
        lambda ln: ln["relations"].append({"type": "attributed_to", "from": "s1", "to": "s2"}),
        "relation #2: span 's1' has more than 1 'attributed_to' link(s)",
    ),
    (lambda ln: ln["stances"][0].update(target="weather"), "stance #1: stance target 'weather' is not in the scheme"),
    (lambda ln: ln["stances"][0].update(value="maybe"), "stance #1: stance value 'maybe' is not one of"),
    (lambda ln: ln["stances"][1].update(span="s2"), "stance #2: a 'source' span cannot carry a stance"),
    (lambda ln: ln["stances"][1].update(span="s7"), "stance #2: span 's7' names no span of this line"),
    (lambda ln: ln.update(status="finished"), "status 'finished' is not one of"),
    (lambda ln: ln.update(annotator=""), "annotator must be a non-empty string"),
    (lambda ln: ln["document"].update(sha256="0" * 64), "document sha256 does not match its text"),
    (lambda ln: ln.update(spans={}), "spans must be a list"),
]


@pytest.mark.parametrize(("mutate", "message"), BAD_LINES)
def test_bad_item_rejects_the_whole_line_naming_line_and_item(
    mutate: Any, message: str, project: Project, tmp_path: Path
) -> None:
    good = _lines()[0]
    good_other = copy.deepcopy(good)
    good_other["annotator"] = "carol"
    path = _write(tmp_path / "bad.jsonl", [good_other, _bad(mutate)])
    report = import_paths(project, [path])
    assert len(report.rejected) == 1
    rejection = report.rejected[0]
    assert rejection.line == 2 and rejection.reason.startswith(message), rejection.reason
    assert str(rejection).startswith(f"{path}:2: ")
    # The good line went in; nothing of the bad line did (no annotator "alice" either).
    assert [a.name for a in project.annotators()] == ["carol"]
    assert report.annotations_added.spans == 3


def test_document_matching(project: Project, tmp_path: Path) -> None:
    text = "Plain text, no emoji."
    sha = hashlib.sha256(text.encode()).hexdigest()
    import_paths(project, [_write(tmp_path / "a.jsonl", [{"id": "d1", "text": text}])])
    span = {"id": "s1", "label": "claim", "start": 0, "end": 5, "text": "Plain"}
    lines = [
        {"document": {"sha256": sha}, "annotator": "by_sha", "spans": [span]},
        {"document": {"id": "d1"}, "annotator": "by_id", "spans": [span]},
        {"document": {"id": "d1", "text": text + "!"}, "annotator": "x", "spans": [span]},
        {"document": {"id": "unknown"}, "annotator": "y", "spans": [span]},
        {"document": {"id": "d1", "text": "Other text here", "title": "Other"}, "annotator": "z", "spans": []},
    ]
    report = import_paths(project, [_write(tmp_path / "ann.jsonl", lines)])
    # Line 3 carries a text other than d1's: it is another document, created beside d1.
    assert [(r.line, r.reason) for r in report.rejected] == [
        (4, "document 'unknown' is not in the project and the line has no text")
    ]
    assert report.annotations_added.spans == 3 and report.documents_added == 2
    assert [a.name for a in project.annotators()] == ["by_sha", "by_id", "x", "z"]
    with project.session() as s:
        infos = {d.ext_id: d.title for d in docs.iter_document_infos(s)}
    assert len(infos) == 3 and "d1" in infos and "Other" in infos.values()


def test_unknown_document_with_text_is_created_with_a_unique_id(project: Project, tmp_path: Path) -> None:
    import_paths(project, [_write(tmp_path / "a.jsonl", [{"id": "doc_emoji", "text": "Someone else's text"}])])
    report = import_paths(project, [FIXTURE])
    assert report.ok and report.documents_added == 1
    with project.session() as s:
        ids = sorted(d.ext_id for d in docs.iter_document_infos(s))
    assert ids[0] == "doc_emoji" and ids[1].startswith("doc_emoji_")


def test_article_line_in_annotation_file_is_rejected(project: Project, tmp_path: Path) -> None:
    path = _write(tmp_path / "mixed.jsonl", [_lines()[0], {"id": "a", "text": "an article"}])
    report = import_paths(project, [path])
    assert [(r.line, r.reason.split(" (")[0]) for r in report.rejected] == [(2, "not an annotation record")]


T1, T2, T3 = "Zelensky said NATO must act.", "Officials said talks go on.", "Critics disagree with the plan."


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _claim(end: int = 8) -> list[dict[str, Any]]:
    return [{"id": "s1", "label": "claim", "start": 0, "end": end}]


BATCH_FILE = [
    {"document": {"id": "a", "text": T1}, "annotator": "ann1", "spans": _claim()},  # creates "a"
    {"document": {"id": "a"}, "annotator": "ann2", "spans": _claim()},  # finds "a" by id, no text
    {"document": {"id": "a", "text": T2}, "annotator": "ann1", "spans": _claim()},  # another text: "a_<sha>"
    {"document": {"id": "b", "text": T3}, "annotator": "ann1", "spans": [{**_claim()[0], "label": "quote"}]},
    {"document": {"id": "b"}, "annotator": "ann2", "spans": _claim()},  # line 4 was rejected: no "b"
    {"document": {"sha256": _sha(T2)}, "annotator": "ann2", "spans": _claim()},  # line 3's document
    {"document": {"id": "a", "text": T1}, "annotator": "ann1", "spans": _claim()},  # same as line 1
    {"document": {"id": "a", "text": T1}, "annotator": "ann1", "spans": _claim(5)},  # differs from line 1
    {"document": {"id": "b", "text": T3}, "annotator": "ann3", "spans": _claim()},  # creates "b" now
]


@pytest.mark.parametrize("batch", [1, 2, 3, 500])
def test_lines_read_in_batches_import_as_if_read_one_by_one(
    batch: int, project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Documents are looked up and created per batch of lines; whatever the batch size, a line sees
    the documents of the lines before it, a rejected line creates nothing, and the rejections come
    in line order."""
    monkeypatch.setattr(annotation_jsonl, "BATCH_LINES", batch)
    path = _write(tmp_path / "batch.jsonl", BATCH_FILE)
    with path.open("a", encoding="utf-8") as fh:
        fh.write("{not json\n")
    report = import_paths(project, [path])
    assert [(r.line, r.reason.split(";")[0].split(" (")[0]) for r in report.rejected] == [
        (4, "span 's1': label 'quote' is not in the scheme"),
        (5, "document 'b' is not in the project and the line has no text"),
        (8, "annotator 'ann1' already has different annotations on document 'a'"),
        (10, "not valid JSON"),
    ]
    assert [(d.line, d.ext_id) for d in report.duplicates] == [(7, "a/ann1")]
    assert report.documents_added == 3 and report.annotations_added.spans == 5
    with project.session() as s:
        documents = {d.info.ext_id: d for d in docs.iter_documents(s)}
        layers = {
            (d.info.ext_id, a.name): [(x.start, x.end) for x in q.spans_for(s, d.id, [a.id])]
            for d in documents.values()
            for a in project.annotators()
        }
    other = f"a_{_sha(T2)[:8]}"
    assert sorted(documents) == ["a", other, "b"]
    assert [documents[k].text for k in ("a", other, "b")] == [T1, T2, T3]
    assert {key: value for key, value in layers.items() if value} == {
        ("a", "ann1"): [(0, 8)],
        ("a", "ann2"): [(0, 8)],
        (other, "ann1"): [(0, 8)],
        (other, "ann2"): [(0, 8)],
        ("b", "ann3"): [(0, 8)],
    }


TEXTS = [f"Speaker {n} said that the talks on guarantees will go on." for n in range(7)]


def _reline(n: int, annotator: str = "ann1", end: int = 7) -> dict[str, Any]:
    return {
        "document": {"id": f"d{n}", "text": TEXTS[n]},
        "annotator": annotator,
        "spans": [
            {"id": "s1", "label": "source", "start": 0, "end": end},
            {"id": "s2", "label": "claim", "start": 15, "end": 50},
        ],
        "relations": [{"type": "attributed_to", "from": "s2", "to": "s1"}],
        "stances": [{"target": "security_guarantees", "value": "favor", "span": "s2"}],
    }


@pytest.mark.parametrize("batch", [1, 3, 500])
def test_reimport_with_duplicates_among_new_lines_checks_them_per_batch_as_line_by_line(
    batch: int, project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Re-importing: the stored layers a batch's lines meet are read with one query per table for the
    whole batch, not three per line; duplicates interleaved with new lines, a changed layer, and a
    layer stored earlier in the same file met again, give exactly the line-by-line outcome."""
    assert import_paths(project, [_write(tmp_path / "first.jsonl", [_reline(n) for n in range(5)])]).ok
    monkeypatch.setattr(annotation_jsonl, "BATCH_LINES", batch)
    again = [
        _reline(0),  # 1 duplicate
        _reline(5),  # 2 new document
        _reline(1),  # 3 duplicate
        _reline(2, end=8),  # 4 differs from the stored layer: rejected
        _reline(0, "ann2"),  # 5 a new layer on a stored document
        _reline(3),  # 6 duplicate
        _reline(0, "ann2"),  # 7 duplicate of line 5, stored by this same file
        _reline(0, "ann2", end=8),  # 8 differs from line 5: rejected
        _reline(4),  # 9 duplicate
        _reline(6, "ann2"),  # 10 new document
    ]
    spans_read: list[str] = []

    def seen(conn: object, cursor: object, statement: str, *rest: object) -> None:
        if "FROM spans" in statement and "spans.attributes" in statement:
            spans_read.append(statement)

    engine = project.store.engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        report = import_paths(project, [_write(tmp_path / "again.jsonl", again)])
    finally:
        event.remove(engine, "before_cursor_execute", seen)

    assert [(d.line, d.ext_id) for d in report.duplicates] == [
        (1, "d0/ann1"),
        (3, "d1/ann1"),
        (6, "d3/ann1"),
        (7, "d0/ann2"),
        (9, "d4/ann1"),
    ]
    assert [(r.line, r.reason.split(";")[0]) for r in report.rejected] == [
        (4, "annotator 'ann1' already has different annotations on document 'd2'"),
        (8, "annotator 'ann2' already has different annotations on document 'd0'"),
    ]
    assert report.documents_added == 2 and report.annotations_added.spans == 6
    with project.session() as s:
        stored = {
            (d.info.ext_id, a.name): sorted((x.label, x.start, x.end) for x in q.spans_for(s, d.id, [a.id]))
            for d in docs.iter_documents(s)
            for a in project.annotators()
        }
    layer = [("claim", 15, 50), ("source", 0, 7)]
    expected = {(f"d{n}", "ann1"): layer for n in range(6)} | {("d0", "ann2"): layer, ("d6", "ann2"): layer}
    assert {key: value for key, value in stored.items() if value} == expected
    if batch == 500:  # one read of the stored layers for the batch; lines 7 and 8 meet a layer line 5 stored
        assert len(spans_read) == 3, spans_read  # line by line: 7
