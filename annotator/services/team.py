"""Team mode: a project on a PostgreSQL server, with the people and rights the server enforces."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from annotator.model.errors import AnnotatorError
from annotator.services.project import Project
from annotator.store import documents as docs
from annotator.store import locks, rights, server
from annotator.store.engine import project_exists

if TYPE_CHECKING:
    from annotator.services.merge import MergeReport

ROLES = rights.ROLES
DocumentLock = locks.DocumentLock


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
    login existed already (its role is then changed: a login is in exactly one group role). The
    app sets no password: credentials stay the libpq way."""
    _require_server(project)
    name = name.strip()
    if not name:
        raise AnnotatorError("a user needs a non-empty name")
    if role not in ROLES:
        raise AnnotatorError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    try:
        return rights.add_user(project.store.engine, name, role)
    except ValueError as exc:
        raise AnnotatorError(str(exc)) from exc


def connect(url: str) -> Project:
    """Open the project in the server database `url` names (File > Connect to server): the
    database must hold a project already. Raises AnnotatorError with one line saying why not."""
    url = url.strip()
    if not server.is_server_url(url):
        raise AnnotatorError(
            f"{url or 'nothing'}: not a server URL; it starts with postgresql+psycopg:// "
            "(for example postgresql+psycopg://alice@db.example.org/news)"
        )
    if not project_exists(url):
        raise AnnotatorError(
            f"{server.display_url(url)}: the database holds no annotator project yet; "
            f"a manager creates it with `annotator server init URL`"
        )
    return Project.open(url, create=False)


def url_to_remember(url: str) -> str:
    """`url` without its password: what the app may write down (recent projects, settings)."""
    return server.url_without_password(url)


def location_shown(project: Project) -> str:
    """Where the project lives, for messages: its file, or its server URL without a password."""
    url = project.store.url
    return str(project.path) if url is None else server.display_url(url)


def remembered_url(project: Project) -> str | None:
    """A server project's URL without its password (what recent projects keep); None for a file."""
    url = project.store.url
    return None if url is None else url_to_remember(url)


def is_server_url(location: str) -> bool:
    return server.is_server_url(location)


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


def push(path: Path, url: str) -> MergeReport:
    """Upload the project file `path` (documents and every layer) into the server project `url`
    through the idempotent merge: pushing twice changes nothing. An empty database first becomes a
    project with the file's scheme."""
    from annotator.services.merge import merge_paths  # loaded when first used, not by every window

    scheme = None
    if not project_exists(url):
        local = Project.open(path, readonly=True)
        try:
            scheme = local.scheme
        finally:
            local.close()
    server = Project.open(url, new_scheme=scheme)  # made now, unless another client just made it
    try:
        (report,) = merge_paths(server, [path])
    finally:
        server.close()
    return report


def write_articles(project: Project, out: Path) -> int:
    """Every document as an article JSONL line (id, title, text and its metadata), in id order: what
    a file import recreates with the same ids, titles, texts and metadata."""
    n = 0
    with project.session() as s, out.open("w", encoding="utf-8") as fh:
        for doc in docs.iter_documents(s):
            record = {**doc.info.meta, "id": doc.info.ext_id, "title": doc.info.title, "text": doc.text}
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
            n += 1
    return n


def curate(project: Project, doc_id: int) -> locks.DocumentLock | str:
    """Take the curator lock of a document: the lock (release it when done), or the name of the
    login holding it (for the status bar: "alice is curating this document")."""
    lock = locks.try_lock_document(project.store.engine, doc_id)
    if lock is not None:
        return lock
    return locks.lock_holder(project.store.engine, doc_id) or "another session"
