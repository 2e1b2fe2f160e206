"""Render the main window (1280x800, or --size) on an annotated seed article and save a PNG.

Builds a throw-away project from corpus/articles.jsonl, makes claims, sources, attributions and
stances on the first article through the services (as the GUI's commands do), then grabs the real
main window offscreen. Settings and data go to a temp dir, so the user's own settings are neither
used nor touched. Usage: QT_QPA_PLATFORM=offscreen python scripts/screenshot.py [--out FILE]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent

# (label, text, attributes); a claim is attributed to the source listed right after it.
ANNOTATIONS = [
    (
        "claim",
        "The US and its allies must provide “legal” assurances that Ukraine is safe, even if it’s not in NATO",
        {"claim_type": "demand", "checkworthy": "yes"},
    ),
    ("source", "President Zelensky", {"source_type": "named_person", "canonical": "Volodymyr Zelensky"}),
    (
        "claim",
        "it must still make sure the country is “completely safe,”",
        {"claim_type": "demand", "checkworthy": "no"},
    ),
    (
        "source",
        "Ukrainian President Volodymyr Zelensky",
        {"source_type": "named_person", "canonical": "Volodymyr Zelensky"},
    ),
    ("claim", "Russia does not want Ukraine to be in NATO", {"claim_type": "factual", "checkworthy": "yes"}),
    ("source", "Zelensky told Reuters", {"source_type": "named_person", "canonical": "Volodymyr Zelensky"}),
    (
        "claim",
        "the Ukrainian leader has also praised the West for sending weapons to Kiev",
        {"claim_type": "factual", "checkworthy": "yes"},
    ),
    ("source", "Reuters", {"source_type": "media", "canonical": "Reuters"}),
]
DOC_STANCES = {"nato_membership": "neutral", "security_guarantees": "favor"}
CLAIM_STANCES = {0: ("security_guarantees", "favor"), 2: ("nato_membership", "favor")}
NOTE = "Zelensky interview via Reuters/CNN; RT framing in the last paragraphs."


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshot.png")
    parser.add_argument("--size", default="1280x800", help="window size, e.g. 1366x768 (a laptop)")
    args = parser.parse_args(argv)
    width, height = (int(n) for n in args.size.lower().split("x"))
    with tempfile.TemporaryDirectory(prefix="annotator-shot-") as tmp:
        os.environ["ANNOTATOR_CONFIG_DIR"] = str(Path(tmp) / "config")
        os.environ["ANNOTATOR_DATA_DIR"] = str(Path(tmp) / "data")
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")
        return render(Path(tmp) / "screenshot.db", args.out, (width, height))


def annotate(project_path: Path) -> None:
    from annotator.io.importer import import_paths
    from annotator.model.types import Status
    from annotator.services import annotations as svc
    from annotator.services import documents
    from annotator.services.project import Project

    project = Project.open(project_path)
    try:
        import_paths(project, [REPO / "corpus" / "articles.jsonl"])
        me = project.annotator("alice")
        ids = documents.document_ids(project)
        doc = documents.load_view(project, ids[0], me.id).document
        span_ids: list[int] = []
        for label, text, attrs in ANNOTATIONS:
            start = doc.text.index(text)
            span, _ = svc.add_span(project, doc.id, me.id, label, start, start + len(text), attrs)
            span_ids.append(span.id)
        for i in range(0, len(span_ids), 2):
            svc.link(project, "attributed_to", span_ids[i], span_ids[i + 1])
        for index, (target, value) in CLAIM_STANCES.items():
            svc.set_stance(project, doc.id, me.id, target, value, span_ids[index])
        for target, value in DOC_STANCES.items():
            svc.set_stance(project, doc.id, me.id, target, value)
        svc.set_note(project, doc.id, me.id, NOTE)
        svc.set_status(project, ids[2], me.id, Status.DONE)
        svc.set_status(project, ids[3], me.id, Status.IN_PROGRESS)
    finally:
        project.close()


def render(project_path: Path, out: Path, size: tuple[int, int] = (1280, 800)) -> int:
    from PySide6.QtWidgets import QApplication

    from annotator.app import build_main_window
    from annotator.services import documents

    app = QApplication.instance() or QApplication(sys.argv[:1])
    annotate(project_path)
    window = build_main_window(project_path, annotator_name="alice", seed=False)
    window.resize(*size)
    window.show()
    first = documents.document_ids(window.ctx.project)[0]
    window.open_document(first)
    claim = documents.load_view(window.ctx.project, first, window.ctx.annotator.id).spans[0]
    window.ctx.select_span(claim.id)
    return save_main_window(app, window, out)


def save_main_window(app: Any, window: Any, out: Path) -> int:
    """Let the window settle, scroll the article to the top, grab it to `out`; 0 when written."""
    for _ in range(5):
        app.processEvents()
    window.article_view.verticalScrollBar().setValue(0)
    app.processEvents()
    out.parent.mkdir(parents=True, exist_ok=True)
    ok = window.grab().save(str(out))
    window.close()
    print(f"{'wrote' if ok else 'could not write'} {out}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
