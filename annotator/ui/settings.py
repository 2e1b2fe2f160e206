"""The user's GUI settings: one INI file in the config dir, and the few typed keys the shell reads.

Everything the GUI remembers between runs (annotator name, the name used in each project, recent
projects and servers (URLs without passwords), zoom, window geometry and dock layout) lives in
`config_dir()/annotator.ini`, so tests that point ANNOTATOR_CONFIG_DIR at a temp dir never touch the
real user's settings and a user can delete one file to reset the GUI.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from PySide6.QtCore import QSettings

from annotator import paths

MAX_RECENT = 8
_NAME_KEY = "user/annotator_name"
_RECENT_KEY = "projects/recent"
_SERVERS_KEY = "projects/servers"
_PROJECT_NAME_KEY = "identity"


def settings_path() -> Path:
    return paths.config_dir() / "annotator.ini"


def qsettings() -> QSettings:
    """A QSettings on the INI file. Cheap to create: make one per use rather than keeping one."""
    return QSettings(str(settings_path()), QSettings.Format.IniFormat)


def annotator_name() -> str | None:
    value = qsettings().value(_NAME_KEY)
    return value.strip() if isinstance(value, str) and value.strip() else None


def set_annotator_name(name: str) -> None:
    settings = qsettings()
    settings.setValue(_NAME_KEY, name.strip())
    settings.sync()


def _project_key(path: Path) -> str:
    digest = hashlib.sha1(str(Path(path).expanduser().resolve()).encode("utf-8")).hexdigest()[:16]
    return f"{_PROJECT_NAME_KEY}/{digest}"


def project_annotator_name(path: Path) -> str | None:
    """The name I annotate under in the project at `path`, when I chose one there."""
    value = qsettings().value(_project_key(path))
    return value.strip() if isinstance(value, str) and value.strip() else None


def set_project_annotator_name(path: Path, name: str) -> None:
    """Remember `name` for this project only: a rename in one project does not follow me into the next."""
    settings = qsettings()
    settings.setValue(_project_key(path), name.strip())
    settings.sync()


def name_for_project(path: Path) -> str | None:
    """Who I am in the project at `path`: the name chosen there, else the name given at first run."""
    return project_annotator_name(path) or annotator_name()


def os_user_name() -> str:
    """The login name, the first-run dialog's suggestion."""
    for var in ("USER", "LOGNAME", "USERNAME"):
        if os.environ.get(var):
            return os.environ[var]
    try:
        import getpass

        return getpass.getuser()
    except (OSError, KeyError):
        return ""


def recent_projects() -> list[Path]:
    """Recently opened project files, newest first, without the ones that no longer exist."""
    value = qsettings().value(_RECENT_KEY, [])
    # INI files give back a bare string for a one-item list
    items: list[object] = [value] if isinstance(value, str) else list(value) if isinstance(value, list) else []
    return [Path(p) for p in items if isinstance(p, str) and p and Path(p).exists()]


def add_recent_project(path: Path) -> None:
    path = Path(path).resolve()
    items = [p for p in recent_projects() if p.resolve() != path]
    settings = qsettings()
    settings.setValue(_RECENT_KEY, [str(p) for p in [path, *items][:MAX_RECENT]])
    settings.sync()


def recent_servers() -> list[str]:
    """Server projects connected to recently (URLs without passwords), newest first."""
    from annotator.services import team  # loaded when first used: the window's frame shows before the store

    value = qsettings().value(_SERVERS_KEY, [])
    items: list[object] = [value] if isinstance(value, str) else list(value) if isinstance(value, list) else []
    return [u for u in items if isinstance(u, str) and team.is_server_url(u)]


def add_recent_server(url: str) -> None:
    """Remember a server project's URL, never its password (credentials stay the libpq way)."""
    from annotator.services import team

    url = team.url_to_remember(url)
    items = [u for u in recent_servers() if u != url]
    settings = qsettings()
    settings.setValue(_SERVERS_KEY, [url, *items][:MAX_RECENT])
    settings.sync()


def value(key: str, default: object = None) -> object:
    return qsettings().value(key, default)


def set_value(key: str, data: object) -> None:
    settings = qsettings()
    settings.setValue(key, data)
    settings.sync()
