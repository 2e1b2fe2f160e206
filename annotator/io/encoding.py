"""Text encodings of imported files: which one a file uses, and decoding it or streaming its lines.

The rule is PRODUCT's: a byte-order mark decides (UTF-8, UTF-16 LE/BE); without one the file is
UTF-8 if it decodes as UTF-8, else cp1252. A file that decodes in neither, or whose text holds a NUL
character (a binary file, or UTF-16 without a BOM), is rejected rather than imported as mojibake.
Streaming readers cannot know a file is valid UTF-8 before reading it all, so they read with the
first candidate and the importer retries the file with the next one on a UnicodeDecodeError (the
file's transaction is rolled back in between); the common UTF-8 case reads each file once.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from pathlib import Path

from annotator.model.errors import AnnotatorError

UTF8 = "utf-8"
UTF8_SIG = "utf-8-sig"
UTF16_LE = "utf-16-le"
UTF16_BE = "utf-16-be"
CP1252 = "cp1252"
BINARY = "binary file (contains NUL characters), not text"
UNDECODABLE = "cannot decode as UTF-8 or cp1252 (binary or unknown encoding)"

# Longest BOM first: a UTF-16 LE BOM is a prefix of nothing else we accept.
_BOMS = ((codecs.BOM_UTF8, UTF8_SIG), (codecs.BOM_UTF16_LE, UTF16_LE), (codecs.BOM_UTF16_BE, UTF16_BE))
_BOM_LENGTH = {UTF8_SIG: 0, UTF16_LE: 2, UTF16_BE: 2}


class FileProblem(AnnotatorError):
    """A whole file cannot be imported. Carries the file, the line when known, and the reason."""

    def __init__(self, path: str | Path, reason: str, line: int | None = None) -> None:
        self.path, self.reason, self.line = str(path), reason, line
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {reason}")


class EncodingError(FileProblem):
    """A file is binary, or decodes in none of the accepted encodings."""


def bom_encoding(head: bytes) -> str | None:
    """The encoding a byte-order mark at the start of `head` announces, if any."""
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    return None


def candidates(path: Path) -> tuple[str, ...]:
    """Encodings to try for `path`, in order: the BOM's alone, else UTF-8 then cp1252."""
    with path.open("rb") as fh:
        head = fh.read(4)
    found = bom_encoding(head)
    return (found,) if found else (UTF8, CP1252)


def decode(data: bytes, name: str | Path) -> tuple[str, str]:
    """Decode a whole file's bytes: (text, encoding used). Raises EncodingError naming `name`."""
    found = bom_encoding(data)
    if found is None and b"\x00" in data:
        # Neither UTF-8 nor cp1252 text holds a NUL byte: say "binary" rather than "undecodable".
        raise EncodingError(name, BINARY)
    for encoding in (found,) if found else (UTF8, CP1252):
        try:
            text = data[_BOM_LENGTH.get(encoding, 0) :].decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            raise EncodingError(name, BINARY)
        # utf-8-sig strips its own BOM; the UTF-16 codecs without "-le"/"-be" would too, but
        # the explicit-endian ones need it cut (done above) and do not keep a U+FEFF.
        return text, encoding
    raise EncodingError(name, UNDECODABLE)


def open_lines(path: Path, encoding: str) -> Iterator[str]:
    """Stream `path`'s lines decoded with `encoding`, line endings kept (newline="" semantics).

    Raises UnicodeDecodeError part-way when the file is not in `encoding`; callers retry.
    """
    raw = path.open("rb")
    try:
        skip = _BOM_LENGTH.get(encoding, 0)
        if skip:
            raw.read(skip)
        with io.TextIOWrapper(raw, encoding=encoding, newline="") as text:
            yield from text
    finally:
        raw.close()
