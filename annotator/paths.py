"""Where things live: the default project, config and log locations (platformdirs) and resources.

Every location can be overridden through environment variables, which is how tests keep away from
the real user's data: ANNOTATOR_DATA_DIR, ANNOTATOR_CONFIG_DIR, ANNOTATOR_CACHE_DIR, ANNOTATOR_PROJECT.
The scheme files and the seed corpus travel inside the installed package (RESOURCES_DIR, CORPUS_DIR).
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import platformdirs

APP_NAME = "annotator"


def _bundled(name: str) -> Path:
    """A data folder shipped with the app: inside the installed package (the wheel maps the checkout's
    top-level folder in as `annotator/<name>`, see setup.py), else the checkout's top-level folder."""
    packaged = Path(str(resources.files("annotator"))) / name
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / name


RESOURCES_DIR = _bundled("resources")
CORPUS_DIR = _bundled("corpus")
SCHEMES_DIR = RESOURCES_DIR / "schemes"
DEFAULT_SCHEME = SCHEMES_DIR / "default.toml"


def shipped_schemes() -> list[Path]:
    """The schemes shipped with the application, the default first."""
    return [DEFAULT_SCHEME, *sorted(p for p in SCHEMES_DIR.glob("*.toml") if p != DEFAULT_SCHEME)]


def scheme_path(name_or_path: str) -> Path:
    """A scheme file given by path, or a shipped scheme by name ("fnc1" -> resources/schemes/fnc1.toml)."""
    given = Path(name_or_path).expanduser()
    shipped = SCHEMES_DIR / f"{name_or_path}.toml"
    return shipped if not given.exists() and shipped.is_file() else given


def data_dir() -> Path:
    return Path(os.environ.get("ANNOTATOR_DATA_DIR") or platformdirs.user_data_dir(APP_NAME, appauthor=False))


def config_dir() -> Path:
    return Path(os.environ.get("ANNOTATOR_CONFIG_DIR") or platformdirs.user_config_dir(APP_NAME, appauthor=False))


def log_dir() -> Path:
    return Path(os.environ.get("ANNOTATOR_LOG_DIR") or platformdirs.user_log_dir(APP_NAME, appauthor=False))


def cache_dir() -> Path:
    """Throwaway copies the app may rebuild (the first page shown at start: ui/first_page.py)."""
    return Path(os.environ.get("ANNOTATOR_CACHE_DIR") or platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def documents_dir() -> Path:
    """The user's Documents folder (where File › Export suggests writing); may not exist yet."""
    return Path(os.environ.get("ANNOTATOR_DOCUMENTS_DIR") or platformdirs.user_documents_dir())


def default_project() -> Path:
    return data_dir() / "default.annotator.db"


def project_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """`--project` wins, then ANNOTATOR_PROJECT, then the default project."""
    chosen = explicit or os.environ.get("ANNOTATOR_PROJECT")
    return Path(chosen).expanduser() if chosen else default_project()


SERVER_URL_PREFIXES = ("postgresql://", "postgresql+psycopg://", "postgres://")


def project_location(explicit: str | os.PathLike[str] | None = None) -> Path | str:
    """Like project_path, but a server URL (`postgresql+psycopg://USER@HOST/DB`) stays a string for
    `Project.open` (the store decides what it names)."""
    chosen = explicit or os.environ.get("ANNOTATOR_PROJECT")
    if isinstance(chosen, str) and chosen.startswith(SERVER_URL_PREFIXES):
        return chosen
    return project_path(explicit)
