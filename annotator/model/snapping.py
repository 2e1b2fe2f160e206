"""Snap a raw text selection to whole words, and move a span's edges by a character or a word.

Snapping trims whitespace and punctuation at the ends of a selection and completes a word cut by
an end only when the selection covers at least half of that word: a drag that ends one letter into
the next word drops that word instead of taking it whole. Offsets are code points.
"""

from __future__ import annotations

import unicodedata
from typing import Literal

Edge = Literal["start", "end"]
Unit = Literal["char", "word"]


def _is_word_char(ch: str) -> bool:
    cat = unicodedata.category(ch)
    return cat[0] in ("L", "N", "M") or ch in "_" or cat == "So"


def _is_trim_char(ch: str) -> bool:
    cat = unicodedata.category(ch)
    return ch.isspace() or cat[0] in ("P", "Z", "C")


def _word_bounds(text: str, pos: int) -> tuple[int, int]:
    """The word holding the character at `pos` (which must be a word character)."""
    left, right = pos, pos + 1
    while left > 0 and _is_word_char(text[left - 1]):
        left -= 1
    while right < len(text) and _is_word_char(text[right]):
        right += 1
    return left, right


def snap_selection(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Trim whitespace and punctuation from both ends, then complete a word cut by an end when the
    selection covers at least half of it, else drop that word's covered part.

    Returns None when nothing is left (only whitespace and punctuation, or less than half a word).
    """
    start, end = max(0, min(start, end)), min(len(text), max(start, end))
    trimmed = _trim(text, start, end)
    if trimmed is None:
        return None
    start, end = trimmed
    if start > 0 and _is_word_char(text[start - 1]) and _is_word_char(text[start]):
        left, right = _word_bounds(text, start)
        covered = min(right, end) - start
        start = left if 2 * covered >= right - left else right
    if start < end and end < len(text) and _is_word_char(text[end]) and _is_word_char(text[end - 1]):
        left, right = _word_bounds(text, end - 1)
        covered = end - max(left, start)
        end = right if 2 * covered >= right - left else left
    return _trim(text, start, end)


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and _is_trim_char(text[start]):
        start += 1
    while end > start and _is_trim_char(text[end - 1]):
        end -= 1
    return (start, end) if start < end else None


def move_edge(text: str, start: int, end: int, edge: Edge, step: int, unit: Unit) -> tuple[int, int] | None:
    """Move one edge of the span (start, end) by one character or one word; `step` is -1 (left)
    or +1 (right). A word move lands the start on the beginning of a word and the end on the end
    of one. Returns None when the move would leave the text or make the span empty."""
    pos = start if edge == "start" else end
    if unit == "char":
        pos += step
    elif edge == "start":
        pos = _word_start_before(text, pos) if step < 0 else _word_start_after(text, pos)
    else:
        pos = _word_end_before(text, pos) if step < 0 else _word_end_after(text, pos)
    new = (pos, end) if edge == "start" else (start, pos)
    if not 0 <= new[0] < new[1] <= len(text):
        return None
    return new


def _word_start_before(text: str, pos: int) -> int:
    pos -= 1
    while pos > 0 and not _is_word_char(text[pos]):
        pos -= 1
    while pos > 0 and _is_word_char(text[pos - 1]):
        pos -= 1
    return pos


def _word_start_after(text: str, pos: int) -> int:
    while pos < len(text) and _is_word_char(text[pos]):
        pos += 1
    while pos < len(text) and not _is_word_char(text[pos]):
        pos += 1
    return pos


def _word_end_before(text: str, pos: int) -> int:
    while pos > 0 and _is_word_char(text[pos - 1]):
        pos -= 1
    while pos > 0 and not _is_word_char(text[pos - 1]):
        pos -= 1
    return pos


def _word_end_after(text: str, pos: int) -> int:
    while pos < len(text) and not _is_word_char(text[pos]):
        pos += 1
    while pos < len(text) and _is_word_char(text[pos]):
        pos += 1
    return pos
