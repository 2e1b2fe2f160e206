"""Merging colleagues' project files and annotation JSONL into a reviewer's project, on real files."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from annotator.model.errors import AnnotatorError, Cancelled, ValidationError
from annotator.model.types import Origin, Status
from annotator.paths import CORPUS_DIR
from annotator.services import annotations as A
from annotator.services import documents as D
from annotator.services.merge import NameClashError, merge_jsonl, merge_paths, merge_project
from annotator.services.project import Project
from annotator.store import annotations as q
from annotator.store import documents as store_docs
from annotator.store.engine import utc_now

ARTICLES = [
    json.loads(line)
    for line in (CORPUS_DIR / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    if line.strip()
]


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _seed(project: Project, articles: list[dict[str, Any]] = ARTICLES) -> list[int]:
    with project.session() as s:
        store_docs.insert_documents(
            s,
            [
                dict(
                    ext_id=a["id"],
                    sha256=_sha(a["text"]),
                    title=a["title"],
                    text=a["text"],
                    n_chars=len(a["text"]),
                    meta={"outlet": a["outlet"]},
                    encoding="utf-8",
                    source=None,
                    imported_at=utc_now(),
                )
                for a in articles
            ],
        )
    return D.document_ids(project)


def _annotate(project: Project, name: str, *, claim_type: str, stance: str, skip_last: bool = False) -> None:
    """One person's work: on each article a headline claim, a source, the link and two stances."""
    me = project.annotator(name)
    ids = _seed(project)
    for doc_id in ids[:-1] if skip_last else ids:
        text = D.load_view(project, doc_id, me.id).document.text
        head = text.index("\n")
        at = text.index("Zelensk")
        claim, _ = A.add_span(project, doc_id, me.id, "claim", 0, head, {"claim_type": claim_type})
        source, _ = A.add_span(
            project,
            doc_id,
            me.id,
            "source",
            at,
            at + 8,
            {"source_type": "named_person", "canonical": "Volodymyr Zelensky"},
        )
        A.link(project, "attributed_to", claim.id, source.id)
        A.set_stance(project, doc_id, me.id, "nato_membership", stance)
        A.set_stance(project, doc_id, me.id, "security_guarantees", "favor", claim.id)
        A.set_status(project, doc_id, me.id, Status.DONE)


def _dump(project: Project) -> dict[str, set[tuple[Any, ...]]]:
    """Everything in the project, keyed by values that survive a merge (no row ids)."""
    out: dict[str, set[tuple[Any, ...]]] = {
        "documents": set(),
        "spans": set(),
        "relations": set(),
        "stances": set(),
        "status": set(),
        "annotators": set(),
    }
    with project.session() as s:
        names = {a.id: a.name for a in q.list_annotators(s)}
        out["annotators"] = {(a.name, a.uid) for a in q.list_annotators(s)}
        for doc_id in store_docs.document_ids(s):
            doc = store_docs.get_document(s, doc_id)
            sha = doc.info.sha256
            out["documents"].add((sha, doc.info.ext_id))
            spans = {sp.id: sp for sp in q.spans_for(s, doc_id)}

            at = {i: (sp.start, sp.end, sp.label) for i, sp in spans.items()}.__getitem__

            out["spans"] |= {
                (
                    sha,
                    names[sp.annotator_id],
                    sp.label,
                    sp.start,
                    sp.end,
                    tuple(sorted(sp.attributes.items())),
                    sp.origin,
                    sp.created_at,
                    sp.updated_at,
                )
                for sp in spans.values()
            }
            out["relations"] |= {
                (sha, names[r.annotator_id], r.type, at(r.from_span), at(r.to_span), r.origin)
                for r in q.relations_for(s, doc_id)
            }
            out["stances"] |= {
                (
                    sha,
                    names[st.annotator_id],
                    st.target,
                    st.value,
                    None if st.span_id is None else at(st.span_id),
                    st.origin,
                    st.updated_at,
                )
                for st in q.stances_for(s, doc_id)
            }
            out["status"] |= {
                (sha, names[st.annotator_id], st.status.value, st.updated_at) for st in q.statuses_of_doc(s, doc_id)
            }
    return out


def _without_origin(rows: set[tuple[Any, ...]], origin_at: int) -> set[tuple[Any, ...]]:
    return {row[:origin_at] + row[origin_at + 1 :] for row in rows}


@pytest.fixture
def colleagues(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """Two project files on the seed corpus, by alice and bob, who disagree on types and stances."""
    paths = tmp_path / "alice.db", tmp_path / "bob.db"
    for path, name, claim_type, stance in (
        (paths[0], "alice", "factual", "favor"),
        (paths[1], "bob", "opinion", "against"),
    ):
        proj = Project.open(path)
        _annotate(proj, name, claim_type=claim_type, stance=stance, skip_last=name == "bob")
        proj.close()
    yield paths


@pytest.fixture
def reviewer(tmp_path: Path) -> Iterator[Project]:
    proj = Project.open(tmp_path / "review.db")
    proj.annotator("rita")
    yield proj
    proj.close()


def _read(path: Path) -> dict[str, set[tuple[Any, ...]]]:
    proj = Project.open(path, readonly=True)
    try:
        return _dump(proj)
    finally:
        proj.close()


def test_two_colleagues_merged_into_a_third_show_both_layers(colleagues: tuple[Path, Path], reviewer: Project) -> None:
    alice, bob = (_read(p) for p in colleagues)
    first = merge_project(reviewer, colleagues[0])
    second = merge_project(reviewer, colleagues[1])
    assert (first.counts.documents_added, second.counts.documents_added) == (5, 0)
    assert first.new_annotators == ("alice",) and second.new_annotators == ("bob",)
    assert (
        first.counts.spans_added,
        first.counts.relations_added,
        first.counts.stances_added,
        first.counts.statuses_updated,
    ) == (
        10,
        5,
        10,
        5,
    )
    assert second.counts.spans_added == 8 and second.changes.spans and second.changes.annotators
    merged = _dump(reviewer)
    assert merged["documents"] == alice["documents"]
    # Same rows, same creation and update times; only the origin changed to "merged".
    assert _without_origin(merged["spans"], 6) == _without_origin(alice["spans"] | bob["spans"], 6)
    assert {row[6] for row in merged["spans"]} == {Origin.MERGED.value}
    assert {row[1] for row in merged["spans"]} == {"alice", "bob"}
    assert _without_origin(merged["relations"], 5) == _without_origin(alice["relations"] | bob["relations"], 5)
    assert _without_origin(merged["stances"], 5) == _without_origin(alice["stances"] | bob["stances"], 5)
    assert merged["status"] == alice["status"] | bob["status"]
    assert {("alice", uid) for name, uid in alice["annotators"] if name == "alice"} <= merged["annotators"]


def test_merging_twice_changes_nothing(colleagues: tuple[Path, Path], reviewer: Project) -> None:
    merge_paths(reviewer, list(colleagues))
    before = _dump(reviewer)
    again = merge_paths(reviewer, list(colleagues))
    assert all(report.unchanged for report in again)
    assert again[0].counts.skipped == 10 + 5 + 10 + 5
    assert _dump(reviewer) == before


def test_merge_leaves_the_other_file_unchanged(colleagues: tuple[Path, Path], reviewer: Project) -> None:
    before = colleagues[0].read_bytes()
    merge_project(reviewer, colleagues[0])
    assert colleagues[0].read_bytes() == before


def _write_jsonl(project_path: Path, out: Path, *, with_uid: bool = True) -> None:
    """The PRODUCT.md annotation JSONL of a project, written here so the test owns the format."""
    proj = Project.open(project_path, readonly=True)
    lines = []
    try:
        with proj.session() as s:
            for person in q.list_annotators(s):
                for doc_id in store_docs.document_ids(s):
                    doc = store_docs.get_document(s, doc_id)
                    spans = q.spans_for(s, doc_id, [person.id])
                    if not spans:
                        continue
                    local = {sp.id: f"s{n}" for n, sp in enumerate(spans, start=1)}
                    status = q.get_status(s, doc_id, person.id)
                    line: dict[str, Any] = {
                        "document": {
                            "id": doc.info.ext_id,
                            "sha256": doc.info.sha256,
                            "title": doc.info.title,
                            "text": doc.text,
                        },
                        "annotator": person.name,
                        "status": status.status.value,
                        "status_updated_at": status.updated_at,
                        "spans": [
                            {
                                "id": local[sp.id],
                                "label": sp.label,
                                "start": sp.start,
                                "end": sp.end,
                                "text": sp.text,
                                "attributes": dict(sp.attributes),
                                "created_at": sp.created_at,
                                "updated_at": sp.updated_at,
                            }
                            for sp in spans
                        ],
                        "relations": [
                            {
                                "type": r.type,
                                "from": local[r.from_span],
                                "to": local[r.to_span],
                                "created_at": r.created_at,
                                "updated_at": r.updated_at,
                            }
                            for r in q.relations_for(s, doc_id, [person.id])
                        ],
                        "stances": [
                            {
                                "target": st.target,
                                "value": st.value,
                                "span": None if st.span_id is None else local[st.span_id],
                                "created_at": st.created_at,
                                "updated_at": st.updated_at,
                            }
                            for st in q.stances_for(s, doc_id, [person.id])
                        ],
                    }
                    if with_uid:
                        line["annotator_uid"] = person.uid
                    lines.append(json.dumps(line, ensure_ascii=False))
    finally:
        proj.close()
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_merging_a_jsonl_works_the_same_way(colleagues: tuple[Path, Path], reviewer: Project, tmp_path: Path) -> None:
    jsonl = tmp_path / "alice.jsonl"
    _write_jsonl(colleagues[0], jsonl)
    report = merge_jsonl(reviewer, jsonl)
    assert (
        report.counts.documents_added,
        report.counts.spans_added,
        report.counts.relations_added,
        report.counts.stances_added,
    ) == (
        5,
        10,
        5,
        10,
    )
    via_jsonl = _dump(reviewer)
    other = Project.open(tmp_path / "via_project.db")
    try:
        merge_project(other, colleagues[0])
        direct = _dump(other)
    finally:
        other.close()
    for table in ("documents", "spans", "relations", "stances", "status"):
        assert via_jsonl[table] == direct[table], table
    # Merging the JSONL again, or the project it came from (same uid), changes nothing.
    assert merge_jsonl(reviewer, jsonl).unchanged
    assert merge_paths(reviewer, [colleagues[0]])[0].unchanged
    assert _dump(reviewer) == via_jsonl


def test_jsonl_without_uid_uses_the_name_as_identity(
    colleagues: tuple[Path, Path], reviewer: Project, tmp_path: Path
) -> None:
    jsonl = tmp_path / "alice.jsonl"
    _write_jsonl(colleagues[0], jsonl, with_uid=False)
    reviewer.annotator("alice")  # someone called alice already works here: she is the same person
    report = merge_jsonl(reviewer, jsonl)
    assert report.new_annotators == () and report.counts.spans_added == 10
    assert merge_jsonl(reviewer, jsonl).unchanged


def test_same_name_different_person_raises_and_rename_resolves(
    colleagues: tuple[Path, Path], reviewer: Project, tmp_path: Path
) -> None:
    merge_project(reviewer, colleagues[0])
    impostor = tmp_path / "other-alice.db"
    proj = Project.open(impostor)
    _annotate(proj, "alice", claim_type="demand", stance="neutral")
    proj.close()
    before = _dump(reviewer)
    with pytest.raises(
        NameClashError, match=r"'alice' in other-alice.db is a different person.*--rename alice="
    ) as err:
        merge_project(reviewer, impostor)
    assert err.value.names == ("alice",)
    assert _dump(reviewer) == before
    report = merge_project(reviewer, impostor, renames={"alice": "alice2"})
    assert report.annotators == {"alice": "alice2"} and report.new_annotators == ("alice2",)
    assert {row[1] for row in _dump(reviewer)["spans"]} == {"alice", "alice2"}
    # The renamed person keeps their uid, so the next merge finds them without being told again.
    assert merge_project(reviewer, impostor).unchanged


def test_a_failing_merge_leaves_nothing(colleagues: tuple[Path, Path], reviewer: Project, tmp_path: Path) -> None:
    jsonl = tmp_path / "bad.jsonl"
    _write_jsonl(colleagues[1], jsonl)
    lines = jsonl.read_text(encoding="utf-8").splitlines()
    broken = json.loads(lines[1])
    broken["spans"][0]["label"] = "rumour"
    jsonl.write_text("\n".join([lines[0], json.dumps(broken), *lines[2:]]) + "\n", encoding="utf-8")
    before = _dump(reviewer)
    with pytest.raises(ValidationError, match=r"bad\.jsonl:2: span 's1': label 'rumour'.*nothing was merged"):
        merge_paths(reviewer, [colleagues[0], jsonl])
    assert _dump(reviewer) == before  # the good project file before it was not kept either


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"document": {"id": "x"}, "annotator": "zed"}\n', ":1: document 'x' is not in the project"),
        ('\n{"document": 3, "annotator": "zed"}\n', ":2: 'document' must be an object"),
        ("{not json\n", ":1: not valid JSON"),
        ("   \n", "empty"),
    ],
)
def test_bad_jsonl_lines_are_named(reviewer: Project, tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValidationError, match=message):
        merge_jsonl(reviewer, path)
    assert D.stats(reviewer)["documents"] == 0


def test_a_document_whose_id_is_taken_gets_a_unique_one(colleagues: tuple[Path, Path], reviewer: Project) -> None:
    other_text = ARTICLES[0]["text"] + " (a different version)"
    _seed(reviewer, [{**ARTICLES[0], "text": other_text}])
    report = merge_project(reviewer, colleagues[0])
    assert report.counts.documents_added == 5
    ext_ids = {ext for _, ext in _dump(reviewer)["documents"]}
    assert ARTICLES[0]["id"] in ext_ids and f"{ARTICLES[0]['id']}~2" in ext_ids


def test_newer_status_and_stance_win(colleagues: tuple[Path, Path], reviewer: Project) -> None:
    merge_project(reviewer, colleagues[0])
    proj = Project.open(colleagues[0])
    alice = proj.annotator("alice")
    doc_id = D.document_ids(proj)[0]
    A.set_status(proj, doc_id, alice.id, Status.IN_PROGRESS)
    A.set_stance(proj, doc_id, alice.id, "nato_membership", "neutral")
    proj.close()
    report = merge_project(reviewer, colleagues[0])
    assert (report.counts.statuses_updated, report.counts.stances_updated, report.counts.spans_added) == (1, 1, 0)
    here = reviewer.annotator("alice")
    first = D.document_ids(reviewer)[0]
    view = D.load_view(reviewer, first, here.id)
    assert view.status.status == Status.IN_PROGRESS
    assert {st.value for st in view.stances if st.target == "nato_membership"} == {"neutral"}


def test_cancel_part_way_keeps_nothing(colleagues: tuple[Path, Path], reviewer: Project) -> None:
    before = _dump(reviewer)
    seen: list[tuple[int, int]] = []
    with pytest.raises(Cancelled):
        merge_project(
            reviewer,
            colleagues[0],
            progress=lambda done, total: seen.append((done, total)),
            cancel=lambda: len(seen) >= 3,
        )
    assert seen[:3] == [(0, 5), (1, 5), (2, 5)]
    assert _dump(reviewer) == before


def test_a_project_cannot_be_merged_into_itself(reviewer: Project) -> None:
    with pytest.raises(AnnotatorError, match="into itself"):
        merge_project(reviewer, reviewer.path)
