"""The side docks' widths: as I left them when they fit the window, narrower when they would leave the
article too narrow to read.

Qt's `saveState`/`restoreState` keep each dock area's width in pixels. Restored on a smaller window
(a smaller screen, or a window closed maximised and opened normal), or as left by a user who dragged a
dock wide, they can squeeze the article to a few letters a line; `fit_docks` then narrows the left and
right areas in proportion until the article has `ARTICLE_MIN_WIDTH` again (never below
`DOCK_MIN_WIDTH`). Widths that fit are left exactly as restored. The defaults (`DEFAULT_WIDTHS`) go
through the same fitting, so a first start on an 800-px screen is readable too.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QStyle, QWidget

ARTICLE_MIN_WIDTH = 360  # px: about 45 characters of the article's default font a line
DOCK_MIN_WIDTH = 140  # px: a side area is never narrowed below this by the fitting
DEFAULT_WIDTHS = (250, 400)  # px: the left (documents, layers) and right (tagging) areas
DEFAULT_HEIGHTS = (520, 150)  # px: the documents and layers docks, one above the other
_SIDES = (Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea)


def fitted_widths(widths: tuple[int, int], least: tuple[int, int], room: int) -> tuple[int, int]:
    """The left and right areas' widths once they share at most `room` px (the window's width less
    the article's minimum and the separators): unchanged when they fit; else both scaled by the same
    factor, then what is still too much taken from the one that can give it, none below its `least`
    (the wider of DOCK_MIN_WIDTH and what its panels need). An absent area (width 0) stays 0."""
    if sum(widths) <= room:
        return widths
    scale = max(room, 0) / sum(widths)
    floors = [max(DOCK_MIN_WIDTH, low) if w > 0 else 0 for w, low in zip(widths, least, strict=True)]
    fitted = [max(floor, int(w * scale)) if w > 0 else 0 for w, floor in zip(widths, floors, strict=True)]
    excess = sum(fitted) - max(room, 0)
    for i, floor in enumerate(floors):
        cut = max(0, min(excess, fitted[i] - floor))
        fitted[i] -= cut
        excess -= cut
    return fitted[0], fitted[1]


def side_docks(window: QMainWindow, area: Qt.DockWidgetArea) -> list[QDockWidget]:
    """The docks shown in `area`, docked (not floating)."""
    docks = window.findChildren(QDockWidget)
    return [d for d in docks if d.isVisible() and not d.isFloating() and window.dockWidgetArea(d) == area]


def fit_docks(window: QMainWindow, article: QWidget) -> tuple[int, int]:
    """Narrow the side areas of the shown `window` when they leave `article` (its central widget)
    under ARTICLE_MIN_WIDTH; returns the widths the areas were given (or have)."""
    areas = [side_docks(window, area) for area in _SIDES]
    # Measured from the article's place: a tabbed dock behind another keeps a stale width.
    gap = window.style().pixelMetric(QStyle.PixelMetric.PM_DockWidgetSeparatorExtent, None, window)
    left = max(article.x() - gap, 0) if areas[0] else 0
    right = max(window.width() - article.geometry().right() - 1 - gap, 0) if areas[1] else 0
    least = [max((d.minimumSizeHint().width() for d in docks), default=0) for docks in areas]
    room = window.width() - (gap if left else 0) - (gap if right else 0) - ARTICLE_MIN_WIDTH
    fitted = fitted_widths((left, right), (least[0], least[1]), room)
    if fitted != (left, right):
        chosen = [(docks[0], w) for docks, w in zip(areas, fitted, strict=True) if docks]
        window.resizeDocks([d for d, _ in chosen], [w for _, w in chosen], Qt.Orientation.Horizontal)
    return fitted
