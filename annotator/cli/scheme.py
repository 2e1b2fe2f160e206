"""`annotator init` and `annotator scheme show|check|apply`: projects made with a scheme, and its evolution.

`init FILE --scheme S` creates an empty project with scheme S (a file, or a shipped scheme by name)
and refuses an existing file. `scheme check` reports every problem of a scheme file with its line.
`scheme apply` prints what changes and how many annotations each change touches, then applies it
all or nothing; with --dry-run the project is opened read-only and not a byte changes.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from annotator import paths
from annotator.cli.common import EXIT_OK, EXIT_REJECTED, EXIT_USAGE, Command
from annotator.model.errors import SchemeError
from annotator.model.scheme import Scheme

INIT_EPILOG = """\
SCHEME is a scheme file (see "Scheme files" in the README) or the name of a shipped scheme:
  {shipped}
The scheme is checked before the file is made: a broken scheme is refused with its line and
leaves no file behind. An existing FILE is never touched.

examples:
  annotator init stance.db --scheme fnc1
  annotator init desk.db --scheme my-desk.toml

exit codes: 0 created, 1 the scheme was refused, 2 usage error or FILE exists
"""

SCHEME_EPILOG = """\
commands:
  show [--toml]          the project's scheme (labels, keys, attributes, values, relations,
                         targets, stance values, descriptions) and its version history; --toml
                         prints the stored scheme file
  check FILE             validate a scheme file; every problem on its own line as FILE line N: reason
  apply FILE [--dry-run] make FILE the project's scheme. Prints each change (add, rename, remove,
                         archive, edit) with the number of annotations it touches. Renames are
                         declared with `aliases` (and `value_aliases`) in FILE; stored annotations
                         take the new names and the old names keep working for imports and merges.
                         Removing an element that annotations use is refused with its counts
                         (archive it with `archived = true` instead). All or nothing.

examples:
  annotator --project p.db scheme show --toml > scheme.toml
  annotator scheme check scheme.toml
  annotator --project p.db scheme apply scheme.toml --dry-run

exit codes: 0 done (check: valid), 1 the scheme or the change was refused (check: problems found),
            2 usage error or unusable project file
"""


def _configure_init(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, metavar="FILE", help="the new project file")
    parser.add_argument("--scheme", default="default", metavar="SCHEME", help="scheme file or shipped name")


def _run_init(args: argparse.Namespace) -> int:
    from annotator.model.scheme import load_scheme_file
    from annotator.services.project import Project

    if args.file.exists():
        print(f"annotator: {args.file}: a file of that name exists; init never overwrites", file=sys.stderr)
        return EXIT_USAGE
    try:
        scheme = load_scheme_file(paths.scheme_path(args.scheme))
    except SchemeError as exc:
        print(f"annotator: {exc}", file=sys.stderr)
        return EXIT_REJECTED
    Project.create(args.file, scheme).close()
    print(f"Created {args.file} with scheme {scheme.name!r} ({len(scheme.labels)} labels, hash {scheme.version_hash})")
    return EXIT_OK


def _configure_scheme(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="scheme_command", metavar="show|check|apply", required=True)
    show = sub.add_parser("show", help="print the project's scheme")
    show.add_argument("--toml", action="store_true", help="print the stored scheme file")
    check = sub.add_parser("check", help="validate a scheme file")
    check.add_argument("file", type=Path, metavar="FILE")
    apply = sub.add_parser("apply", help="evolve the project's scheme to FILE")
    apply.add_argument("file", type=Path, metavar="FILE")
    apply.add_argument("--dry-run", action="store_true", help="print the changes; change nothing")
    apply.add_argument("--author", metavar="NAME", help="recorded with the new version (default: login name)")


def _run_scheme(args: argparse.Namespace) -> int:
    handler = {"show": _show, "check": _check, "apply": _apply}[args.scheme_command]
    return handler(args)


def _show(args: argparse.Namespace) -> int:
    from annotator.services import schemes
    from annotator.services.project import Project

    project = Project.open(paths.project_location(args.project), readonly=True)
    try:
        if args.toml:
            sys.stdout.write(schemes.current_toml(project))
            return EXIT_OK
        print("\n".join(describe_scheme(project.scheme)))
        print("\nversions:")
        for v in schemes.versions(project):
            print(f"  {v.installed_at}  {v.author or '?':<16} {_hash_of(v.toml)}")
    finally:
        project.close()
    return EXIT_OK


def _hash_of(toml: str) -> str:
    from annotator.model.scheme import parse_scheme

    try:
        return parse_scheme(toml).version_hash
    except SchemeError:
        return "(unreadable)"


def describe_scheme(scheme: Scheme) -> list[str]:
    """The scheme as text, one element per line, with descriptions and aliases."""

    def extra(description: str, aliases: tuple[str, ...] = (), archived: bool = False) -> str:
        out = f"  - {description}" if description else ""
        out += f"  (was: {', '.join(aliases)})" if aliases else ""
        return out + ("  [archived]" if archived else "")

    lines = [f"scheme {scheme.name!r} version {scheme.version}, hash {scheme.version_hash}"]
    lines += [f"  {scheme.description}"] if scheme.description else []
    lines.append("labels:")
    for lab in scheme.labels:
        lines.append(f"  [{lab.key}] {lab.name} {lab.color}{extra(lab.description, lab.aliases, lab.archived)}")
        for attr in lab.attributes:
            lines.append(f"      {attr.name} ({attr.kind}){extra(attr.description, attr.aliases)}")
            for value in attr.values:
                old = tuple(k for k, v in attr.value_aliases.items() if v == value)
                lines.append(f"          {value}{extra(attr.value_descriptions.get(value, ''), old)}")
    if scheme.relations:
        lines.append("relations:")
    for rel in scheme.relations:
        limit = f", at most {rel.max_per_from} per {rel.from_label}" if rel.max_per_from else ""
        ends = f"{rel.from_label} -> {rel.to_label}{limit}"
        lines.append(f"  {rel.name}: {ends}{extra(rel.description, rel.aliases, rel.archived)}")
    if scheme.targets:
        lines.append("stance targets:")
    for target in scheme.targets:
        lines.append(f"  {target.name}{extra(target.description, target.aliases, target.archived)}")
    if scheme.stance_values:
        lines.append("stance values:")
    for value in scheme.stance_values:
        old = tuple(k for k, v in scheme.stance_value_aliases.items() if v == value)
        lines.append(f"  {value}{extra(scheme.stance_value_descriptions.get(value, ''), old)}")
    return lines


def _check(args: argparse.Namespace) -> int:
    from annotator.model.scheme_parse import check_scheme, read_scheme_text

    try:
        text = read_scheme_text(args.file)
    except SchemeError as exc:
        print(f"annotator: {exc}", file=sys.stderr)
        return EXIT_REJECTED
    scheme, problems = check_scheme(text)
    for problem in problems:
        where = f"{args.file}:{problem.line}" if problem.line else str(args.file)
        print(f"{where}: {problem.message}", file=sys.stderr)
    if scheme is None:
        print(f"{args.file}: {len(problems)} problem{'s' if len(problems) != 1 else ''}")
        return EXIT_REJECTED
    print(f"{args.file}: valid scheme {scheme.name!r}, hash {scheme.version_hash}")
    return EXIT_OK


def _apply(args: argparse.Namespace) -> int:
    from annotator.model.scheme import load_scheme_file
    from annotator.services import schemes
    from annotator.services.project import Project

    new = load_scheme_file(args.file)
    where = paths.project_location(args.project)
    project = Project.open(where, readonly=True)  # planning never writes, not even a WAL file
    try:
        plan = schemes.plan(project, new)
    finally:
        project.close()
    for line in plan.lines():
        print(("would " if args.dry_run else "") + line)
    if plan.refused:
        print(f"annotator: scheme change refused ({len(plan.refused)} refused); nothing changed", file=sys.stderr)
        return EXIT_REJECTED
    if args.dry_run:
        print(f"dry run: nothing changed ({plan.touched} annotations would be renamed)")
        return EXIT_OK
    project = Project.open(where)
    try:
        schemes.apply(project, new, args.author or _login())
        print(f"applied: scheme hash {project.scheme.version_hash}, {plan.touched} annotations renamed")
    finally:
        project.close()
    return EXIT_OK


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


INIT = Command(
    "create an empty project with a scheme",
    INIT_EPILOG.format(shipped=", ".join(p.stem for p in paths.shipped_schemes())),
    _configure_init,
    _run_init,
)
SCHEME = Command("show, check or apply an annotation scheme", SCHEME_EPILOG, _configure_scheme, _run_scheme)
