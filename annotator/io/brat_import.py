"""brat standoff import: `.txt` + `.ann` pairs from files or folders, one transaction per `.ann`.

Pairing: `NAME.ann` goes with `NAME.txt`; `NAME_X.ann` with `NAME.txt` when there is no `NAME_X.txt`
(PolNeAR's `<article>_<annotator>.ann`, the annotator being X). The `.txt` may sit beside the `.ann`
or anywhere among the given paths (PolNeAR keeps them in `text/` beside `attributions/`). The
annotator is X, else `--annotator`, else the name of the folder holding the `.ann`.

Mapping (names through `brat_format.TypeMap`): a T line becomes a span (several pieces: a
discontinuous span with `fragments`); an A/M line on a T becomes a span attribute; an R line a
relation from Arg1 to Arg2; an E line a relation *from its trigger span*, to its `Arg2` argument if it
has one, else to the trigger too, with every other argument kept as a role (`args`); A/M lines on an
E become relation attributes; `#` AnnotatorNotes become comments by the layer's annotator on the
item. Every offset is checked against the text and every T line's text against the text it covers.
A bad line rejects its whole `.ann` (named by file and line); nothing of it is stored. Documents
without any `.ann` are imported as plain documents. `.txt` files are read as UTF-8 exactly as they
are (CRLF kept), so offsets mean what brat meant.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.io.annotation_jsonl import AnnotationImporter
from annotator.io.brat_format import Ann, AnnError, TypeMap, parse_ann
from annotator.io.import_report import CancelFn, FileTally, ImportReport, ProgressFn, Rejection, Ticker
from annotator.io.readers import title_from_text
from annotator.model.types import FRAGMENT_JOINER
from annotator.services.project import Project
from annotator.store import annotations as q
from annotator.store.engine import utc_now


@dataclass
class BratSummary:
    """Every line of every .ann read, by kind, and what became of it."""

    files: int = 0
    lines: Counter[str] = field(default_factory=Counter)
    imported: Counter[str] = field(default_factory=Counter)
    discontinuous: int = 0
    report: ImportReport = field(default_factory=ImportReport)

    def text(self) -> str:
        kinds = {"T": "T (spans)", "E": "E (events)", "R": "R (relations)", "A": "A", "M": "M", "#": "# notes"}
        rows = [f"brat: {self.files:,} .ann files"]
        for kind, name in kinds.items():
            if self.lines[kind]:
                rows.append(f"  {name}: {self.lines[kind]:,} read, {self.imported[kind]:,} imported")
        rows.append(f"  discontinuous spans: {self.discontinuous:,}")
        ignored = self.lines["N"] + self.lines["*"]
        if ignored:
            rows.append(f"  N and * lines (not imported): {ignored:,}")
        rows.append(self.report.summary())
        return "\n".join(rows)


def import_brat(
    project: Project,
    paths: Sequence[str | Path],
    *,
    annotator: str | None = None,
    mapping: Path | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> BratSummary:
    """Import every .ann (with its .txt) under `paths`; see the module text for the mapping."""
    types = TypeMap(project.scheme, mapping)
    summary = BratSummary()
    texts, anns = _collect(paths, summary.report)
    pairs = [(ann, _text_for(ann, texts), ann) for ann in anns]
    ticker = Ticker(progress, cancel, len(pairs) + len(texts))
    used: set[Path] = set()
    for ann_path, pair, _ in pairs:
        ticker.start_file()
        if pair is None:
            summary.report.rejected.append(Rejection(str(ann_path), None, "no .txt file for this .ann"))
            continue
        txt, suffix = pair
        used.add(txt)
        who = suffix or annotator or ann_path.parent.name or "brat"
        summary.report.merge(_import_pair(project, txt, ann_path, who, types, summary, ticker))
        ticker.end_file(1)
    plain = [p for p in texts.values() if p not in used]
    if plain:
        from annotator.io.importer import import_paths

        report = import_paths(project, plain, fmt="txt")
        summary.report.documents_added += report.documents_added
        summary.report.files_read += report.files_read
        summary.report.duplicates.extend(report.duplicates)
        summary.report.rejected.extend(report.rejected)
    return summary


def _collect(paths: Sequence[str | Path], report: ImportReport) -> tuple[dict[str, Path], list[Path]]:
    texts: dict[str, Path] = {}
    anns: list[Path] = []
    for given in map(Path, paths):
        if not given.exists():
            report.rejected.append(Rejection(str(given), None, "no such file or folder"))
            continue
        found = sorted(given.rglob("*")) if given.is_dir() else [given]
        for path in found:
            if path.suffix == ".txt" and path.is_file():
                texts.setdefault(path.stem, path)
            elif path.suffix == ".ann" and path.is_file():
                anns.append(path)
            elif given.is_file():
                report.rejected.append(Rejection(str(path), None, "not a brat .txt or .ann file"))
    return texts, anns


def _text_for(ann: Path, texts: dict[str, Path]) -> tuple[Path, str | None] | None:
    beside = ann.with_suffix(".txt")
    if beside.is_file():
        return beside, None
    if ann.stem in texts:
        return texts[ann.stem], None
    stem, _, suffix = ann.stem.rpartition("_")
    if stem in texts and suffix:
        return texts[stem], suffix
    return None


def _import_pair(
    project: Project, txt: Path, ann_path: Path, who: str, types: TypeMap, summary: BratSummary, ticker: Ticker
) -> FileTally:
    tally = FileTally(str(ann_path))
    try:
        with txt.open(encoding="utf-8", newline="") as handle:
            text = handle.read()
        with ann_path.open(encoding="utf-8", newline="") as handle:
            lines = handle.read().split("\n")
    except (OSError, UnicodeDecodeError) as exc:
        tally.whole_file_rejected = True
        tally.reject(None, f"cannot read {txt.name} or {ann_path.name} as UTF-8 ({exc})")
        return tally
    if lines and lines[-1] == "":
        lines.pop()
    summary.files += 1
    try:
        ann = parse_ann(lines)
        record, notes = _record(ann, text, txt.stem, who, types)
    except AnnError as exc:
        summary.lines.update(_counts(lines))
        tally.whole_file_rejected = True
        tally.reject(exc.line, exc.reason)
        return tally
    summary.lines.update(ann.counts)
    with project.session() as session:
        importer = AnnotationImporter(project, session, ann_path, "utf-8", tally, ticker, utc_now())
        importer.run([(1, json.dumps(record, ensure_ascii=False))])
        if tally.rejected:
            session.rollback()
            tally.rejected = [_at_line(r, ann) for r in tally.rejected]
            tally.whole_file_rejected = True
            return tally
        _add_notes(session, importer, record, notes)
    summary.imported.update({k: v for k, v in ann.counts.items() if k not in "N*"})
    summary.discontinuous += sum(1 for s in ann.spans.values() if len(s.pieces) > 1)
    return tally


def _at_line(rejection: Rejection, ann: Ann) -> Rejection:
    """A rejection of the whole record, pinned to the .ann line of the item it names."""
    found = re.search(r"span '(T\d+)'|relation #(\d+)", rejection.reason)
    line = rejection.line
    if found and found.group(1) in ann.spans:
        line = ann.spans[found.group(1)].line
    elif found and found.group(2) and int(found.group(2)) <= len(ann.links):
        line = list(ann.links.values())[int(found.group(2)) - 1].line
    return Rejection(rejection.file, line, rejection.reason)


def _counts(lines: list[str]) -> Counter[str]:
    return Counter("#" if line[:1] == "#" else line[:1] for line in lines if line[:1] in "TREAM#N*")


def _record(ann: Ann, text: str, doc_id: str, who: str, types: TypeMap) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The annotation-JSONL record of one .ann, and its notes as (local item id, text)."""
    spans: dict[str, dict[str, Any]] = {}
    for t in ann.spans.values():
        label = types.label(t.type)
        if label is None:
            raise AnnError(t.line, f"{t.id}: type {t.type!r} is not a label of the scheme (map it with --mapping)")
        for start, end in t.pieces:
            if not 0 <= start < end <= len(text):
                raise AnnError(t.line, f"{t.id}: offsets {start} {end} are outside the text (0..{len(text)})")
        covered = FRAGMENT_JOINER.join(text[s:e] for s, e in t.pieces)
        if t.text != covered and t.text.removesuffix("\r") != covered:
            raise AnnError(t.line, f"{t.id}: text {t.text[:40]!r} is not the text at its offsets ({covered[:40]!r})")
        pieces = sorted(t.pieces)  # brat keeps the order of selection; fragments are kept sorted
        span: dict[str, Any] = {"id": t.id, "label": label, "start": pieces[0][0], "end": pieces[-1][1]}
        if len(pieces) > 1:
            span["fragments"] = [list(p) for p in pieces]
        spans[t.id] = span | {"attributes": {}}
    relations: dict[str, dict[str, Any]] = {}
    for link in ann.links.values():
        relations[link.id] = _relation(link, spans, types)
    for name, target, value, line in ann.attributes:
        owner = spans.get(target) or relations.get(target)
        if owner is None:
            raise AnnError(line, f"attribute {name!r} points at {target!r}, which is not a T, R or E line")
        owner.setdefault("attributes", {})[types.attribute(name)] = value
    notes = []
    for target, note, line in ann.notes:
        if target not in spans and target not in relations:
            raise AnnError(line, f"note points at {target!r}, which is not a T, R or E line")
        notes.append((target, note))
    record = {
        "document": {"id": doc_id, "title": title_from_text(text), "text": text},
        "annotator": who,
        "spans": list(spans.values()),
        "relations": [r | {"id": k} for k, r in relations.items()],
    }
    return record, notes


def _relation(link: Any, spans: dict[str, dict[str, Any]], types: TypeMap) -> dict[str, Any]:
    rtype = types.relation(link.type)
    if rtype is None:
        raise AnnError(link.line, f"{link.id}: type {link.type!r} is not a relation of the scheme")
    for role, target in ([("trigger", link.trigger)] if link.trigger else []) + link.args:
        if target not in spans:
            raise AnnError(link.line, f"{link.id}: {role} {target!r} is not a T line (nested events are not supported)")
    if link.trigger is None:
        (_, source), (_, target) = link.args
        return {"type": rtype, "from": source, "to": target}
    args = dict(link.args)
    to = args.pop("Arg2", link.trigger)
    return {"type": rtype, "from": link.trigger, "to": to, "args": {types.role(k): v for k, v in args.items()}}


def _add_notes(
    session: Any, importer: AnnotationImporter, record: dict[str, Any], notes: list[tuple[str, str]]
) -> None:
    """Store AnnotatorNotes as comments keyed like the review's items (span:START:END:LABEL)."""
    if not notes or importer.last_document_id is None:
        return
    importer.flush()
    spans = {s["id"]: s for s in record["spans"]}
    relations = {r["id"]: r for r in record["relations"]}
    doc = importer.last_document_id
    author = importer.annotator_id(record["annotator"])
    for target, note in notes:
        key = item_key(spans, relations, target)
        q.add_comment(session, doc, author, key, note)


def item_key(spans: dict[str, dict[str, Any]], relations: dict[str, dict[str, Any]], target: str) -> str:
    """The review's key for a span (span:START:END:LABEL) or relation (relation:TYPE:<from>-><to>)."""

    def span_key(local: str) -> str:
        s = spans[local]
        return f"span:{s['start']}:{s['end']}:{s['label']}"

    if target in spans:
        return span_key(target)
    r = relations[target]
    return f"relation:{r['type']}:{span_key(r['from'])}->{span_key(r['to'])}"
