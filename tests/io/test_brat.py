"""brat standoff: import (PolNeAR layout, discontinuous spans, events, notes), export, round trips, bad input."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from annotator import cli
from annotator.io.brat_export import export_brat
from annotator.io.brat_format import canonical, parse_ann
from annotator.io.brat_import import import_brat
from annotator.paths import RESOURCES_DIR
from annotator.services.project import Project
from annotator.store import annotations as store_ann

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "brat" / "polnear_style"
POLNEAR = RESOURCES_DIR / "schemes" / "polnear.toml"
ANN = SAMPLE / "attributions" / "climate_2016-01-01_talks_a1.ann"


def store_docs_count(session: object) -> int:
    from annotator.store import documents as store_docs

    return int(store_docs.count_documents(session))  # type: ignore[arg-type]


def _project(path: Path) -> Project:
    return Project.open(path, scheme_path=POLNEAR)


def _canonical(path: Path) -> list[str]:
    return canonical(parse_ann(path.read_bytes().decode("utf-8").split("\n")))


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_polnear_layout_imports_every_line(tmp_path: Path) -> None:
    project = _project(tmp_path / "p.db")
    try:
        summary = import_brat(project, [SAMPLE])
        assert summary.report.ok, summary.report.rejected
        assert (summary.lines["T"], summary.lines["E"], summary.lines["#"]) == (10, 3, 1)
        assert summary.imported == summary.lines
        assert summary.discontinuous == 1
        assert "T (spans): 10 read, 10 imported" in summary.text()
        with project.session() as s:
            a1 = store_ann.annotator_by_name(s, "a1")
            assert a1 is not None
            spans = store_ann.spans_for(s, 1, [a1.id])
            relations = store_ann.relations_for(s, 1, [a1.id])
            comments = store_ann.comments_for(s, 1)
        text = (SAMPLE / "text" / "climate_2016-01-01_talks.txt").read_bytes().decode("utf-8")
        content = next(sp for sp in spans if sp.fragments)
        assert content.label == "Content"
        assert content.text == " ".join(text[a:b] for a, b in content.fragments)
        assert "𝔘" in content.text and content.fragments[0][0] == content.start
        crlf = next(sp for sp in spans if sp.label == "Discuss")
        assert "\r\n" in crlf.text
        by_type = {r.type: r for r in relations}
        attribution = [r for r in relations if r.type == "Attribution"]
        assert len(attribution) == 2 and by_type["Attribution_no_source"].args == {}
        first = next(r for r in attribution if "Content" in r.args and r.args["Content"] == content.id)
        assert set(first.args) == {"Content", "Cue", "Source"}
        assert [c[3] for c in comments] == ["quote in two pieces 🙂"]
    finally:
        project.close()


def test_export_equals_the_source_up_to_ids_and_line_order(tmp_path: Path) -> None:
    project = _project(tmp_path / "p.db")
    try:
        assert import_brat(project, [SAMPLE]).report.ok
        out = tmp_path / "out"
        export_brat(project, out)
    finally:
        project.close()
    exported = out / "a1" / "climate_2016-01-01_talks.ann"
    assert _canonical(exported) == _canonical(ANN)
    assert (out / "a1" / "climate_2016-01-01_talks.txt").read_bytes() == (
        SAMPLE / "text" / "climate_2016-01-01_talks.txt"
    ).read_bytes()
    conf = (out / "annotation.conf").read_text(encoding="utf-8")
    assert "Attribution-no-source" in conf and "[events]" in conf and "Content*:Content" in conf


def test_round_trip_export_import_export_is_identical(tmp_path: Path) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    project = _project(tmp_path / "a.db")
    try:
        assert import_brat(project, [SAMPLE]).report.ok
        export_brat(project, first)
    finally:
        project.close()
    empty = _project(tmp_path / "b.db")
    try:
        summary = import_brat(empty, [first])
        assert summary.report.ok and summary.imported["T"] == 10
        export_brat(empty, second)
    finally:
        empty.close()
    assert _tree(first) == _tree(second)


def test_relation_args_attributes_and_binary_relations_round_trip(tmp_path: Path) -> None:
    """The PARC-style scheme: attribution content -> source with a cue and a quote type (an E line),
    and the default scheme's plain relation (an R line); fragments survive both."""
    from annotator.services import annotations as svc

    folder = tmp_path / "in" / "alice"
    folder.mkdir(parents=True)
    text = 'Jo 😀 said: "A b," then "c d."\r\nEnd.'
    (folder / "d.txt").write_text(text, encoding="utf-8", newline="")
    (folder / "d.ann").write_text("", encoding="utf-8")
    project = Project.open(tmp_path / "p.db", scheme_path=RESOURCES_DIR / "schemes" / "attribution.toml")
    try:
        assert import_brat(project, [tmp_path / "in"]).report.ok
        with project.session() as s:
            assert store_ann.table_counts(s)["spans"] == 0  # an empty .ann: the document, no annotations
            assert store_docs_count(s) == 1
        alice = project.annotator("alice").id
        a, b = text.index('"A b,"'), text.index('"c d."')
        content, _ = svc.add_span(project, 1, alice, "content", a, b + 6, {})
        with project.session() as s:
            store_ann.update_span(s, content.id, fragments=((a, a + 6), (b, b + 6)), text='"A b," "c d."')
        source, _ = svc.add_span(project, 1, alice, "source", 0, 2, {"source_type": "named_person"})
        cue, _ = svc.add_span(project, 1, alice, "cue", 5, 9, {})
        with project.session() as s:
            from annotator.model.types import Relation

            store_ann.insert_relation(
                s,
                Relation(
                    0,
                    1,
                    alice,
                    "attribution",
                    content.id,
                    source.id,
                    args={"cue": cue.id},
                    attributes={"quote_type": "direct"},
                ),
            )
        out1, out2 = tmp_path / "x1", tmp_path / "x2"
        export_brat(project, out1)
    finally:
        project.close()
    ann = (out1 / "alice" / "d.ann").read_text(encoding="utf-8")
    assert f"content {a} {a + 6};{b} {b + 6}" in ann
    assert "attribution:T" in ann and "Arg2:T" in ann and "cue:T" in ann and "quote_type E1 direct" in ann
    other = Project.open(tmp_path / "q.db", scheme_path=RESOURCES_DIR / "schemes" / "attribution.toml")
    try:
        assert import_brat(other, [out1]).report.ok
        with other.session() as s:
            (rel,) = store_ann.relations_for(s, 1)
            spans = {sp.id: sp for sp in store_ann.spans_for(s, 1)}
        assert spans[rel.from_span].fragments == ((a, a + 6), (b, b + 6))
        assert spans[rel.to_span].label == "source" and spans[rel.args["cue"]].label == "cue"
        assert rel.attributes == {"quote_type": "direct"}
        export_brat(other, out2)
    finally:
        other.close()
    assert _tree(out1) == _tree(out2)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("T99\tSource 0 9999\tx", "outside the text"),
        ("T99\tSpeaker 0 5\tTalks", "not a label of the scheme"),
        ("T99\tSource 0 5\tTalkz", "is not the text at its offsets"),
        ("T99\tSource 0 5\tTalks\nE9\tAttribution:T77", "is not a T line"),
        ("T99\tSource zero five\tTalks", "a T line is"),
    ],
)
def test_bad_ann_is_rejected_whole_with_file_and_line(tmp_path: Path, line: str, reason: str) -> None:
    work = tmp_path / "in"
    shutil.copytree(SAMPLE, work)
    target = work / "attributions" / ANN.name
    good = target.read_bytes().decode("utf-8")
    target.write_text(good + line + "\n", encoding="utf-8", newline="")
    project = _project(tmp_path / "p.db")
    try:
        summary = import_brat(project, [work])
        (rejection,) = summary.report.rejected
        assert rejection.file == str(target) and reason in rejection.reason
        assert rejection.line == len(good.splitlines()) + 1 + line.count("\n")
        with project.session() as s:
            assert store_ann.annotator_by_name(s, "a1") is None
            assert store_ann.table_counts(s)["spans"] == 0
    finally:
        project.close()


def test_cli_import_and_export_brat(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "p.db"
    _project(db).close()
    assert cli.main(["--project", str(db), "import", "--format", "brat", str(SAMPLE)]) == 0
    printed = capsys.readouterr().out
    assert "T (spans): 10 read, 10 imported" in printed and "E (events): 3 read, 3 imported" in printed
    assert cli.main(["--project", str(db), "export", "--format", "brat", "--out", str(tmp_path / "b")]) == 0
    assert _canonical(tmp_path / "b" / "a1" / "climate_2016-01-01_talks.ann") == _canonical(ANN)
