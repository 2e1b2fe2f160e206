"""The Export dialog: format (CSV tables, annotation JSONL, Excel workbook or brat standoff), where to
write, and whose annotations.

It suggests the user's Documents folder and a name after the project, never one already there
("news-export-2" when "news-export" exists); a path typed or browsed to that exists is said to be
replaced in the hint. The layer choice lists "All annotators", then mine, then the adjudicated gold layer, then each
colleague; the choice's `annotator` is the layer name handed to export_csv/export_jsonl (None for all).
"""

from __future__ import annotations

from collections.abc import Sequence
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

from annotator import paths
from annotator.model.types import GOLD, is_gold_name

FORMATS = (
    ("csv", "CSV tables (a folder of .csv files)"),
    ("jsonl", "Annotation JSONL (one file)"),
    ("xlsx", "Excel workbook (one .xlsx file, a sheet per table)"),
    ("brat", "brat standoff (a new folder of .txt + .ann files)"),
    ("labelstudio", "Label Studio tasks (one .json file and its labeling config)"),
    ("doccano", "doccano JSONL (entities and relations)"),
    ("xmi", "INCEpTION UIMA CAS XMI (a new folder)"),
)
FOLDER_FORMATS = frozenset({"csv", "brat", "xmi"})
_SUFFIXES = {
    "csv": "-export",
    "jsonl": ".jsonl",
    "xlsx": ".xlsx",
    "brat": "-brat",
    "labelstudio": "-labelstudio.json",
    "doccano": "-doccano.jsonl",
    "xmi": "-xmi",
}
_FILTERS = {
    "jsonl": "JSON Lines (*.jsonl)",
    "xlsx": "Excel workbook (*.xlsx)",
    "labelstudio": "JSON (*.json)",
    "doccano": "JSON Lines (*.jsonl)",
}


@dataclass(frozen=True)
class ExportChoice:
    fmt: str
    out_path: Path
    annotator: str | None  # None: every annotator's layer


class ExportDialog(QDialog):
    """Non-blocking when opened with `open()`: read `choice()` after `accepted`."""

    def __init__(
        self,
        project_path: Path,
        my_name: str,
        parent: QWidget | None = None,
        *,
        annotators: Sequence[str] = (),
        folder: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("export_dialog")
        self.setWindowTitle("Export annotations")
        self._base = folder if folder is not None else paths.documents_dir()
        self._suggested: set[str] = set()
        self._stem = project_path.name.split(".")[0] or "annotations"
        self.format_combo = QComboBox(self)
        for key, text in FORMATS:
            self.format_combo.addItem(text, key)
        self.path_edit = QLineEdit(self)
        self.browse_button = QPushButton("Browse…", self)
        self.layer_combo = QComboBox(self)
        self.layer_combo.setObjectName("layer_combo")
        for text, name in layer_choices(my_name, annotators):
            self.layer_combo.addItem(text, name)
        self.hint = QLabel(self)
        self.hint.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export")
        self._my_name = my_name
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(self.browse_button)
        form = QFormLayout()
        form.addRow("Format", self.format_combo)
        form.addRow("Save to", path_row)
        form.addRow("Annotations", self.layer_combo)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.hint)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)
        self._connect_signals()
        self._on_format_combo_changed()

    def _connect_signals(self) -> None:
        self.format_combo.currentIndexChanged.connect(self._on_format_combo_changed)
        self.layer_combo.currentIndexChanged.connect(self._on_layer_combo_changed)
        self.path_edit.textChanged.connect(self._on_path_edit_changed)
        self.browse_button.clicked.connect(self._on_browse_button_clicked)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def fmt(self) -> str:
        return str(self.format_combo.currentData())

    def layer(self) -> str | None:
        """The annotator layer to export (None: all)."""
        name = self.layer_combo.currentData()
        return None if name is None else str(name)

    def set_layer(self, name: str | None) -> bool:
        index = self.layer_combo.findData(name)
        if index >= 0:
            self.layer_combo.setCurrentIndex(index)
        return index >= 0

    def choice(self) -> ExportChoice:
        return ExportChoice(self.fmt(), Path(self.path_edit.text().strip()).expanduser(), self.layer())

    def _default_path(self) -> Path:
        """`<project><suffix>` in the folder, or the first `<project>-export-2`-like name not there."""
        suffix = _SUFFIXES[self.fmt()]
        dot = suffix.find(".")
        head, tail = (suffix, "") if dot < 0 else (suffix[:dot], suffix[dot:])
        number = 1
        while True:
            path = self._base / f"{self._stem}{head}{f'-{number}' if number > 1 else ''}{tail}"
            if not path.exists():
                return path
            number += 1

    def _on_format_combo_changed(self) -> None:
        current = self.path_edit.text().strip()
        if not current or current in self._suggested:
            suggestion = str(self._default_path())
            self._suggested.add(suggestion)
            self.path_edit.setText(suggestion)
        self._on_path_edit_changed(self.path_edit.text())

    def _on_path_edit_changed(self, text: str) -> None:
        path = Path(text.strip()).expanduser() if text.strip() else None
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        if path is None:
            ok.setEnabled(False)
            self.hint.setText("Choose where to write the export.")
            return
        ok.setEnabled(True)
        if self.fmt() == "csv":
            text = (
                f"Writes documents.csv, spans.csv, relations.csv, stances.csv, status.csv, claims.csv and "
                f"comments.csv "
                f"into the folder {path}"
                + (" (it exists: those files in it are replaced)." if path.exists() else " (created).")
            )
        elif self.fmt() == "xlsx":
            text = f"Writes the same six tables as sheets of one workbook, {path}" + (
                " (replaces the existing file)." if path.exists() else "."
            )
        elif self.fmt() == "brat":
            text = (
                f"Writes a folder per annotator with a .txt and .ann per document, and annotation.conf, "
                f"into {path} (a new or empty folder). Stances and statuses have no place in brat."
            )
        elif self.fmt() == "xmi":
            text = (
                f"Writes TypeSystem.xml and a folder per annotator with one .xmi per document into {path} "
                f"(a new or empty folder), for INCEpTION."
            )
        elif self.fmt() == "labelstudio":
            text = (
                f"Writes one Label Studio task per document to {path} (offsets in code points) and the "
                f"labeling config beside it. Relation roles and attributes and statuses are left out."
            ) + (" It replaces the existing file." if path.exists() else "")
        elif self.fmt() == "doccano":
            text = f"Writes one doccano line per document and annotator to {path}" + (
                " (replaces the existing file)." if path.exists() else "."
            )
        else:
            text = f"Writes one line per document and annotator to {path}" + (
                " (replaces the existing file)." if path.exists() else "."
            )
        self.hint.setText(f"{text} {self._layer_hint()}")

    def _layer_hint(self) -> str:
        layer = self.layer()
        if layer is None:
            return "Every annotator's layer is included, each row naming its annotator."
        if is_gold_name(layer):
            return "Only the adjudicated gold layer: the reviewed dataset."
        return f"Only {layer}'s annotations."

    def _on_layer_combo_changed(self) -> None:
        self._on_path_edit_changed(self.path_edit.text())

    def _on_browse_button_clicked(self) -> None:
        if self.fmt() in FOLDER_FORMATS:
            chosen = QFileDialog.getExistingDirectory(self, "Export to folder", str(self._base))
        else:
            chosen, _ = QFileDialog.getSaveFileName(
                self, "Export to file", str(self._default_path()), _FILTERS[self.fmt()]
            )
        if chosen:
            self.path_edit.setText(chosen)


def layer_choices(my_name: str, annotators: Sequence[str]) -> list[tuple[str, str | None]]:
    """(combo text, layer name) pairs: all, mine, gold (when the project has it), then colleagues."""
    choices: list[tuple[str, str | None]] = [("All annotators", None), (f"Only mine ({my_name})", my_name)]
    if GOLD in annotators and my_name != GOLD:
        choices.append(("Gold (the adjudicated layer)", GOLD))
    choices += [(f"Only {name}'s", name) for name in sorted(set(annotators) - {my_name, GOLD}, key=str.casefold)]
    return choices
