"""Offsets in UTF-16 code units (what JavaScript's `string.length` counts) <-> Python code points.

annotator counts code points; doccano (its browser selection) and UIMA/INCEpTION count UTF-16 units,
where every character outside the Basic Multilingual Plane (most emoji, 𝔘) takes two. A text without
such characters has equal offsets in both. (Label Studio converts to code points itself; its old
exports in units are still read, see `labelstudio_import`.)
"""

from __future__ import annotations

from bisect import bisect_left


class Utf16Offsets:
    """Converts offsets for one text; an offset inside a surrogate pair is an error."""

    def __init__(self, text: str) -> None:
        # Code-point offsets of the non-BMP characters: each adds one unit after it.
        self._wide = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF]
        self._units = [i + n for n, i in enumerate(self._wide)]  # their unit offsets
        self.length = len(text) + len(self._wide)

    def to_units(self, offset: int) -> int:
        return offset + bisect_left(self._wide, offset)

    def to_code_points(self, units: int) -> int:
        """The code-point offset of a unit offset; ValueError when it splits a surrogate pair."""
        before = bisect_left(self._units, units)  # wide characters starting before the offset
        if before and self._units[before - 1] + 1 == units:
            raise ValueError(f"offset {units} falls inside a character that takes two UTF-16 units")
        return units - before
