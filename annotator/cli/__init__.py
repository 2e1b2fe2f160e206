"""The headless command line: `annotator [--project FILE] import|export|stats|merge|agreement ...`.

Each subcommand is a `Command` (summary, epilog, configure, handler) in a module of this package,
registered by name in `COMMANDS`, so new ones slot in without touching the others; only the module of
the command being run is imported, so a short command pays for no other command's imports.

Exit codes: 0 success; 1 when any file or record was rejected (the rest is still imported) or a
command failed on its input, on the disk (full, read-only) or on a bug (whose traceback goes to the
log file the message names); 2 for usage errors and for a project file that cannot be opened (one
line on stderr, "annotator: <message>"). `export` and `stats` open the project read-only, so the
file's bytes are unchanged. Rejections go to stderr as "FILE:LINE: reason"; summaries go to stdout;
a progress bar is drawn on stderr only when it is a terminal.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import sys
from collections.abc import Sequence

from annotator import paths
from annotator.bug_log import unexpected
from annotator.cli.common import EXIT_REJECTED, EXIT_USAGE, PROGRESS_MIN_BYTES, Command, ProgressBar
from annotator.model.errors import AnnotatorError, Cancelled, ProjectFileError

__all__ = ["COMMANDS", "PROGRESS_MIN_BYTES", "ProgressBar", "build_parser", "command", "main"]

COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("scheme", "INIT"),
    "import": ("data", "IMPORT"),
    "export": ("data", "EXPORT"),
    "stats": ("data", "STATS"),
    "search": ("search", "SEARCH"),
    "merge": ("review", "MERGE"),
    "agreement": ("review", "AGREEMENT"),
    "scheme": ("scheme", "SCHEME"),
    "rescue": ("rescue", "RESCUE"),
    "backup": ("backup", "BACKUP"),
    "server": ("server", "SERVER"),
    "push": ("server", "PUSH"),
    "pull": ("server", "PULL"),
}
"""Every subcommand, in the order `--help` lists them: its module under annotator/cli/ and the name of
its `Command` there. A new command group is a module there and a line above. Only the module of the
command being run is imported (`annotator --help` and a mistyped command import them all)."""


def command(name: str) -> Command:
    """The `Command` registered as `name`, importing its module."""
    module, attr = COMMANDS[name]
    found = getattr(importlib.import_module(f"annotator.cli.{module}"), attr)
    assert isinstance(found, Command)
    return found


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole parser, or (`only`) the main options and that one subcommand."""
    parser = argparse.ArgumentParser(
        prog="annotator",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Annotate claims, sources, attribution and stance in news articles.\n"
        "Without a command, `annotator` opens the desktop app.",
        epilog="Run `annotator COMMAND --help` for a command's formats, examples and exit codes.",
    )
    parser.add_argument(
        "--project",
        metavar="FILE",
        help=f"project file (default: $ANNOTATOR_PROJECT, else the default project in {paths.data_dir()})",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in [only] if only in COMMANDS else COMMANDS:
        found = command(name)
        found.configure(
            sub.add_parser(
                name,
                help=found.summary,
                description=found.summary.capitalize() + ".",
                epilog=found.epilog,
                formatter_class=argparse.RawDescriptionHelpFormatter,
            )
        )
    return parser


def _command_named(args: Sequence[str]) -> str | None:
    """The subcommand `args` asks for (the first word that is not an option or --project's value)."""
    words = iter(args)
    for word in words:
        if word == "--project":
            next(words, None)
        elif not word.startswith("-"):
            return word if word in COMMANDS else None
    return None


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(_command_named(arguments))
    try:
        args = parser.parse_args(arguments)
    except SystemExit as exc:  # argparse exits on --help (0) and on usage errors (2)
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return command(args.command).run(args)
    except ProjectFileError as exc:
        print(f"annotator: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except Cancelled as exc:
        print(f"annotator: {exc}", file=sys.stderr)
        return EXIT_REJECTED
    except KeyboardInterrupt:
        print("annotator: interrupted; the file being imported was not kept", file=sys.stderr)
        return 130
    except AnnotatorError as exc:
        print(f"annotator: {exc}", file=sys.stderr)
        return EXIT_REJECTED
    except OSError as exc:  # the disk, permissions or a path: the user can act on it
        print(f"annotator: {os_error_message(exc)}", file=sys.stderr)
        return EXIT_REJECTED
    except Exception as exc:  # a bug: one sentence here, the traceback in the log file
        print(f"annotator: {unexpected(exc, args.command)}", file=sys.stderr)
        return EXIT_REJECTED


def os_error_message(exc: OSError) -> str:
    """One line naming the file and saying what the system refused, in words."""
    where = f"{exc.filename}: " if exc.filename else ""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return f"{where}the disk is full (or the file grew past its size limit); nothing more was written"
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return f"{where}not allowed to write or read here ({exc.strerror}); check the folder's permissions"
    return f"{where}{exc.strerror or exc}"
