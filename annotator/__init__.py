"""annotator: keyboard-first annotation of claims, sources and stance in news articles."""

__version__ = "0.1.0"
