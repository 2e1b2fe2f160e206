"""PySide6 reads the source of every module imported after it; this skips the ones known not to use it.

Importing PySide6 replaces `__import__`: after each new module, PySide's `__feature__` support asks
whether the module uses PySide6 by reading its whole source (`inspect.getsource`, through
linecache) and looking for the word "PySide6" (PYSIDE-2029; napari issue #8584 measured the same
tax). The window imports SQLAlchemy, the store and the services after Qt, about 300 modules of
which SQLAlchemy's are large: reading them costs ~0.2 s of CPU before the first document is
readable. `skip_known_modules` answers "no" at once for the standard library and for the packages
below annotator's ui layer (SQLAlchemy, psycopg, annotator's store/services/model/io, which the
import contracts keep free of Qt) and leaves every other module to PySide's own check. The answer
only chooses whether PySide's opt-in `from __feature__ import snake_case` switching looks at the
module; annotator uses no such feature. tests/ui/test_startup.py checks, on a real start, that
every answer given here is the one PySide's check gives.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import ModuleType

FOREIGN_PACKAGES = frozenset(
    {"sqlalchemy", "psycopg", "psycopg_binary", "psycopg_c", "greenlet", "typing_extensions", "platformdirs"}
)
"""Third-party packages the window loads that never use PySide6."""
OWN_PACKAGES_WITHOUT_QT = ("annotator.store", "annotator.services", "annotator.model", "annotator.io")
"""annotator's layers below ui: Qt-free by the import contracts (pyproject's importlinter)."""
_MARK = "_annotator_skips_known_modules"


def known_without_pyside(module: ModuleType) -> bool:
    """Whether `module` is one of those known not to use PySide6 (by its name alone, no I/O)."""
    name = getattr(module, "__name__", "")
    if not isinstance(name, str):
        return False
    top = name.partition(".")[0]
    return top in FOREIGN_PACKAGES or top in sys.stdlib_module_names or name.startswith(OWN_PACKAGES_WITHOUT_QT)


def skip_known_modules() -> bool:
    """Install the shortcut (once) in PySide's check, if PySide6 is loaded and has that check;
    whether it is in place."""
    feature = sys.modules.get("shibokensupport.feature")
    original: Callable[[ModuleType], bool] | None = getattr(feature, "_mod_uses_pyside", None)
    if feature is None or original is None:
        return False
    if getattr(original, _MARK, False):
        return True

    def uses_pyside(module: ModuleType) -> bool:
        return False if known_without_pyside(module) else original(module)

    setattr(uses_pyside, _MARK, True)
    uses_pyside.original = original  # type: ignore[attr-defined]  # the test compares the two answers
    feature._mod_uses_pyside = uses_pyside  # type: ignore[attr-defined]
    return True
