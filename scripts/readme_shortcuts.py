"""Regenerate the README's keyboard-shortcut table from the action table (ui/actions.py).

The table in README.md is the block of lines from "| Keys | Action | Menu |" to the next blank
line; it is replaced by `shortcuts_markdown(default scheme)`. Usage: python scripts/readme_shortcuts.py
(--check: exit 1 when the README's table is stale, without writing).
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HEADER = "| Keys | Action | Menu |"


def render(readme: str, table: str) -> str:
    lines = readme.split("\n")
    start = lines.index(HEADER)
    end = start
    while end < len(lines) and lines[end].strip():
        end += 1
    return "\n".join([*lines[:start], *table.split("\n"), *lines[end:]])


def main(argv: list[str]) -> int:
    from annotator import paths
    from annotator.model.scheme import load_scheme_file
    from annotator.ui.actions import shortcuts_markdown

    readme_path = REPO / "README.md"
    readme = readme_path.read_text(encoding="utf-8")
    fresh = render(readme, shortcuts_markdown(load_scheme_file(paths.DEFAULT_SCHEME)))
    if "--check" in argv:
        if fresh != readme:
            print("README.md: the shortcut table is stale; run python scripts/readme_shortcuts.py")
            return 1
        return 0
    readme_path.write_text(fresh, encoding="utf-8")
    print("README.md: shortcut table regenerated")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
