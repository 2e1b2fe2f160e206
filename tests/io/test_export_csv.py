"""CSV export: the documented tables and columns, joins, formula neutralising, filters and cancel."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import pandas as pd
import pytest

from annotator.io.csv_safety import neutralise, neutralise_value
from annotator.io.export_csv import export_csv
from annotator.model.errors import AnnotatorError, Cancelled
from annotator.model.types import Status
from annotator.services import annotations as svc
from annotator.services.project import Project
from annotator.store import documents as store_docs

TEXT_1 = "=SUM(A1) said 🇺🇦 Zelensky 𝔘 today: NATO membership is close. -Officials disagree."
TEXT_2 = 'Plain article. Reuters reported that talks went well.\nSecond line with "quotes", commas.'

TABLES = (
    "documents.csv",
    "spans.csv",
    "relations.csv",
    "stances.csv",
    "status.csv",
    "claims.csv",
    "comments.csv",
)
PRODUCT_COLUMNS = {
    "documents.csv": ["doc_id", "title", "sha256", "n_chars", "imported_at"],
    "spans.csv": [
        "span_id",
        "doc_id",
        "annotator",
        "label",
        "start",
        "end",
        "text",
        "fragments",
        "claim_type",
        "checkworthy",
        "source_type",
        "canonical",
        "origin",
        "created_at",
        "updated_at",
    ],
    "relations.csv": ["relation_id", "doc_id", "annotator", "type", "from_span_id", "to_span_id"],
    "stances.csv": ["doc_id", "annotator", "target", "value", "span_id"],
    "claims.csv": [
        "doc_id",
        "title",
        "annotator",
        "claim_id",
        "claim_text",
        "claim_type",
        "checkworthy",
        "source_text",
        "source_canonical",
        "source_type",
        "nato_membership",
        "security_guarantees",
    ],
    "status.csv": ["doc_id", "annotator", "status", "seconds", "updated_at"],
    "comments.csv": ["comment_id", "doc_id", "author", "item_key", "text", "created_at"],
}


def add_document(project: Project, ext_id: str, text: str, title: str = "", **meta: object) -> int:
    with project.session() as s:
        store_docs.insert_documents(
            s,
            [
                {
                    "ext_id": ext_id,
                    "sha256": hashlib.sha256(text.encode()).hexdigest(),
                    "title": title,
                    "text": text,
                    "n_chars": len(text),
                    "meta": dict(meta),
                    "encoding": "utf-8",
                    "source": None,
                    "imported_at": "2026-01-01T00:00:00.000000Z",
                }
            ],
        )
        found = store_docs.find_document(s, ext_id=ext_id)
    assert found is not None
    return found.id


def span_at(project: Project, doc_id: int, annotator_id: int, label: str, text: str, phrase: str, **attrs: str) -> int:
    start = text.index(phrase)
    span, _ = svc.add_span(project, doc_id, annotator_id, label, start, start + len(phrase), attrs)
    return span.id


def seed(project: Project) -> dict[str, int]:
    """Two documents, three layers (alice, bob, gold), every kind of annotation, hostile cells."""
    d1 = add_document(project, "-doc1", TEXT_1, '=HYPERLINK("x")', outlet="@Kyiv Post", score=-3)
    d2 = add_document(project, "doc2", TEXT_2, "Talks", outlet="Reuters")
    add_document(project, "doc3", "Nobody annotated this one.", "Unread")
    ids: dict[str, int] = {}
    for name in ("alice", "bob", "gold"):
        ann = project.annotator(name).id
        ids[name] = ann
        claim = span_at(
            project, d1, ann, "claim", TEXT_1, "NATO membership is close", claim_type="prediction", checkworthy="yes"
        )
        source = span_at(
            project, d1, ann, "source", TEXT_1, "Zelensky", source_type="named_person", canonical="Volodymyr Zelensky"
        )
        formula = span_at(project, d1, ann, "claim", TEXT_1, "=SUM(A1)", claim_type="factual")
        svc.link(project, "attributed_to", claim, source)
        svc.set_stance(project, d1, ann, "nato_membership", "favor")
        svc.set_stance(project, d1, ann, "security_guarantees", "against", span_id=claim)
        svc.set_status(project, d1, ann, Status.DONE)
        ids[f"{name}_claim"], ids[f"{name}_formula"] = claim, formula
        if name == "alice":
            c2 = span_at(project, d2, ann, "claim", TEXT_2, "talks went well", claim_type="factual")
            s2 = span_at(project, d2, ann, "source", TEXT_2, "Reuters", source_type="media")
            svc.link(project, "attributed_to", c2, s2)
            span_at(project, d2, ann, "claim", TEXT_2, 'Second line with "quotes", commas')
    return ids


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture
def exported(project: Project, tmp_path: Path) -> Path:
    seed(project)
    out = tmp_path / "out"
    export_csv(project, out)
    return out


def test_tables_have_the_documented_columns(exported: Path) -> None:
    assert sorted(p.name for p in exported.iterdir()) == sorted([*TABLES, "scheme.toml", "guidelines.md"])
    for name in TABLES:
        with (exported / name).open(encoding="utf-8", newline="") as fh:
            header = next(csv.reader(fh))
        expected = PRODUCT_COLUMNS[name] + (["outlet", "score"] if name == "documents.csv" else [])
        assert header == expected, name


def test_tables_load_with_csv_and_pandas(exported: Path) -> None:
    counts = {
        "documents.csv": 3,
        "spans.csv": 3 * 3 + 3,
        "relations.csv": 3 + 1,
        "stances.csv": 6,
        "claims.csv": 3 * 2 + 2,
    }
    for name, n in counts.items():
        assert len(read(exported / name)) == n, name
        frame = pd.read_csv(exported / name, dtype=str, keep_default_na=False)
        assert list(frame.columns) == read_header(exported / name)
        assert len(frame) == n, name


def read_header(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return next(csv.reader(fh))


def test_ids_join_across_tables(exported: Path) -> None:
    doc_ids = {r["doc_id"] for r in read(exported / "documents.csv")}
    spans = {r["span_id"]: r for r in read(exported / "spans.csv")}
    assert {r["doc_id"] for r in spans.values()} <= doc_ids
    for rel in read(exported / "relations.csv"):
        assert spans[rel["from_span_id"]]["label"] == "claim"
        assert spans[rel["to_span_id"]]["label"] == "source"
        assert spans[rel["from_span_id"]]["doc_id"] == rel["doc_id"]
    for stance in read(exported / "stances.csv"):
        assert stance["span_id"] == "" or stance["span_id"] in spans
    for claim in read(exported / "claims.csv"):
        assert spans[claim["claim_id"]]["label"] == "claim"
        assert claim["doc_id"] in doc_ids


def test_claims_rows_carry_source_and_claim_stance(exported: Path) -> None:
    claims = [c for c in read(exported / "claims.csv") if c["annotator"] == "alice"]
    by_text = {c["claim_text"]: c for c in claims}
    nato = by_text["NATO membership is close"]
    assert (nato["claim_type"], nato["checkworthy"]) == ("prediction", "yes")
    assert (nato["source_text"], nato["source_canonical"], nato["source_type"]) == (
        "Zelensky",
        "Volodymyr Zelensky",
        "named_person",
    )
    assert (nato["nato_membership"], nato["security_guarantees"]) == ("", "against")
    assert nato["title"] == '\'=HYPERLINK("x")'
    own = by_text['Second line with "quotes", commas']
    assert own["source_text"] == "" and own["claim_type"] == ""


def test_formula_cells_are_neutralised_but_numbers_are_not(exported: Path) -> None:
    spans = read(exported / "spans.csv")
    formula = [s for s in spans if s["text"].startswith("'=")]
    assert len(formula) == 3 and formula[0]["text"] == "'=SUM(A1)"
    assert formula[0]["start"] == "0"
    assert all(s["doc_id"] in ("'-doc1", "doc2") for s in spans)
    docs = {d["doc_id"]: d for d in read(exported / "documents.csv")}
    assert docs["'-doc1"]["title"] == '\'=HYPERLINK("x")'
    assert docs["'-doc1"]["outlet"] == "'@Kyiv Post"
    assert docs["'-doc1"]["score"] == "-3"
    assert docs["doc3"]["outlet"] == ""


def test_span_text_matches_document_after_non_bmp(project: Project, tmp_path: Path) -> None:
    seed(project)
    export_csv(project, tmp_path / "out")
    for span in read(tmp_path / "out" / "spans.csv"):
        text = TEXT_1 if span["doc_id"] == "'-doc1" else TEXT_2
        assert neutralise(text[int(span["start"]) : int(span["end"])]) == span["text"]


def test_newlines_and_quotes_survive(exported: Path) -> None:
    texts = {s["text"] for s in read(exported / "spans.csv")}
    assert 'Second line with "quotes", commas' in texts


def test_annotator_filter_limits_to_one_layer(project: Project, tmp_path: Path) -> None:
    seed(project)
    report = export_csv(project, tmp_path / "gold", annotator="gold")
    for name in ("spans.csv", "relations.csv", "stances.csv", "claims.csv"):
        assert {r["annotator"] for r in read(tmp_path / "gold" / name)} == {"gold"}
    assert report.rows["spans"] == 3
    assert len(read(tmp_path / "gold" / "documents.csv")) == 3


def test_unknown_annotator_is_an_error(project: Project, tmp_path: Path) -> None:
    seed(project)
    with pytest.raises(AnnotatorError, match="nobody"):
        export_csv(project, tmp_path / "out", annotator="nobody")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("existing", [False, True])
def test_cancel_leaves_no_files(project: Project, tmp_path: Path, existing: bool) -> None:
    seed(project)
    out = tmp_path / "out"
    if existing:
        out.mkdir()
    calls: list[tuple[int, int]] = []

    def cancel() -> bool:
        calls.append((0, 0))
        return len(calls) > 1

    with pytest.raises(Cancelled):
        export_csv(project, out, cancel=cancel)
    assert out.exists() == existing
    assert not existing or list(out.iterdir()) == []


def test_progress_reaches_total(project: Project, tmp_path: Path) -> None:
    seed(project)
    seen: list[tuple[int, int]] = []
    export_csv(project, tmp_path / "out", progress=lambda done, total: seen.append((done, total)))
    assert seen and seen[-1][0] == seen[-1][1] > 0


def test_readonly_project_is_unchanged_by_export(project: Project, tmp_path: Path, backend: str) -> None:
    if backend != "sqlite":
        pytest.skip("compares a project file's bytes")
    seed(project)
    project.close()
    before = project.path.read_bytes()
    readonly = Project.open(project.path, readonly=True)
    try:
        export_csv(readonly, tmp_path / "out")
    finally:
        readonly.close()
    assert project.path.read_bytes() == before


CUSTOM_SCHEME = """
name = "quotes"
[[labels]]
name = "quote"
  [[labels.attributes]]
  name = "tone"
  values = ["calm", "angry"]
[[labels]]
name = "speaker"
  [[labels.attributes]]
  name = "role"
  values = ["politician", "expert"]
  [[labels.attributes]]
  name = "speaker_name"
  type = "text"
[[relations]]
name = "said_by"
from = "quote"
to = "speaker"
[stance]
values = ["agree", "disagree"]
span_labels = ["quote"]
  [[stance.targets]]
  name = "claim_x"
"""


def test_columns_follow_a_custom_scheme(tmp_path: Path) -> None:
    scheme = tmp_path / "quotes.toml"
    scheme.write_text(CUSTOM_SCHEME, encoding="utf-8")
    project = Project.open(tmp_path / "custom.db", scheme_path=scheme)
    try:
        doc = add_document(project, "a", "Minister Smith: we will win.", "A")
        ann = project.annotator("carol").id
        text = "Minister Smith: we will win."
        quote = span_at(project, doc, ann, "quote", text, "we will win", tone="calm")
        who = span_at(project, doc, ann, "speaker", text, "Minister Smith", role="politician", speaker_name="J. Smith")
        svc.link(project, "said_by", quote, who)
        svc.set_stance(project, doc, ann, "claim_x", "agree", span_id=quote)
        export_csv(project, tmp_path / "out")
    finally:
        project.close()
    assert read_header(tmp_path / "out" / "spans.csv")[8:11] == ["tone", "role", "speaker_name"]
    assert read_header(tmp_path / "out" / "claims.csv") == [
        "doc_id",
        "title",
        "annotator",
        "claim_id",
        "claim_text",
        "tone",
        "speaker_text",
        "speaker_name",
        "speaker_role",
        "claim_x",
    ]
    (row,) = read(tmp_path / "out" / "claims.csv")
    got = [row[c] for c in ("claim_text", "speaker_text", "speaker_name", "speaker_role", "claim_x")]
    assert got == ["we will win", "Minister Smith", "J. Smith", "politician", "agree"]


def test_neutralise_rules() -> None:
    for bad in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(bad) == "'" + bad
    for fine in ("", "plain", "'already", " =spaced"):
        assert neutralise(fine) == fine
    assert neutralise_value(-3) == -3 and neutralise_value(None) == ""
    assert neutralise_value(["=x"]) == '["=x"]' and neutralise_value({}) == "{}"


def _export_bytes(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def test_helper_process_writes_the_same_tables(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from annotator.io import export_csv as module

    seed(project)
    export_csv(project, tmp_path / "sequential")
    project.close()
    readonly = Project.open(project.store.location, readonly=True)
    monkeypatch.setattr(module, "PARALLEL_MIN_ROWS", 0)
    try:
        report = export_csv(readonly, tmp_path / "parallel")
        with pytest.raises(Cancelled):
            export_csv(readonly, tmp_path / "cancelled", cancel=iter([False] + [True] * 100).__next__)
    finally:
        readonly.close()
    assert _export_bytes(tmp_path / "parallel") == _export_bytes(tmp_path / "sequential")
    assert list(report.rows) == ["documents", "spans", "relations", "stances", "status", "claims", "comments"]
    assert not (tmp_path / "cancelled").exists()


def test_review_comments_are_exported_neutralised(project: Project, tmp_path: Path) -> None:
    from annotator.services import review

    doc = add_document(project, "d1", TEXT_2)
    me = project.annotator("rita")
    review.add_comment(project, doc, me.id, "span:0:5:claim", "=HYPERLINK(x) check the source")
    export_csv(project, tmp_path / "out")
    (row,) = read(tmp_path / "out" / "comments.csv")
    assert row["doc_id"] == "d1" and row["author"] == "rita" and row["item_key"] == "span:0:5:claim"
    assert row["text"] == "'=HYPERLINK(x) check the source"
