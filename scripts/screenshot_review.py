"""Render review mode at 1280x800 on a seed article with two annotators' layers; save docs/review.png.

Builds two colleagues' project files from corpus/articles.jsonl (alice and bob annotate the first
article, agreeing on some spans and not on others), merges both into a reviewer's project through
the real File > Merge flow, enters review mode, accepts the agreed items and selects a conflicting
one, then grabs the window offscreen. Settings and data go to a temp dir. Usage:
QT_QPA_PLATFORM=offscreen python scripts/screenshot_review.py [--out FILE]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

CLAIM_1 = "The US and its allies must provide “legal” assurances that Ukraine is safe, even if it’s not in NATO"
CLAIM_2 = "it must still make sure the country is “completely safe,”"
CLAIM_3 = "Russia does not want Ukraine to be in NATO"
# (label, text, attributes) per annotator; differences make partial, conflicting and single items.
WORK = {
    "alice": [
        ("claim", CLAIM_1, {"claim_type": "demand", "checkworthy": "yes"}),
        ("source", "President Zelensky", {"source_type": "named_person"}),
        ("claim", CLAIM_2, {"claim_type": "demand"}),
        ("claim", CLAIM_3, {"claim_type": "factual", "checkworthy": "yes"}),
    ],
    "bob": [
        ("claim", CLAIM_1, {"claim_type": "demand", "checkworthy": "yes"}),
        ("source", "President Zelensky", {"source_type": "official"}),
        ("claim", "the country is “completely safe,”", {"claim_type": "demand"}),
        ("source", "Zelensky told Reuters", {"source_type": "named_person"}),
    ],
}
STANCES = {
    "alice": {"nato_membership": "neutral", "security_guarantees": "favor"},
    "bob": {"nato_membership": "against", "security_guarantees": "favor"},
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "review.png")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="annotator-review-shot-") as tmp:
        os.environ["ANNOTATOR_CONFIG_DIR"] = str(Path(tmp) / "config")
        os.environ["ANNOTATOR_DATA_DIR"] = str(Path(tmp) / "data")
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")
        return render(Path(tmp), args.out)


def colleague(path: Path, name: str) -> Path:
    from annotator.app import seed_project
    from annotator.model.types import Status
    from annotator.services import annotations as svc
    from annotator.services import documents
    from annotator.services.project import Project

    project = Project.open(path)
    try:
        seed_project(project)
        me = project.annotator(name)
        first = documents.document_ids(project)[0]
        text = documents.load_view(project, first, me.id).document.text
        spans = []
        for label, words, attrs in WORK[name]:
            start = text.index(words)
            spans.append(svc.add_span(project, first, me.id, label, start, start + len(words), attrs)[0])
        svc.link(project, "attributed_to", spans[0].id, spans[1].id)
        for target, value in STANCES[name].items():
            svc.set_stance(project, first, me.id, target, value)
        svc.set_status(project, first, me.id, Status.DONE)
    finally:
        project.close()
    return path


def render(tmp: Path, out: Path) -> int:
    from PySide6.QtWidgets import QApplication

    from annotator.app import build_main_window
    from annotator.services import documents
    from annotator.services.review import Agreement, SpanItem

    app = QApplication.instance() or QApplication(sys.argv[:1])
    paths = [colleague(tmp / f"{name}.db", name) for name in WORK]
    window = build_main_window(tmp / "review.db", annotator_name="rita", seed=True)
    window.resize(1280, 800)
    window.show()
    task = window.files.merge_paths(paths)
    while task is not None and task.is_running():
        app.processEvents()
    box = window.files.merge_flow.report_box
    if box is not None:
        box.close()
    first = documents.document_ids(window.ctx.project)[0]
    window.open_document(first)
    window.review.set_review_mode(True)
    window.review_panel.accept_all_agreed()
    alignment = window.review_panel.model.alignment
    assert alignment is not None
    conflict = next(i for i in alignment.items if isinstance(i, SpanItem) and i.agreement == Agreement.CONFLICTING)
    window.review_panel.select_item(conflict.key)
    window.review_panel.table.setFocus()
    from screenshot import save_main_window  # scripts/ is on sys.path when a script runs

    return save_main_window(app, window, out)


if __name__ == "__main__":
    raise SystemExit(main())
