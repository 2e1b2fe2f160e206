"""Record readers for article files: plain text, CSV with a header row, and article JSONL.

Readers turn a file (or its stream of decoded lines) into `Article` records and `BadRecord`s, one
per rejected record, named by the line an editor would show (1-based, a CSV header is line 1, a
multi-line quoted cell advances the count). A problem with the whole file raises `FileRejected`.
They know nothing of the project: de-duplication, ids and storage are the importer's.
A plain-text document keeps the whole file as its text, title line included, because PRODUCT keeps
texts exactly as received and annotation offsets must point into the file as the user sees it.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.io.encoding import FileProblem, decode
from annotator.model.json_line import parse_json_line
from annotator.model.types import text_problem

TITLE_MAX = 300
ARTICLE_KEYS = ("id", "title", "text")

# Article texts can be long; the csv module's default cell limit (128 KiB) would reject them.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


class FileRejected(FileProblem):
    """A whole file cannot be imported; the message names the file (and line, when known)."""


@dataclass(slots=True)
class Article:
    """One document as read from a file, before the importer gives it an id and a hash."""

    line: int | None
    text: str
    ext_id: str | None = None
    title: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class BadRecord:
    line: int | None
    reason: str


Record = Article | BadRecord


def title_from_text(text: str) -> str:
    """The first non-empty line, trimmed and capped: the title of a document without one."""
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:TITLE_MAX]
    return ""


def is_blank(text: str) -> bool:
    return not text or text.isspace()


def read_txt(path: Path, data: bytes) -> tuple[Article, str]:
    """A .txt file is one document: (article, encoding). Raises EncodingError or FileRejected."""
    text, encoding = decode(data, path)
    if is_blank(text):
        raise FileRejected(path, "empty file (no text)")
    return Article(None, text, path.stem, title_from_text(text)), encoding


def _no_nul(lines: Iterable[str], path: Path) -> Iterator[str]:
    for number, line in enumerate(lines, 1):
        if "\x00" in line:
            raise FileRejected(path, "binary file (contains NUL characters), not text", number)
        yield line


# -- JSONL ---------------------------------------------------------------------------------------


def is_annotation_record(obj: Any) -> bool:
    return isinstance(obj, dict) and isinstance(obj.get("document"), dict)


def jsonl_lines(lines: Iterable[str], path: Path) -> Iterator[tuple[int, str]]:
    """Non-blank lines with their numbers; a NUL anywhere rejects the file as binary."""
    for number, line in enumerate(lines, 1):
        if not line or line.isspace():
            continue
        if "\x00" in line:
            raise FileRejected(path, "binary file (contains NUL characters), not text", number)
        yield number, line


def read_article_jsonl(numbered: Iterable[tuple[int, str]]) -> Iterator[Record]:
    """Articles from JSONL lines: `text` required, `id` and `title` optional, other keys -> meta."""
    for number, line in numbered:
        obj, error = parse_json_line(line)
        if error is not None:
            yield BadRecord(number, error)
            continue
        if not isinstance(obj, dict):
            yield BadRecord(number, f"expected a JSON object, got {type(obj).__name__}")
            continue
        if is_annotation_record(obj):
            yield BadRecord(
                number,
                "an annotation record in a file of articles (the file's first record decides what the file holds)",
            )
            continue
        text = obj.get("text")
        problem = text_problem(text)
        if problem is not None or not isinstance(text, str):
            yield BadRecord(number, problem or "no text")
            continue
        ext_id = obj.get("id")
        if isinstance(ext_id, int) and not isinstance(ext_id, bool):
            ext_id = str(ext_id)
        elif ext_id is not None and not (isinstance(ext_id, str) and ext_id.strip()):
            yield BadRecord(number, f"id must be a non-empty string or an integer, not {ext_id!r}")
            continue
        title = obj.get("title")
        if title is not None and not isinstance(title, str):
            yield BadRecord(number, f"title must be a string, not {type(title).__name__}")
            continue
        meta = {k: v for k, v in obj.items() if k not in ARTICLE_KEYS}
        yield Article(number, text, ext_id, title or title_from_text(text), meta)


# -- CSV -----------------------------------------------------------------------------------------


def read_csv(
    lines: Iterable[str],
    path: Path,
    *,
    text_column: str = "text",
    id_column: str | None = None,
    title_column: str | None = None,
) -> Iterator[Record]:
    """Articles from CSV rows. Without --id-column/--title-column, columns named `id` and `title` are
    used when present; every other column goes to the document's metadata."""
    reader = csv.reader(_no_nul(lines, path))
    try:
        header = [cell.strip() for cell in next(reader)]
    except StopIteration:
        raise FileRejected(path, "empty file (no header row)") from None
    except csv.Error as exc:
        raise FileRejected(path, f"malformed CSV header ({exc})", 1) from exc
    if all(not cell for cell in header):
        raise FileRejected(path, "empty file (no header row)")
    found = ", ".join(repr(c) for c in header)
    positions: dict[str, int] = {}
    for option, name, explicit in (
        ("--text-column", text_column, True),
        ("--id-column", id_column, True),
        ("--title-column", title_column, True),
        ("--id-column", "id", False),
        ("--title-column", "title", False),
    ):
        key = option.removeprefix("--").removesuffix("-column")
        if name is None or key in positions:
            continue
        if name in header:
            positions[key] = header.index(name)
        elif explicit:
            raise FileRejected(path, f"no column {name!r} for {option} (columns found: {found})")
    taken = set(positions.values())
    meta_columns = [(i, name) for i, name in enumerate(header) if i not in taken and name]
    text_at, id_at, title_at = positions["text"], positions.get("id"), positions.get("title")
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise FileRejected(path, f"malformed CSV ({exc})", start) from exc
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header) and any(cell.strip() for cell in row[len(header) :]):
            yield BadRecord(start, f"row has {len(row)} cells but the header has {len(header)}")
            continue
        text = row[text_at] if text_at < len(row) else None
        problem = text_problem(text)
        if problem is not None or text is None:
            yield BadRecord(start, f"{problem} in column {header[text_at]!r}")
            continue
        ext_id = row[id_at].strip() if id_at is not None and id_at < len(row) else ""
        title = row[title_at].strip() if title_at is not None and title_at < len(row) else ""
        meta = {name: row[i] for i, name in meta_columns if i < len(row)}
        yield Article(start, text, ext_id or None, title or title_from_text(text), meta)
