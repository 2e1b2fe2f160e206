"""Render the Scheme editor and the Guidelines dock; save docs/scheme_editor.png and docs/guidelines.png.

Opens the real main window on a project seeded with the bundled corpus under the default scheme,
tags one claim, opens Project > Scheme editor, renames `claim` to `assertion` and adds a label, so
the preview shows a rename with its count and an addition, then grabs the dialog; the main window is
grabbed with the Guidelines dock raised. Settings and data go to a temp dir. Usage:
QT_QPA_PLATFORM=offscreen python scripts/screenshot_scheme.py [--out-dir DIR]
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=REPO / "docs")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="annotator-scheme-shot-") as tmp:
        os.environ["ANNOTATOR_CONFIG_DIR"] = str(Path(tmp) / "config")
        os.environ["ANNOTATOR_DATA_DIR"] = str(Path(tmp) / "data")
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")
        return render(Path(tmp), args.out_dir)


def render(tmp: Path, out_dir: Path) -> int:
    from PySide6.QtWidgets import QApplication

    from annotator.app import build_main_window
    from annotator.services import annotations as svc
    from annotator.ui.scheme_tree import NAME

    app = QApplication.instance() or QApplication([])
    win = build_main_window(tmp / "desk.db", annotator_name="alice", seed=True)
    win.resize(1280, 800)
    win.show()
    doc = win.ctx.current_doc_id
    assert doc is not None
    svc.add_span(win.ctx.project, doc, win.ctx.annotator.id, "claim", 0, 12, {"claim_type": "factual"})
    win.guidelines_dock.raise_()
    app.processEvents()
    out_dir.mkdir(parents=True, exist_ok=True)
    win.grab().save(str(out_dir / "guidelines.png"))
    win.show_scheme_editor()
    dialog = win.scheme_editor
    claim = dialog.tree.groups["label"].child(0)
    assert claim is not None
    claim.setText(NAME, "assertion")
    added = dialog.add("label")
    assert added is not None
    added.setText(NAME, "quote")
    app.processEvents()
    dialog.grab().save(str(out_dir / "scheme_editor.png"))
    print(dialog.preview.toPlainText())
    dialog.close()
    win.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
