"""The headless command line: `annotator [--project FILE] import|export|stats|merge|agreement ...`.

Each subcommand is a (configure, handler) pair in `COMMANDS`, so new ones (merge, agreement) slot in
without touching the others. Exit codes: 0 success; 1 when any file or record was rejected (the
rest is still imported) or a command failed on its input; 2 for usage errors and for a project file
that cannot be opened (one line on stderr, "annotator: <message>"). `export` and `stats` open the
project read-only, so the file's bytes are unchanged. Rejections go to stderr as "FILE:LINE: reason";
summaries go to stdout; a progress bar is drawn on stderr only when it is a terminal.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from annotator import paths
from annotator.model.errors import AnnotatorError, Cancelled, ProjectFileError
from annotator.model.types import Status

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2
PROGRESS_MIN_BYTES = 8 * 1024 * 1024
"""Imports smaller than this finish too fast for a progress bar to help."""

Handler = Callable[[argparse.Namespace], int]

IMPORT_EPILOG = """\
formats (chosen by extension unless --format is given):
  .txt    one document; the first non-empty line is its title, the text is the whole file
  .csv    header row required; one document per row; the text comes from --text-column
          (default "text"), the id from --id-column and the title from --title-column
          (columns named "id" and "title" are used when present); other columns -> metadata
  .jsonl  one JSON object per line: either articles {"text": ..., "id": ..., "title": ...,
          other keys -> metadata}, or annotation records {"document": {...}, "annotator": ...,
          "spans": [...], ...} as written by `annotator export --format jsonl`
  folder  read recursively; takes .txt, .csv and .jsonl files and lists what it skipped

Encodings: a BOM decides (UTF-8, UTF-16 LE/BE); otherwise UTF-8, then cp1252. Empty or binary
files, non-regular files (FIFOs, broken links), records without text, and annotations that do not
fit the project's scheme are rejected and named as FILE:LINE: reason on stderr. Documents already
in the project (same text, by sha256) are skipped and counted as duplicates. Each file is imported
in one transaction: it goes in whole or not at all.

examples:
  annotator --project p.db import corpus/
  annotator import articles.csv --text-column body --id-column url --title-column headline
  annotator import alice.jsonl

exit codes: 0 everything imported, 1 some file or record rejected (the rest was imported),
            2 usage error or unusable project file
"""

EXPORT_EPILOG = """\
formats:
  csv    --out is a folder; writes documents.csv, spans.csv, relations.csv, stances.csv,
         claims.csv and comments.csv (UTF-8, header row, ids that join across tables; cells starting with
         = + - @ tab or CR are prefixed with ' so spreadsheets never run them)
  jsonl  --out is a file; one annotation record per (document, annotator), the format `import`
         reads back (export -> import -> export gives the same content)
The format defaults to jsonl when --out ends in .jsonl, else csv. The project is opened read-only.

examples:
  annotator --project p.db export --out tables/
  annotator export --out gold.jsonl --annotator gold

exit codes: 0 written, 1 export failed (nothing is left half-written), 2 usage error or unusable
            project file
"""

STATS_EPILOG = """\
Prints the number of documents, annotators, spans, relations and stances, and how many
(document, annotator) pairs are in each status. --json prints one JSON object with the keys
documents, annotators, spans, relations, stances and status. The project is opened read-only.

exit codes: 0 printed, 2 usage error or unusable project file
"""


# -- import --------------------------------------------------------------------------------------


def _configure_import(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files or folders to import")
    parser.add_argument(
        "--format",
        dest="fmt",
        choices=("auto", "txt", "csv", "jsonl"),
        default="auto",
        help="read every file given as this format (default: by extension)",
    )
    parser.add_argument("--text-column", default="text", metavar="C", help="CSV column holding the text")
    parser.add_argument("--id-column", metavar="C", help="CSV column holding the document id")
    parser.add_argument("--title-column", metavar="C", help="CSV column holding the title")


def _run_import(args: argparse.Namespace) -> int:
    from annotator.io.importer import import_paths
    from annotator.services.project import Project

    project = Project.open(paths.project_path(args.project))
    bar = ProgressBar(sys.stderr)
    try:
        report = import_paths(
            project,
            args.paths,
            fmt=args.fmt,
            text_column=args.text_column,
            id_column=args.id_column,
            title_column=args.title_column,
            progress=bar,
        )
    finally:
        bar.finish()
        project.close()
    for rejection in report.rejected:
        print(rejection, file=sys.stderr)
    print(report.summary())
    return EXIT_OK if report.ok else EXIT_REJECTED


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


def _configure_export(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, type=Path, metavar="PATH", help="folder for csv, file for jsonl")
    parser.add_argument(
        "--format", dest="fmt", choices=("csv", "jsonl"), help="csv tables or annotation jsonl (default: from --out)"
    )
    parser.add_argument("--annotator", metavar="NAME", help="export only this annotator's layer (e.g. gold)")


def _run_export(args: argparse.Namespace) -> int:
    from annotator.services.project import Project

    fmt = args.fmt or ("jsonl" if args.out.suffix.lower() == ".jsonl" else "csv")
    project = Project.open(paths.project_path(args.project), readonly=True)
    try:
        # Imported here: the exporters load only when used, and the CLI starts without them.
        if fmt == "jsonl":
            from annotator.io.export_jsonl import export_jsonl

            report = export_jsonl(project, args.out, annotator=args.annotator)
        else:
            from annotator.io.export_csv import export_csv

            report = export_csv(project, args.out, annotator=args.annotator)
    finally:
        project.close()
    summary = getattr(report, "summary", None)
    print(summary() if callable(summary) else f"Exported to {args.out}")
    return EXIT_OK


# -- stats ---------------------------------------------------------------------------------------


def _configure_stats(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def _run_stats(args: argparse.Namespace) -> int:
    from annotator.services.documents import stats
    from annotator.services.project import Project
    from annotator.store import annotations as store_ann

    project = Project.open(paths.project_path(args.project), readonly=True)
    try:
        counts: dict[str, object] = dict(stats(project))
        with project.session() as session:
            found = store_ann.status_counts(session)
        counts["status"] = {status.value: found.get(status.value, 0) for status in Status}
    finally:
        project.close()
    if args.json:
        print(json.dumps(counts))
        return EXIT_OK
    flat = [(k, v) for k, v in counts.items() if not isinstance(v, dict)]
    flat += [(f"status {k}", v) for k, v in sorted(dict(counts["status"]).items())]  # type: ignore[call-overload]
    width = max(len(k) for k, _ in flat)
    for key, value in flat:
        print(f"{key:<{width}}  {value:>10,}")
    return EXIT_OK


# -- merge ---------------------------------------------------------------------------------------

MERGE_EPILOG = """\
Brings colleagues' spans, relations, stances and status into this project from their project
files (.db) or annotation JSONL exports. Documents are matched by sha256 and added when missing.
Merged rows keep their annotator and timestamps, with origin "merged". Merging the same file twice
changes nothing. Two different people with the same name are never fused: the merge stops and
asks you to rename one with --rename. All files go in under one transaction, or none does.
A merge adds and updates but never deletes: a span a colleague removed after an earlier merge
stays in your copy of their layer (merge into a fresh project to start clean).

examples:
  annotator --project review.db merge alice.db bob.db
  annotator --project review.db merge bob.jsonl --rename alice=alice_b

exit codes: 0 merged, 1 a name clash or a bad file (nothing merged), 2 usage error or unusable
            project file
"""


def _configure_merge(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths", nargs="+", type=Path, metavar="FILE", help="other project files or annotation JSONL files"
    )
    parser.add_argument(
        "--rename",
        action="append",
        default=[],
        metavar="OLD=NEW",
        help="bring the other file's annotator OLD in as NEW (repeatable)",
    )


def _run_merge(args: argparse.Namespace) -> int:
    from annotator.services.merge import merge_paths
    from annotator.services.project import Project

    renames: dict[str, str] = {}
    for pair in args.rename:
        old, sep, new = pair.partition("=")
        if not sep or not old.strip() or not new.strip():
            print(f"annotator: --rename takes OLD=NEW, got {pair!r}", file=sys.stderr)
            return EXIT_USAGE
        renames[old.strip()] = new.strip()
    project = Project.open(paths.project_path(args.project))
    try:
        reports = merge_paths(project, list(args.paths), renames)
    finally:
        project.close()
    for report in reports:
        if report.unchanged:
            print(f"{report.path}: nothing new (already merged)")
            continue
        people = ", ".join(
            f"{theirs} as {ours}" if theirs != ours else ours for theirs, ours in report.annotators.items()
        )
        print(
            f"{report.path}: {people}: {report.documents_added} documents, {report.spans_added} spans "
            f"(+{report.spans_updated} updated), {report.relations_added} relations, "
            f"{report.stances_added} stances (+{report.stances_updated} updated), "
            f"{report.statuses_updated} statuses"
        )
    return EXIT_OK


# -- agreement -----------------------------------------------------------------------------------

AGREEMENT_EPILOG = """\
Inter-annotator agreement over every layer except gold:
  stance     document-level stance per target: Cohen's kappa per pair, Krippendorff's alpha
             (nominal) over all annotators; missing values are left out
  spans      per label and pair: precision/recall/F1 under exact and overlap matching
  attribution  F1 over (claim, source) links among matched claims
  attributes / claim_stance   kappa and alpha over matched claims
An empty value (null in JSON, "-" in the table) means the measure is undefined there, e.g. no
document that both annotators worked on. Pairs are written "A|B" with names sorted.

examples:
  annotator --project review.db agreement
  annotator agreement --json > agreement.json

exit codes: 0 printed, 1 unknown annotator, 2 usage error or unusable project file
"""


def _configure_agreement(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the whole report as one JSON object")
    parser.add_argument(
        "--annotator",
        action="append",
        default=None,
        metavar="NAME",
        help="only these annotators (repeatable; default: all but gold)",
    )
    parser.add_argument("--include-gold", action="store_true", help="compare the gold layer too")


def _run_agreement(args: argparse.Namespace) -> int:
    from annotator.services.agreement import agreement
    from annotator.services.project import Project

    project = Project.open(paths.project_path(args.project), readonly=True)
    try:
        report = agreement(project, args.annotator, include_gold=args.include_gold)
    finally:
        project.close()
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return EXIT_OK
    _print_agreement(report)
    return EXIT_OK


def _fmt(value: object) -> str:
    return f"{value:.3f}" if isinstance(value, float) else "-"


def _print_agreement(report: dict[str, object]) -> None:
    stance = report.get("stance", {})
    print("Document stance            alpha   kappa per pair")
    for target, values in dict(stance).items():  # type: ignore[call-overload]
        pairs = "  ".join(f"{pair} {_fmt(k)}" for pair, k in dict(values.get("kappa", {})).items())
        print(f"  {target:<24} {_fmt(values.get('alpha')):>6}   {pairs}")
    print("Spans (F1)                 pair           exact  overlap")
    for label, by_pair in dict(report.get("spans", {})).items():  # type: ignore[call-overload]
        for pair, values in dict(by_pair).items():
            print(f"  {label:<24} {pair:<14} {_fmt(values.get('exact_f1')):>6}  {_fmt(values.get('overlap_f1')):>6}")
    attribution = report.get("attribution", {})
    if attribution:
        print("Attribution F1")
        for pair, value in dict(attribution).items():  # type: ignore[call-overload]
            f1 = value.get("f1") if isinstance(value, dict) else value
            print(f"  {pair:<24} {_fmt(f1):>6}")
    rows = [
        (f"{label}.{attr}", values)
        for label, attrs in dict(report.get("attributes", {})).items()  # type: ignore[call-overload]
        for attr, values in dict(attrs).items()
    ]
    rows += [(f"claim stance {target}", values) for target, values in dict(report.get("claim_stance", {})).items()]  # type: ignore[call-overload]
    if rows:
        width = max(24, *(len(name) for name, _ in rows))
        print(f"{'Over matched claims':<{width + 2}} alpha   kappa per pair")
        for name, values in rows:
            pairs = "  ".join(f"{pair} {_fmt(k)}" for pair, k in dict(values.get("kappa", {})).items())
            print(f"  {name:<{width}} {_fmt(values.get('alpha')):>6}   {pairs}")
    print("Per-document and per-annotator breakdowns: annotator agreement --json, or Review > Agreement report")


# -- dispatch ------------------------------------------------------------------------------------

COMMANDS: dict[str, tuple[str, str, Callable[[argparse.ArgumentParser], None], Handler]] = {
    "import": ("import files and folders of articles or annotations", IMPORT_EPILOG, _configure_import, _run_import),
    "export": ("export annotations as CSV tables or annotation JSONL", EXPORT_EPILOG, _configure_export, _run_export),
    "stats": ("count documents, annotators and annotations", STATS_EPILOG, _configure_stats, _run_stats),
    "merge": ("merge colleagues' project files or JSONL exports", MERGE_EPILOG, _configure_merge, _run_merge),
    "agreement": ("measure inter-annotator agreement", AGREEMENT_EPILOG, _configure_agreement, _run_agreement),
}


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
    for name, (summary, epilog, configure, _) in COMMANDS.items():
        configure(
            sub.add_parser(
                name,
                help=summary,
                description=summary.capitalize() + ".",
                epilog=epilog,
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
        return COMMANDS[args.command][3](args)
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


if __name__ == "__main__":
    raise SystemExit(main())
