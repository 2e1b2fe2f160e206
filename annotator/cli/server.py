"""`annotator server init URL` and `annotator server add-user NAME --role ROLE`: a shared project.

A person is a PostgreSQL login; the roles annotator, curator and manager are group roles, and the
server enforces them with row-level security. The app never writes a password: logins
authenticate the libpq way (~/.pgpass, PG* variables, a service file, peer or certificates).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from annotator import paths
from annotator.cli.common import EXIT_OK, Command

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
