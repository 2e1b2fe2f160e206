"""The headless command line: `annotator [--project FILE] import|export|stats|merge|agreement ...`.

Each subcommand is a (configure, handler) pair in `COMMANDS`, so new ones (merge, agreement) slot in
without touching the others. Exit codes: 0 success; 1 when any file or record was rejected (the
rest is still imported) or a command failed on its input, on the disk (full, read-only) or on a bug
(whose traceback goes to the log file the message names); 2 for usage errors and for a project file
that cannot be opened (one line on stderr, "annotator: <message>"). `export` and `stats` open the
project read-only, so the file's bytes are unchanged. Rejections go to stderr as "FILE:LINE: reason";
summaries go to stdout; a progress bar is drawn on stderr only when it is a terminal.
"""

from __future__ import annotations

import argparse
import errno
import sys
from collections.abc import Sequence

from annotator import paths
from annotator.bug_log import unexpected
from annotator.cli import data, rescue, review, scheme, search, server
from annotator.cli.common import EXIT_REJECTED, EXIT_USAGE, PROGRESS_MIN_BYTES, Command, ProgressBar
from annotator.model.errors import AnnotatorError, Cancelled, ProjectFileError

__all__ = ["COMMANDS", "PROGRESS_MIN_BYTES", "ProgressBar", "build_parser", "main"]

COMMANDS: dict[str, Command] = {
    "init": scheme.INIT,
    "import": data.IMPORT,
    "export": data.EXPORT,
    "stats": data.STATS,
    "search": search.SEARCH,
    "merge": review.MERGE,
    "agreement": review.AGREEMENT,
    "scheme": scheme.SCHEME,
    "rescue": rescue.RESCUE,
    "server": server.SERVER,
    "push": server.PUSH,
    "pull": server.PULL,
}
"""Every subcommand, in the order `--help` lists them. A new command group is a module here and a line above."""


def build_parser() -> argparse.ArgumentParser:
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
    for name, command in COMMANDS.items():
        command.configure(
            sub.add_parser(
                name,
                help=command.summary,
                description=command.summary.capitalize() + ".",
                epilog=command.epilog,
                formatter_class=argparse.RawDescriptionHelpFormatter,
            )
        )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:  # argparse exits on --help (0) and on usage errors (2)
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return COMMANDS[args.command].run(args)
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
