"""`Project`: an open project file with the scheme it uses. The entry to every use-case.

Opening a project never writes to it when `readonly` is set (exports, stats). A writable project
that has no scheme yet gets the default one (or the one given) stored inside it, so the file
carries the scheme it was annotated with.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from annotator.model.errors import AnnotatorError
from annotator.model.scheme import Scheme, load_scheme_file, parse_scheme
from annotator.model.types import Annotator
from annotator.paths import DEFAULT_SCHEME
from annotator.store import Session
from annotator.store import annotations as store_ann
from annotator.store.engine import ProjectStore, open_store


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
        cls, path: Path, *, readonly: bool = False, create: bool = True, scheme_path: Path | None = None
    ) -> Project:
        store = open_store(path, readonly=readonly, create=create)
        try:
            toml = store.scheme_toml()
            if scheme_path is not None:
                scheme = load_scheme_file(scheme_path)
                if not readonly and scheme.source_text != toml:
                    store.install_scheme(scheme.source_text)
            elif toml is None:
                scheme = load_scheme_file(DEFAULT_SCHEME)
                if not readonly:
                    store.install_scheme(scheme.source_text)
            else:
                scheme = parse_scheme(toml, origin=f"{path} (stored scheme)")
        except BaseException:
            store.close()
            raise
        return cls(store, scheme)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.store.session() as s:
            yield s

    def close(self) -> None:
        self.store.close()

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

    def annotators(self) -> list[Annotator]:
        with self.session() as s:
            return store_ann.list_annotators(s)
