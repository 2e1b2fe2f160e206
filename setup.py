"""Package layout that pyproject.toml cannot say on its own.

The top-level `resources/` (schemes) and `corpus/` (the seed articles) stay the source of truth in the
checkout; at build time they are mapped into the package as `annotator/resources` and
`annotator/corpus`, so an installed wheel carries them and `annotator.paths` finds them with
importlib.resources. Everything else is in pyproject.toml.
"""

from setuptools import find_namespace_packages, find_packages, setup

DATA_DIRS = {"annotator.resources": "resources", "annotator.corpus": "corpus"}
# Every folder below a data folder is declared too, so setuptools ships it without a warning.
DATA_PACKAGES = [
    f"{package}.{sub}" for package, folder in DATA_DIRS.items() for sub in find_namespace_packages(where=folder)
]

setup(
    packages=find_packages(include=["annotator", "annotator.*"]) + sorted(DATA_DIRS) + DATA_PACKAGES,
    package_dir=DATA_DIRS,
    package_data={"annotator": ["py.typed"], **{name: ["**/*"] for name in DATA_DIRS}},
    exclude_package_data={name: ["**/__pycache__/*", "**/*.pyc"] for name in DATA_DIRS},
)
