"""The side docks' widths: as I left them when they fit the window, narrower when they would leave the
article too narrow to read.

Qt's `saveState`/`restoreState` keep each dock area's width in pixels. Restored on a smaller window
(a smaller screen, or a window closed maximised and opened normal), or as left by a user who dragged a
dock wide, they can squeeze the article to a few letters a line; `fit_docks` then narrows the left and
right areas in proportion until the article has `ARTICLE_MIN_WIDTH` again (never below
`DOCK_MIN_WIDTH`). Widths that fit are left exactly as restored. The defaults (`DEFAULT_WIDTHS`) go
through the same fitting, so a first start on an 800-px screen is readable too. So does a window
made smaller mid-session (un-maximised, dragged narrower), which Qt takes from the article first:
once the resizing pauses (`REFIT_DELAY_MS`), only if the article is left under its minimum.

`LaidOutWindow`, the main window's base, restores, fits and saves its place, size and dock layout.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QRect, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QResizeEvent
from PySide6.QtWidgets import QDockWidget, QMainWindow, QStyle, QWidget

from annotator.ui import settings

if TYPE_CHECKING:
    from annotator.ui.review_mode import ReviewController
    from annotator.ui.widgets.article_view import ArticleViewWidget

ARTICLE_MIN_WIDTH = 360  # px: about 45 characters of the article's default font a line
DOCK_MIN_WIDTH = 140  # px: a side area is never narrowed below this by the fitting
DEFAULT_WIDTHS = (250, 400)  # px: the left (documents, layers) and right (tagging) areas
DEFAULT_HEIGHTS = (520, 150)  # px: the documents and layers docks, one above the other
DEFAULT_SIZE = (1280, 800)
REFIT_DELAY_MS = 200  # a window being dragged smaller is fitted once, when the drag pauses
_FRAME_ALLOWANCE = (0, 40)  # room left for the window manager's title bar, before the frame is known
_GEOMETRY_KEY = "window/geometry"
_STATE_KEY = "window/state"
_STATE_VERSION = 2
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


class LaidOutWindow(QMainWindow):
    """The main window's place, size and dock layout: restored from the settings file, fitted to the
    screen and to the article, saved at close, and View > Reset layout. The workspace (`MainWindow`)
    provides the docks and the article."""

    article_view: ArticleViewWidget
    documents_dock: QDockWidget
    layers_dock: QDockWidget
    tagging_dock: QDockWidget
    review_dock: QDockWidget
    review: ReviewController
    _default_state: QByteArray
    _refit_timer: QTimer | None = None  # from the docks' restoring on: a frame alone has none

    def _restore_geometry(self) -> None:
        self.resize(*DEFAULT_SIZE)
        geometry = settings.value(_GEOMETRY_KEY)
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is not None:
            self.fit_to(screen.availableGeometry())

    def _restore_docks(self) -> None:
        """The docks as I left them (`dock_layout` narrows them if the article would be too narrow)."""
        if self.isVisible():
            # A central widget set on a shown window is only shown by a queued call (QLayout's
            # addChildWidget); restored before that, Qt lays the state out with no article at all
            # and gives the side docks the whole width (the article was left 68 px, issue: later
            # starts through run_gui, whose frame is on screen while the workspace is composed).
            self.article_view.show()
            for dock in self.findChildren(QDockWidget):  # the same for the docks
                if not dock.testAttribute(Qt.WidgetAttribute.WA_WState_ExplicitShowHide):
                    dock.show()
            self.tagging_dock.raise_()
        self._default_state = self.saveState(_STATE_VERSION)  # View > Reset layout goes back to it
        self._refit_timer = QTimer(self)
        self._refit_timer.setSingleShot(True)
        self._refit_timer.setInterval(REFIT_DELAY_MS)
        self._refit_timer.timeout.connect(self._on_refit_timer_timeout)
        self._default_sizes()
        state = settings.value(_STATE_KEY)
        if isinstance(state, QByteArray):
            self.restoreState(state, _STATE_VERSION)
        self.review_dock.hide()  # review mode always starts off
        if self.isVisible():
            self._fit_shown_docks()

    def _fit_shown_docks(self) -> None:
        """Fit the docks of a window already on screen, once Qt has laid out what was restored."""
        layout = self.layout()
        if layout is not None:
            layout.activate()
        fit_docks(self, self.article_view)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if self._refit_timer is not None and self.isVisible():
            self._refit_timer.start()

    def _on_refit_timer_timeout(self) -> None:
        if self.article_view.width() < ARTICLE_MIN_WIDTH:
            self._fit_shown_docks()

    def _default_sizes(self) -> None:
        self.resizeDocks([self.documents_dock, self.tagging_dock], list(DEFAULT_WIDTHS), Qt.Orientation.Horizontal)
        self.resizeDocks([self.documents_dock, self.layers_dock], list(DEFAULT_HEIGHTS), Qt.Orientation.Vertical)

    def reset_layout(self) -> None:
        """View > Reset layout: every dock back in its place at its default size (fitted to the window)."""
        self.restoreState(self._default_state, _STATE_VERSION)
        for dock in (self.documents_dock, self.layers_dock, self.tagging_dock):
            dock.show()
        self.tagging_dock.raise_()
        self.review_dock.setVisible(self.review.active)
        self._default_sizes()
        if self.isVisible():
            self._fit_shown_docks()

    def fit_to(self, area: QRect) -> None:
        """Keep the window, title bar and status bar included, inside `area` (the screen's
        available geometry): a 1366x768 laptop must not lose the status bar below its edge."""
        width = min(self.width(), area.width() - _FRAME_ALLOWANCE[0])
        height = min(self.height(), area.height() - _FRAME_ALLOWANCE[1])
        self.resize(max(width, 1), max(height, 1))
        x = min(max(self.x(), area.left()), area.right() - width - _FRAME_ALLOWANCE[0])
        y = min(max(self.y(), area.top()), area.bottom() - height - _FRAME_ALLOWANCE[1])
        self.move(max(x, area.left()), max(y, area.top()))

    def save_layout(self) -> None:
        settings.set_value(_GEOMETRY_KEY, self.saveGeometry())
        settings.set_value(_STATE_KEY, self.saveState(_STATE_VERSION))
