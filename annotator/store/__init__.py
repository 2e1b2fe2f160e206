"""The store: the only package that imports SQLAlchemy. Tables, engine, migrations and queries."""

from sqlalchemy.orm import Session

__all__ = ["Session"]
