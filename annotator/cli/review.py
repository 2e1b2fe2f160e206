"""`annotator merge` and `agreement`: bringing colleagues' layers together and measuring how they agree."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from annotator import paths
from annotator.cli.common import EXIT_OK, EXIT_USAGE, Command, say_when_waiting

# -- merge ---------------------------------------------------------------------------------------

MERGE_EPILOG = """\
Brings colleagues' spans, relations, stances and status into this project from their project
files (.db) or annotation JSONL exports. Documents are matched by sha256 and added when missing.
Merged rows keep their annotator and timestamps, with origin "merged". Merging the same file twice
changes nothing. Two different people with the same name are never fused: the merge stops and
asks you to rename one with --rename (or --rename-json for a name holding "=", or for one of two
people who share a name inside one file, named by "uid:ID"); the command it prints works when
pasted. All files go in under one transaction, or none does.
A merge adds and updates but never deletes: a span a colleague removed after an earlier merge
stays in your copy of their layer (merge into a fresh project to start clean).

examples:
  annotator --project review.db merge alice.db bob.db
  annotator --project review.db merge bob.jsonl --rename alice=alice_b
  annotator --project review.db merge bob.jsonl --rename-json '{"=alice": "alice2"}'

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
    parser.add_argument(
        "--rename-json",
        action="append",
        default=[],
        metavar="JSON",
        help='renames as a JSON object {"OLD": "NEW", ...}, for any name (with "=", spaces, quotes); '
        'a key "uid:ID" names one person by id (repeatable)',
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
    for given in args.rename_json:
        try:
            more = json.loads(given)
        except (ValueError, RecursionError):
            more = None
        if not isinstance(more, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and k.strip() and v.strip() for k, v in more.items()
        ):
            print(f'annotator: --rename-json takes a JSON object {{"OLD": "NEW"}}, got {given!r}', file=sys.stderr)
            return EXIT_USAGE
        renames.update({k.strip(): v.strip() for k, v in more.items()})
    project = Project.open(paths.project_location(args.project))
    say_when_waiting(project.store)
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
            f"{report.path}: {people}: {report.counts.documents_added} documents, {report.counts.spans_added} spans "
            f"(+{report.counts.spans_updated} updated), {report.counts.relations_added} relations, "
            f"{report.counts.stances_added} stances (+{report.counts.stances_updated} updated), "
            f"{report.counts.statuses_updated} statuses"
        )
    return EXIT_OK


# -- agreement -----------------------------------------------------------------------------------

AGREEMENT_EPILOG = """\
Inter-annotator agreement over every layer except gold; every figure shows the number of items
it rests on (n):
  stance       document-level stance per target: Krippendorff's alpha (nominal) with a 95%
               bootstrap interval, Fleiss' kappa and Gwet's AC1 over all annotators, observed
               agreement, and Cohen's kappa per pair; missing values are left out
  spans        per label and pair: precision/recall/F1 under exact and overlap matching (optimal
               one-to-one matching), and Krippendorff's unitizing alpha (alpha_U) per label
  attribution  F1 over (claim, source) links among matched claims, pooled and per relation type
  attributes / claim_stance   the stance coefficients over matched claims (one span per
               annotator and unit; extra spans are counted, not used)
An empty value (null in JSON, "-" in the table) means the measure is undefined there, e.g. no
document that both annotators worked on, or a single category given throughout (the observed
agreement is shown instead; Gwet's AC1 counts every value the scheme allows, used or not, and stays
defined there). Pairs are written "A|B" with names sorted; each pair is compared on
the documents both worked on (a span, a stance, or a status other than not_started).

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
    from annotator.cli.agreement_text import print_agreement
    from annotator.services.agreement import agreement
    from annotator.services.project import Project

    project = Project.open(paths.project_location(args.project), readonly=True)
    try:
        report = agreement(project, args.annotator, include_gold=args.include_gold)
    finally:
        project.close()
    if args.json:
        print(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
        return EXIT_OK
    print_agreement(report)
    return EXIT_OK


MERGE = Command("merge colleagues' project files or JSONL exports", MERGE_EPILOG, _configure_merge, _run_merge)
AGREEMENT = Command("measure inter-annotator agreement", AGREEMENT_EPILOG, _configure_agreement, _run_agreement)
