"""The store: the only package that imports SQLAlchemy. Tables, engine, migrations and queries.

`Session` (SQLAlchemy's ORM session) is imported on first use, so that a module that needs only
Core (`store.files`, `store.counts`: `annotator stats`) does not pay for importing the ORM.
(No `from __future__ import annotations` here: it would bind `annotations`, shadowing the
`store.annotations` module in `from annotator.store import annotations`.)
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = ["Session"]


def __getattr__(name: str) -> Any:
    if name == "Session":
        from sqlalchemy.orm import Session

        return Session
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
