"""The agreement report of several random team projects, as JSON files, to check that a change to the
agreement code leaves every figure byte-identical: run it on the old and on the new commit over the
same project files and compare the two output folders.

The projects (scripts/team_corpus.py, built once into --projects and reused) vary the number of
annotators (2-5), the density of spans (so that overlap matching meets groups of several spans), the
share of discontinuous spans and of (document, annotator) pairs nobody worked on. For each project
and for gold left out and included it writes the report as `annotator agreement --json` prints it
(`services.agreement.agreement(...).to_json()`), and the report the window computes (figures first,
`ui.models.agreement_tables.compute_report(..., intervals=False, overview=True)`, then
`services.agreement.complete_report`, then `with_intervals`), which must
be the same text.

Usage:
    python scripts/agreement_fingerprint.py OUT [--projects DIR]      # write OUT/<project>-<gold>.json
    python scripts/agreement_fingerprint.py OUT --compare BASE        # ... then diff against BASE
Running the old commit: `git worktree add /tmp/old <commit>` (or `git archive <commit> | tar -x -C
/tmp/old`), copy this script into it, run it there with the same --projects. Not part of pytest.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import team_corpus  # noqa: E402

from annotator.model.agreement_compare import with_intervals  # noqa: E402
from annotator.services.agreement import agreement, complete_report  # noqa: E402
from annotator.services.project import Project  # noqa: E402
from annotator.ui.models.agreement_tables import compute_report  # noqa: E402

# name: (seed, documents, annotators, spans per layer, characters, discontinuous share, skipped share)
PROJECTS: dict[str, tuple[int, int, int, int, int, float, float]] = {
    "plain3": (1, 120, 3, 5, 3000, 0.0, 0.0),
    "dense4": (2, 60, 4, 25, 1200, 0.0, 0.0),
    "pieces2": (3, 80, 2, 8, 1500, 0.3, 0.0),
    "mixed5": (4, 40, 5, 20, 1000, 0.2, 0.3),
    "skips3": (5, 150, 3, 6, 2000, 0.1, 0.2),
    "bench3": (6, 300, 3, 5, 3000, 0.0, 0.0),
}


def dump(project: Project, include_gold: bool) -> tuple[str, str]:
    """The CLI's report and the window's (overview first, then the other sections, then intervals), as
    indented JSON text."""
    complete = agreement(project, include_gold=include_gold).to_json()
    me = project.annotators()[0].id
    first = compute_report(project, me, include_gold, intervals=False, overview=True).report
    return json.dumps(complete, indent=1), json.dumps(with_intervals(complete_report(first)).to_json(), indent=1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--projects", type=Path, default=Path("/tmp/agreement-fingerprint-projects"))
    parser.add_argument("--compare", type=Path, help="a folder written by this script on another commit")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    args.projects.mkdir(parents=True, exist_ok=True)
    problems = []
    for name, (seed, n_docs, annotators, per_layer, chars, pieces, skip) in PROJECTS.items():
        path = args.projects / f"{name}.db"
        if not path.exists():
            team_corpus.build(
                path,
                n_docs=n_docs,
                annotators=annotators,
                spans_per_layer=per_layer,
                chars=chars,
                seed=seed,
                discontinuous=pieces,
                skip=skip,
            )
        project = Project.open(path, readonly=True)
        try:
            for gold in (False, True):
                complete, window = dump(project, gold)
                out = args.out / f"{name}-{gold}.json"
                out.write_text(complete, encoding="utf-8")
                if window != complete:
                    problems.append(f"{name} gold={gold}: the window's report differs from the CLI's")
                if args.compare is not None:
                    base = args.compare / out.name
                    if not base.exists() or base.read_text(encoding="utf-8") != complete:
                        problems.append(f"{name} gold={gold}: differs from {base}")
        finally:
            project.close()
    for line in problems:
        print(line, file=sys.stderr)
    print(json.dumps({"projects": len(PROJECTS), "reports": 2 * len(PROJECTS), "problems": len(problems)}))
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
