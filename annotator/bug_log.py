"""Where unexpected errors go: their traceback is appended to the log file in the log folder
(`paths.log_dir()`), and the user sees one sentence that names the file. Shared by the CLI and the
GUI (ui/dialogs/errors), so both say the same thing and neither ever prints a traceback."""

from __future__ import annotations

import traceback
from datetime import UTC, datetime
from pathlib import Path

from annotator import paths


def log_file() -> Path:
    return paths.log_dir() / "annotator.log"


def log_exception(exc: BaseException) -> Path | None:
    """Append the traceback to the log file; the file, or None when it cannot be written."""
    target = log_file()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("a", encoding="utf-8") as fh:
            fh.write(f"--- {datetime.now(UTC).isoformat(timespec='seconds')}\n")
            fh.write("".join(traceback.format_exception(exc)))
    except OSError:
        return None
    return target


def unexpected(exc: BaseException, doing: str) -> str:
    """The sentence for a bug: what failed, that saved work is safe, and where the details are."""
    logged = log_exception(exc)
    where = (
        f"The details are in {logged}; please send that file with a bug report."
        if logged
        else (f"The details could not be written to {log_file()}.")
    )
    return f"Could not {doing}: an unexpected error happened ({type(exc).__name__}). Nothing you saved is lost. {where}"
