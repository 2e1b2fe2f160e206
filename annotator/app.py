"""The composition root: `annotator` with a subcommand runs the headless CLI, without one the GUI.

The GUI path checks for a display (a reachable X server or Wayland) before Qt can abort on its
absence, creates the QApplication, asks for the annotator's name on first run, opens the project
(`--project FILE`, ANNOTATOR_PROJECT, or the default project, which is seeded with the bundled corpus
when it is first created; when it cannot be opened the user may pick another or a new one) and shows
the main window. Everything heavy (Qt, SQLAlchemy, the io modules) is imported inside functions so
that `annotator stats` never loads Qt and the window appears as early as possible.
"""

from __future__ import annotations

import os
import socket
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from annotator import paths

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication, QWidget

    from annotator.services.project import Project
    from annotator.ui.main_window import MainWindow

NO_DISPLAY_MESSAGE = (
    "annotator: no display found; the GUI needs a desktop session. "
    "Headless commands: annotator import|export|stats|merge|agreement --help"
)
X11_SOCKET_DIR = Path("/tmp/.X11-unix")  # where a local X server N listens, as socket XN
X11_TCP_TIMEOUT = 0.5


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    project_arg = gui_project_argument(args)
    if project_arg is None:
        from annotator import cli

        return cli.main(args)
    if not display_available():
        print(NO_DISPLAY_MESSAGE, file=sys.stderr)
        return 1
    return run_gui(paths.project_location(project_arg or None))


def gui_project_argument(args: Sequence[str]) -> str | None:
    """ "" for a plain GUI start, the FILE of `--project FILE`, or None when the arguments are for the
    CLI (a subcommand, --help, anything else: the CLI owns the usage messages)."""
    if not args:
        return ""
    if len(args) == 1 and args[0].startswith("--project=") and len(args[0]) > len("--project="):
        return args[0].split("=", 1)[1]
    if len(args) == 2 and args[0] == "--project" and not args[1].startswith("-"):
        return args[1]
    return None


def display_available() -> bool:
    """False where Qt would abort for want of a display (Linux without X11/Wayland, or a DISPLAY
    naming an X server that is not there, e.g. a stale one left over from an old session)."""
    if not sys.platform.startswith("linux"):
        return True
    platform = os.environ.get("QT_QPA_PLATFORM", "").strip()
    display = os.environ.get("DISPLAY", "").strip()
    wayland = bool(os.environ.get("WAYLAND_DISPLAY"))
    if platform and not platform.startswith(("xcb", "wayland")):
        return True  # offscreen, minimal, vnc, eglfs...: Qt needs no display server
    if platform.startswith("wayland"):
        return wayland
    x11 = bool(display) and x11_server_reachable(display)
    return x11 if platform.startswith("xcb") else x11 or wayland


def x11_server_reachable(display: str) -> bool:
    """Whether the X server named by `display` (":0", "unix:0", ":0.1", "host:10.0") is there: its
    socket in /tmp/.X11-unix for a local display, a TCP connect to port 6000+N for a remote one.
    A DISPLAY this function cannot read is given the benefit of the doubt."""
    host, sep, rest = display.rpartition(":")
    number = rest.split(".", 1)[0]
    if not sep or not number.isdigit():
        return True
    if host in ("", "unix"):
        return (X11_SOCKET_DIR / f"X{number}").exists()
    try:
        with socket.create_connection((host.strip("[]"), 6000 + int(number)), timeout=X11_TCP_TIMEOUT):
            return True
    except OSError:
        return False


def run_gui(project_path: Path | str) -> int:
    """The frame of the main window first, on screen before SQLAlchemy or the project is loaded,
    saying which project it opens; then the project opens and the same window fills (it opens the
    document of my last session, or the first unfinished one)."""
    from PySide6.QtWidgets import QApplication

    from annotator.ui.pyside_scan import skip_known_modules

    skip_known_modules()  # before the modules below and SQLAlchemy are imported: ~0.2 s less CPU
    from annotator.model.errors import AnnotatorError
    from annotator.ui import settings
    from annotator.ui.first_page import InputDropped, dropped_keys_message
    from annotator.ui.main_window import MainWindow

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1] or ["annotator"])
    app.setApplicationName("annotator")
    app.setApplicationDisplayName("annotator")
    sys.excepthook = _show_uncaught
    name = settings.annotator_name()
    if name is None:
        from annotator.ui.dialogs.first_run import ask_annotator_name

        name = ask_annotator_name(settings.os_user_name())
        if name is None:
            return 0
        settings.set_annotator_name(name)
    window = MainWindow()
    shown = [window]  # the window a SIGTERM closes (the frame may be replaced below)
    restore_terminate = _close_on_terminate(lambda: shown[0].close())
    path: Path | str = project_path
    while True:
        window.show_opening(_shown_name(path))
        window.show()
        typed = InputDropped(app)  # keys and clicks on the frame or kept page (`ui.first_page`)
        failure: AnnotatorError | None = None
        try:
            _paint(app, window)
            _show_first_page(app, window, path, name)
            fill_main_window(window, path)  # the name remembered for that project, else `name`
            typed.flush()
        except AnnotatorError as exc:
            failure = exc
        finally:
            typed.remove()  # before a dialog, which needs them
        if failure is None:
            message = dropped_keys_message(typed.keys)
            if message is not None:
                window.status.post(message)
            break
        from annotator.ui.dialogs.project_error import choose_other_project

        window.drop_first_page()
        if window.composing:
            window.deleteLater()  # half composed: a fresh frame for the next try
            window = shown[0] = MainWindow()
        # A broken default project must not be a dead end: offer another file, a new one, or
        # quitting. The file that failed is never written to.
        failed = path if isinstance(path, Path) else Path.cwd() / "server"
        chosen = choose_other_project(failed, str(failure), window)
        if chosen is None:
            window.close()
            window.deleteLater()
            restore_terminate()
            return 1
        path = chosen
    if not window.isVisible():  # closed by a SIGTERM that came while it opened (run in the flush)
        restore_terminate()
        return 0
    try:
        return int(app.exec())
    finally:
        restore_terminate()


def _show_first_page(app: QApplication, window: MainWindow, location: Path | str, name: str) -> None:
    """A project file left as it was at my last close: its page shown at once (`ui.first_page`)."""
    if isinstance(location, str) and location.startswith(paths.SERVER_URL_PREFIXES):
        return
    from annotator.ui import first_page, settings
    from annotator.ui.main_window import last_document

    project_file = Path(location).expanduser()
    first = first_page.load(project_file, settings.project_annotator_name(project_file) or name)
    if first is None or first.page.get("doc_id") != last_document(project_file):  # not the one it opens
        return
    try:
        window.show_first_page(first, _shown_name(location))
    except (KeyError, TypeError, ValueError):  # a kept page that is not what the app writes: ignored
        return
    _paint(app, window)
    # Painted now: on X11 the update Qt schedules for the new page came after the project had
    # opened, and the frame stayed grey beneath "shown as you left it".
    window.repaint()


def _close_on_terminate(close: Callable[[], object]) -> Callable[[], None]:
    """SIGTERM (`kill`, a logout, a shutdown) closes the window as Ctrl+Q does, once the event loop
    runs: the note being typed and the time spent are saved and the project is closed, its
    write-ahead log folded back into the file. Qt's event loop does not give Python's signal
    handlers a turn by itself, so a timer wakes the interpreter twice a second. Returns what puts
    the previous handler back."""
    import signal

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    previous = signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGTERM, lambda *_: QTimer.singleShot(0, close))
    wake = QTimer(QApplication.instance())
    wake.timeout.connect(lambda: None)
    wake.start(500)

    def restore() -> None:
        wake.stop()
        wake.deleteLater()
        signal.signal(signal.SIGTERM, previous)

    return restore


def _shown_name(location: Path | str) -> str:
    """What the frame calls the project it opens: the file's name, or the server URL without a
    password (by hand: SQLAlchemy's URL parser would load SQLAlchemy before the frame is shown)."""
    if not (isinstance(location, str) and location.startswith(paths.SERVER_URL_PREFIXES)):
        return Path(location).name
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(location)
    userinfo, at, hostport = parts.netloc.rpartition("@")
    if at and ":" in userinfo:
        parts = parts._replace(netloc=f"{userinfo.split(':', 1)[0]}@{hostport}")
    return urlunsplit(parts)


def _paint(app: QApplication, window: QWidget, wait: float = 0.5) -> None:
    """Let the window reach the screen and be painted before the event loop is busy elsewhere: a
    window system may expose it a little after `show` (bounded by `wait` seconds)."""
    handle = window.windowHandle()
    deadline = time.monotonic() + wait
    app.processEvents()
    while handle is not None and not handle.isExposed() and time.monotonic() < deadline:
        time.sleep(0.005)
        app.processEvents()
    app.processEvents()


def build_main_window(
    project_path: Path | str, *, annotator_name: str | None = None, seed: bool | None = None
) -> MainWindow:
    """Open the project and compose the main window on it (not shown; it opens the document of my
    last session, or the first unfinished one, when first shown). A QApplication must exist.
    `seed` imports the bundled corpus into the project; by default only a newly created default
    project is seeded. The window owns the project and closes it when it closes."""
    from annotator.ui.main_window import MainWindow

    window = MainWindow()
    try:
        fill_main_window(window, project_path, annotator_name=annotator_name, seed=seed)
    except BaseException:
        window.deleteLater()
        raise
    return window


def fill_main_window(
    window: MainWindow, project_path: Path | str, *, annotator_name: str | None = None, seed: bool | None = None
) -> None:
    """Open the project and compose `window` (a frame, `MainWindow()`) on it; see build_main_window.
    When this raises, the project is closed again."""
    from annotator.services import team
    from annotator.services.project import Project
    from annotator.ui import settings
    from annotator.ui.context import AppContext

    location: Path | str
    if isinstance(project_path, str) and project_path.startswith(paths.SERVER_URL_PREFIXES):
        location, seed = project_path, bool(seed)  # a server project: never seeded by default
    else:
        location = Path(project_path).expanduser()
        if seed is None:
            seed = not location.exists() and location.resolve() == paths.default_project().resolve()
    project = Project.open(location)
    try:
        if seed:
            seed_project(project)
        # On a server the annotator is the login: the server's row-level security checks exactly that.
        login = team.login_name(project)
        name = (
            login
            or annotator_name
            or settings.project_annotator_name(project.path)
            or settings.annotator_name()
            or settings.os_user_name()
            or "annotator"
        )
        # Opening records nobody: the annotator row is added by my first annotation in this project.
        window.attach(AppContext(project, project.identity(name)))
    except BaseException:
        project.close()
        raise
    if login is None:
        settings.add_recent_project(project.path)
    else:
        settings.add_recent_server(str(location))


def seed_project(project: Project) -> None:
    """Import the bundled corpus (corpus/articles.jsonl) through the ordinary importer."""
    corpus = paths.CORPUS_DIR / "articles.jsonl"
    if not corpus.is_file():
        return
    from annotator.io.importer import import_paths

    report = import_paths(project, [corpus])
    if not report.ok:
        print(f"annotator: the bundled corpus was only partly imported: {report.summary()}", file=sys.stderr)


def _show_uncaught(exc_type: type[BaseException], exc: BaseException, tb: object) -> None:
    """Last resort for errors escaping a slot: a dialog with a sentence, the traceback to the log."""
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)  # type: ignore[arg-type]
        return
    from PySide6.QtWidgets import QApplication

    from annotator.ui.dialogs.errors import describe, show_error

    message = describe(exc, "finish that action")
    print(f"annotator: {message}", file=sys.stderr)
    show_error(QApplication.activeWindow(), "Something went wrong", message)
