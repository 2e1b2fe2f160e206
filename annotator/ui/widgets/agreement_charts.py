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
"""

from __future__ import annotations

import math

from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QCategoryAxis, QChart, QChartView
from PySide6.QtCore import QMargins, QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QCursor, QPainter, QPen
from PySide6.QtWidgets import QToolTip, QWidget

from annotator.ui.models.agreement_chart_data import ChartData

# Colour-blind-safe qualitative palette (Okabe-Ito), one colour per bar set.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")


class AgreementBarChartView(QChartView):
    def __init__(self, title: str, value_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._value_name = value_name
        self._title = title
        self._data = ChartData(())
        self._sets: list[QBarSet] = []
        chart = QChart()
        chart.setTitle(title)
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        chart.setMargins(QMargins(4, 4, 4, 4))
        self.setChart(chart)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumSize(320, 240)

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

    def _on_series_hovered(self, status: bool, index: int, bar_set: QBarSet) -> None:
        if not status:
            QToolTip.hideText()
            return
        if bar_set in self._sets:
            QToolTip.showText(QCursor.pos(), self.tooltip_text(self._sets.index(bar_set), index), self)


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
