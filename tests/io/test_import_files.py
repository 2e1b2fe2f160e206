"""Importing article files: encodings, txt, CSV, article JSONL, folders, duplicates, atomicity."""

from __future__ import annotations

import codecs
import json
import os
import shutil
from pathlib import Path

import pytest

from annotator.io import importer
from annotator.io.encoding import decode
from annotator.io.importer import import_paths
from annotator.model.errors import Cancelled
from annotator.model.types import NewDocument
from annotator.services.documents import stats
from annotator.services.project import Project
from annotator.store import documents as docs

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _documents(project: Project) -> dict[str, tuple[str, str, str | None, dict[str, object]]]:
    """ext_id -> (title, text, encoding, meta) of every document."""
    with project.session() as s:
        return {
            d.info.ext_id: (d.info.title, d.text, d.info.encoding, dict(d.info.meta)) for d in docs.iter_documents(s)
        }


def test_txt_keeps_whole_text_and_takes_first_line_as_title(project: Project, tmp_path: Path) -> None:
    text = "\n\n  Headline here  \r\nBody line 1\r\nBody ✓\n"
    (tmp_path / "story.txt").write_bytes(text.encode("utf-8"))
    report = import_paths(project, [tmp_path / "story.txt"])
    assert report.ok and report.documents_added == 1
    assert _documents(project) == {"story": ("Headline here", text, "utf-8", {})}


@pytest.mark.parametrize(
    ("raw", "encoding"),
    [
        (codecs.BOM_UTF8 + "Grüße 😀\n".encode(), "utf-8-sig"),
        (codecs.BOM_UTF16_LE + "Grüße 😀\n".encode("utf-16-le"), "utf-16-le"),
        (codecs.BOM_UTF16_BE + "Grüße 😀\n".encode("utf-16-be"), "utf-16-be"),
        ("Grüße 😀\n".encode(), "utf-8"),
        ("Grüße “x” €\n".encode("cp1252"), "cp1252"),
    ],
)
def test_encodings_decided_by_bom_then_utf8_then_cp1252(
    raw: bytes, encoding: str, tmp_path: Path, project: Project
) -> None:
    for suffix, data in ((".txt", raw), (".jsonl", None), (".csv", None)):
        path = tmp_path / f"f{suffix}"
        if data is None:
            text = decode(raw, path)[0].rstrip("\n")
            content = json.dumps({"text": text}, ensure_ascii=False) + "\n" if suffix == ".jsonl" else f"text\n{text}\n"
            bom = raw[:3] if raw.startswith(codecs.BOM_UTF8) else raw[:2] if encoding.startswith("utf-16") else b""
            data = bom + content.encode(encoding.removesuffix("-sig"))
            # For the JSONL/CSV variants the text differs (no newline); a different hash each time.
            data = data.replace(
                "Grüße".encode(encoding.removesuffix("-sig")), f"Grüße{suffix}".encode(encoding.removesuffix("-sig"))
            )
        path.write_bytes(data)
        report = import_paths(project, [path])
        assert report.ok and report.documents_added == 1, (suffix, report)
    found = _documents(project)
    assert {enc for _, _, enc, _ in found.values()} == {encoding}
    assert all("Grüße" in text and "\ufeff" not in text for _, text, _, _ in found.values())


def test_binary_undecodable_and_nul_files_are_rejected(project: Project, tmp_path: Path) -> None:
    (tmp_path / "nul.txt").write_bytes(b"abc\x00def")
    (tmp_path / "utf16_no_bom.txt").write_bytes("hello".encode("utf-16-le"))
    (tmp_path / "undecodable.txt").write_bytes(b"\x81\x8d\x8f\x90\x9d")
    (tmp_path / "nul.jsonl").write_bytes(b'{"text": "a"}\n{"text": "b\x00"}\n')
    report = import_paths(project, [tmp_path])
    assert report.documents_added == 0
    reasons = {Path(r.file).name: r.reason for r in report.rejected}
    assert set(reasons) == {"nul.txt", "utf16_no_bom.txt", "undecodable.txt", "nul.jsonl"}
    assert "binary" in reasons["nul.txt"] and "binary" in reasons["utf16_no_bom.txt"]
    assert "cannot decode" in reasons["undecodable.txt"]
    assert str(next(r for r in report.rejected if r.file.endswith("nul.jsonl"))).endswith(
        "nul.jsonl:2: binary file (contains NUL characters), not text"
    )


def test_same_stem_with_different_text_gets_a_unique_id(project: Project, tmp_path: Path) -> None:
    for sub, text in (("a", "first text"), ("b", "second text")):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "story.txt").write_text(text, encoding="utf-8")
    report = import_paths(project, [tmp_path])
    assert report.documents_added == 2
    ids = sorted(_documents(project))
    assert ids[0] == "story" and ids[1].startswith("story_") and len(ids[1]) == len("story_") + 8


# -- CSV -----------------------------------------------------------------------------------------


def test_csv_line_numbers_count_multiline_cells(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text(
        "id,title,text,outlet\n"  # line 1
        'a,A,"one\nline two\nline three",X\n'  # lines 2-4
        "b,B,,Y\n"  # line 5: empty text
        "\n"  # line 6: blank, ignored
        'c,C,"multi\r\nline",Z\n'  # lines 7-8
        "d,D,   ,W\n"  # line 9: blank text
        "e,E,fine,V\n",
        encoding="utf-8",
        newline="",
    )  # line 10
    report = import_paths(project, [path])
    assert [str(r) for r in report.rejected] == [
        f"{path}:5: text is empty in column 'text'",
        f"{path}:9: text is empty in column 'text'",
    ]
    found = _documents(project)
    assert sorted(found) == ["a", "c", "e"]
    assert found["a"] == ("A", "one\nline two\nline three", "utf-8", {"outlet": "X"})
    assert found["c"][1] == "multi\r\nline"


def test_csv_column_options_and_missing_column(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "news.csv"
    path.write_text("url,headline,body,lang\nu1,Head 1,Body one,en\nu2,Head 2,Body two,de\n", encoding="utf-8")
    report = import_paths(project, [path])
    assert not report.ok and report.documents_added == 0
    assert str(report.rejected[0]) == (
        f"{path}: no column 'text' for --text-column (columns found: 'url', 'headline', 'body', 'lang')"
    )
    report = import_paths(project, [path], text_column="body", id_column="url", title_column="headline")
    assert report.ok and report.documents_added == 2
    assert _documents(project)["u2"] == ("Head 2", "Body two", "utf-8", {"lang": "de"})
    bad = import_paths(project, [path], text_column="body", id_column="nope")
    assert "no column 'nope' for --id-column" in str(bad.rejected[0])


def test_csv_long_cells_and_empty_files(project: Project, tmp_path: Path) -> None:
    long_text = "x" * 300_000
    (tmp_path / "long.csv").write_text(f"text\n{long_text}\n", encoding="utf-8")
    (tmp_path / "empty.csv").write_text("", encoding="utf-8")
    (tmp_path / "blank.jsonl").write_text("\n  \n", encoding="utf-8")
    report = import_paths(project, [tmp_path])
    assert report.documents_added == 1
    assert sorted((Path(r.file).name, r.reason) for r in report.rejected) == [
        ("blank.jsonl", "empty file (no records)"),
        ("empty.csv", "empty file (no header row)"),
    ]


# -- article JSONL ---------------------------------------------------------------------------------


def test_jsonl_rejects_bad_records_and_keeps_the_rest(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    lines = [
        json.dumps({"id": "ok1", "title": "T", "outlet": "RT", "text": "good one"}),
        "{not json",
        json.dumps({"id": "x", "text": ""}),
        json.dumps({"id": "y"}),
        json.dumps({"id": "z", "text": 5}),
        json.dumps([1, 2]),
        "",
        json.dumps({"id": 7, "text": "good two\nsecond line"}),
        json.dumps({"id": "dup", "text": "good one"}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = import_paths(project, [path])
    assert [(r.line, r.reason.split(" (")[0]) for r in report.rejected] == [
        (2, "invalid JSON"),
        (3, "text is empty"),
        (4, "no text"),
        (5, "text must be a string, not int"),
        (6, "expected a JSON object, got list"),
    ]
    assert [(d.line, d.ext_id) for d in report.duplicates] == [(9, "dup")]
    found = _documents(project)
    assert found == {
        "ok1": ("T", "good one", "utf-8", {"outlet": "RT"}),
        "7": ("good two", "good two\nsecond line", "utf-8", {}),
    }


def test_corpus_imports_exactly_and_reimport_is_a_noop(project: Project) -> None:
    corpus = Path(__file__).resolve().parents[2] / "corpus" / "articles.jsonl"
    report = import_paths(project, [corpus])
    assert report.ok and report.documents_added == 5
    originals = [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines()]
    found = _documents(project)
    for article in originals:
        title, text, _, meta = found[article["id"]]
        assert (title, text) == (article["title"], article["text"])
        assert meta == {"outlet": article["outlet"], "published": article["published"]}
    again = import_paths(project, [corpus])
    assert again.documents_added == 0 and len(again.duplicates) == 5
    assert again.summary().startswith("Nothing new: 5 duplicates skipped")


# -- folders -------------------------------------------------------------------------------------


def test_mixed_folder(project: Project, tmp_path: Path) -> None:
    folder = shutil.copytree(FIXTURES / "mixed", tmp_path / "mixed")
    report = import_paths(project, [folder])
    found = _documents(project)
    assert sorted(found) == ["cp1252", "good_emoji", "j1", "j3"]
    assert found["cp1252"][1].startswith("Café déjà vu") and found["cp1252"][2] == "cp1252"
    assert "🇺🇦" in found["good_emoji"][1]
    assert sorted(str(r).replace(str(folder), "M") for r in report.rejected) == [
        "M/articles.jsonl:2: invalid JSON (Invalid control character at column 59)",
        "M/empty.txt: empty file (no text)",
        "M/missing_column.csv: no column 'text' for --text-column (columns found: 'id', 'headline', 'body')",
        "M/picture.txt: binary file (contains NUL characters), not text",
    ]
    assert [(Path(s.path).name, s.reason) for s in report.skipped] == [("notes.md", "not a .txt, .csv or .jsonl file")]
    assert not report.ok


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_and_bad_links_are_named_without_blocking(project: Project, tmp_path: Path) -> None:
    tmp_path = tmp_path / "src"
    tmp_path.mkdir()
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "broken.txt").symlink_to(tmp_path / "missing.txt")
    (tmp_path / "loop.txt").symlink_to(tmp_path / "loop.txt")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "up").symlink_to(tmp_path)  # a folder loop: read once
    (tmp_path / "sub" / "ok.txt").write_text("fine", encoding="utf-8")
    report = import_paths(project, [tmp_path])
    assert report.documents_added == 1
    assert {Path(r.file).name: r.reason for r in report.rejected} == {
        "pipe.txt": "not a regular file (a FIFO)",
        "broken.txt": "broken link",
        "loop.txt": "looping link",
    }
    assert [Path(s.path).name for s in report.skipped] == ["up"]


def test_explicit_paths_missing_or_unknown(project: Project, tmp_path: Path) -> None:
    (tmp_path / "data.text").write_text("some text", encoding="utf-8")
    report = import_paths(project, [tmp_path / "nope.txt", tmp_path / "data.text"])
    assert [r.reason.split(" (")[0] for r in report.rejected] == ["no such file or folder", "unknown file type"]
    forced = import_paths(project, [tmp_path / "data.text"], fmt="txt")
    assert forced.ok and forced.documents_added == 1


# -- atomicity, cancel, progress -------------------------------------------------------------------


def _articles(path: Path, n: int, prefix: str = "art") -> None:
    path.write_text(
        "".join(json.dumps({"id": f"{prefix}{i}", "text": f"text of {prefix} {i}"}) + "\n" for i in range(n)),
        encoding="utf-8",
    )


def test_error_part_way_leaves_nothing_of_the_file(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _articles(tmp_path / "a_first.jsonl", 3, "first")
    _articles(tmp_path / "b_crash.jsonl", 10, "crash")
    monkeypatch.setattr(importer, "BATCH", 2)
    real_insert = docs.insert_documents_fast
    calls: list[int] = []

    def crash_on_third_batch_of_second_file(session: object, rows: list[NewDocument]) -> None:
        calls.append(len(rows))
        if any(r.ext_id.startswith("crash") for r in rows) and len(calls) >= 5:
            raise RuntimeError("disk on fire")
        real_insert(session, rows)  # type: ignore[arg-type]

    monkeypatch.setattr(docs, "insert_documents_fast", crash_on_third_batch_of_second_file)
    with pytest.raises(RuntimeError, match="disk on fire"):
        import_paths(project, [tmp_path])
    assert sorted(_documents(project)) == ["first0", "first1", "first2"]


def test_cancel_rolls_back_the_current_file(project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _articles(tmp_path / "big.jsonl", 50)
    monkeypatch.setattr(importer, "BATCH", 5)
    polls = iter(range(1000))
    seen: list[tuple[int, int]] = []

    def cancel() -> bool:
        return next(polls) >= 3

    with pytest.raises(Cancelled):
        import_paths(project, [tmp_path / "big.jsonl"], progress=lambda d, t: seen.append((d, t)), cancel=cancel)
    assert stats(project)["documents"] == 0


def test_progress_reaches_total(project: Project, tmp_path: Path) -> None:
    _articles(tmp_path / "a.jsonl", 30)
    seen: list[tuple[int, int]] = []
    import_paths(project, [tmp_path], progress=lambda d, t: seen.append((d, t)))
    total = (tmp_path / "a.jsonl").stat().st_size
    assert seen[-1] == (total, total)
    assert all(d <= t for d, t in seen) and [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_summary_is_neutral_about_where_rejections_are_listed_and_counts_singulars() -> None:
    from annotator.io.import_report import AnnotationCounts, ImportReport, Rejection

    report = ImportReport(
        documents_added=1,
        annotations_added=AnnotationCounts(1, 1, 1),
        files_read=1,
        rejected=[Rejection("a.jsonl", 3, "no text")],
    )
    lines = report.summary().splitlines()
    assert lines == [
        "Imported 1 document from 1 file; 0 duplicates skipped",
        "Imported annotations: 1 span, 1 relation, 1 stance",
        "Rejected 1 file or record",
    ]
    report.rejected.append(Rejection("b.csv", None, "not UTF-8"))
    assert report.summary().splitlines()[-1] == "Rejected 2 files or records"
    assert "stderr" not in report.summary()
