"""`SchemeTreeWidget`: a scheme as an editable tree, and the scheme the tree describes now.

Rows: labels (name, key, colour, description) with their attributes and values, relation types
(ends as "from -> to"), stance targets and stance values. Every row remembers the name it had when
the tree was filled, so a rename becomes an alias of the element in `scheme()`: that is what keeps
the project's annotations when the change is applied. The Uses column shows how many annotations
use each element.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem, QWidget

from annotator.model.scheme import AttributeDef, RelationType, Scheme, SpanLabel, StanceTarget
from annotator.model.scheme_usage import SchemeUsage

COLUMNS = ("Name", "Key", "Colour", "Details", "Description", "Uses")
NAME, KEY, COLOUR, DETAILS, DESCRIPTION, USES = range(len(COLUMNS))
KIND_ROLE = Qt.ItemDataRole.UserRole + 1
ORIGINAL_ROLE = Qt.ItemDataRole.UserRole + 2  # the element as it was (None when added)
ARCHIVED_ROLE = Qt.ItemDataRole.UserRole + 3
SHOWN_ROLE = Qt.ItemDataRole.UserRole + 4  # a label row's name as the relation rows show it
GROUPS = {"label": "Labels", "relation": "Relation types", "target": "Stance targets", "stance_value": "Stance values"}
_EDITABLE = {
    "label": (NAME, KEY, DESCRIPTION),  # the colour is chosen in a colour dialog (Enter or double-click)
    "attribute": (NAME, DETAILS, DESCRIPTION),
    "value": (NAME, DESCRIPTION),
    "relation": (NAME, DETAILS, DESCRIPTION),
    "target": (NAME, DESCRIPTION),
    "stance_value": (NAME, DESCRIPTION),
}


class SchemeTreeWidget(QTreeWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scheme_tree")
        self.setColumnCount(len(COLUMNS))
        self.setHeaderLabels(COLUMNS)
        self.setEditTriggers(
            QTreeWidget.EditTrigger.DoubleClicked
            | QTreeWidget.EditTrigger.EditKeyPressed
            | QTreeWidget.EditTrigger.SelectedClicked
        )
        self.groups: dict[str, QTreeWidgetItem] = {}
        self._base: Scheme | None = None

    # -- filling ---------------------------------------------------------------------------------

    def fill(self, scheme: Scheme, usage: SchemeUsage) -> None:
        self._base = scheme
        self.clear()
        self.groups = {kind: QTreeWidgetItem(self, [title]) for kind, title in GROUPS.items()}
        for kind, group in self.groups.items():
            group.setData(0, KIND_ROLE, f"group:{kind}")
            group.setFirstColumnSpanned(True)
            font = group.font(0)
            font.setBold(True)
            group.setFont(0, font)
        for lab in scheme.labels:
            item = self.add_row("label", self.groups["label"], lab, [lab.name, lab.key, lab.color, "", lab.description])
            item.setText(USES, str(usage.labels[lab.name]))
            for attr in lab.attributes:
                child = self.add_row("attribute", item, attr, [attr.name, "", "", attr.kind, attr.description])
                child.setText(USES, str(usage.attributes[(lab.name, attr.name)]))
                for value in attr.values:
                    desc = attr.value_descriptions.get(value, "")
                    leaf = self.add_row("value", child, value, [value, "", "", "", desc])
                    leaf.setText(USES, str(usage.values[(lab.name, attr.name, value)]))
                    self.set_archived(leaf, value in attr.archived_values)
        for rel in scheme.relations:
            ends = f"{rel.from_label} -> {rel.to_label}"
            item = self.add_row("relation", self.groups["relation"], rel, [rel.name, "", "", ends, rel.description])
            item.setText(USES, str(usage.relations[rel.name]))
        for target in scheme.targets:
            item = self.add_row("target", self.groups["target"], target, [target.name, "", "", "", target.description])
            item.setText(USES, str(usage.targets[target.name]))
        for value in scheme.stance_values:
            desc = scheme.stance_value_descriptions.get(value, "")
            item = self.add_row("stance_value", self.groups["stance_value"], value, [value, "", "", "", desc])
            item.setText(USES, str(usage.stance_values[value]))
            self.set_archived(item, value in scheme.archived_stance_values)
        self.expandAll()
        for column in range(len(COLUMNS) - 1):
            self.resizeColumnToContents(column)
        self.setColumnWidth(DESCRIPTION, max(self.columnWidth(DESCRIPTION), 260))

    def add_row(self, kind: str, parent: QTreeWidgetItem, original: Any, texts: list[str]) -> QTreeWidgetItem:
        item = QTreeWidgetItem(parent, texts)
        item.setData(0, KIND_ROLE, kind)
        item.setData(0, ORIGINAL_ROLE, original)
        item.setData(0, ARCHIVED_ROLE, bool(getattr(original, "archived", False)))
        item.setData(0, SHOWN_ROLE, texts[0])
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
        item.setText(USES, "0" if original is None else item.text(USES))
        self.paint_row(item)
        return item

    def paint_row(self, item: QTreeWidgetItem) -> None:
        if item.data(0, KIND_ROLE) == "label" and QColor(item.text(COLOUR)).isValid():
            item.setBackground(COLOUR, QBrush(QColor(item.text(COLOUR))))
        grey = QBrush(QColor("#999999")) if item.data(0, ARCHIVED_ROLE) else QBrush()
        for column in range(len(COLUMNS)):
            item.setForeground(column, grey)
        if item.data(0, ARCHIVED_ROLE):
            item.setToolTip(NAME, "Archived: kept with its annotations, hidden from tagging")

    def set_archived(self, item: QTreeWidgetItem, archived: bool) -> None:
        item.setData(0, ARCHIVED_ROLE, archived)
        self.paint_row(item)

    def follow_label_rename(self, label_item: QTreeWidgetItem) -> None:
        """Relation rows show their ends by label name: a renamed label is renamed there too."""
        old, new = label_item.data(0, SHOWN_ROLE), label_item.text(NAME).strip()
        label_item.setData(0, SHOWN_ROLE, new)
        for rel in _children(self.groups["relation"]):
            ends = [e.strip() for e in rel.text(DETAILS).split("->")]
            if old in ends:
                rel.setText(DETAILS, " -> ".join(new if e == old else e for e in ends))

    @staticmethod
    def editable(item: QTreeWidgetItem, column: int) -> bool:
        return column in _EDITABLE.get(str(item.data(0, KIND_ROLE)), ())

    # -- reading back ----------------------------------------------------------------------------

    def scheme(self, guidelines: str) -> Scheme:
        """The scheme the tree shows; renamed rows keep their old names as aliases."""
        assert self._base is not None
        renamed_labels = {}
        labels = []
        for item in _children(self.groups["label"]):
            lab = _label(item)
            old = item.data(0, ORIGINAL_ROLE)
            if isinstance(old, SpanLabel):
                renamed_labels[old.name] = lab.name
            labels.append(lab)
        relations = []
        for item in _children(self.groups["relation"]):
            old = item.data(0, ORIGINAL_ROLE)
            ends = [renamed_labels.get(e.strip(), e.strip()) for e in item.text(DETAILS).split("->")]
            ends = (ends + ["", ""])[:2]
            base = old if isinstance(old, RelationType) else RelationType(item.text(NAME), "", "")
            relations.append(
                replace(
                    base,
                    name=item.text(NAME).strip(),
                    from_label=ends[0],
                    to_label=ends[1],
                    description=item.text(DESCRIPTION),
                    aliases=_aliases(base, item),
                    archived=bool(item.data(0, ARCHIVED_ROLE)),
                )
            )
        targets = []
        for item in _children(self.groups["target"]):
            old = item.data(0, ORIGINAL_ROLE)
            base_t = old if isinstance(old, StanceTarget) else StanceTarget(item.text(NAME))
            targets.append(
                replace(
                    base_t,
                    name=item.text(NAME).strip(),
                    description=item.text(DESCRIPTION),
                    aliases=_aliases(base_t, item),
                    archived=bool(item.data(0, ARCHIVED_ROLE)),
                )
            )
        values, value_aliases, value_desc = _values(self.groups["stance_value"], self._base.stance_value_aliases)
        span_labels = tuple(renamed_labels.get(n, n) for n in self._base.stance_span_labels)
        return replace(
            self._base,
            labels=tuple(labels),
            relations=tuple(relations),
            targets=tuple(targets),
            stance_values=values,
            stance_value_aliases=value_aliases,
            stance_value_descriptions=value_desc,
            archived_stance_values=_archived_values(self.groups["stance_value"]),
            stance_span_labels=tuple(n for n in span_labels if n in {lab.name for lab in labels}),
            guidelines=guidelines,
            source_text="",
        )


def _children(item: QTreeWidgetItem) -> list[QTreeWidgetItem]:
    return [child for i in range(item.childCount()) if (child := item.child(i)) is not None]


def _aliases(original: Any, item: QTreeWidgetItem) -> tuple[str, ...]:
    aliases = tuple(getattr(original, "aliases", ()))
    old, new = getattr(original, "name", None), item.text(NAME).strip()
    if old and old != new and item.data(0, ORIGINAL_ROLE) is not None and old not in aliases:
        aliases = (*aliases, old)
    return tuple(a for a in aliases if a != new)


def _archived_values(parent: QTreeWidgetItem) -> tuple[str, ...]:
    return tuple(item.text(NAME).strip() for item in _children(parent) if item.data(0, ARCHIVED_ROLE))


def _values(parent: QTreeWidgetItem, known_aliases: Any) -> tuple[tuple[str, ...], dict[str, str], dict[str, str]]:
    values, aliases, descriptions = [], dict(known_aliases), {}
    for item in _children(parent):
        name, old = item.text(NAME).strip(), item.data(0, ORIGINAL_ROLE)
        values.append(name)
        if isinstance(old, str) and old != name:
            aliases[old] = name
        if item.text(DESCRIPTION):
            descriptions[name] = item.text(DESCRIPTION)
    aliases = {k: v for k, v in aliases.items() if k not in values}
    for old, new in list(aliases.items()):  # an earlier alias follows a later rename of its value
        while new not in values and new in aliases:
            new = aliases[new]
        aliases[old] = new
    return tuple(values), aliases, descriptions


def _label(item: QTreeWidgetItem) -> SpanLabel:
    old = item.data(0, ORIGINAL_ROLE)
    base = old if isinstance(old, SpanLabel) else SpanLabel(item.text(NAME), item.text(KEY), item.text(COLOUR))
    attributes = []
    for child in _children(item):
        was = child.data(0, ORIGINAL_ROLE)
        attr = was if isinstance(was, AttributeDef) else AttributeDef(child.text(NAME))
        values, value_aliases, value_desc = _values(child, attr.value_aliases)
        attributes.append(
            replace(
                attr,
                name=child.text(NAME).strip(),
                kind=child.text(DETAILS).strip() or "choice",
                values=values,
                value_aliases=value_aliases,
                value_descriptions=value_desc,
                archived_values=_archived_values(child),
                description=child.text(DESCRIPTION),
                aliases=_aliases(attr, child),
            )
        )
    return replace(
        base,
        name=item.text(NAME).strip(),
        key=item.text(KEY).strip().upper(),
        color=item.text(COLOUR).strip(),
        description=item.text(DESCRIPTION),
        attributes=tuple(attributes),
        aliases=_aliases(base, item),
        archived=bool(item.data(0, ARCHIVED_ROLE)),
    )
