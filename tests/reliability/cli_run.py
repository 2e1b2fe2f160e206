"""Running the real CLI in a child process, with the hostile conditions the error-path and
fault-injection tests need: a file-size limit (disk full), a read-only folder, an immutable file."""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Run:
    code: int
    out: str
    err: str


def annotator(*argv: str | Path, limit_bytes: int | None = None, wrap: Sequence[str] = (), timeout: float = 120) -> Run:
    """`python -m annotator ARGV` in a child; `limit_bytes` caps the size of any file it writes."""
    preexec: Callable[[], None] | None = None
    if limit_bytes is not None:

        def preexec() -> None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    done = subprocess.run(
        [*wrap, sys.executable, "-m", "annotator", *map(str, argv)],
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=preexec,
        cwd=REPO,
        check=False,
    )
    return Run(done.returncode, done.stdout, done.stderr)


def here(*argv: str | Path) -> Run:
    """The CLI in this process (fast; an escaping exception fails the test as a traceback would)."""
    import io

    from annotator.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in argv])
    return Run(code, out.getvalue(), err.getvalue())


def one_line(run: Run) -> str:
    """The single stderr line of a failed command, checked to be a sentence and not a traceback."""
    assert "Traceback" not in run.err and "Error:" not in run.err.split(": ", 1)[0], run.err
    lines = [line for line in run.err.splitlines() if line.strip()]
    assert len(lines) == 1, run.err
    # Plain words: no Python exception class or codec jargon in what the user reads.
    for jargon in ("codec can't", "UnicodeDecodeError", "RecursionError", "UnicodeEncodeError", "Errno"):
        assert jargon not in lines[0], lines[0]
    return lines[0]


def _root() -> bool:
    return os.geteuid() == 0


@contextlib.contextmanager
def read_only_folder(folder: Path) -> Iterator[list[str]]:
    """A command prefix under which `folder` is read-only: a private read-only bind mount for root
    (root ignores file modes), mode 0555 for anyone else."""
    if not _root():
        folder.chmod(0o555)
        try:
            yield []
        finally:
            folder.chmod(0o755)
        return
    if shutil.which("unshare") is None:
        pytest.skip("running as root without unshare: cannot make a read-only folder")
    script = 'mount --bind "$0" "$0" && mount -o remount,ro,bind "$0" && exec "$@"'
    probe = subprocess.run(["unshare", "--mount", "sh", "-c", script, str(folder), "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("running as root without mount namespaces: cannot make a read-only folder")
    yield ["unshare", "--mount", "sh", "-c", script, str(folder)]


@contextlib.contextmanager
def immutable_file(path: Path) -> Iterator[None]:
    """`path` cannot be written: chattr +i for root, mode 0444 for anyone else."""
    if not _root():
        path.chmod(0o444)
        try:
            yield
        finally:
            path.chmod(0o644)
        return
    if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode:
        pytest.skip("running as root on a file system without chattr +i")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=False)
