"""`Project`: an open project file with the scheme it uses. The entry to every use-case.

Opening a project never writes to it when `readonly` is set (exports, stats). A new project gets
the scheme given (or the default) stored inside it, so the file carries the scheme it was annotated
with; the scheme is read and checked before the file is made, so a refused scheme leaves no file.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from annotator.model.errors import AnnotatorError, ProjectFileError, SchemeError
from annotator.model.scheme import Scheme, load_scheme_file, parse_scheme
from annotator.model.scheme_toml import scheme_to_toml
from annotator.model.types import Annotator
from annotator.paths import DEFAULT_SCHEME
from annotator.store import Session, snapshots
from annotator.store import annotations as store_ann
from annotator.store import schemes as store_schemes
from annotator.store.engine import (
    ProjectStore,
    backup_to,
    check_new_location,
    discard_new_project,
    open_store,
    project_exists,
)
from annotator.store.rescue import rescue
from annotator.store.server import display_url, is_server_url


def rescue_copy(path: Path) -> Path:
    """Write what can be read of the damaged project `path` into a new file beside it; its path."""
    return rescue(path).target


UNRECORDED = 0
"""The id of an annotator who has not annotated in this project yet (no row until the first edit)."""


SERVER_COPY = "a server project is copied with `annotator pull URL --to FILE`"


@dataclass
class Project:
    store: ProjectStore
    scheme: Scheme

    @property
    def path(self) -> Path:
        return self.store.path

    @property
    def readonly(self) -> bool:
        return self.store.readonly

    @classmethod
    def open(
        cls,
        location: Path | str,
        *,
        readonly: bool = False,
        create: bool = True,
        scheme_path: Path | None = None,
        new_scheme: Scheme | None = None,
    ) -> Project:
        """Open a project; a missing one is created (when allowed) with `new_scheme`, else
        `scheme_path`, else the default scheme.

        `location` is a project file's path or a server project's `postgresql+psycopg://` URL.
        An existing project always keeps its own scheme: a project without one is refused, never
        given the default, and a different scheme is installed only through `services.schemes.apply`.
        Two clients making a server project at the same moment take turns (store.server): the
        second opens the project the first made.
        """
        on_server = isinstance(location, str) and is_server_url(location)

        def first() -> Scheme:
            return new_scheme or load_scheme_file(scheme_path or DEFAULT_SCHEME)

        # A server's empty database becomes a project in open_store itself: no second connection
        # (and engine) only to ask first whether it holds one.
        if create and not readonly and not on_server and not project_exists(location):
            return cls.create(location, first())
        made: list[Scheme] = []
        store = open_store(location, readonly=readonly, create=create, first_scheme=_scheme_writer(first, made))
        path = store.path
        if store.created:
            return cls(store, made[0])
        try:
            with store.session() as s:
                toml = store_schemes.current_toml(s)
            if toml is None:
                raise ProjectFileError(
                    f"{path}: the project has no scheme (it was never finished); create it again with "
                    "`annotator init FILE --scheme SCHEME.toml`"
                )
            scheme = parse_scheme(toml, origin=f"{path} (stored scheme)")
            if scheme_path is not None and load_scheme_file(scheme_path) != scheme:
                raise SchemeError(f"{path} already has a scheme; change it with `annotator scheme apply {scheme_path}`")
        except BaseException:
            store.close()
            raise
        return cls(store, scheme)

    @classmethod
    def create(cls, location: Path | str, scheme: Scheme, author: str = "") -> Project:
        """A new project with `scheme` (a file, or an empty server database); refuses an existing
        one; leaves nothing behind on failure."""
        if not isinstance(location, str):
            location = Path(location)
        check_new_location(location)
        if isinstance(location, str) and is_server_url(location):  # one transaction: nothing to discard
            made: list[Scheme] = []
            store = open_store(location, create=True, first_scheme=_scheme_writer(lambda: scheme, made, author))
            if not store.created:  # another client made it since the check above
                store.close()
                raise ProjectFileError(f"{display_url(location)}: the database already holds a project")
            return cls(store, scheme)
        try:
            store = open_store(location, create=True)
        except BaseException:
            discard_new_project(location)
            raise
        try:
            with store.session() as s:
                store_schemes.add_version(s, scheme.source_text or scheme_to_toml(scheme), author or _who())
        except BaseException:
            store.close()
            discard_new_project(location)
            raise
        return cls(store, scheme)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.store.session() as s:
            yield s

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session all of whose queries see one moment of the project (an export): see store.snapshots."""
        with snapshots.reading(self.store) as s:
            yield s

    @contextmanager
    def write_session(self) -> Iterator[Session]:
        """One long write (an imported file, a merge): holds the write lock from its first read."""
        with self.store.write_session() as s:
            yield s

    @contextmanager
    def locked_session(self) -> Iterator[Session]:
        """One short action whose check and write see the same data (store.ProjectStore.locked_session)."""
        with self.store.locked_session() as s:
            yield s

    def close(self) -> None:
        self.store.close()

    def save_copy(
        self,
        target: Path,
        progress: Callable[[int, int], None] | None = None,
        cancel: Callable[[], bool] | None = None,
    ) -> Path:
        """A copy of this project file as it is now, changes still in its WAL included, at
        `target` (a new file). Copying the .db file itself while the app runs can miss them."""
        if self.store.url is not None:
            raise AnnotatorError(f"{self.path}: {SERVER_COPY}")
        target = Path(target).expanduser()
        if target.exists():
            raise AnnotatorError(f"{target}: already exists; choose a new name (nothing was written)")
        if not target.parent.is_dir():
            raise AnnotatorError(f"{target.parent}: no such folder (nothing was written)")
        backup_to(self.store.engine, target, progress, cancel)
        return target

    def defer_scores(self) -> None:
        """From now on an edit of a few documents leaves their disagreement scores `STALE` (readers
        recompute them) for `score_deferred` to compute right after, so the edit returns sooner."""
        if self.store.deferred_scores is None:
            self.store.deferred_scores = set()

    def scores_pending(self) -> bool:
        return bool(self.store.deferred_scores)

    def score_deferred(self) -> list[int]:
        """Compute and store the scores deferred edits left stale; the documents scored."""
        return self.store.score_deferred()

    def annotator(self, name: str, *, create: bool = True) -> Annotator:
        """The annotator called `name`, created on first use."""
        name = name.strip()
        if not name:
            raise AnnotatorError("an annotator needs a non-empty name")
        with self.session() as s:
            found = store_ann.annotator_by_name(s, name)
            if found is not None:
                return found
            if not create or self.readonly:
                raise AnnotatorError(f"no annotator called {name!r} in {self.path}")
            return store_ann.add_annotator(s, name)

    def identity(self, name: str) -> Annotator:
        """Who `name` is in this project, without writing: their annotator row if they have one, else
        an unrecorded annotator (id 0) that the first annotation records (`annotator(name)`)."""
        name = name.strip()
        if not name:
            raise AnnotatorError("an annotator needs a non-empty name")
        with self.session() as s:
            found = store_ann.annotator_by_name(s, name)
        return found if found is not None else Annotator(UNRECORDED, name, "")

    def annotators(self) -> list[Annotator]:
        with self.session() as s:
            return store_ann.list_annotators(s)


def _scheme_writer(scheme: Callable[[], Scheme], made: list[Scheme], author: str = "") -> Callable[[Session], None]:
    """What writes a new server project's scheme in the transaction that makes it (`made` gets it)."""

    def write(s: Session) -> None:
        chosen = scheme()
        store_schemes.add_version(s, chosen.source_text or scheme_to_toml(chosen), author or _who())
        made.append(chosen)

    return write


def _who() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""
