"""Where a search term occurs in a document: the matches the article view highlights and steps
through with F3, by the document list's rule, so the list and the article agree. Case-insensitive;
offsets are code points."""

from __future__ import annotations

import re


def find_matches(text: str, query: str) -> list[tuple[int, int]]:
    """Every non-overlapping place where the document list's search finds `query` in `text`, in
    order: its words in a row, whole words, the last one possibly only the start of a word ("nato
    sum" matches "NATO summit" whole; "war" matches "war" and "warsaw" but not "reward", as the list's
    index does). A query without letters or digits (an emoji) matches as typed, as the list's scan."""
    phrase = words(query)
    if not phrase:
        query = query.strip()
        if not query:
            return []
        return [(m.start(), m.end()) for m in re.finditer(re.escape(query), text, re.IGNORECASE)]
    body = r"[\W_]+".join([*map(re.escape, phrase[:-1]), re.escape(phrase[-1]) + r"[^\W_]*"])
    pattern = re.compile(rf"(?<![^\W_]){body}", re.IGNORECASE)
    return [(m.start(), m.end()) for m in pattern.finditer(text)]


def next_match(matches: list[tuple[int, int]], position: int, forward: bool) -> tuple[int, int] | None:
    """The match after `position` (forward) or before it, wrapping around the document."""
    if not matches:
        return None
    if forward:
        return next((m for m in matches if m[0] > position), matches[0])
    return next((m for m in reversed(matches) if m[0] < position), matches[-1])


# -- corpus search: words and phrases ------------------------------------------------------------
# A word is a run of letters and digits (str.isalnum), compared lower-cased; everything else separates
# words. The full-text index (store.fulltext) splits text the same way, so what it finds is what a
# scan with these functions finds.

_WORD = re.compile(r"[^\W_]+")


def words(query: str) -> list[str]:
    """The lower-cased words of a query, in order."""
    return [w.lower() for w in _WORD.findall(query)]


def word_spans(text: str) -> list[tuple[int, int, str]]:
    """Every word of `text` as (start, end, lower-cased word); offsets are code points."""
    return [(m.start(), m.end(), m.group().lower()) for m in _WORD.finditer(text)]


def phrase_pattern(phrase: list[str]) -> re.Pattern[str]:
    """A regular expression for the words of `phrase` in a row: each a whole word, any letter case,
    anything but letters and digits between them."""
    body = r"[\W_]+".join(re.escape(w) for w in phrase)
    return re.compile(rf"(?<![^\W_]){body}(?![^\W_])", re.IGNORECASE)


def find_phrase(text: str, phrase: list[str]) -> list[tuple[int, int]]:
    """Every place where the words of `phrase` follow each other in `text`, from the first word's
    start to the last word's end, in order (overlapping occurrences included: "a a" in "a a a" twice)."""
    if not phrase:
        return []
    pattern = phrase_pattern(phrase)
    found = []
    position = 0
    while (match := pattern.search(text, position)) is not None:
        found.append((match.start(), match.end()))
        position = match.start() + 1
    return found


def keyword_in_context(text: str, start: int, end: int, width: int = 60) -> tuple[str, str, str]:
    """(left context, match, right context): up to `width` characters either side, line breaks and
    tabs shown as spaces."""

    def flat(piece: str) -> str:
        return " ".join(piece.split("\n")).replace("\r", " ").replace("\t", " ")

    return flat(text[max(0, start - width) : start]), flat(text[start:end]), flat(text[end : end + width])
