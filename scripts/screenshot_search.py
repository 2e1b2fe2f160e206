"""Render the Search window over the main window; save docs/search.png (1366x768).

Opens the real main window on a project seeded with the bundled corpus (five articles), tags a claim
holding "security guarantees", opens Edit > Search the project (Ctrl+Shift+F), searches "security
guarantees", waits for the results and grabs the whole screen-sized scene: the main window at
1366x768 with the Search window over it. Settings and data go to a temp dir. Usage:
QT_QPA_PLATFORM=offscreen python scripts/screenshot_search.py [--out docs/search.png]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "search.png")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="annotator-search-shot-") as tmp:
        os.environ["ANNOTATOR_CONFIG_DIR"] = str(Path(tmp) / "config")
        os.environ["ANNOTATOR_DATA_DIR"] = str(Path(tmp) / "data")
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")
        return render(Path(tmp), args.out)


def render(tmp: Path, out: Path) -> int:
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QPainter, QPixmap
    from PySide6.QtWidgets import QApplication

    from annotator.app import build_main_window
    from annotator.model.changes import Changes
    from annotator.services import annotations as svc
    from annotator.services import documents
    from annotator.ui.dialogs.search_window import SearchWindow

    app = QApplication.instance() or QApplication([])
    win = build_main_window(tmp / "desk.db", annotator_name="alice", seed=True)
    win.resize(1366, 768)
    win.show()
    me = win.ctx.recorded_annotator().id
    for doc_id in documents.document_ids(win.ctx.project):
        text = documents.load_view(win.ctx.project, doc_id, me).document.text
        at = text.lower().find("security guarantees")
        if at >= 0:
            svc.add_span(win.ctx.project, doc_id, me, "claim", max(0, at - 20), at + 40, {"claim_type": "factual"})
            break
    win.ctx.notify(Changes(spans=True))
    win.show_corpus_search("security guarantees")
    window = win.findChild(SearchWindow, "search_window")
    assert isinstance(window, SearchWindow)
    window.resize(1120, 520)
    window.move(win.geometry().x() + 120, win.geometry().y() + 150)
    deadline = time.monotonic() + 30
    while window.searching and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.02)
    app.processEvents()
    scene = QPixmap(1366, 768)
    painter = QPainter(scene)
    painter.drawPixmap(QPoint(0, 0), win.grab())
    painter.drawPixmap(QPoint(120, 150), window.grab())
    painter.end()
    out.parent.mkdir(parents=True, exist_ok=True)
    scene.save(str(out))
    print(f"{out}: {window.message.text()}")
    win.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
