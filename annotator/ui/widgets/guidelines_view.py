"""`GuidelinesViewWidget`: the project's guidelines (Markdown) and every element's description.

Shown in the Guidelines dock. Generated from the scheme alone: the project's guideline text, then
each label with its key and description, its attributes and their values, the relation types, the
stance targets and the stance values, so what annotators read is what the scheme says.
"""

from __future__ import annotations

from PySide6.QtWidgets import QTextBrowser, QVBoxLayout, QWidget

from annotator.model.scheme import Scheme
from annotator.ui.context import AppContext


def guidelines_markdown(scheme: Scheme) -> str:
    """The guideline text followed by a reference of every element and its description."""

    def line(name: str, description: str, indent: str = "") -> str:
        return f"{indent}- **{name}**" + (f": {description}" if description else "")

    out = [scheme.guidelines.strip() or f"# {scheme.name}", "", "## Labels", ""]
    for lab in scheme.active_labels:
        out.append(line(f"{lab.name}", f"(key {lab.key}) {lab.description}".strip()))
        for attr in lab.attributes:
            out.append(line(attr.name, attr.description, "    "))
            for value in attr.values:
                out.append(line(value, attr.value_descriptions.get(value, ""), "        "))
    if scheme.relations:
        out += ["", "## Relations", ""]
        for rel in scheme.relations:
            if not rel.archived:
                out.append(line(rel.name, f"{rel.from_label} → {rel.to_label}. {rel.description}".strip(". ")))
    if scheme.targets:
        out += ["", "## Stance", ""]
        for target in scheme.active_targets:
            out.append(line(target.name, target.description))
        out += ["", "Values:", ""]
        for i, value in enumerate(scheme.stance_values, start=1):
            out.append(line(f"{value} [{i}]", scheme.stance_value_descriptions.get(value, "")))
    return "\n".join(out) + "\n"


class GuidelinesViewWidget(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("guidelines_view")
        self._ctx = ctx
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.browser)
        self._connect_signals()
        self.reload()

    def _connect_signals(self) -> None:
        self._ctx.project_replaced.connect(self.reload)

    def reload(self) -> None:
        self.browser.setMarkdown(guidelines_markdown(self._ctx.project.scheme))
