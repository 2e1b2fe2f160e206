"""Where a search term occurs in a document: the matches the article view highlights and steps
through with F3. Case-insensitive, like the document list's filter; offsets are code points."""

from __future__ import annotations

import re


def find_matches(text: str, query: str) -> list[tuple[int, int]]:
    """Every non-overlapping occurrence of `query` (trimmed) in `text`, in order."""
    query = query.strip()
    if not query:
        return []
    return [(m.start(), m.end()) for m in re.finditer(re.escape(query), text, re.IGNORECASE)]


def next_match(matches: list[tuple[int, int]], position: int, forward: bool) -> tuple[int, int] | None:
    """The match after `position` (forward) or before it, wrapping around the document."""
    if not matches:
        return None
    if forward:
        return next((m for m in matches if m[0] > position), matches[0])
    return next((m for m in reversed(matches) if m[0] < position), matches[-1])
