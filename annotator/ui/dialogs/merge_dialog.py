"""File > Merge colleague's work…: pick their project files or annotation JSONL and merge them in.

`MergeFlow` owns the conversation: the file dialog, the merge itself (`services.merge.merge_paths`,
one transaction for all chosen files) in the background worker, and name clashes. When a colleague's
name belongs to a different person here, the merge keeps nothing and raises `NameClashError`; the flow
then asks for a new name for each clashing name (prefilled "alice_2"), one dialog after the other,
and merges again with those renames. At the end it tells every view what changed and reports what
came in, in the status bar and a message box.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMessageBox, QWidget

from annotator.model.changes import Changes
from annotator.ui.context import AppContext

if TYPE_CHECKING:
    from annotator.services.merge import MergeReport
    from annotator.ui.workers import BackgroundTask

MERGE_FILTER = "Project files and annotation JSONL (*.db *.sqlite *.annotator *.jsonl);;All files (*)"

Runner = Callable[
    [str, str, Callable[[Any, Any], Any], Callable[[Any], None], str, Callable[[BaseException], bool]], "BackgroundTask"
]


def summarize(reports: Sequence[MergeReport]) -> tuple[str, str]:
    """(one status-bar line, the per-file details) for finished merges."""
    if all(r.unchanged for r in reports):
        return "Merge finished: nothing new (everything was already here)", ""
    totals = {
        "documents": sum(r.counts.documents_added for r in reports),
        "spans": sum(r.counts.spans_added + r.counts.spans_updated for r in reports),
        "relations": sum(r.counts.relations_added for r in reports),
        "stances": sum(r.counts.stances_added + r.counts.stances_updated for r in reports),
    }
    people = sorted({name for r in reports for name in r.annotators.values()})
    line = "Merged " + ", ".join(f"{n} {what}" for what, n in totals.items() if n)
    line += f" from {', '.join(people)}" if people else ""
    details = []
    for r in reports:
        who = ", ".join(f"{theirs} → {ours}" if theirs != ours else ours for theirs, ours in r.annotators.items())
        c = r.counts
        details.append(
            f"{r.path.name}: {who or 'no annotators'}\n"
            f"  {c.documents_added} documents added, {c.spans_added} spans added, {c.spans_updated} updated, "
            f"{c.relations_added} relations, {c.stances_added + c.stances_updated} stances, "
            f"{c.statuses_updated} statuses" + (f", {c.skipped} skipped" if c.skipped else "")
        )
    return line, "\n".join(details)


def suggest_name(name: str, taken: set[str]) -> str:
    n = 2
    while f"{name}_{n}" in taken:
        n += 1
    return f"{name}_{n}"


class MergeFlow(QObject):
    """One merge at a time; `finished(list[MergeReport])` after a successful merge."""

    message_posted = Signal(str)
    finished = Signal(object)

    def __init__(self, ctx: AppContext, window: QWidget, run: Runner) -> None:
        super().__init__(window)
        self._ctx = ctx
        self._window = window
        self._run = run  # FileOperations' background runner (so closing waits for the job)
        self._paths: list[Path] = []
        self._renames: dict[str, str] = {}
        self._pending: list[str] = []
        self.rename_dialog: QInputDialog | None = None
        self.report_box: QMessageBox | None = None

    def choose(self) -> None:
        chosen, _ = QFileDialog.getOpenFileNames(
            self._window, "Merge colleague's work", str(self._ctx.project.path.parent), MERGE_FILTER
        )
        if chosen:
            self.start([Path(p) for p in chosen])

    def start(self, paths: Sequence[Path], renames: Mapping[str, str] | None = None) -> BackgroundTask | None:
        """Merge `paths` (project files or annotation JSONL) in the background."""
        self._paths = [Path(p) for p in paths]
        self._renames = dict(renames or {})
        mine = {p.resolve() for p in self._paths} & {self._ctx.project.path.resolve()}
        if mine:
            self.message_posted.emit("That is this project's own file; choose a colleague's file")
            return None
        project, paths_now, renames_now = self._ctx.project, list(self._paths), dict(self._renames)

        def job(progress: Callable[[int, int], None], cancel: Callable[[], bool]) -> Any:
            from annotator.services.merge import merge_paths

            return merge_paths(project, paths_now, renames_now, progress=progress, cancel=cancel)

        names = ", ".join(p.name for p in self._paths[:3]) + (" …" if len(self._paths) > 3 else "")
        return self._run("Merge", f"Merging {names}", job, self._on_done, "merge the files", self._on_failed)

    # -- outcomes --------------------------------------------------------------------------------

    def _on_done(self, reports: list[MergeReport]) -> None:
        changes = Changes(annotators=True)
        for report in reports:
            changes = changes | report.changes
        self._ctx.notify(changes)
        line, details = summarize(reports)
        self.message_posted.emit(line)
        box = QMessageBox(
            QMessageBox.Icon.Information, "Merge finished", line, QMessageBox.StandardButton.Ok, self._window
        )
        box.setObjectName("merge_report_box")
        if details:
            box.setInformativeText("Their layers are shown in the Layers panel. Review > Review mode compares them.")
            box.setDetailedText(details)
        box.finished.connect(box.deleteLater)
        box.open()
        self.report_box = box
        self.finished.emit(reports)

    def _on_failed(self, exc: BaseException) -> bool:
        """Handle a name clash by asking for renames; False: let the caller report the error."""
        from annotator.services.merge import NameClashError

        if not isinstance(exc, NameClashError):
            return False
        self._pending = list(exc.names)
        self.message_posted.emit(f"Name clash: {', '.join(exc.names)}; nothing was merged yet")
        self._ask_next()
        return True

    def _ask_next(self) -> None:
        if not self._pending:
            self.start(self._paths, self._renames)
            return
        theirs = self._pending[0]
        taken = {a.name for a in self._ctx.project.annotators()} | set(self._renames.values())
        dialog = QInputDialog(self._window)
        dialog.setObjectName("merge_rename_dialog")
        dialog.setWindowTitle("Same name, different person")
        dialog.setLabelText(
            f"“{theirs}” in the merged file is a different person from “{theirs}” here.\n"
            f"Under which name should their work come in?"
        )
        dialog.setTextEchoMode(QLineEdit.EchoMode.Normal)
        dialog.setTextValue(suggest_name(self._renames.get(theirs, theirs), taken))
        dialog.accepted.connect(lambda: self._on_rename_chosen(theirs, dialog.textValue()))
        dialog.rejected.connect(self._on_rename_cancelled)
        dialog.finished.connect(dialog.deleteLater)
        self.rename_dialog = dialog
        dialog.open()

    def _on_rename_chosen(self, theirs: str, name: str) -> None:
        name = name.strip()
        if not name:
            self._ask_next()
            return
        self._renames[theirs] = name
        self._pending.pop(0)
        self._ask_next()

    def _on_rename_cancelled(self) -> None:
        self._pending = []
        self.message_posted.emit("Merge cancelled; nothing was merged")
