"""INCEpTION / WebAnno: UIMA CAS XMI export and import through dkpro-cassis.

Layout: `OUT/TypeSystem.xml` and `OUT/<annotator>/<doc id>.xmi`, one CAS per (document, annotator),
as INCEpTION keeps them; import reads such a folder (or single .xmi files with a TypeSystem.xml
beside or above them; annotator = the .xmi's folder name, else `--annotator`). cassis converts
offsets between Python code points and the UTF-16 units XMI and INCEpTION use. Our layers:

- `webanno.custom.Span` (begin, end, `label`, `attributes` as JSON text, `fragments` "s-e;s-e"
  in UTF-16 units like begin/end, for a discontinuous span — INCEpTION has no discontinuous
  spans: begin/end are the bounds),
- `webanno.custom.Relation` (INCEpTION's relation layer shape: `Governor` = from span,
  `Dependent` = to span, begin/end of the dependent, `label`, `attributes` JSON, and `args`, an
  array of `webanno.custom.RelationArgLink` {`role`, `target`}, INCEpTION's link-feature shape),
- `webanno.custom.Stance` (`target`, `value`; over the whole text for the document's stance, over
  the span, with `span` set, for a span's own stance).
Statuses, times and comments are not written. A bad CAS (offsets outside the text, an unknown label)
rejects that file whole, named.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from annotator.io.export_layers import Cancel, ExportReport, Progress, Ticker, iter_layers
from annotator.io.export_layers import resolve_annotator as _resolve
from annotator.io.import_report import CancelFn, FileTally, ImportReport, ProgressFn
from annotator.io.record_files import FileRejected, Records, import_record_files
from annotator.io.staged_files import new_folder
from annotator.io.utf16 import Utf16Offsets
from annotator.model.errors import AnnotatorError
from annotator.services.project import Project
from annotator.store import documents as docs
from annotator.store import streams as q

SPAN, RELATION, LINK, STANCE = (f"webanno.custom.{n}" for n in ("Span", "Relation", "RelationArgLink", "Stance"))
_STRING, _UNSAFE = "uima.cas.String", re.compile(r"[^\w.\-]+")


def type_system() -> Any:
    """The type system of our layers."""
    from cassis import TypeSystem

    ts = TypeSystem()
    span = ts.create_type(SPAN)
    for name in ("label", "attributes", "fragments"):
        ts.create_feature(span, name, _STRING)
    link = ts.create_type(LINK, supertypeName="uima.cas.TOP")
    ts.create_feature(link, "role", _STRING)
    ts.create_feature(link, "target", SPAN)
    relation = ts.create_type(RELATION)
    ts.create_feature(relation, "Governor", SPAN)
    ts.create_feature(relation, "Dependent", SPAN)
    for name in ("label", "attributes"):
        ts.create_feature(relation, name, _STRING)
    ts.create_feature(relation, "args", "uima.cas.FSArray", elementType=LINK, multipleReferencesAllowed=True)
    stance = ts.create_type(STANCE)
    for name in ("target", "value"):
        ts.create_feature(stance, name, _STRING)
    ts.create_feature(stance, "span", SPAN)
    return ts


def export_xmi(
    project: Project,
    out_dir: Path,
    *,
    annotator: str | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> ExportReport:
    """Write the folder `out_dir` (new, or empty); it appears only when complete."""
    from cassis import Cas

    counts = {"cases": 0, "spans": 0, "relations": 0, "stances": 0}
    with new_folder(Path(out_dir), "XMI") as staging:
        annotator_id = _resolve(project, annotator)
        ts = type_system()
        (staging / "TypeSystem.xml").write_text(ts.to_xml(), encoding="utf-8")
        with project.reading() as s:
            totals = q.layer_counts(s, annotator_id)
            ticker = Ticker(totals["spans"] + totals["relations"] + totals["stances"], progress, cancel)
            names = q.annotator_names(s)
            rows = docs.stream_document_texts(s)
            current: tuple[Any, ...] | None = None
            for layer in iter_layers(s, annotator_id):
                while current is None or current[0] < layer.doc_id:
                    current = next(rows)
                cas = Cas(typesystem=ts)
                cas.sofa_string = current[4]
                _fill(cas, ts, layer, project, counts)
                folder = staging / (_UNSAFE.sub("_", names[layer.annotator_id]).strip("._") or "annotator")
                folder.mkdir(exist_ok=True)
                cas.to_xmi(str(folder / f"{_UNSAFE.sub('_', current[1]).strip('._') or current[2][:16]}.xmi"))
                counts["cases"] += 1
                ticker.advance(len(layer.spans) + len(layer.relations) + len(layer.stances))
    return ExportReport((Path(out_dir),), counts)


def _fill(cas: Any, ts: Any, layer: Any, project: Project, counts: dict[str, int]) -> None:
    span_t, rel_t, link_t, stance_t = (ts.get_type(n) for n in (SPAN, RELATION, LINK, STANCE))
    units = Utf16Offsets(cas.sofa_string)
    made: dict[int, Any] = {}
    for sid, _, _, label, start, end, _, attrs, fragments, *_ in layer.spans:
        pieces = json.loads(fragments) if fragments and fragments != "null" else []
        fs = span_t(
            begin=start,
            end=end,
            label=project.scheme.canonical_label(label),
            attributes=attrs if attrs and attrs not in ("{}", "null") else None,
            fragments=";".join(f"{units.to_units(a)}-{units.to_units(b)}" for a, b in pieces) or None,
        )
        cas.add(fs)
        made[sid] = fs
    for _, _, _, rtype, source, target, args_raw, attrs_raw, *_ in layer.relations:
        if source not in made or target not in made:
            continue
        args = json.loads(args_raw) if args_raw and args_raw != "null" else {}
        links = [link_t(role=role, target=made[v]) for role, v in args.items() if v in made]
        fs = rel_t(
            begin=made[target].begin,
            end=made[target].end,
            Governor=made[source],
            Dependent=made[target],
            label=rtype,
            attributes=attrs_raw if attrs_raw and attrs_raw not in ("{}", "null") else None,
        )
        if links:
            from cassis.typesystem import TYPE_NAME_FS_ARRAY

            array = ts.get_type(TYPE_NAME_FS_ARRAY)(elements=links)
            fs.args = array
        cas.add(fs)
        counts["relations"] += 1
    for _, _, _, target, value, span_id, *_ in layer.stances:
        on = made.get(span_id) if span_id is not None else None
        begin, end = (on.begin, on.end) if on is not None else (0, len(cas.sofa_string))
        cas.add(stance_t(begin=begin, end=end, target=target, value=value, span=on))
        counts["stances"] += 1
    counts["spans"] += len(layer.spans)


def import_xmi(
    project: Project,
    paths: Sequence[str | Path],
    *,
    annotator: str | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> ImportReport:
    """Import .xmi files (or folders of them) written with our type system."""
    from cassis import load_cas_from_xmi, load_typesystem

    files: list[Path] = []
    for given in map(Path, paths):
        files += sorted(given.rglob("*.xmi")) if given.is_dir() else [given]
    systems: dict[Path, Any] = {}

    def read(path: Path, tally: FileTally) -> Records:
        found = next((p / "TypeSystem.xml" for p in path.parents if (p / "TypeSystem.xml").is_file()), None)
        try:
            if found is None:
                raise AnnotatorError("no TypeSystem.xml beside or above it")
            if found not in systems:
                with found.open("rb") as handle:
                    systems[found] = load_typesystem(handle)
            with path.open("rb") as handle:
                cas = load_cas_from_xmi(handle, typesystem=systems[found])
            who = annotator if found.parent == path.parent else path.parent.name
            record = _record(cas, path.stem, who or annotator or "inception")
        except Exception as exc:  # cassis and lxml raise many kinds; each is this file's rejection
            raise FileRejected(f"not a readable CAS XMI of our layers ({exc})") from exc
        return [(1, json.dumps(record, ensure_ascii=False))]

    return import_record_files(project, files, read, progress=progress, cancel=cancel)


def _record(cas: Any, doc_id: str, who: str) -> dict[str, Any]:
    units = Utf16Offsets(cas.sofa_string)
    ids: dict[int, str] = {}
    spans = []
    for n, fs in enumerate(cas.select(SPAN), start=1):
        ids[fs.xmiID] = f"s{n}"
        span: dict[str, Any] = {"id": f"s{n}", "label": fs.label, "start": fs.begin, "end": fs.end}
        span["attributes"] = json.loads(fs.attributes) if fs.attributes else {}
        if fs.fragments:
            span["fragments"] = [
                [units.to_code_points(int(x)) for x in piece.split("-")] for piece in fs.fragments.split(";")
            ]
        spans.append(span)
    relations = []
    for fs in cas.select(RELATION):
        relation: dict[str, Any] = {"type": fs.label, "from": ids[fs.Governor.xmiID], "to": ids[fs.Dependent.xmiID]}
        links = list(fs.args.elements) if fs.args is not None else []
        if links:
            relation["args"] = {link.role: ids[link.target.xmiID] for link in links}
        if fs.attributes:
            relation["attributes"] = json.loads(fs.attributes)
        relations.append(relation)
    stances = [
        {"target": fs.target, "value": fs.value, "span": ids[fs.span.xmiID] if fs.span is not None else None}
        for fs in cas.select(STANCE)
    ]
    document = {"id": doc_id, "text": cas.sofa_string}
    return {"document": document, "annotator": who, "spans": spans, "relations": relations, "stances": stances}
