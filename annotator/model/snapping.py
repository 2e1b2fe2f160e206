"""Snap a raw text selection to whole words, trimming whitespace and punctuation at its ends."""

from __future__ import annotations

import unicodedata


def _is_word_char(ch: str) -> bool:
    cat = unicodedata.category(ch)
    return cat[0] in ("L", "N", "M") or ch in "_" or cat == "So"


def _is_trim_char(ch: str) -> bool:
    cat = unicodedata.category(ch)
    return ch.isspace() or cat[0] in ("P", "Z", "C")


def snap_selection(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Grow a selection to whole words, then trim whitespace and punctuation from both ends.

    Returns None when nothing but whitespace and punctuation is selected. Offsets are code points.
    """
    start, end = max(0, min(start, end)), min(len(text), max(start, end))
    if start >= end:
        return None
    while start < end and _is_trim_char(text[start]):
        start += 1
    while end > start and _is_trim_char(text[end - 1]):
        end -= 1
    if start >= end:
        return None
    while start > 0 and _is_word_char(text[start - 1]) and _is_word_char(text[start]):
        start -= 1
    while end < len(text) and _is_word_char(text[end]) and _is_word_char(text[end - 1]):
        end += 1
    return start, end
