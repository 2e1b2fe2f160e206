"""The first page: the document I left, shown again at the next start before the project is open.

Opening a project file means importing SQLAlchemy and the store (most of a start's time) before a
single word of it can be read. So when the window closes on a project file, it keeps what its
article showed (text, spans and links of my own layer, as drawn) in a small JSON file in the cache
folder, together with the identity of the project file and of its write-ahead log as they are once
the project is closed: inode, size, and modification and change times in nanoseconds. At the next
start `app.run_gui` shows that page in the window's frame only if the project file and its log are
exactly as they were left (any write, by this app or another program, changes the change time,
which no program can set back), and if the same annotator name would open it. The page is read-only
and the status bar says the project is still opening; the event loop does not run until the project
is open and the real article view, on the same document, replaces the page. A server project is
never shown this way: only a round trip to the server could say that nothing changed.

Keys typed and clicks made while the project opens (on this page or on the bare frame) wait in the
window system's queue, and the event loop would hand them to the live view that replaced the page: a
number key would set a document stance the annotator never saw set. `InputDropped` takes them out
of the queue once the project is open and drops them; the status bar then says how many keys were
(a key counts when both its press and its release come while the project opens: the release of the
Enter that closed the welcome dialog does not).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtGui import QKeyEvent

from annotator import paths
from annotator.model.types import Span
from annotator.ui.widgets.article_page import ArticlePage

VERSION = 1
OBJECT_NAME = "first_page"


def snapshot_file(project_file: Path) -> Path:
    key = hashlib.sha256(str(project_file.resolve()).encode()).hexdigest()[:32]
    return paths.cache_dir() / "first-page" / f"{key}.json"


def file_state(project_file: Path) -> list[list[int] | None]:
    """The identity of the project file and of its write-ahead log (None when there is none)."""
    state: list[list[int] | None] = []
    for path in (project_file, project_file.with_name(project_file.name + "-wal")):
        try:
            st = path.stat()
        except FileNotFoundError:
            state.append(None)
            continue
        state.append([st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns])
    return state


def save(project_file: Path, name: str, title: str, page: dict[str, object] | None) -> None:
    """Keep `page` (ArticlePage.page_state) for the next start; call it once the project is closed.
    No page (nothing open, or other layers shown) forgets the one kept. Best effort: a cache."""
    target = snapshot_file(project_file)
    try:
        if page is None:
            target.unlink(missing_ok=True)
            return
        record = {
            "version": VERSION,
            "project": str(project_file.resolve()),
            "files": file_state(project_file),
            "name": name,
            "title": title,
            "page": page,
        }
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_suffix(".tmp")
        temporary.write_text(json.dumps(record), encoding="utf-8")
        os.replace(temporary, target)
    except OSError:
        pass


@dataclass(frozen=True)
class FirstPage:
    title: str
    page: dict[str, object]


def load(project_file: Path, name: str) -> FirstPage | None:
    """The page kept for `project_file`, if the file and its log are as they were left and `name`
    is the annotator it was kept for; else None."""
    try:
        record = json.loads(snapshot_file(project_file).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("version") != VERSION:
        return None
    if record.get("project") != str(project_file.resolve()) or record.get("name") != name:
        return None
    if record.get("files") != file_state(project_file) or not isinstance(record.get("page"), dict):
        return None
    return FirstPage(str(record.get("title", "")), record["page"])


class FirstPageView(ArticlePage):
    """The kept page on screen: the article view's look, nothing to click or edit."""

    def __init__(self, first: FirstPage) -> None:
        super().__init__()
        self.setObjectName(OBJECT_NAME)
        page = first.page
        doc_id = int(page["doc_id"])  # type: ignore[call-overload]
        self._show_text(doc_id, str(page["text"]))
        spans = [
            Span(sid, doc_id, who, label, start, end, "", fragments=tuple((a, b) for a, b in parts))
            for sid, who, label, start, end, parts in page["spans"]  # type: ignore[attr-defined]
        ]
        links = [(a, b, n) for a, b, n in page["links"]]  # type: ignore[attr-defined]
        styles = page.get("layer_styles")
        by_layer = None if styles is None else {a: b for a, b in styles}  # type: ignore[attr-defined]
        self._show_spans(spans, links, dict(page["colors"]), int(page["me"]), by_layer)  # type: ignore[call-overload]

    @property
    def doc_id(self) -> int | None:
        return self._doc_id

    def document_text(self) -> str:
        return self._text


_INPUT = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.KeyRelease,
        QEvent.Type.ShortcutOverride,
        QEvent.Type.Shortcut,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonRelease,
        QEvent.Type.MouseButtonDblClick,
    }
)


class InputDropped(QObject):
    """While installed on the application, every key, shortcut and mouse button event is dropped, and
    the keys are counted (`keys`). `flush()`: what the window system has queued so far is delivered,
    and dropped."""

    def __init__(self, app: QCoreApplication) -> None:
        super().__init__(app)
        self._app = app
        self.keys = 0
        self._pressed: set[int] = set()  # keys pressed since installed, not yet released
        app.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() not in _INPUT:
            return False
        if event.type() in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride) and isinstance(event, QKeyEvent):
            self._pressed.add(event.key())
        # A key's release reaches its window first (a press may be taken as a shortcut instead). A
        # release whose press came before (the Enter that closed the welcome dialog) is no key typed.
        elif (
            event.type() == QEvent.Type.KeyRelease
            and watched.isWindowType()
            and isinstance(event, QKeyEvent)
            and event.key() in self._pressed
        ):
            self._pressed.discard(event.key())
            self.keys += 1
        return True

    def flush(self) -> None:
        self._app.processEvents()

    def remove(self) -> None:
        self._app.removeEventFilter(self)
        self.deleteLater()


def dropped_keys_message(keys: int) -> str | None:
    """The status bar's line once the project is open (None: nothing was typed)."""
    if keys == 0:
        return None
    what = "1 key" if keys == 1 else f"{keys} keys"
    return f"{what} typed while the project opened {'was' if keys == 1 else 'were'} ignored: editing starts now."
