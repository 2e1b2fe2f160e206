"""Where each key of a TOML text is: a map from key paths to line numbers, and the size limits.

tomllib reports line numbers for syntax errors only, so the scheme checker finds the line of a
semantic problem here: `("labels", 1, "attributes", 0, "values")` is the line of `values =` in the
first attribute of the second label. The scan follows table headers, array-of-tables counters and
`key =` lines, and skips multi-line strings; a path it cannot place falls back to its parent's line.
The same scan refuses texts that are too big or nested too deeply, before tomllib sees them.
"""

from __future__ import annotations

import re

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 6
"""A scheme needs two levels of arrays and tables inside a value; six leaves room and stops a bomb."""

KeyPath = tuple[str | int, ...]
_HEADER_RE = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY_RE = re.compile(r"""^\s*((?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+)(?:\s*\.\s*(?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+))*)\s*=""")


def _split_key(key: str) -> list[str]:
    parts = re.findall(r""""([^"]*)"|'([^']*)'|([A-Za-z0-9_-]+)""", key)
    return [a or b or c for a, b, c in parts]


class LineMap:
    """Key paths of one TOML text, each with the line (1-based) where it is written."""

    def __init__(self, text: str) -> None:
        self.lines: dict[KeyPath, int] = {}
        self._counters: dict[KeyPath, int] = {}
        self._scan(text)

    def line_of(self, path: KeyPath) -> int | None:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return None

    def _table_path(self, names: list[str], is_array: bool) -> KeyPath:
        path: KeyPath = ()
        for i, name in enumerate(names):
            path = (*path, name)
            last = i == len(names) - 1
            if last and is_array:
                index = self._counters.get(path, -1) + 1
                self._counters[path] = index
                path = (*path, index)
            elif path in self._counters:
                path = (*path, self._counters[path])
        return path

    def _scan(self, text: str) -> None:
        current: KeyPath = ()
        in_multiline: str | None = None
        for number, line in enumerate(text.splitlines(), start=1):
            if in_multiline is not None:
                if line.count(in_multiline) % 2 == 1:
                    in_multiline = None
                continue
            header = _HEADER_RE.match(line)
            if header and not _KEY_RE.match(line):
                current = self._table_path(_split_key(header.group(2)), header.group(1) == "[[")
                self.lines.setdefault(current, number)
                continue
            key = _KEY_RE.match(line)
            if key:
                path = (*current, *_split_key(key.group(1)))
                self.lines.setdefault(path, number)
                rest = line[key.end() :]
                for quote in ('"""', "'''"):
                    if rest.count(quote) % 2 == 1:
                        in_multiline = quote


def size_problem(text: str) -> tuple[int, str] | None:
    """(line, reason) when the text is too big or nested too deeply to be a scheme, else None."""
    if len(text.encode("utf-8")) > MAX_BYTES:
        total = 0
        for number, line in enumerate(text.splitlines(keepends=True), start=1):
            total += len(line.encode("utf-8"))
            if total > MAX_BYTES:
                return number, f"the file is larger than {MAX_BYTES // 1024} KiB; a scheme is far smaller"
    depth = 0
    quote: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        header = quote is None and depth == 0 and _HEADER_RE.match(line) and not _KEY_RE.match(line)
        if header:
            continue
        i = 0
        while i < len(line):
            ch = line[i]
            if quote is not None:
                if line.startswith(quote, i):
                    i += len(quote)
                    quote = None
                    continue
                i += 2 if ch == "\\" and quote.startswith('"') else 1
                continue
            if line.startswith('"""', i) or line.startswith("'''", i):
                quote = line[i : i + 3]
                i += 3
                continue
            if ch in "\"'":
                quote = ch
            elif ch == "#":
                break
            elif ch in "[{":
                depth += 1
                if depth > MAX_DEPTH:
                    return number, f"values are nested more than {MAX_DEPTH} deep; a scheme needs two"
            elif ch in "]}":
                depth = max(0, depth - 1)
            i += 1
        if quote in ('"', "'"):
            quote = None  # a single-line string cannot run on; tomllib reports the error
    return None
