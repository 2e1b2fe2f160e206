"""What every subcommand shares: exit codes, the registry entry type, and the terminal progress bar."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from typing import Any, NamedTuple, TextIO

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2
PROGRESS_MIN_BYTES = 8 * 1024 * 1024
"""Imports smaller than this finish too fast for a progress bar to help."""

Handler = Callable[[argparse.Namespace], int]


class Command(NamedTuple):
    """One subcommand: its one-line summary, its --help epilog, how to set up its parser, and its handler."""

    summary: str
    epilog: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Handler


def say_when_waiting(store: Any) -> None:
    """Make a long write print, once, that it waits for another program using the project."""
    store.on_wait = lambda message: print(f"annotator: {message}", file=sys.stderr, flush=True)


class ProgressBar:
    """A one-line bar on a terminal, drawn only for long imports and at most ten times a second."""

    def __init__(self, stream: TextIO, width: int = 30) -> None:
        self.stream, self.width = stream, width
        self.enabled = bool(getattr(stream, "isatty", lambda: False)())
        self.drawn = False
        self._last = 0.0

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total < PROGRESS_MIN_BYTES:
            return
        now = time.monotonic()
        if now - self._last < 0.1 and done < total:
            return
        self._last = now
        filled = int(self.width * done / total) if total else self.width
        percent = 100 * done // total if total else 100
        self.stream.write(f"\r[{'#' * filled}{'.' * (self.width - filled)}] {percent:3d}%")
        self.stream.flush()
        self.drawn = True

    def finish(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()


# -- export --------------------------------------------------------------------------------------
