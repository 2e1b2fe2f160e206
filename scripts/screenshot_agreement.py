"""Render the agreement report window on three annotators' merged work and save docs/agreement.png.

Builds, in a temp dir, one project file per annotator (alice, bob, carol) from corpus/articles.jsonl,
annotates every article through the services (claims on quoted passages, sources on the speaker's
name, attribution links, document and claim stances; each annotator drifts from the others in a
fixed, seeded way), merges the three files into a reviewer's project with `services.merge`, then
computes the report in the real window offscreen and grabs it at 1280x800. Settings and data go to
the temp dir. Usage: QT_QPA_PLATFORM=offscreen python scripts/screenshot_agreement.py [--out FILE]
[--tab N]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ANNOTATORS = ("alice", "bob", "carol")
QUOTE = re.compile(r"“([^”]{25,220})”")
SPEAKER = re.compile(r"Zelensk(?:y|yy|iy)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "agreement.png")
    parser.add_argument("--tab", type=int, default=0, help="which tab of the report to show (0 = Overview)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="annotator-agreement-") as tmp:
        os.environ["ANNOTATOR_CONFIG_DIR"] = str(Path(tmp) / "config")
        os.environ["ANNOTATOR_DATA_DIR"] = str(Path(tmp) / "data")
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")
        review = build_review_project(Path(tmp))
        return render(review, args.out, args.tab)


def annotate_as(path: Path, name: str) -> None:
    """One annotator's own project: the seed corpus, annotated with this annotator's habits."""
    from annotator.io.importer import import_paths
    from annotator.model.types import Status
    from annotator.services import annotations as svc
    from annotator.services import documents
    from annotator.services.project import Project

    project = Project.open(path)
    try:
        import_paths(project, [REPO / "corpus" / "articles.jsonl"])
        me = project.annotator(name)
        scheme = project.scheme
        values = scheme.stance_values
        claim_types = scheme.label("claim").attributes[0].values
        rng = random.Random(f"agreement-{name}")
        for n, doc_id in enumerate(documents.document_ids(project)):
            text = documents.load_view(project, doc_id, me.id).document.text
            speaker = SPEAKER.search(text)
            source_id = None
            if speaker is not None and rng.random() < 0.9:
                source, _ = svc.add_span(
                    project, doc_id, me.id, "source", speaker.start(), speaker.end(), {"source_type": "named_person"}
                )
                source_id = source.id
            for k, quote in enumerate(QUOTE.finditer(text)):
                if rng.random() < 0.2:  # each annotator misses some claims
                    continue
                start, end = quote.start(1), quote.end(1)
                if rng.random() < 0.25:  # and sometimes draws the boundary differently
                    end = text.rfind(" ", start, end) if text.rfind(" ", start, end) > start else end
                label = "source" if rng.random() < 0.05 else "claim"
                attrs = (
                    {
                        "claim_type": claim_types[(k + (rng.random() < 0.3)) % len(claim_types)],
                        "checkworthy": "yes" if rng.random() < 0.7 else "no",
                    }
                    if label == "claim"
                    else {}
                )
                claim, _ = svc.add_span(project, doc_id, me.id, label, start, end, attrs)
                if label == "claim" and source_id is not None and rng.random() < 0.85:
                    svc.link(project, "attributed_to", claim.id, source_id)
                if label == "claim" and rng.random() < 0.5:
                    target = scheme.target_names[k % len(scheme.target_names)]
                    svc.set_stance(
                        project, doc_id, me.id, target, values[(n + k + (rng.random() < 0.25)) % 3], claim.id
                    )
            for t, target in enumerate(scheme.target_names):
                base = (n * 2 + t) % len(values)
                drift = rng.random() < 0.3
                svc.set_stance(project, doc_id, me.id, target, values[(base + drift) % len(values)])
            svc.set_status(project, doc_id, me.id, Status.DONE)
    finally:
        project.close()


def build_review_project(tmp: Path) -> Path:
    """Three annotators' files merged into a fresh reviewer project (as File > Merge does)."""
    from annotator.io.importer import import_paths
    from annotator.services.merge import merge_paths
    from annotator.services.project import Project

    files = []
    for name in ANNOTATORS:
        path = tmp / f"{name}.db"
        annotate_as(path, name)
        files.append(path)
    review = tmp / "review.db"
    project = Project.open(review)
    try:
        import_paths(project, [REPO / "corpus" / "articles.jsonl"])
        project.annotator("rita")
        merge_paths(project, files)
    finally:
        project.close()
    return review


def render(project_path: Path, out: Path, tab: int) -> int:
    from PySide6.QtWidgets import QApplication

    from annotator.services.project import Project
    from annotator.ui.context import AppContext
    from annotator.ui.dialogs.agreement_report import AgreementReportWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    project = Project.open(project_path)
    ctx = AppContext(project, project.annotator("rita"))
    window = AgreementReportWindow(ctx)
    window.resize(1280, 800)
    window.show()
    done: list[bool] = []
    window.report_computed.connect(lambda _report: done.append(True))
    window.compute()
    deadline = time.monotonic() + 120  # the figures first, then the intervals' job: wait for both
    while not done and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    window.tabs.setCurrentIndex(tab)
    for _ in range(5):
        app.processEvents()
    out.parent.mkdir(parents=True, exist_ok=True)
    ok = bool(done) and window.grab().save(str(out))
    window.close()
    project.close()
    print(f"{'wrote' if ok else 'could not write'} {out}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
