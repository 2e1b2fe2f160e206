"""`annotator server init URL` and `annotator server add-user NAME --role ROLE`: a shared project.

A person is a PostgreSQL login; the roles annotator, curator and manager are group roles, and the
server enforces them with row-level security. The app never writes a password: logins
authenticate the libpq way (~/.pgpass, PG* variables, a service file, peer or certificates).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from annotator import paths
from annotator.cli.common import EXIT_OK, EXIT_USAGE, Command

EPILOG = """\
commands:
  init URL [--scheme SCHEME]   create the project in the empty database URL names (or open the
                               one there) and install roles, grants and row-level security;
                               safe to run again
  add-user NAME --role ROLE    make NAME a login in group ROLE (annotator, curator, manager) and an
                               annotator of the project named by --project; set its password
                               outside the app (ALTER ROLE ... PASSWORD, or peer/cert auth)

examples:
  annotator server init postgresql+psycopg://admin@db.example.org/desk --scheme fnc1
  annotator --project postgresql+psycopg://admin@db.example.org/desk server add-user alice --role annotator

exit codes: 0 done, 1 refused (not a server project, bad role), 2 usage error or unusable server
"""


def _configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="server_command", metavar="init|add-user", required=True)
    init = sub.add_parser("init", help="create or upgrade a shared project on a PostgreSQL server")
    init.add_argument("url", metavar="URL", help="postgresql+psycopg://USER@HOST/DB")
    init.add_argument("--scheme", metavar="SCHEME", help="scheme file or shipped name (new project only)")
    user = sub.add_parser("add-user", help="add a person (a server login) with a role")
    user.add_argument("name", metavar="NAME")
    user.add_argument("--role", required=True, choices=("annotator", "curator", "manager"))


def _run(args: argparse.Namespace) -> int:
    from annotator.services import team
    from annotator.services.project import Project

    if args.server_command == "init":
        scheme = Path(paths.scheme_path(args.scheme)) if args.scheme else None
        project = team.init_server(args.url, scheme)
        try:
            print(
                f"Server project {project.path} ready (scheme {project.scheme.name!r}); roles: {', '.join(team.ROLES)}"
            )
        finally:
            project.close()
        return EXIT_OK
    project = Project.open(paths.project_location(args.project))
    try:
        created = team.add_user(project, args.name, args.role)
    finally:
        project.close()
    print(f"{'Added' if created else 'Updated'} {args.name} with role {args.role}")
    return EXIT_OK


SERVER = Command("shared project on a PostgreSQL server: init, add-user", EPILOG, _configure, _run)


PUSH_EPILOG = """\
Uploads a project file (documents and every annotator's layer) into a server project through the
same idempotent merge as `merge`: what is there already is skipped, so pushing twice changes
nothing. An empty database becomes a project with the file's scheme first.

examples:
  annotator push alice-offline.db --to postgresql+psycopg://alice@db.example.org/desk

exit codes: 0 done, 1 the merge was refused (e.g. an annotator clash), 2 usage error or unusable project
"""


def _configure_push(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, metavar="FILE", help="the local project file")
    parser.add_argument("--to", required=True, metavar="URL", help="postgresql+psycopg://USER@HOST/DB")


def _run_push(args: argparse.Namespace) -> int:
    from annotator.services import team

    report = team.push(args.file, args.to)
    if report.unchanged:
        print(f"{args.file}: nothing new (already pushed)")
    else:
        print(
            f"{args.file}: {report.counts.documents_added} documents, {report.counts.spans_added} spans, "
            f"{report.counts.relations_added} relations, {report.counts.stances_added} stances pushed"
        )
    return EXIT_OK


PUSH = Command("upload a project file into a server project (idempotent)", PUSH_EPILOG, _configure_push, _run_push)


PULL_EPILOG = """\
Makes an offline copy of a server project: a new project FILE with the server's scheme, every
document, and every annotator's layer (or only NAME's with --annotator). Work done offline goes
back with `annotator push FILE --to URL`. FILE must not exist; it appears only when complete.

examples:
  annotator pull postgresql+psycopg://alice@db.example.org/desk --to desk-offline.db --annotator alice

exit codes: 0 done, 1 refused, 2 usage error, FILE exists, or unusable server
"""


def _configure_pull(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("url", metavar="URL", help="postgresql+psycopg://USER@HOST/DB")
    parser.add_argument("--to", required=True, type=Path, metavar="FILE", help="the new project file")
    parser.add_argument("--annotator", metavar="NAME", help="copy only this annotator's layer")


def _run_pull(args: argparse.Namespace) -> int:
    import os
    import tempfile

    from annotator.io.export_jsonl import export_jsonl
    from annotator.io.importer import import_paths
    from annotator.services import team
    from annotator.services.merge import merge_paths
    from annotator.services.project import Project

    target: Path = args.to
    if target.exists():
        print(f"annotator: {target}: a file of that name exists; pull never overwrites", file=sys.stderr)
        return EXIT_USAGE
    server = Project.open(args.url, readonly=True)
    try:
        with tempfile.TemporaryDirectory(prefix=".pull-", dir=target.parent or None) as tmp:
            work = Path(tmp)
            n_docs = team.write_articles(server, work / "documents.jsonl")
            export_jsonl(server, work / "layers.jsonl", annotator=args.annotator)
            local = Project.create(work / "copy.db", server.scheme)
            try:
                import_paths(local, [work / "documents.jsonl"])
                if (work / "layers.jsonl").stat().st_size:
                    merge_paths(local, [work / "layers.jsonl"])
            finally:
                local.close()
            os.replace(work / "copy.db", target)
    finally:
        server.close()
    print(f"Pulled {n_docs} documents into {target}")
    return EXIT_OK


PULL = Command("make an offline project file from a server project", PULL_EPILOG, _configure_pull, _run_pull)
