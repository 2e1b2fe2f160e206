"""Team mode: a project on a PostgreSQL server, with the people and rights the server enforces."""

from __future__ import annotations

from pathlib import Path

from annotator.model.errors import AnnotatorError
from annotator.services.project import Project
from annotator.store import rights

ROLES = rights.ROLES


def init_server(url: str, scheme_path: Path | None = None) -> Project:
    """Create the project in the (empty) database `url` names, or open the one there, and install
    the roles, grants and row-level security policies. Safe to run again."""
    project = Project.open(url, scheme_path=scheme_path)
    try:
        _require_server(project)
        rights.install(project.store.engine)
    except BaseException:
        project.close()
        raise
    return project


def add_user(project: Project, name: str, role: str) -> bool:
    """Make `name` a server login in group `role` and an annotator of the project; False when the
    login existed already. The app sets no password: credentials stay the libpq way."""
    _require_server(project)
    name = name.strip()
    if not name:
        raise AnnotatorError("a user needs a non-empty name")
    if role not in ROLES:
        raise AnnotatorError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    return rights.add_user(project.store.engine, name, role)


def login_name(project: Project) -> str | None:
    """The server login this project is used as (its annotator name in team mode); None for a file."""
    if project.store.dialect != "postgresql":
        return None
    return rights.session_user(project.store.engine)


def _require_server(project: Project) -> None:
    if project.store.dialect != "postgresql":
        raise AnnotatorError(
            f"{project.path}: team mode needs a project on a PostgreSQL server (postgresql+psycopg://...)"
        )
