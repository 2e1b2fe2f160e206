"""The Import dialog for other tools' annotations: brat standoff, Label Studio, doccano, INCEpTION XMI.

File > Import from another tool… opens it. The user picks a format, then files (or, for brat and XMI,
a folder) and optionally whose annotations they are; `choice()` is read after `accepted` and
`FileOperations.start_import` runs the matching importer in the background with the same progress
and Cancel as the article import. Articles (.txt, .csv) and annotation JSONL keep File > Import
articles…, which reads them by extension.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

FORMATS = (
    ("brat", "brat standoff (.ann files with their .txt, or a folder of them)"),
    ("labelstudio", "Label Studio tasks (.json, annotations and predictions)"),
    ("doccano", "doccano JSONL (entities and relations)"),
    ("xmi", "INCEpTION / WebAnno UIMA CAS XMI (.xmi files, or a folder with TypeSystem.xml)"),
)
FOLDER_FORMATS = frozenset({"brat", "xmi"})
FILTERS = {
    "brat": "brat annotations (*.ann);;All files (*)",
    "labelstudio": "Label Studio JSON (*.json);;All files (*)",
    "doccano": "doccano JSON Lines (*.jsonl *.json);;All files (*)",
    "xmi": "UIMA CAS XMI (*.xmi);;All files (*)",
}
PATH_SEPARATOR = "; "
_HINTS = {
    "brat": "Each NAME.ann is read with NAME.txt (beside it or anywhere among the chosen paths); "
    "whose annotations: NAME_X.ann names annotator X, otherwise the name below, else the folder's name.",
    "labelstudio": "Each task's text becomes a document; annotations and predictions become layers of "
    "their annotator (the name below where a task names none). Offsets are converted from UTF-16 units.",
    "doccano": "Each line's text becomes a document; its entities and relations become the layer of the "
    "name below (default: doccano). Offsets are converted from UTF-16 units.",
    "xmi": "Each .xmi is one document's CAS in the type system annotator writes; the annotator is the "
    "file's folder name, else the name below.",
}


@dataclass(frozen=True)
class ImportChoice:
    fmt: str
    paths: tuple[Path, ...]
    annotator: str | None  # None: as the files say (folder name, task annotator, ...)


class ImportDialog(QDialog):
    """Non-blocking when opened with `open()`: read `choice()` after `accepted`."""

    def __init__(self, start_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("import_dialog")
        self.setWindowTitle("Import from another tool")
        self._start = start_dir
        self.format_combo = QComboBox(self)
        self.format_combo.setObjectName("import_format_combo")
        for key, text in FORMATS:
            self.format_combo.addItem(text, key)
        self.path_edit = QLineEdit(self)
        self.path_edit.setObjectName("import_path_edit")
        self.path_edit.setPlaceholderText("files or a folder")
        self.files_button = QPushButton("Files…", self)
        self.folder_button = QPushButton("Folder…", self)
        self.annotator_edit = QLineEdit(self)
        self.annotator_edit.setObjectName("import_annotator_edit")
        self.annotator_edit.setPlaceholderText("as the files say")
        self.hint = QLabel(self)
        self.hint.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Import")
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(self.files_button)
        path_row.addWidget(self.folder_button)
        form = QFormLayout()
        form.addRow("Format", self.format_combo)
        form.addRow("Read", path_row)
        form.addRow("Annotator", self.annotator_edit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.hint)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)
        self.format_combo.currentIndexChanged.connect(self._refresh)
        self.path_edit.textChanged.connect(self._refresh)
        self.files_button.clicked.connect(self._on_files_button_clicked)
        self.folder_button.clicked.connect(self._on_folder_button_clicked)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self._refresh()

    def fmt(self) -> str:
        return str(self.format_combo.currentData())

    def set_format(self, fmt: str) -> None:
        self.format_combo.setCurrentIndex(self.format_combo.findData(fmt))

    def paths(self) -> tuple[Path, ...]:
        parts = (p.strip() for p in self.path_edit.text().split(PATH_SEPARATOR.strip()))
        return tuple(Path(p).expanduser() for p in parts if p)

    def set_paths(self, paths: list[Path]) -> None:
        self.path_edit.setText(PATH_SEPARATOR.join(str(p) for p in paths))

    def choice(self) -> ImportChoice:
        return ImportChoice(self.fmt(), self.paths(), self.annotator_edit.text().strip() or None)

    def _refresh(self) -> None:
        self.folder_button.setEnabled(self.fmt() in FOLDER_FORMATS)
        paths = self.paths()
        missing = [p for p in paths if not p.exists()]
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(paths) and not missing)
        if missing:
            self.hint.setText(f"{missing[0]} does not exist.")
        else:
            self.hint.setText(_HINTS[self.fmt()] + " A file with a bad line is named and nothing of it is kept.")

    def _on_files_button_clicked(self) -> None:
        chosen, _ = QFileDialog.getOpenFileNames(self, "Import files", str(self._start), FILTERS[self.fmt()])
        if chosen:
            self.set_paths([Path(p) for p in chosen])

    def _on_folder_button_clicked(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Import a folder", str(self._start))
        if chosen:
            self.set_paths([Path(chosen)])
