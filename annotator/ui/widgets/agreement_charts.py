"""`AgreementBarChartView`: a QtCharts grouped bar chart of agreement coefficients or F1 scores.

It draws a `ChartData` (categories on the x axis, one bar set per coefficient or annotator pair)
on a fixed value axis that always shows 0..1 and stretches down for negative kappa/alpha. An
undefined value has no height to draw: it is drawn as an empty bar and hovering it says
"undefined"; the category label gets a "*" so the gap is not mistaken for a zero.
A bar set with intervals in the `ChartData` (α's 95% bootstrap interval) gets an error bar over each
bar, drawn in the view's foreground at the bar's centre. Hovering a bar gives its value, interval
and the number of items under it. `series_values()` returns exactly what is
plotted, None for undefined, and `error_bars()` the intervals drawn (tests compare both with the
agreement service's output).

Annotator names in the legend and the category labels are elided in the middle to the room the
chart leaves them, each pair's names on two lines of a category, and kept apart: the chart's own
elision cuts the end, and "annotator_alpha_2024" and "annotator_alpha_2025" both read
"annotator_alph…". Hovering a legend entry or a bar gives the full names.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable

from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QCategoryAxis, QChart, QChartView
from PySide6.QtCore import QMargins, QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QCursor, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QToolTip, QWidget

from annotator.model.agreement import PAIR_SEPARATOR
from annotator.ui.models.agreement_chart_data import ChartData

# Colour-blind-safe qualitative palette (Okabe-Ito), one colour per bar set.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
_LABEL_PAD = 10  # px of a category a label leaves free: the rich text's margins and a gap
_LEGEND_NAME = 12  # characters' width of an annotator's name in the legend, elided past it


class AgreementBarChartView(QChartView):
    def __init__(self, title: str, value_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._value_name = value_name
        self._title = title
        self._data = ChartData(())
        self._sets: list[QBarSet] = []
        self._undefined: list[bool] = []
        chart = QChart()
        chart.setTitle(title)
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        chart.setMargins(QMargins(4, 4, 4, 4))
        self.setChart(chart)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumSize(320, 240)
        chart.plotAreaChanged.connect(self._on_chart_plot_area_changed)

    def data(self) -> ChartData:
        return self._data

    def series_values(self) -> dict[str, list[float | None]]:
        """Bar set name -> plotted value per category (None where the metric is undefined)."""
        return self._data.values()

    def error_bars(self) -> dict[str, list[tuple[float, float] | None]]:
        """Bar set name -> the interval drawn over each category's bar (None: no error bar)."""
        return {name: list(bounds) for name, bounds in self._data.intervals.items()}

    def value_labels(self) -> list[str]:
        """The value-axis labels as drawn, bottom to top."""
        axes = self.chart().axes(Qt.Orientation.Vertical)
        return list(axes[0].categoriesLabels()) if axes and isinstance(axes[0], QCategoryAxis) else []

    def categories(self) -> list[str]:
        """The x-axis labels as drawn (a "*" marks a category with an undefined value)."""
        axes = self.chart().axes(Qt.Orientation.Horizontal)
        return list(axes[0].categories()) if axes and isinstance(axes[0], QBarCategoryAxis) else []

    def legend_labels(self) -> list[str]:
        """The legend's entries as drawn."""
        return [marker.label() for marker in self.chart().legend().markers()]

    def set_data(self, data: ChartData) -> None:
        chart = self.chart()
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        self._data = data
        self._sets = []
        if not data.categories or not data.sets:
            chart.setTitle(f"{self._title}: nothing to show")
            chart.legend().hide()
            return
        series = QBarSeries()
        undefined = [False] * len(data.categories)
        for n, (name, values) in enumerate(data.sets):
            bar_set = QBarSet(name)
            bar_set.setColor(QColor(PALETTE[n % len(PALETTE)]))
            for i, value in enumerate(values):
                bar_set.append(0.0 if value is None or math.isnan(value) else value)
                undefined[i] = undefined[i] or value is None
            series.append(bar_set)
            self._sets.append(bar_set)
        series.hovered.connect(self._on_series_hovered)
        chart.addSeries(series)
        chart.setTitle(self._title + ("  (* undefined value: no bar)" if any(undefined) else ""))
        self._undefined = undefined
        x_axis = QBarCategoryAxis()
        x_axis.append([f"{c} *" if gap else c for c, gap in zip(data.categories, undefined, strict=True)])
        lows = [v for _, values in data.sets for v in values if v is not None]
        lows += [b[0] for bounds in data.intervals.values() for b in bounds if b is not None]
        y_axis = value_axis(min([0.0, *lows]))
        y_axis.setTitleText(self._value_name)
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(x_axis)
        series.attachAxis(y_axis)
        chart.legend().show()
        for marker, (name, _values) in zip(chart.legend().markers(series), data.sets, strict=True):
            marker.hovered.connect(lambda on, name=name: self._on_marker_hovered(on, name))
        self._fit_names()

    def _fit_names(self) -> None:
        """Elide the annotator names in the category labels and the legend to the room they have."""
        axes = self.chart().axes(Qt.Orientation.Horizontal)
        if self._data.pairs and axes and isinstance(axes[0], QBarCategoryAxis):
            self._fit_categories(axes[0])
            self._fit_legend(axes[0])

    def _fit_categories(self, axis: QBarCategoryAxis) -> None:
        """A pair too wide for its category goes on two lines, each name elided to the category; if
        even that does not fit (many pairs in a narrow chart), the chart cuts the ends as before."""
        paired = [self._data.pairs.get(category) for category in self._data.categories]
        if not any(paired):
            return
        metrics = QFontMetrics(axis.labelsFont())
        room = int(self.chart().plotArea().width() / len(self._data.categories)) - _LABEL_PAD
        names = {name for pair in paired if pair for name in pair}
        if all(metrics.horizontalAdvance(PAIR_SEPARATOR.join(pair)) <= room for pair in paired if pair):
            short, separator = {name: name for name in names}, PAIR_SEPARATOR
        else:
            short = elided_names(names, metrics, room - metrics.horizontalAdvance(PAIR_SEPARATOR))
            separator = PAIR_SEPARATOR + "<br>"
        labels = [
            self._drawn(category, short, separator) + (" *" if gap else "")
            for category, gap in zip(self._data.categories, self._undefined, strict=True)
        ]
        lines = (line for label in labels for line in label.split("<br>"))
        axis.setTruncateLabels(any(metrics.horizontalAdvance(line) > room for line in lines))
        if labels != axis.categories():
            axis.setCategories(labels)

    def _fit_legend(self, axis: QBarCategoryAxis) -> None:
        """Names elided to `_LEGEND_NAME` characters; then the legend goes to the right, an entry a
        line (at the bottom the chart cuts each entry's end to fit them all on one line)."""
        legend = self.chart().legend()
        metrics = QFontMetrics(legend.font())
        names = {name for set_name, _ in self._data.sets for name in self._data.pairs.get(set_name, ())}
        short = elided_names(names, metrics, metrics.horizontalAdvance("x" * _LEGEND_NAME))
        elided = any(short[name] != name for name in names)
        legend.setAlignment(Qt.AlignmentFlag.AlignRight if elided else Qt.AlignmentFlag.AlignBottom)
        if elided:
            axis.setTruncateLabels(False)  # the chart cuts even a short target's name in the narrower plot
        for bar_set, (name, _values) in zip(self._sets, self._data.sets, strict=True):
            drawn = self._drawn(name, short, PAIR_SEPARATOR)
            if bar_set.label() != drawn:
                bar_set.setLabel(drawn)

    def _drawn(self, label: str, short: dict[str, str], separator: str) -> str:
        """`label` with its pair's names as `short` has them, joined by `separator`."""
        pair = self._data.pairs.get(label)
        if pair is None:
            return label
        return label.replace(PAIR_SEPARATOR.join(pair), short[pair[0]] + separator + short[pair[1]], 1)

    def _bar_x(self, set_index: int, category_index: int) -> float:
        """The centre of a bar in axis units: QBarSeries spreads its sets over barWidth of a category."""
        width = 0.5  # QBarSeries' default bar width, as a share of the category
        count = len(self._data.sets)
        return category_index - width / 2 + (set_index + 0.5) * width / count

    def drawForeground(self, painter: QPainter, rect: QRectF | QRect) -> None:  # noqa: N802 - Qt override
        super().drawForeground(painter, rect)
        series = self.chart().series()
        if not series or not self._data.intervals:
            return
        names = [name for name, _ in self._data.sets]
        painter.save()
        painter.setPen(QPen(QColor("#222222"), 1.5))
        for name, bounds in self._data.intervals.items():
            if name not in names:
                continue
            k = names.index(name)
            for i, interval in enumerate(bounds):
                if interval is None or self._data.sets[k][1][i] is None:
                    continue
                x = self._bar_x(k, i)
                low = self.chart().mapToScene(self.chart().mapToPosition(QPointF(x, interval[0]), series[0]))
                high = self.chart().mapToScene(self.chart().mapToPosition(QPointF(x, interval[1]), series[0]))
                cap = 4.0
                painter.drawLine(low, high)
                painter.drawLine(QPointF(low.x() - cap, low.y()), QPointF(low.x() + cap, low.y()))
                painter.drawLine(QPointF(high.x() - cap, high.y()), QPointF(high.x() + cap, high.y()))
        painter.restore()

    def tooltip_text(self, set_index: int, category_index: int) -> str:
        name, values = self._data.sets[set_index]
        category = self._data.categories[category_index]
        value = values[category_index]
        shown = "undefined (see the table below for why)" if value is None else f"{value:.3f}"
        bounds = self._data.intervals.get(name, ())
        interval = bounds[category_index] if category_index < len(bounds) else None
        if interval is not None:
            shown += f", 95% interval [{interval[0]:.3f}, {interval[1]:.3f}]"
        counts = self._data.counts.get(name, ())
        if category_index < len(counts):
            shown += f" (n = {counts[category_index]})"
        return f"{category.replace('<br>', ', ')} — {name}: {shown}"

    def _on_marker_hovered(self, status: bool, name: str) -> None:
        if status:
            QToolTip.showText(QCursor.pos(), name, self)
        else:
            QToolTip.hideText()

    def _on_chart_plot_area_changed(self) -> None:
        self._fit_names()

    def _on_series_hovered(self, status: bool, index: int, bar_set: QBarSet) -> None:
        if not status:
            QToolTip.hideText()
            return
        if bar_set in self._sets:
            QToolTip.showText(QCursor.pos(), self.tooltip_text(self._sets.index(bar_set), index), self)


def elided_names(names: Iterable[str], metrics: QFontMetrics, width: int) -> dict[str, str]:
    """Each name as drawn in `width` px: whole if all fit; else the start all share left out
    ("…alpha_2024") and the rest elided in the middle, all as wide as it takes for each to read
    differently (the whole names at worst: they are distinct)."""
    whole = sorted(set(names))
    if all(metrics.horizontalAdvance(name) <= width for name in whole):
        return {name: name for name in whole}
    common = len(os.path.commonprefix(whole)) if len(whole) > 1 else 0
    rests = {name: ("…" + name[common:] if 3 <= common < len(name) else name) for name in whole}
    width = max(width, metrics.horizontalAdvance("ab…12"))
    while True:
        shown = {name: metrics.elidedText(rest, Qt.TextElideMode.ElideMiddle, width) for name, rest in rests.items()}
        if len(set(shown.values())) == len(shown) or all(shown[n] == rests[n] for n in whole):
            return shown if len(set(shown.values())) == len(shown) else {name: name for name in whole}
        width += max(metrics.averageCharWidth(), 1)


def value_axis(low: float) -> QCategoryAxis:
    """A value axis from the 0.2 step at or below `low` up to 1.0, labelled at every 0.2 step. The
    labels are written here: a value axis's own ("%.1f" at ticks it adds up in floating point) read
    "-0.0" for the zero line under a negative bar."""
    axis = QCategoryAxis()
    first = math.floor(low * 5 + 1e-9)  # in steps of 0.2
    axis.setRange(first / 5, 1.0)
    axis.setStartValue(first / 5 - 1e-6)  # a category ends at each step, the lowest one included
    axis.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
    for step in range(first, 6):
        axis.append(f"{step / 5:.1f}", step / 5)  # step 0 is 0 / 5: "0.0", never "-0.0"
    return axis
