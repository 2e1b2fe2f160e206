"""The File menu's work: new/open project, import, export, merging colleagues' work, changing my name.

Each operation asks what it needs (file dialogs, the export dialog), runs long jobs through
`workers.run_in_background`, and reports the outcome in a dialog or the status bar. Project files are
only ever opened through `Project.open`: a file that is not a project, is corrupt or is from a newer
version raises `ProjectFileError`, shown as it is, and the file is left untouched. The io modules are
imported on first use so that they cost nothing at start-up.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from annotator import paths
from annotator.model.changes import Changes
from annotator.model.errors import AnnotatorError
from annotator.model.types import Annotator
from annotator.services import team
from annotator.services.project import SERVER_COPY, Project
from annotator.ui import settings
from annotator.ui.context import AppContext

if TYPE_CHECKING:
    from annotator.io.export_layers import ExportReport
    from annotator.io.import_report import ImportReport
    from annotator.ui.dialogs.export_dialog import ExportChoice
    from annotator.ui.dialogs.import_dialog import ImportChoice
    from annotator.ui.dialogs.merge_dialog import MergeFlow
    from annotator.ui.workers import BackgroundTask

PROJECT_FILTER = "Annotator projects (*.db *.sqlite *.annotator);;All files (*)"
IMPORT_FILTER = "Articles and annotations (*.txt *.csv *.jsonl);;All files (*)"
Result = TypeVar("Result")


class FileOperations(QObject):
    """Owned by the main window; `message_posted` goes to its status bar."""

    message_posted = Signal(str)
    project_replacing = Signal()  # last chance to write to the old project (time spent, notes)
    import_finished = Signal(object)  # ImportReport
    export_finished = Signal(object)  # ExportReport
    merge_finished = Signal(object)  # list[MergeReport]
    copy_finished = Signal(object)  # Path of the copy

    def __init__(self, ctx: AppContext, window: QWidget) -> None:
        super().__init__(window)
        self._ctx = ctx
        self._window = window
        self.task: BackgroundTask | None = None
        self._merge_flow: MergeFlow | None = None
        self.connect_dialog: QWidget | None = None
        # Who I am: in review mode `ctx.annotator` is gold, so the main window points this at the
        # reviewer's own annotator for opening projects and changing names.
        self.my_name: Callable[[], str] = lambda: self._ctx.annotator.name

    # --- projects -------------------------------------------------------------------------

    def new_project(self) -> None:
        scheme_path = self.choose_scheme()
        if scheme_path is None:
            return
        chosen, _ = QFileDialog.getSaveFileName(self._window, "New project", str(self._start_dir()), PROJECT_FILTER)
        if chosen:
            path = Path(chosen)
            if path.suffix == "":
                path = path.with_suffix(".db")
            if path.exists():
                self._error(
                    "Could not create the project",
                    f"{path} already exists; new projects never overwrite a file.",
                    "Use File > Open project to open it, or choose another name.",
                )
                return
            self.open_path(path, create=True, scheme_path=scheme_path)

    def choose_scheme(self) -> Path | None:
        """Ask which scheme a new project starts with: the default, a shipped example, or a file."""
        from PySide6.QtWidgets import QInputDialog

        from annotator.model.scheme import load_scheme_file

        shipped: dict[str, Path] = {}
        for path in paths.shipped_schemes():
            try:
                scheme = load_scheme_file(path)
            except AnnotatorError:
                continue
            title = "Default: " if path == paths.DEFAULT_SCHEME else ""
            shipped[f"{title}{scheme.name} — {scheme.description or path.stem}"] = path
        from_file = "From a file…"
        choice, ok = QInputDialog.getItem(
            self._window, "New project", "Scheme for the new project:", [*shipped, from_file], 0, False
        )
        if not ok:
            return None
        if choice != from_file:
            return shipped[choice]
        chosen, _ = QFileDialog.getOpenFileName(
            self._window, "Scheme file", str(self._start_dir()), "Scheme files (*.toml);;All files (*)"
        )
        return Path(chosen) if chosen else None

    def open_project(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(self._window, "Open project", str(self._start_dir()), PROJECT_FILTER)
        if chosen:
            self.open_path(Path(chosen))

    def open_path(
        self, path: Path, *, create: bool = False, name: str | None = None, scheme_path: Path | None = None
    ) -> bool:
        """Switch the window to the project at `path`. Returns False (after saying why) on failure."""
        try:
            project = Project.open(path, create=create, scheme_path=scheme_path if create else None)
        except AnnotatorError as exc:
            self._error("Could not open the project", str(exc), "Choose another file; this one was not changed.")
            return False
        try:
            me = project.identity(name or settings.name_for_project(project.path) or self.my_name())
        except AnnotatorError as exc:
            project.close()
            self._error("Could not open the project", str(exc))
            return False
        self._switch_to(project, me)
        settings.add_recent_project(project.path)
        return True

    def connect_server(self) -> None:
        """File > Connect to server…"""
        from annotator.ui.dialogs.connect_dialog import ConnectDialog

        dialog = ConnectDialog(settings.recent_servers(), self.open_server, self._window)
        dialog.finished.connect(dialog.deleteLater)
        self.connect_dialog = dialog
        dialog.open()

    def open_server(self, url: str) -> str | None:
        """Switch the window to the project on the server `url` names, as its login: None when done,
        else the one-line reason it could not (the current project stays open)."""
        try:
            project = team.connect(url)
        except AnnotatorError as exc:
            return str(exc)
        try:
            # On a server the annotator is the login: the server's row-level security checks exactly that.
            me = project.identity(team.login_name(project) or self.my_name())
        except AnnotatorError as exc:
            project.close()
            return str(exc)
        self._switch_to(project, me)
        settings.add_recent_server(url)
        return None

    def reopen_server(self, url: str) -> None:
        """Open recent > a server: like Connect, with a failure shown in a dialog."""
        error = self.open_server(url)
        if error is not None:
            self._error(
                "Could not connect to the server", error, "Check the server, then try File > Connect to server."
            )

    def server_url(self) -> str | None:
        """The open server project's URL without a password; None for a project file."""
        return team.remembered_url(self._ctx.project)

    def _switch_to(self, project: Project, me: Annotator) -> None:
        self.project_replacing.emit()
        self._ctx.replace_project(project, me)
        self.message_posted.emit(f"Opened {team.location_shown(project)}")

    def change_name(self) -> None:
        from annotator.ui.dialogs.first_run import AnnotatorNameDialog

        dialog = AnnotatorNameDialog(self.my_name(), self._window, first_run=False)
        dialog.accepted.connect(lambda: self.set_name(dialog.name()))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def set_name(self, name: str) -> None:
        """Record new annotations in this project under `name` (remembered for this project only):
        reopen the project as that annotator."""
        name = name.strip()
        if not name or name == self.my_name():
            return
        settings.set_project_annotator_name(self._ctx.project.path, name)
        if self.open_path(self._ctx.project.path, name=name):
            self.message_posted.emit(f"Now annotating as {name}")

    # --- import / export --------------------------------------------------------------------

    def import_files(self) -> None:
        chosen, _ = QFileDialog.getOpenFileNames(self._window, "Import articles", str(self._start_dir()), IMPORT_FILTER)
        if chosen:
            self.import_paths([Path(p) for p in chosen])

    def import_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self._window, "Import a folder", str(self._start_dir()))
        if chosen:
            self.import_paths([Path(chosen)])

    def import_paths(self, paths: list[Path]) -> BackgroundTask:
        from annotator.io.importer import import_paths

        project = self._ctx.project

        def job(progress: Callable[[int, int], None], cancel: Callable[[], bool]) -> ImportReport:
            return import_paths(project, paths, progress=progress, cancel=cancel)

        names = ", ".join(p.name for p in paths[:3]) + (" …" if len(paths) > 3 else "")
        return self._run("Import", f"Importing {names}", job, self._on_import_done, "import the articles")

    def import_other(self) -> None:
        """File > Import from another tool…: brat, Label Studio, doccano or INCEpTION XMI."""
        from annotator.ui.dialogs.import_dialog import ImportDialog

        dialog = ImportDialog(self._start_dir(), self._window)
        dialog.accepted.connect(lambda: self.start_import(dialog.choice()))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def start_import(self, choice: ImportChoice) -> BackgroundTask:
        project, paths, who = self._ctx.project, list(choice.paths), choice.annotator

        def job(progress: Callable[[int, int], None], cancel: Callable[[], bool]) -> ImportReport:
            if choice.fmt == "brat":
                from annotator.io.brat_import import import_brat

                return import_brat(project, paths, annotator=who, progress=progress, cancel=cancel).report
            if choice.fmt == "labelstudio":
                from annotator.io.labelstudio_import import import_labelstudio

                return import_labelstudio(project, paths, annotator=who, progress=progress, cancel=cancel)
            if choice.fmt == "doccano":
                from annotator.io.doccano import import_doccano

                return import_doccano(project, paths, annotator=who, progress=progress, cancel=cancel)
            from annotator.io.xmi import import_xmi

            return import_xmi(project, paths, annotator=who, progress=progress, cancel=cancel)

        names = ", ".join(p.name for p in paths[:3]) + (" …" if len(paths) > 3 else "")
        return self._run("Import", f"Importing {names}", job, self._on_import_done, "import the annotations")

    def export(self) -> None:
        from annotator.ui.dialogs.export_dialog import ExportDialog

        dialog = ExportDialog(
            self._ctx.project.path,
            self.my_name(),
            self._window,
            annotators=[a.name for a in self._ctx.project.annotators()],
        )
        dialog.accepted.connect(lambda: self.start_export(dialog.choice()))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def start_export(self, choice: ExportChoice) -> BackgroundTask:
        project = self._ctx.project
        choice.out_path.parent.mkdir(parents=True, exist_ok=True)  # the Documents folder may not exist yet

        def job(progress: Callable[[int, int], None], cancel: Callable[[], bool]) -> ExportReport:
            if choice.fmt == "csv":
                from annotator.io.export_csv import export_csv

                return export_csv(
                    project, choice.out_path, annotator=choice.annotator, progress=progress, cancel=cancel
                )
            if choice.fmt == "xlsx":
                from annotator.io.export_xlsx import export_xlsx

                return export_xlsx(
                    project, choice.out_path, annotator=choice.annotator, progress=progress, cancel=cancel
                )
            if choice.fmt == "brat":
                from annotator.io.brat_export import export_brat

                return export_brat(
                    project, choice.out_path, annotator=choice.annotator, progress=progress, cancel=cancel
                )
            if choice.fmt == "xmi":
                from annotator.io.xmi import export_xmi

                return export_xmi(
                    project, choice.out_path, annotator=choice.annotator, progress=progress, cancel=cancel
                )
            if choice.fmt in ("labelstudio", "doccano"):
                from annotator.io.doccano import export_doccano
                from annotator.io.labelstudio import export_labelstudio

                writer = export_labelstudio if choice.fmt == "labelstudio" else export_doccano
                return writer(project, choice.out_path, annotator=choice.annotator, progress=progress, cancel=cancel)
            from annotator.io.export_jsonl import export_jsonl

            return export_jsonl(project, choice.out_path, annotator=choice.annotator, progress=progress, cancel=cancel)

        def done(report: ExportReport) -> None:
            self.message_posted.emit(f"Exported to {choice.out_path}")
            self.export_finished.emit(report)

        return self._run("Export", f"Exporting to {choice.out_path}", job, done, "export the annotations")

    # --- merge ------------------------------------------------------------------------------

    @property
    def merge_flow(self) -> MergeFlow:
        if self._merge_flow is None:
            from annotator.ui.dialogs.merge_dialog import MergeFlow

            self._merge_flow = MergeFlow(self._ctx, self._window, self._run)
            self._merge_flow.message_posted.connect(self.message_posted)
            self._merge_flow.finished.connect(self.merge_finished)
        return self._merge_flow

    def merge(self) -> None:
        """File > Merge colleague's work…"""
        self.merge_flow.choose()

    def merge_paths(self, paths: list[Path], renames: dict[str, str] | None = None) -> BackgroundTask | None:
        return self.merge_flow.start(paths, renames)

    # --- a copy of the project ---------------------------------------------------------------

    def save_copy(self) -> None:
        """File > Save a copy of the project…: the one safe way to copy a project file while it is
        open (the .db file alone can lack changes still in its WAL)."""
        project = self._ctx.project
        if project.store.url is not None:
            self.message_posted.emit(SERVER_COPY[0].upper() + SERVER_COPY[1:])
            return
        from datetime import date

        suggested = project.path.with_name(f"{project.path.stem}-copy-{date.today().isoformat()}.db")
        while True:  # a copy is always a new file: the dialog does not offer to replace one, it asks again
            chosen, _ = QFileDialog.getSaveFileName(
                self._window,
                "Save a copy of the project",
                str(suggested),
                "Annotator projects (*.db);;All files (*)",
                options=QFileDialog.Option.DontConfirmOverwrite,
            )
            if not chosen:
                return
            if not Path(chosen).exists():
                self.start_copy(Path(chosen))
                return
            QMessageBox.information(
                self._window,
                "Save a copy of the project",
                f"{chosen} already exists. A copy is always saved as a new file: choose another name.",
            )
            suggested = Path(chosen)

    def start_copy(self, target: Path) -> BackgroundTask:
        project = self._ctx.project

        def job(progress: Callable[[int, int], None], cancel: Callable[[], bool]) -> Path:
            return project.save_copy(target, progress, cancel)

        def done(path: Path) -> None:
            self.message_posted.emit(f"Saved a copy of the project as {path}")
            self.copy_finished.emit(path)

        return self._run("Copy", f"Copying the project to {target}", job, done, "copy the project")

    # --- plumbing ---------------------------------------------------------------------------

    def _run(
        self,
        title: str,
        label: str,
        job: Callable[[Callable[[int, int], None], Callable[[], bool]], Result],
        on_done: Callable[[Result], None],
        doing: str,
        handled: Callable[[BaseException], bool] | None = None,
    ) -> BackgroundTask:
        """Run `job` in the background; `handled(exc)` may take over a failure (True) before the
        error dialog."""
        from annotator.ui.workers import run_in_background

        # A long write that must wait for another program says so in the status bar (the signal
        # crosses from the worker thread to the window's thread as a queued call).
        self._ctx.project.store.on_wait = self.message_posted.emit

        def failed(exc: BaseException) -> None:
            from annotator.ui.dialogs.errors import describe

            if handled is not None and handled(exc):
                return
            self._error(f"{title} failed", describe(exc, doing))

        def cancelled() -> None:
            self.message_posted.emit(f"{title} cancelled; nothing was kept")

        self.task = run_in_background(self._window, title, label, job, on_done, failed, cancelled)
        return self.task

    def _on_import_done(self, report: ImportReport) -> None:
        changes = Changes(documents=True)
        if report.annotations_added.total():
            # Annotation records may add to the open document: its article and tables reload.
            current = self._ctx.current_doc_id
            touched: frozenset[int] = frozenset() if current is None else frozenset({current})
            changes |= Changes(touched, spans=True, relations=True, stances=True, status=True, annotators=True)
        self._ctx.notify(changes)
        summary = report.summary()
        self.message_posted.emit(summary.splitlines()[0] if summary else "Import finished")
        box = QMessageBox(
            QMessageBox.Icon.Information if report.ok else QMessageBox.Icon.Warning,
            "Import finished",
            summary,
            QMessageBox.StandardButton.Ok,
            self._window,
        )
        box.setObjectName("import_report_box")
        if report.rejected:
            box.setInformativeText(
                "Some files or records were rejected; the rest were imported. "
                "Fix the lines named under Show Details and import those files again."
            )
            box.setDetailedText("\n".join(str(r) for r in report.rejected))
        box.finished.connect(box.deleteLater)
        box.open()
        self.import_finished.emit(report)

    def _error(self, title: str, message: str, hint: str = "") -> None:
        from annotator.ui.dialogs.errors import show_error

        show_error(self._window, title, message, hint)

    def _start_dir(self) -> Path:
        return self._ctx.project.path.parent
