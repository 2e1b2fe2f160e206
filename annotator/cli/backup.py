"""`annotator backup`: a complete copy of a project file, changes still in its WAL included."""

from __future__ import annotations

import argparse
from pathlib import Path

from annotator import paths
from annotator.cli.common import EXIT_OK, Command

BACKUP_EPILOG = """\
Writes a copy of the project as it is now into a new file, through SQLite's backup API: the copy
holds every saved change, also those still in the project's write-ahead log (NAME.db-wal), which a
plain copy of NAME.db made while the app is open, or after it was killed, can miss. The window's
File > Save a copy of the project... does the same. A server project is copied with `annotator pull`.

examples:
  annotator backup ~/backups/desk-2026-12-01.db
  annotator --project desk.db backup desk-copy.db

exit codes: 0 copy written, 1 refused (the target exists, no such folder), 2 usage error or not a project
"""


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("out", type=Path, metavar="FILE", help="the copy to write (a new file)")


def _run(args: argparse.Namespace) -> int:
    from annotator.services.project import Project

    project = Project.open(paths.project_location(args.project), readonly=True)
    try:
        written = project.save_copy(args.out)
    finally:
        project.close()
    print(f"copied {project.path} to {written}")
    return EXIT_OK


BACKUP = Command(
    "write a complete copy of the project file (safe while the app is open)", BACKUP_EPILOG, _configure, _run
)
