"""Export output that appears whole or not at all: written under temporary names, renamed at the end.

A folder that does not exist yet (a CSV export's `--out`) is built as a hidden sibling
`.<name>.<pid>-<token>.part` and renamed into place in one step, so a killed export never leaves a
folder under the final name. Into a folder that already exists, each file is written as a hidden
`.<file>.<pid>-<token>.part` beside its final name and renamed over it. Leaving without `commit()`
(cancel, error) deletes the temporaries. Temporaries left by an export that was killed (their
process id is no longer running) are deleted by the next export to the same place; those of an
export still running are left alone. A write the system refuses (disk full, read-only folder) is
raised as one AnnotatorError naming the final path, never the temporary one.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import IO

from annotator.model.errors import AnnotatorError

_TEMP = re.compile(r"^\..+\.(\d+)-[0-9a-f]{12}\.part$")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def remove_stale(folder: Path) -> None:
    """Delete the temporaries of exports that were killed (no process with their id runs)."""
    try:
        entries = list(folder.iterdir())
    except OSError:
        return
    for entry in entries:
        found = _TEMP.match(entry.name)
        if found is None or _alive(int(found.group(1))):
            continue
        with contextlib.suppress(OSError):
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()


def _describe(path: Path, exc: OSError) -> str:
    import errno

    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return f"{path}: cannot write: the disk is full (or the file grew past its size limit); nothing was written"
    return f"{path}: cannot write: {exc.strerror or exc}; nothing was written"


class StagedFiles:
    """Output files written under hidden temporary names, renamed into place by `commit()`."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self._token = f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
        self._staging = self.directory
        self._new_dir: Path | None = None
        self._staged: list[tuple[Path, Path, IO[str] | None]] = []

    def __enter__(self) -> StagedFiles:
        if self.directory.exists() and not self.directory.is_dir():
            raise AnnotatorError(f"{self.directory}: exists and is not a folder")
        parent = self.directory.parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
            remove_stale(parent)
            if self.directory.is_dir():
                remove_stale(self.directory)
            else:
                self._new_dir = parent / f".{self.directory.name}.{self._token}.part"
                self._new_dir.mkdir()
                self._staging = self._new_dir
        except OSError as exc:
            raise AnnotatorError(f"{self.directory}: cannot create folder: {exc.strerror or exc}") from exc
        return self

    def _temp(self, name: str) -> Path:
        return self._staging / (name if self._new_dir is not None else f".{name}.{self._token}.part")

    def open(self, name: str) -> IO[str]:
        """A text file (UTF-8, no newline translation) that becomes `directory/name` on commit; a name
        reserved for another process that did not write it after all is written here instead."""
        final = self.directory / name
        temp = self._temp(name)
        self._staged = [entry for entry in self._staged if entry[1] != final]
        try:
            handle = temp.open("w", encoding="utf-8", newline="", buffering=1 << 20)
        except OSError as exc:
            raise AnnotatorError(_describe(final, exc)) from exc
        self._staged.append((temp, final, handle))
        return handle

    def reserve(self, name: str) -> Path:
        """A temporary path that another process writes and that becomes `directory/name` on commit."""
        temp = self._temp(name)
        self._staged.append((temp, self.directory / name, None))
        return temp

    def commit(self) -> tuple[Path, ...]:
        finals = tuple(final for _, final, _ in self._staged)
        try:
            for _, _, handle in self._staged:
                if handle is not None:
                    handle.close()
            if self._new_dir is not None:
                try:
                    os.rename(self._new_dir, self.directory)
                except OSError:  # someone created the folder meanwhile: move the files one by one
                    if not self.directory.is_dir():
                        raise
                    for temp, final, _ in self._staged:
                        os.replace(temp, final)
                    self._new_dir.rmdir()
                self._new_dir = None
            else:
                for temp, final, _ in self._staged:
                    os.replace(temp, final)
        except OSError as exc:
            raise AnnotatorError(_describe(self._named(), exc)) from exc
        self._staged = []
        return finals

    def _named(self) -> Path:
        """What a failure names: the one output file, or the folder of several."""
        return self._staged[0][1] if len(self._staged) == 1 else self.directory

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        named = self._named()
        for temp, _, handle in self._staged:
            if handle is not None:
                with contextlib.suppress(OSError):  # closing flushes, which fails again on a full disk
                    handle.close()
            temp.unlink(missing_ok=True)
        self._staged = []
        if self._new_dir is not None:
            shutil.rmtree(self._new_dir, ignore_errors=True)
            self._new_dir = None
        if isinstance(exc, OSError):
            raise AnnotatorError(_describe(named, exc)) from exc


@contextlib.contextmanager
def new_folder(out_dir: Path, what: str) -> Iterator[Path]:
    """A folder export (`what`: "brat", "XMI") built in a hidden sibling that is renamed to `out_dir` (new,
    or an empty folder) when the block ends, and removed when it raises (cancel, error)."""
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise AnnotatorError(f"{out_dir}: {what} export writes a new folder; this one exists and is not empty")
    staging = out_dir.parent / f".{out_dir.name}.{uuid.uuid4().hex[:12]}.part"
    try:
        staging.mkdir(parents=True)
        yield staging
        if out_dir.exists():
            out_dir.rmdir()
        os.replace(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
