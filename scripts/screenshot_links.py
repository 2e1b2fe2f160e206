"""Render the article with attribution links and two colleagues' layers; save docs/links.png.

Annotates the first seed article as alice (scripts/screenshot.py's annotations), then gives bob and
carol the same first claim (identical spans: they must show stacked, not hidden), bob a source and
a link of his own, and shows every layer. Settings and data go to a temp dir.
Usage: QT_QPA_PLATFORM=offscreen python scripts/screenshot_links.py [--out FILE]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from screenshot import ANNOTATIONS, REPO, annotate  # noqa: E402


def add_colleagues(project_path: Path) -> None:
    from annotator.services import annotations as svc
    from annotator.services import documents
    from annotator.services.project import Project

    project = Project.open(project_path)
    try:
        doc_id = documents.document_ids(project)[0]
        text = documents.load_view(project, doc_id, 0).document.text
        claim_text = ANNOTATIONS[0][1]
        start = text.index(claim_text)
        for name in ("bob", "carol"):
            who = project.annotator(name)
            claim, _ = svc.add_span(project, doc_id, who.id, "claim", start, start + len(claim_text))
            if name == "bob":
                s = text.index("President Zelensky")
                source, _ = svc.add_span(project, doc_id, who.id, "source", s, s + len("President Zelensky"))
                svc.link(project, "attributed_to", claim.id, source.id)
    finally:
        project.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "links.png")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="annotator-links-") as tmp:
        os.environ["ANNOTATOR_CONFIG_DIR"] = str(Path(tmp) / "config")
        os.environ["ANNOTATOR_DATA_DIR"] = str(Path(tmp) / "data")
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")
        from PySide6.QtWidgets import QApplication

        from annotator.app import build_main_window

        app = QApplication.instance() or QApplication(sys.argv[:1])
        path = Path(tmp) / "links.db"
        annotate(path)
        add_colleagues(path)
        window = build_main_window(path, annotator_name="alice", seed=False)
        window.resize(1280, 800)
        window.show()
        window.layers_panel.show_all()
        for _ in range(5):
            app.processEvents()
        window.article_view.verticalScrollBar().setValue(0)
        app.processEvents()
        args.out.parent.mkdir(parents=True, exist_ok=True)
        ok = window.article_view.grab().save(str(args.out))
        window.close()
        print(f"{'wrote' if ok else 'could not write'} {args.out}")
        return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
