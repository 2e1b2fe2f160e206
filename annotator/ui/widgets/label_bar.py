"""`LabelBarWidget`: one coloured button per span label ("Claim  [C]") and a legend, from the scheme.

The buttons never take focus, so clicking one leaves the text selection in the article view where
it was; a click emits `label_clicked(name)` and the tagging panel makes the span.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from annotator.model.scheme import Scheme, SpanLabel
from annotator.ui.widgets.collapsible import CollapsibleBox

_PER_ROW = 3


def pretty_label(name: str) -> str:
    return name.replace("_", " ").capitalize()


def text_color_on(background: str) -> str:
    """Black or white, whichever reads better on `background` (WCAG relative luminance)."""
    color = QColor(background)
    channels = []
    for c in (color.redF(), color.greenF(), color.blueF()):
        channels.append(c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4)
    luminance = 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]
    return "#000000" if luminance > 0.179 else "#ffffff"


def _button_style(label: SpanLabel) -> str:
    border = QColor(label.color).darker(140).name()
    return (
        f"QPushButton {{ background: {label.color}; color: {text_color_on(label.color)}; "
        f"border: 1px solid {border}; border-radius: 4px; padding: 5px 10px; font-weight: 600; }}"
        f"QPushButton:pressed {{ background: {QColor(label.color).darker(115).name()}; }}"
        f"QPushButton:disabled {{ background: palette(button); color: palette(mid); }}"
    )


class LabelBarWidget(QWidget):
    label_clicked = Signal(str)

    def __init__(self, scheme: Scheme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.buttons: dict[str, QPushButton] = {}
        self._grid = QGridLayout()
        self._grid.setContentsMargins(0, 0, 0, 0)
        self.legend = QLabel()
        self.legend.setWordWrap(True)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setObjectName("label_legend")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._grid)
        self.legend_box = CollapsibleBox("Legend", self.legend, expanded=False)
        layout.addWidget(self.legend_box)
        self.set_scheme(scheme)

    def set_scheme(self, scheme: Scheme) -> None:
        for button in self.buttons.values():
            self._grid.removeWidget(button)
            button.deleteLater()
        self.buttons.clear()
        for i, label in enumerate(scheme.active_labels):
            button = QPushButton(f"{pretty_label(label.name)}  [{label.key}]")
            button.setObjectName(f"label_button_{label.name}")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setToolTip(f"{label.description or label.name}\nSelect text, then press {label.key}")
            button.setStyleSheet(_button_style(label))
            button.clicked.connect(lambda _c=False, n=label.name: self.label_clicked.emit(n))
            self._grid.addWidget(button, i // _PER_ROW, i % _PER_ROW)
            self.buttons[label.name] = button
        self.legend.setText(self._legend_html(scheme))

    def _legend_html(self, scheme: Scheme) -> str:
        rows = []
        for label in scheme.active_labels:
            swatch = f'<span style="background:{label.color}">&nbsp;&nbsp;&nbsp;&nbsp;</span>'
            desc = f" — {label.description}" if label.description else ""
            rows.append(f"{swatch}&nbsp;<b>{label.name}</b> [{label.key}]{desc}")
        for rel in scheme.relations:
            rows.append(f"<i>{rel.name.replace('_', ' ')}</i>: {rel.from_label} → {rel.to_label} (pick with A)")
        return "<small>" + "<br>".join(rows) + "</small>"
