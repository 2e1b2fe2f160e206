"""`annotator rescue`: a readable copy of a damaged project file, written beside it."""

from __future__ import annotations

import argparse
from pathlib import Path

from annotator import paths
from annotator.cli.common import EXIT_OK, Command

RESCUE_EPILOG = """\
Reads whatever SQLite can still read from a damaged project file and writes it into a new project
beside it, NAME.rescued.db (then .rescued-2.db, ...). The damaged file is only read, never changed.
SQLite's own recovery (the sqlite3 program's .recover) is used when it is installed; otherwise every
row SQLite still returns is copied table by table. Rows whose document or annotator was lost are
left out, and the copy passes SQLite's integrity check before it gets its name.

examples:
  annotator rescue broken.db
  annotator --project broken.db rescue

exit codes: 0 copy written, 2 usage error or nothing could be rescued
"""


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", nargs="?", type=Path, metavar="FILE", help="the damaged project (default: --project)")


def _run(args: argparse.Namespace) -> int:
    from annotator.store.rescue import rescue

    report = rescue(args.file or paths.project_path(args.project))
    print(report.summary())
    return EXIT_OK


RESCUE = Command("write a rescued copy of a damaged project file beside it", RESCUE_EPILOG, _configure, _run)
