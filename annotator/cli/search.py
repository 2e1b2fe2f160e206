"""`annotator search`: words and phrases across the project, as keyword-in-context lines."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from typing import TYPE_CHECKING

from annotator import paths
from annotator.cli.common import EXIT_OK, EXIT_USAGE, Command
from annotator.model.types import Status

if TYPE_CHECKING:
    from annotator.services.project import Project
    from annotator.services.search import SearchQuery

SEARCH_EPILOG = """\
QUERY is one or more words; they match where they follow each other in the text (a phrase), in
any letter case. Words are runs of letters and digits: punctuation between them is ignored.
Filters combine with "and":
  --label L          only matches inside spans labelled L (repeatable); without QUERY, every such span
  --attribute N=V    only matches inside spans whose attribute N has the value V
  --in-spans         only matches inside any span
  --annotator NAME   only NAME's spans, stances and status count (repeatable); alone, only documents
                     NAME annotated
  --stance T[=V]     only documents with a stance on target T (of value V)
  --status S         only documents in status S (not_started, in_progress, done) for the annotators
                     (anyone's, without --annotator; not_started: nobody's started it)

Each result is a line, printed as soon as it is found: the document's id, the match's start
offset (characters), then the match in brackets between its left and right context. With only
document filters (--status, --stance, --annotator) and no QUERY, each line is a matching document:
its id and title (in --json a hit with start = end = 0 and an empty match). --json prints
one JSON object: {"query", "words", "hits": [{"doc_id", "ext_id", "title", "start", "end", "left", "match", "right",
"spans": [{"annotator", "label", "start", "end"}]}], "more"}; doc_id is the document's id as in the
exports' doc_id column (ext_id: the same); offsets are characters (code points) of the document's
text, end exclusive. The project is opened read-only.

examples:
  annotator search "NATO membership"
  annotator search troops --label claim --annotator alice
  annotator search --label source --json
  annotator search --status done

exit codes: 0 printed (even when nothing matched), 1 unknown annotator or a QUERY with no words,
            2 usage error or unusable project file
"""


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("query", nargs="?", default="", metavar="QUERY", help="words or a phrase")
    parser.add_argument("--label", action="append", default=[], help="only inside spans with this label")
    parser.add_argument("--attribute", metavar="NAME=VALUE", help="only inside spans with this attribute value")
    parser.add_argument("--in-spans", action="store_true", help="only inside annotated spans")
    parser.add_argument("--annotator", action="append", default=[], metavar="NAME", help="only this annotator's work")
    parser.add_argument("--stance", metavar="TARGET[=VALUE]", help="only documents with this stance")
    parser.add_argument("--status", choices=[s.value for s in Status], help="only documents in this status")
    parser.add_argument("--limit", type=int, default=100, help="at most this many results (default 100)")
    parser.add_argument("--width", type=int, default=40, help="characters of context each side (default 40)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def _run(args: argparse.Namespace) -> int:
    from annotator.services.project import Project
    from annotator.services.search import SearchQuery, search

    attribute = None
    if args.attribute is not None:
        name, eq, value = args.attribute.partition("=")
        if not eq or not name:
            print(f"annotator: --attribute {args.attribute!r}: write NAME=VALUE", file=sys.stderr)
            return EXIT_USAGE
        attribute = (name, value)
    target, _, stance_value = (args.stance or "").partition("=")
    query = SearchQuery(
        text=args.query,
        in_spans=args.in_spans,
        labels=tuple(args.label),
        attribute=attribute,
        stance_target=target or None,
        stance_value=stance_value or None,
        annotators=tuple(args.annotator),
        status=Status(args.status) if args.status else None,
    )
    if not query.text.strip() and not (query.labels or query.in_spans or attribute or args.stance or args.status):
        print("annotator: search needs a QUERY or a filter (--label, --in-spans, --stance, --status)", file=sys.stderr)
        return EXIT_USAGE
    project = Project.open(paths.project_location(args.project), readonly=True)
    try:
        if args.json:
            result = search(project, query, limit=max(1, args.limit), width=max(0, args.width))
            # doc_id is the document's id as the exports write it (documents.csv's doc_id), so the
            # two join; ext_id, the same value, stays for scripts written against its first form
            hits = [{**asdict(h), "doc_id": h.ext_id} for h in result.hits]
            print(
                json.dumps(
                    {"query": args.query, "words": list(result.words), "hits": hits, "more": result.more},
                    ensure_ascii=False,
                )
            )
            return EXIT_OK
        shown, more = _print_as_found(project, query, max(1, args.limit), max(0, args.width))
    finally:
        project.close()
    more_text = f" (the first {shown}; --limit shows more)" if more else ""
    noun = "document" if not query.text.strip() and not (query.labels or query.in_spans or attribute) else "result"
    print(f"{shown} {noun}{'s' if shown != 1 else ''}{more_text}", file=sys.stderr)
    return EXIT_OK


def _print_as_found(project: Project, query: SearchQuery, limit: int, width: int) -> tuple[int, bool]:
    """Print each result as soon as it is found (a pipe into `head` gets its lines at once); the
    id column is as wide as the project's longest external id. Returns (printed, more left)."""
    from annotator.services.documents import longest_ext_id
    from annotator.services.search import checked_filters, hits_by_document

    filters = checked_filters(project, query)
    column = longest_ext_id(project)
    shown = 0
    whole_documents = not filters.words and not filters.span_scope  # each result is a document
    for found in hits_by_document(project, filters, width):
        for hit in found:
            if shown == limit:
                return shown, True
            if whole_documents:
                print(f"{hit.ext_id:<{column}}  {hit.title}", flush=True)
                shown += 1
                continue
            where = f" ({', '.join(f'{s.label} by {s.annotator}' for s in hit.spans)})" if hit.spans else ""
            print(
                f"{hit.ext_id:<{column}}  {hit.start:>7}  {hit.left:>{width}}[{hit.match}]{hit.right}{where}",
                flush=True,
            )
            shown += 1
    return shown, False


SEARCH = Command("search documents and annotated spans for words and phrases", SEARCH_EPILOG, _configure, _run)
