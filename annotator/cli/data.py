"""`annotator import`, `export` and `stats`: documents and annotations in and out, and counts."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from annotator import paths
from annotator.cli.common import EXIT_OK, EXIT_REJECTED, Command, ProgressBar, say_when_waiting

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
  brat    (--format brat) .txt + .ann standoff pairs, files or folders; NAME.ann goes with
          NAME.txt, NAME_X.ann with NAME.txt as annotator X (PolNeAR), else --annotator or
          the folder's name; types map to the scheme by name or --mapping FILE; prints every
          T/E/R/A/# line read and imported
  labelstudio  (--format labelstudio) a Label Studio JSON export (tasks with annotations and
          predictions); offsets are UTF-16 units, converted; --annotator names unnamed ones
  xmi     (--format xmi) INCEpTION/WebAnno UIMA CAS XMI written by `export --format xmi`
          (files or folders, with TypeSystem.xml beside or above them)
  doccano (--format doccano) doccano JSONL (entities + relations, or the older "label" list);
          offsets are UTF-16 units, converted

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
         status.csv, claims.csv and comments.csv (UTF-8, header row, ids that join across tables; cells
         starting with = + - @ tab or CR are prefixed with ' so spreadsheets never run them), plus the
         project's scheme.toml and guidelines.md
  jsonl  --out is a file; one annotation record per (document, annotator), the format `import`
         reads back (export -> import -> export gives the same content)
  brat   --out is a new folder; OUT/<annotator>/<doc>.txt + .ann standoff pairs and
         OUT/annotation.conf from the scheme (see the README for the mapping)
  labelstudio  --out is a .json file of Label Studio tasks (code-point offsets) and a .config.xml
         labeling config beside it
  doccano  --out is a .jsonl file: entities and relations per document and annotator
  xmi    --out is a new folder: TypeSystem.xml and <annotator>/<doc>.xmi (UIMA CAS XMI for
         INCEpTION, UTF-16 offsets, via dkpro-cassis)
  spacy  --out is a .spacy DocBin (spans in doc.spans["sc"], document stances in doc.cats);
         needs the optional extra: pip install 'annotator[spacy]'
  xlsx   --out is a file; an Excel workbook with the csv tables as sheets (text cells stored as
         text, never formulas; ids and offsets as numbers; header frozen, filters on)
The format defaults to jsonl or xlsx when --out ends in .jsonl or .xlsx, else csv. The project is
opened read-only.

examples:
  annotator --project p.db export --out tables/
  annotator export --out gold.jsonl --annotator gold

exit codes: 0 written, 1 export failed (nothing is left half-written), 2 usage error or unusable
            project file
"""

STATS_EPILOG = """\
Prints the number of documents, annotators, spans, relations and stances, and how many
(document, annotator) pairs are in each status: every annotator against every document, a document
an annotator never touched counting as not_started, as the document list shows it. --json prints one
JSON object with the keys
documents, annotators, spans, relations, stances and status. The project is opened read-only.

exit codes: 0 printed, 2 usage error or unusable project file
"""


# -- import --------------------------------------------------------------------------------------


def _configure_import(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files or folders to import")
    parser.add_argument(
        "--format",
        dest="fmt",
        choices=("auto", "txt", "csv", "jsonl", "brat", "labelstudio", "doccano", "xmi"),
        default="auto",
        help="read every file given as this format (default: by extension)",
    )
    parser.add_argument("--text-column", default="text", metavar="C", help="CSV column holding the text")
    parser.add_argument("--id-column", metavar="C", help="CSV column holding the document id")
    parser.add_argument("--title-column", metavar="C", help="CSV column holding the title")
    parser.add_argument("--annotator", metavar="NAME", help="brat: whose annotations the .ann files are")
    parser.add_argument("--mapping", type=Path, metavar="FILE", help="brat: TOML mapping brat names to the scheme's")


def _run_import(args: argparse.Namespace) -> int:
    from annotator.io.importer import import_paths
    from annotator.services.project import Project

    project = Project.open(paths.project_location(args.project))
    say_when_waiting(project.store)
    if args.fmt == "brat":
        return _run_import_brat(project, args)
    if args.fmt in ("labelstudio", "doccano", "xmi"):
        return _run_import_tool(project, args)
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


EXPORT_FORMATS = ("csv", "jsonl", "xlsx", "brat", "labelstudio", "doccano", "xmi", "spacy")


def _run_import_brat(project: object, args: argparse.Namespace) -> int:
    from annotator.io.brat_import import import_brat
    from annotator.services.project import Project

    assert isinstance(project, Project)
    try:
        summary = import_brat(project, args.paths, annotator=args.annotator, mapping=args.mapping)
    finally:
        project.close()
    for rejection in summary.report.rejected:
        print(rejection, file=sys.stderr)
    print(summary.text())
    return EXIT_OK if summary.report.ok else EXIT_REJECTED


def _run_import_tool(project: object, args: argparse.Namespace) -> int:
    """Label Studio JSON tasks, doccano JSONL files, or INCEpTION XMI files and folders."""
    from annotator.services.project import Project

    assert isinstance(project, Project)
    try:
        if args.fmt == "labelstudio":
            from annotator.io.labelstudio_import import import_labelstudio

            report = import_labelstudio(project, args.paths, annotator=args.annotator)
        elif args.fmt == "xmi":
            from annotator.io.xmi import import_xmi

            report = import_xmi(project, args.paths, annotator=args.annotator)
        else:
            from annotator.io.doccano import import_doccano

            report = import_doccano(project, args.paths, annotator=args.annotator)
    finally:
        project.close()
    for rejection in report.rejected:
        print(rejection, file=sys.stderr)
    print(report.summary())
    return EXIT_OK if report.ok else EXIT_REJECTED


def _configure_export(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out", required=True, type=Path, metavar="PATH", help="folder for csv, file for jsonl and xlsx"
    )
    parser.add_argument(
        "--format",
        dest="fmt",
        choices=EXPORT_FORMATS,
        help="csv tables, annotation jsonl or an xlsx workbook (default: from --out)",
    )
    parser.add_argument("--annotator", metavar="NAME", help="export only this annotator's layer (e.g. gold)")
    parser.add_argument("--mapping", type=Path, metavar="FILE", help="brat: TOML mapping scheme names to brat names")


def _run_export(args: argparse.Namespace) -> int:
    from annotator.services.project import Project

    fmt = args.fmt or {".jsonl": "jsonl", ".xlsx": "xlsx"}.get(args.out.suffix.lower(), "csv")
    project = Project.open(paths.project_location(args.project), readonly=True)
    try:
        # Imported here: the exporters load only when used, and the CLI starts without them.
        if fmt == "jsonl":
            from annotator.io.export_jsonl import export_jsonl

            report = export_jsonl(project, args.out, annotator=args.annotator)
        elif fmt == "xlsx":
            from annotator.io.export_xlsx import export_xlsx

            report = export_xlsx(project, args.out, annotator=args.annotator)
        elif fmt == "brat":
            from annotator.io.brat_export import export_brat

            report = export_brat(project, args.out, annotator=args.annotator, mapping=args.mapping)
        elif fmt == "labelstudio":
            from annotator.io.labelstudio import export_labelstudio

            report = export_labelstudio(project, args.out, annotator=args.annotator)
        elif fmt == "doccano":
            from annotator.io.doccano import export_doccano

            report = export_doccano(project, args.out, annotator=args.annotator)
        elif fmt == "xmi":
            from annotator.io.xmi import export_xmi

            report = export_xmi(project, args.out, annotator=args.annotator)
        elif fmt == "spacy":
            from annotator.io.export_spacy import export_spacy

            report = export_spacy(project, args.out, annotator=args.annotator)
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
    from annotator.services.counts import project_stats  # SQLAlchemy Core only: no ORM, no scheme parse

    counts, statuses = project_stats(paths.project_location(args.project))
    if args.json:
        print(json.dumps({**counts, "status": statuses}))
        return EXIT_OK
    flat = list(counts.items()) + [(f"status {k}", v) for k, v in sorted(statuses.items())]
    width = max(len(k) for k, _ in flat)
    for key, value in flat:
        print(f"{key:<{width}}  {value:>10,}")
    return EXIT_OK


IMPORT = Command("import files and folders of articles or annotations", IMPORT_EPILOG, _configure_import, _run_import)
EXPORT = Command("export annotations as CSV tables or annotation JSONL", EXPORT_EPILOG, _configure_export, _run_export)
STATS = Command("count documents, annotators and annotations", STATS_EPILOG, _configure_stats, _run_stats)
