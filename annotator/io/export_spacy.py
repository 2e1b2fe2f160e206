"""spaCy DocBin export (`--format spacy`, needs the `annotator[spacy]` extra).

One `Doc` per (document, annotator) layer, tokenised by a blank pipeline (`spacy.blank(lang)`, no
model download): spans go to `doc.spans["sc"]` with their label (a discontinuous span as one span per
piece, all sharing the span's `kb_id_` "span-<id>"; a span is widened to token boundaries when its
offsets fall inside a token, `alignment_mode="expand"`), document stances to `doc.cats` as
"<target>=<value>" (1.0 for the chosen value, 0.0 for the others), and `doc.user_data` holds
`doc_id`, `title` and `annotator`. Relations, attributes, span-level stances and statuses are not in
a DocBin. Without spaCy the export stops with a sentence saying how to install it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from annotator.io.export_layers import Cancel, ExportReport, Progress, Ticker, iter_layers
from annotator.io.export_layers import resolve_annotator as _resolve
from annotator.io.staged_files import StagedFiles
from annotator.model.errors import AnnotatorError
from annotator.services.project import Project
from annotator.store import documents as docs
from annotator.store import streams as q

MISSING = "spaCy export needs spaCy: pip install 'annotator[spacy]' (or pip install spacy)"


def export_spacy(
    project: Project,
    out_path: Path,
    *,
    annotator: str | None = None,
    lang: str = "xx",
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> ExportReport:
    """Write a `.spacy` DocBin to `out_path`."""
    try:
        import spacy
        from spacy.tokens import DocBin
    except ImportError as exc:
        raise AnnotatorError(MISSING) from exc
    import json

    out_path = Path(out_path)
    annotator_id = _resolve(project, annotator)
    nlp = spacy.blank(lang)
    values = project.scheme.stance_values
    counts = {"docs": 0, "spans": 0, "cats": 0}
    bin_ = DocBin(store_user_data=True)
    with project.reading() as s, StagedFiles(out_path.parent) as staged:
        totals = q.layer_counts(s, annotator_id)
        ticker = Ticker(totals["spans"] + totals["stances"], progress, cancel)
        names = q.annotator_names(s)
        rows: Iterator[tuple[Any, ...]] = docs.stream_document_texts(s)
        current: tuple[Any, ...] | None = None
        for layer in iter_layers(s, annotator_id):
            while current is None or current[0] < layer.doc_id:
                current = next(rows)
            doc = nlp.make_doc(current[4])
            spans = []
            for sid, _, _, label, start, end, _, _, fragments, *_ in layer.spans:
                pieces = json.loads(fragments) if fragments and fragments != "null" else [[start, end]]
                for a, b in pieces:
                    piece = doc.char_span(a, b, label=project.scheme.canonical_label(label), alignment_mode="expand")
                    if piece is not None:
                        piece.kb_id_ = f"span-{sid}"
                        spans.append(piece)
            doc.spans["sc"] = spans
            for _, _, _, target, value, span_id, *_ in layer.stances:
                if span_id is None:
                    doc.cats.update({f"{target}={v}": float(v == value) for v in values})
            doc.user_data.update(doc_id=current[1], title=current[3], annotator=names[layer.annotator_id])
            bin_.add(doc)
            counts["docs"] += 1
            counts["spans"] += len(layer.spans)
            counts["cats"] += sum(1 for st in layer.stances if st[5] is None)
            ticker.advance(len(layer.spans) + len(layer.stances))
        target = staged.reserve(out_path.name)
        bin_.to_disk(target)
        paths = staged.commit()
    return ExportReport(paths, counts)
