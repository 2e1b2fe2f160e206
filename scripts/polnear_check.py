"""Acceptance check of the brat importer and exporter on the PolNeAR corpus (train split only).

PolNeAR (https://github.com/networkdynamics/PolNeAR) is not part of this repository. Get it once:

    git clone --depth 1 https://github.com/networkdynamics/PolNeAR /tmp/PolNeAR
    python scripts/polnear_check.py /tmp/PolNeAR/data/train          # or data/annotator-training

Use the train split and the annotator-training compartment only: dev and test are held out.

What it does, in a temporary folder: creates a project with resources/schemes/polnear.toml,
imports the split with `import_brat` and prints the summary (every T, E, A and # line read and
imported), exports the project as brat, and compares every exported .ann with its source .ann up to
ids, line order and fragment order (`brat_format.canonical`). Exits 0 only when every line was
imported and every file compares equal.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from annotator.io.brat_export import export_brat
from annotator.io.brat_format import canonical, parse_ann
from annotator.io.brat_import import import_brat
from annotator.paths import SCHEMES_DIR
from annotator.services.project import Project


def _canonical(path: Path) -> list[str]:
    return canonical(parse_ann(path.read_bytes().decode("utf-8").split("\n")))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("split", type=Path, help="a PolNeAR compartment, e.g. PolNeAR/data/train")
    args = parser.parse_args()
    if any(part in {"dev", "test"} for part in args.split.resolve().parts):
        print("polnear_check: dev and test are held out; use train or annotator-training", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="polnear-") as tmp:
        project = Project.open(Path(tmp) / "polnear.db", scheme_path=SCHEMES_DIR / "polnear.toml")
        try:
            started = time.perf_counter()
            summary = import_brat(project, [args.split])
            print(summary.text())
            print(f"import: {time.perf_counter() - started:.1f} s")
            for rejection in summary.report.rejected[:20]:
                print(rejection, file=sys.stderr)
            out = Path(tmp) / "export"
            started = time.perf_counter()
            export_brat(project, out)
            print(f"export: {time.perf_counter() - started:.1f} s")
        finally:
            project.close()
        sources = sorted(args.split.rglob("*.ann"))
        # PolNeAR has one article under two dates (same text): both .ann files land on one document,
        # exported under the first name. An .ann without lines gives no layer, hence no file.
        same_text: dict[bytes, list[str]] = {}
        for txt in sorted(args.split.rglob("*.txt")):
            same_text.setdefault(txt.read_bytes(), []).append(txt.stem)
        twins = {stem: stems for stems in same_text.values() for stem in stems}
        different = []
        for source in sources:
            stem, _, who = source.stem.rpartition("_")
            exported = [out / who / f"{name}.ann" for name in twins.get(stem, [stem])]
            found = [_canonical(path) for path in exported if path.is_file()]
            if _canonical(source) not in (found or [[]]):
                different.append(source)
        print(
            f"brat export equal to the source up to ids and line order: {len(sources) - len(different):,} of "
            f"{len(sources):,} .ann files"
        )
        for source in different[:20]:
            print(f"  differs: {source}", file=sys.stderr)
    imported_all = all(summary.imported[kind] == n for kind, n in summary.lines.items() if kind not in "N*")
    return 0 if summary.report.ok and imported_all and not different else 1


if __name__ == "__main__":
    sys.exit(main())
