"""Reading one line of JSON from a file a user gave us, without letting hostile input escape as an
exception: nesting deeper than Python can recurse and strings holding lone UTF-16 surrogates (which
JSON allows, `"\\ud800"`, but which no UTF-8 file or database can store) become a reason, so the
caller rejects that one line by number and keeps the rest of the file.
"""

from __future__ import annotations

import json
import re
from typing import Any

_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
"""A `\\uD800`-`\\uDFFF` escape: the only way a lone surrogate gets into a line read as UTF-8."""


def parse_json_line(line: str) -> tuple[Any, str | None]:
    """(object, None) or (None, reason) for one JSONL line."""
    try:
        obj = json.loads(line)
    except RecursionError:
        return None, "JSON nested too deeply to read"
    except ValueError as exc:
        msg = str(getattr(exc, "msg", exc)).removesuffix(" at")
        col = getattr(exc, "colno", None)
        return None, f"invalid JSON ({msg}{f' at column {col}' if col else ''})"
    if _SURROGATE_ESCAPE.search(line) and not _encodable(obj):
        return None, "a string holds a lone surrogate (e.g. \\ud800), which is not valid Unicode text"
    return obj, None


def _encodable(obj: Any) -> bool:
    try:
        json.dumps(obj, ensure_ascii=False).encode("utf-8")
    except (UnicodeEncodeError, RecursionError):
        return False
    return True
