"""`OffsetMap`: conversion between stored code-point offsets and Qt's UTF-16 positions for one text.

The store counts Python code points; `QTextDocument` and `QTextCursor` count UTF-16 units, where every
character outside the Basic Multilingual Plane (most emoji, some CJK, maths letters) takes two units.
This is the one place that converts between them. Texts with no such characters (almost all news
articles) take an identity path; the others keep the sorted positions of their astral characters and
convert with a binary search, so a 50,000-character article costs microseconds per lookup.
"""

from __future__ import annotations

import re
from bisect import bisect_left

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


class OffsetMap:
    """Code point <-> UTF-16 position map for one immutable text."""

    __slots__ = ("_astral_cp", "_astral_u16", "cp_length", "utf16_length")

    def __init__(self, text: str) -> None:
        self.cp_length = len(text)
        # Encoding is a C loop over the text: far cheaper than scanning it in Python.
        self.utf16_length = len(text.encode("utf-16-le", "surrogatepass")) // 2
        if self.utf16_length == self.cp_length:
            self._astral_cp: list[int] = []
            self._astral_u16: list[int] = []
            return
        self._astral_cp = [m.start() for m in _ASTRAL.finditer(text)]
        # The i-th astral character starts i units later in UTF-16 than in code points.
        self._astral_u16 = [cp + i for i, cp in enumerate(self._astral_cp)]

    @property
    def identity(self) -> bool:
        """True when both counts agree everywhere (no non-BMP characters)."""
        return not self._astral_cp

    def to_utf16(self, cp: int) -> int:
        """The UTF-16 position of code-point offset `cp` (clamped to the text)."""
        cp = min(max(cp, 0), self.cp_length)
        if not self._astral_cp:
            return cp
        return cp + bisect_left(self._astral_cp, cp)

    def to_cp(self, u16: int) -> int:
        """The code-point offset of UTF-16 position `u16` (clamped to the text).

        A position between the two halves of a surrogate pair maps to the start of that character.
        """
        u16 = min(max(u16, 0), self.utf16_length)
        if not self._astral_u16:
            return u16
        # Every astral character starting before u16 adds one unit; one starting at u16 - 1 is split.
        return u16 - bisect_left(self._astral_u16, u16)
