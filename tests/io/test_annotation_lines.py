"""One table of good and bad annotation-JSONL lines drives both import and merge: they accept and reject
exactly the same lines, read by the one reader in `model.annotation_jsonl`, and store the same items."""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from annotator.io.importer import import_paths
from annotator.model.annotation_jsonl import LineError, normalise_timestamp, parse_line
from annotator.model.errors import ValidationError
from annotator.services.merge import merge_jsonl
from annotator.services.project import Project
from annotator.store import annotations as q
from annotator.store import documents as docs

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "annotations.jsonl"
Line = dict[str, Any]


def _good() -> Line:
    return json.loads(FIXTURE.read_text(encoding="utf-8").splitlines()[0])


def _with(mutate: Callable[[Line], object]) -> Line:
    line = copy.deepcopy(_good())
    mutate(line)
    return line


def _no_text(line: Line) -> None:
    del line["document"]["text"]


GOOD: list[tuple[str, Line]] = [
    ("the fixture's first line", _good()),
    (
        "integer span ids",
        _with(
            lambda ln: [
                ln["spans"][0].update(id=1),
                ln["relations"][0].update({"from": 1}),
                ln["stances"][1].update(span=1),
            ]
        ),
    ),
    ("no spans, only a status", _with(lambda ln: [ln.update(spans=[], relations=[], stances=[])])),
    ("status as an object", _with(lambda ln: ln.update(status={"status": "in_progress", "seconds": 3}))),
    ("a span without text", _with(lambda ln: ln["spans"][2].pop("text"))),
    ("a span without id", _with(lambda ln: ln["spans"][2].pop("id"))),
    ("times with an offset", _with(lambda ln: ln["spans"][0].update(created_at="2024-01-01T02:00:00+02:00"))),
    ("times without a zone", _with(lambda ln: ln["spans"][0].update(updated_at="2024-01-01T00:00:01"))),
    ("an annotator uid", _with(lambda ln: ln.update(annotator_uid="a1b2"))),
    ("an emptied annotator uid", _with(lambda ln: ln.update(annotator_uid=""))),
    ("extra document keys", _with(lambda ln: ln["document"].update(section="world"))),
]

BAD: list[tuple[str, str | Line]] = [
    ("not JSON", "{not json"),
    ("not an object", "[1, 2]"),
    ("document not an object", _with(lambda ln: ln.update(document=3))),
    ("unknown document, no text", _with(lambda ln: [_no_text(ln), ln["document"].update(sha256="0" * 64, id="x")])),
    ("sha256 not of the text", _with(lambda ln: ln["document"].update(sha256="0" * 64))),
    ("empty text", _with(lambda ln: ln["document"].update(text=" "))),
    ("no annotator", _with(lambda ln: ln.pop("annotator"))),
    ("annotator uid a number", _with(lambda ln: ln.update(annotator_uid=7))),
    ("spans not a list", _with(lambda ln: ln.update(spans={}))),
    ("a span not an object", _with(lambda ln: ln["spans"].append("s9"))),
    ("a span id used twice", _with(lambda ln: ln["spans"][2].update(id="s1"))),
    ("label not in scheme", _with(lambda ln: ln["spans"][0].update(label="quote"))),
    ("attribute not in scheme", _with(lambda ln: ln["spans"][0]["attributes"].update(mood="x"))),
    ("attribute value not a string", _with(lambda ln: ln["spans"][0]["attributes"].update(checkworthy=True))),
    ("offsets outside the text", _with(lambda ln: ln["spans"][0].update(end=10_000))),
    ("empty span", _with(lambda ln: ln["spans"][0].update(start=40, end=40))),
    ("offset a string", _with(lambda ln: ln["spans"][0].update(start="31"))),
    ("offset a float", _with(lambda ln: ln["spans"][0].update(start=31.0))),
    ("span text not the document's", _with(lambda ln: ln["spans"][0].update(text="NATO must offer guarantees NOW"))),
    ("created_at not a timestamp", _with(lambda ln: ln["spans"][0].update(created_at="yesterday"))),
    ("updated_at a number", _with(lambda ln: ln["relations"][0].update(updated_at=5))),
    ("relation type unknown", _with(lambda ln: ln["relations"][0].update(type="quotes"))),
    ("relation end missing", _with(lambda ln: ln["relations"][0].update(to="s9"))),
    ("relation end of the wrong label", _with(lambda ln: ln["relations"][0].update(to="s3"))),
    (
        "two links from one claim",
        _with(lambda ln: ln["relations"].append({"type": "attributed_to", "from": "s1", "to": "s2"})),
    ),
    ("stance target unknown", _with(lambda ln: ln["stances"][0].update(target="weather"))),
    ("stance value unknown", _with(lambda ln: ln["stances"][0].update(value="maybe"))),
    ("stance on a source", _with(lambda ln: ln["stances"][1].update(span="s2"))),
    ("stance on a missing span", _with(lambda ln: ln["stances"][1].update(span="s7"))),
    ("two stances on one target", _with(lambda ln: ln["stances"].append(dict(ln["stances"][0])))),
    ("status unknown", _with(lambda ln: ln.update(status="finished"))),
    ("seconds negative", _with(lambda ln: ln.update(seconds=-1))),
]


def _write(path: Path, line: str | Line) -> Path:
    path.write_text((line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project file holding the fixture's document, so lines without text find it; each test copies it."""
    folder = tmp_path_factory.mktemp("seed")
    project = Project.open(folder / "seed.db")
    import_paths(project, [_write(folder / "seed.jsonl", {"id": "doc_emoji", "text": _good()["document"]["text"]})])
    project.close()
    return folder / "seed.db"


def _projects(seeded: Path, folder: Path) -> tuple[Project, Project]:
    for name in ("import.db", "merge.db"):
        shutil.copy(seeded, folder / name)
    return Project.open(folder / "import.db"), Project.open(folder / "merge.db")


def _stored(project: Project) -> list[tuple[Any, ...]]:
    """The spans on the fixture's document; a time the line did not give (the time of the run) reads "now"."""

    def given(moment: str) -> str:
        return moment if moment.startswith("2024") else "now"

    with project.session() as s:
        doc = docs.find_document_with_text(s, sha256=_good()["document"]["sha256"])
        assert doc is not None
        return sorted(
            (
                sp.label,
                sp.start,
                sp.end,
                sp.text,
                tuple(sorted(sp.attributes.items())),
                given(sp.created_at),
                given(sp.updated_at),
            )
            for sp in q.spans_for(s, doc.id)
        )


def _import_accepts(project: Project, path: Path) -> bool:
    return not import_paths(project, [path]).rejected


def _merge_accepts(project: Project, path: Path) -> bool:
    try:
        merge_jsonl(project, path)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize(("name", "line"), GOOD, ids=[name for name, _ in GOOD])
def test_import_and_merge_accept_a_good_line_alike(seeded: Path, tmp_path: Path, name: str, line: Line) -> None:
    path = _write(tmp_path / "line.jsonl", line)
    imported, merged = _projects(seeded, tmp_path)
    try:
        assert _import_accepts(imported, path), name
        assert _merge_accepts(merged, path), name
        assert _stored(imported) == _stored(merged)
    finally:
        imported.close()
        merged.close()


@pytest.mark.parametrize(("name", "line"), BAD, ids=[name for name, _ in BAD])
def test_import_and_merge_reject_a_bad_line_alike(seeded: Path, tmp_path: Path, name: str, line: str | Line) -> None:
    path = _write(tmp_path / "line.jsonl", line)
    imported, merged = _projects(seeded, tmp_path)
    try:
        before = _stored(imported)
        assert not _import_accepts(imported, path), name
        assert not _merge_accepts(merged, path), name
        assert _stored(imported) == before == _stored(merged)
    finally:
        imported.close()
        merged.close()


def test_timestamps_come_back_as_utc_instants() -> None:
    assert normalise_timestamp("2024-01-01T02:00:00+02:00") == "2024-01-01T00:00:00.000000Z"
    assert normalise_timestamp("2024-01-01T00:00:00Z") == "2024-01-01T00:00:00.000000Z"
    assert normalise_timestamp("2024-01-01 00:00:00.5") == "2024-01-01T00:00:00.500000Z"
    line = parse_line(json.dumps(_with(lambda ln: ln["spans"][0].pop("updated_at"))), "2030-01-01T00:00:00.000000Z")
    span, other = line.layer.spans[0], line.layer.spans[1]
    assert (span.created_at, span.updated_at) == ("2024-01-01T00:00:00.000000Z",) * 2  # updated defaults to created
    assert (other.created_at, other.updated_at) == ("2030-01-01T00:00:00.000000Z",) * 2  # created defaults to now
    with pytest.raises(LineError, match="span 's1': created_at 'soon' is not an ISO 8601 timestamp"):
        parse_line(json.dumps(_with(lambda ln: ln["spans"][0].update(created_at="soon"))), "")
