"""INCEpTION UIMA CAS XMI (dkpro-cassis): UTF-16 offsets in the file, export -> import -> export round trip."""

from __future__ import annotations

import re
from pathlib import Path

from annotator.io.xmi import export_xmi, import_xmi
from annotator.services.project import Project
from annotator.store import annotations as store_ann
from tests.io.test_labelstudio import TEXT, _at, _seed


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_round_trip_keeps_spans_pieces_relations_and_stances(tmp_path: Path) -> None:
    project = Project.open(tmp_path / "a.db")
    try:
        _seed(project)
        export_xmi(project, tmp_path / "one")
    finally:
        project.close()
    xmi = (tmp_path / "one" / "alice" / "d1.xmi").read_text(encoding="utf-8")
    start = TEXT.index("Zelensky")
    units = len(TEXT[:start].encode("utf-16-le")) // 2
    assert re.search(rf'begin="{units}" end="{units + 8}" label="source"', xmi)  # UTF-16 units in the file
    (pieces,) = re.findall(r'fragments="([^"]*)"', xmi)
    a, b = _at("NATO membership is close")
    assert pieces.startswith(f"{len(TEXT[:a].encode('utf-16-le')) // 2}-")
    assert (tmp_path / "one" / "TypeSystem.xml").is_file()
    other = Project.open(tmp_path / "b.db")
    try:
        report = import_xmi(other, [tmp_path / "one"])
        assert report.ok, report.rejected
        with other.session() as s:
            spans = store_ann.spans_for(s, 1)
            (relation,) = store_ann.relations_for(s, 1)
            stances = store_ann.stances_for(s, 1)
        claim = next(sp for sp in spans if sp.fragments)
        assert claim.fragments == (_at("NATO membership is close"), _at("talks went well"))
        assert ("source", *_at("Zelensky")) in [(sp.label, sp.start, sp.end) for sp in spans]
        assert relation.type == "attributed_to" and relation.from_span == claim.id
        assert sorted((st.target, st.value, st.span_id is not None) for st in stances) == [
            ("nato_membership", "favor", False),
            ("security_guarantees", "against", True),
        ]
        export_xmi(other, tmp_path / "two")
    finally:
        other.close()
    assert _tree(tmp_path / "one") == _tree(tmp_path / "two")


def test_a_broken_xmi_is_rejected_by_name(tmp_path: Path) -> None:
    project = Project.open(tmp_path / "a.db")
    try:
        _seed(project)
        export_xmi(project, tmp_path / "one")
        broken = tmp_path / "one" / "alice" / "d1.xmi"
        broken.write_text(broken.read_text(encoding="utf-8")[:200], encoding="utf-8")
        other = Project.open(tmp_path / "b.db")
        try:
            report = import_xmi(other, [tmp_path / "one"])
            (rejection,) = report.rejected
            assert rejection.file == str(broken)
            with other.session() as s:
                assert store_ann.annotator_by_name(s, "alice") is None
                assert store_ann.annotator_by_name(s, "bob") is not None
        finally:
            other.close()
    finally:
        project.close()


def test_cli_export_and_import_xmi(tmp_path: Path) -> None:
    from annotator import cli

    source = tmp_path / "a.db"
    project = Project.open(source)
    try:
        _seed(project)
    finally:
        project.close()
    out = tmp_path / "xmi"
    assert cli.main(["--project", str(source), "export", "--format", "xmi", "--out", str(out)]) == 0
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.xmi")) == ["alice/d1.xmi", "bob/d1.xmi"]
    target = tmp_path / "b.db"
    assert cli.main(["--project", str(target), "import", "--format", "xmi", str(out)]) == 0
    project = Project.open(target)
    try:
        with project.session() as s:
            assert store_ann.table_counts(s)["spans"] == 3
    finally:
        project.close()
