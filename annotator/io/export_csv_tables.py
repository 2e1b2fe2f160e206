"""The CSV tables, one writer method each: documents, spans, relations, stances, status, claims, comments.

`export_csv` decides where each table is written (in this process or a helper process); this module
knows the columns and the fastest way to fill them. Each table is one streamed query. Hot loops
inline `neutralise` and decode each distinct attributes JSON string once (`_Cells`); claims.csv
joins claims to their linked spans and own stances inside SQLite (`store.streams.stream_claims`).
"""

from __future__ import annotations

import csv
import itertools
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any

from annotator.io.csv_safety import GUARDED, CellGuard
from annotator.io.export_annotation_cells import RelationCells, fragments_cell, unique_names
from annotator.io.export_layers import Row, Ticker
from annotator.model.scheme import AttributeDef, Scheme
from annotator.store import Session, rejections
from annotator.store import documents as docs
from annotator.store import streams as q

DOCUMENT_COLUMNS = ("doc_id", "title", "sha256", "n_chars", "imported_at")
SPAN_COLUMNS = ("span_id", "doc_id", "annotator", "label", "start", "end", "text", "fragments")
SPAN_TAIL = ("origin", "created_at", "updated_at")
RELATION_COLUMNS = ("relation_id", "doc_id", "annotator", "type", "from_span_id", "to_span_id")
STANCE_COLUMNS = ("doc_id", "annotator", "target", "value", "span_id")
STATUS_COLUMNS = ("doc_id", "annotator", "status", "seconds", "updated_at")
COMMENT_COLUMNS = ("comment_id", "doc_id", "author", "item_key", "text", "created_at")
CLAIM_COLUMNS = ("doc_id", "title", "annotator", "claim_id", "claim_text")
LINE_END = "\r\n"
"""With CR and LF both in the line terminator, Python's writer quotes every cell holding either."""
OTHER_BREAKS = re.compile(r"\\x0b|\\x0c|\\x1c|\\x1d|\\x1e|\\x85|\\u2028|\\u2029")
"""The other characters some reader treats as a line break (str.splitlines does), as `repr` shows
them: rows holding one are written with every text cell quoted. (A backslash typed before "x0b"
matches too; that row is merely quoted.)"""
LINK_JOINER = " | "
"""Joins the values of several linked spans in one claims.csv cell (relations allowing many)."""
CHUNK = 5000


def _chunks(rows: Iterable[Row], size: int = CHUNK) -> Iterator[list[Row]]:
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


class _Writer:
    """`csv.writer` with QUOTE_MINIMAL and CRLF, except that a row holding any other line-break
    character goes through a QUOTE_NONNUMERIC writer, so no reader can split it. The check is one
    regex over the `repr` of a whole chunk (C speed), and row by row only when that finds one."""

    def __init__(self, handle: IO[str]) -> None:
        self._plain = csv.writer(handle, quoting=csv.QUOTE_MINIMAL, lineterminator=LINE_END)
        self._quoted = csv.writer(handle, quoting=csv.QUOTE_NONNUMERIC, lineterminator=LINE_END)

    def writerow(self, row: Sequence[Any]) -> None:
        (self._quoted if OTHER_BREAKS.search(repr(row)) else self._plain).writerow(row)

    def writerows(self, rows: Iterable[Sequence[Any]]) -> None:
        chunk = list(rows)
        if not OTHER_BREAKS.search(repr(chunk)):
            self._plain.writerows(chunk)
            return
        for row in chunk:
            self.writerow(row)


def _writer(handle: IO[str], header: Sequence[str]) -> _Writer:
    writer = _Writer(handle)
    writer.writerow(header)
    return writer


class _DocumentMaps:
    """One pass over the documents (no text): neutralised id and title per row id, and every
    metadata key in first-seen order, which documents.csv needs for its header."""

    def __init__(self, session: Session, guard: CellGuard) -> None:
        neutralise = guard.text
        self.ext_ids: dict[int, str] = {}
        self.titles: dict[int, str] = {}
        keys: dict[str, None] = {}
        seen_meta: set[str] = set()
        for doc_id, ext_id, title, _, _, _, meta_json in docs.stream_document_rows(session):
            self.ext_ids[doc_id] = neutralise(ext_id)
            self.titles[doc_id] = neutralise(title or "")
            # Documents of one import share their metadata keys: decode each distinct key set once.
            if meta_json and meta_json != "{}" and meta_json not in seen_meta:
                if len(seen_meta) < 100000:
                    seen_meta.add(meta_json)
                for key in json.loads(meta_json):
                    keys.setdefault(key, None)
        self.meta_keys = list(keys)


def _write_documents(session: Session, handle: IO[str], maps: _DocumentMaps, ticker: Ticker, guard: CellGuard) -> int:
    keys, neutralise_value = maps.meta_keys, guard.value
    writer = _writer(handle, [*DOCUMENT_COLUMNS, *unique_names(DOCUMENT_COLUMNS, keys, "meta_")])
    n = 0
    for doc_id, _, _, sha, n_chars, imported_at, meta_json in docs.stream_document_rows(session):
        meta = json.loads(meta_json) if meta_json and meta_json != "{}" else {}
        writer.writerow(
            (
                maps.ext_ids[doc_id],
                maps.titles[doc_id],
                sha,
                n_chars,
                imported_at,
                *[neutralise_value(meta.get(k)) for k in keys],
            )
        )
        n += 1
        ticker.advance()
    return n


def _ordered_attributes(attrs: Sequence[AttributeDef]) -> list[AttributeDef]:
    return [a for a in attrs if a.kind == "text"] + [a for a in attrs if a.kind != "text"]


class _Cells:
    """Attribute JSON text -> the cells it fills, decoded once per distinct string.

    Attribute values come from small choice lists (plus a registry of canonical names), so a
    million spans carry a few hundred distinct attribute strings; the cache is cleared if a
    pathological project makes it grow past `limit`, which keeps memory flat either way.
    """

    def __init__(self, names: Sequence[str], guard: CellGuard, limit: int = 50000) -> None:
        self.names = tuple(names)
        self.guard = guard
        self.blank = ("",) * len(self.names)
        self._cache: dict[str | None, tuple[Any, ...]] = {None: self.blank, "": self.blank, "{}": self.blank}
        self._limit = limit

    def get(self, raw: str | None) -> tuple[Any, ...]:
        cells = self._cache.get(raw)
        if cells is None:
            attrs = json.loads(raw) if raw else {}
            cells = tuple(_cell(attrs.get(n), self.guard) for n in self.names)
            if len(self._cache) > self._limit:
                self._cache = {None: self.blank, "": self.blank, "{}": self.blank}
            self._cache[raw] = cells
        return cells


def _cell(value: Any, guard: CellGuard) -> Any:
    return "" if value is None else guard.value(value)


class _Labels(dict[str, str]):
    """Stored label -> its current name in the scheme (a stored label may be a renamed one's alias)."""

    def __init__(self, scheme: Scheme) -> None:
        super().__init__()
        self._scheme = scheme

    def __missing__(self, label: str) -> str:
        self[label] = self._scheme.canonical_label(label)
        return self[label]


class _ClaimLayout:
    """The claims.csv columns the scheme calls for, and the rows of one claim."""

    def __init__(self, scheme: Scheme, guard: CellGuard) -> None:
        self.guard = guard
        self.relation_types = [r.name for r in scheme.relations]
        names = {r.from_label for r in scheme.relations}
        # Stored labels may be aliases of a renamed label; select those too.
        self.stored_labels = sorted({n for lab in scheme.labels if lab.name in names for n in (lab.name, *lab.aliases)})
        claim_attrs: dict[str, None] = {}
        for lab in scheme.labels:
            if lab.name in names:
                for attr in _ordered_attributes(lab.attributes):
                    claim_attrs.setdefault(attr.name, None)
        self.claim_cells = _Cells(tuple(claim_attrs), guard)
        self.to_labels = list(dict.fromkeys(r.to_label for r in scheme.relations))
        self.linked_cells: dict[str, _Cells] = {}
        link_names: list[str] = []
        for to_label in self.to_labels:
            label = scheme.label(to_label)
            attrs = tuple(a.name for a in _ordered_attributes(label.attributes if label else ()))
            self.linked_cells[to_label] = _Cells(attrs, guard)
            prefix = f"{to_label}_"
            link_names += [f"{to_label}_text", *[a if a.startswith(prefix) else prefix + a for a in attrs]]
        self.labels = _Labels(scheme)
        self.targets = scheme.target_names
        fixed = list(CLAIM_COLUMNS)
        claim_cols = unique_names(fixed, claim_attrs, "claim_")
        link_cols = unique_names([*fixed, *claim_cols], link_names, "linked_")
        target_cols = unique_names([*fixed, *claim_cols, *link_cols], self.targets, "stance_")
        self.header = [*fixed, *claim_cols, *link_cols, *target_cols]
        self._blank_links = tuple("" for _ in link_names)

    def row(self, rows: list[Row], ext_id: str, title: str, annotator: str) -> tuple[Any, ...]:
        """One claims.csv row from the stream_claims rows of one claim."""
        first = rows[0]
        text = first[3]
        neutralise = self.guard.text
        head = (
            ext_id,
            title,
            annotator,
            first[0],
            "'" + text if text[:1] in self.guard.starts else text,
            *self.claim_cells.get(first[4]),
        )
        stances = [v or "" for v in first[8:]]
        if len(rows) == 1:
            # The common cases, kept cheap: no link, or one link and one kind of linked label.
            if first[5] is None:
                return (*head, *self._blank_links, *stances)
            if len(self.to_labels) == 1 and self.labels[first[5]] == self.to_labels[0]:
                return (*head, neutralise(first[6]), *self.linked_cells[self.to_labels[0]].get(first[7]), *stances)
        links: list[Any] = []
        for to_label in self.to_labels:
            mine = [r for r in rows if r[5] is not None and self.labels[r[5]] == to_label]
            cells = self.linked_cells[to_label]
            if len(mine) == 1:
                links += [neutralise(mine[0][6]), *cells.get(mine[0][7])]
            else:
                links.append(neutralise(LINK_JOINER.join(r[6] for r in mine)))
                columns = zip(*[cells.get(r[7]) for r in mine], strict=True) if mine else [()] * len(cells.names)
                links += [neutralise(LINK_JOINER.join(str(v) for v in col)) for col in columns]
        return (*head, *links, *stances)


class TableWriter:
    """Writes each table to the handle it is given, one streamed query per table."""

    TABLES = (
        "documents.csv",
        "spans.csv",
        "relations.csv",
        "stances.csv",
        "status.csv",
        "claims.csv",
        "comments.csv",
    )

    def __init__(
        self, scheme: Scheme, session: Session, annotator_id: int | None, ticker: Ticker, guard: CellGuard = GUARDED
    ) -> None:
        """`guard` neutralises formula-like text cells (the CSV default); xlsx passes UNGUARDED."""
        self.session = session
        self.guard = guard
        self.annotator_id = annotator_id
        self.ticker = ticker
        self.span_cells = _Cells(scheme.attribute_names(), guard)
        self.relation_cells = RelationCells(scheme, RELATION_COLUMNS, guard)
        self.labels = _Labels(scheme)
        self.claims = _ClaimLayout(scheme, guard)
        self.maps = _DocumentMaps(session, guard)
        self.ext_ids, self.titles = self.maps.ext_ids, self.maps.titles
        self.names = {i: guard.text(n) for i, n in q.annotator_names(session).items()}

    def write(self, table: str, handle: IO[str]) -> int:
        """Write `table` (one of TABLES) to `handle`; returns the rows written."""
        method = {
            "documents.csv": self.write_documents,
            "spans.csv": self.write_spans,
            "relations.csv": self.write_relations,
            "stances.csv": self.write_stances,
            "status.csv": self.write_status,
            "claims.csv": self.write_claims,
            "comments.csv": self.write_comments,
        }[table]
        return method(handle)

    def write_documents(self, handle: IO[str]) -> int:
        return _write_documents(self.session, handle, self.maps, self.ticker, self.guard)

    def write_spans(self, handle: IO[str]) -> int:
        header = [*SPAN_COLUMNS, *unique_names([*SPAN_COLUMNS, *SPAN_TAIL], self.span_cells.names, "attr_"), *SPAN_TAIL]
        writer = _writer(handle, header)
        ext_ids, names, labels, cells = self.ext_ids, self.names, self.labels, self.span_cells.get
        starts = self.guard.starts
        n = 0
        for chunk in _chunks(q.stream_spans(self.session, self.annotator_id)):
            # The hot loop of the export: neutralise() inlined, attribute cells cached.
            writer.writerows(
                (
                    sid,
                    ext_ids[did],
                    names[aid],
                    labels[label],
                    start,
                    end,
                    "'" + text if text[:1] in starts else text,
                    fragments_cell(fragments),
                    *cells(attrs),
                    origin,
                    created,
                    updated,
                )
                for (sid, did, aid, label, start, end, text, attrs, fragments, origin, created, updated) in chunk
            )
            n += len(chunk)
            self.ticker.advance(len(chunk))
        return n

    def write_relations(self, handle: IO[str]) -> int:
        writer = _writer(handle, [*RELATION_COLUMNS, *self.relation_cells.names])
        ext_ids, names, extras = self.ext_ids, self.names, self.relation_cells.cells
        n = 0
        for chunk in _chunks(q.stream_relations(self.session, self.annotator_id)):
            writer.writerows(
                (rid, ext_ids[did], names[aid], rtype, from_id, to_id, *extras(args, attributes))
                for rid, did, aid, rtype, from_id, to_id, args, attributes, *_ in chunk
            )
            n += len(chunk)
            self.ticker.advance(len(chunk))
        return n

    def write_stances(self, handle: IO[str]) -> int:
        writer = _writer(handle, STANCE_COLUMNS)
        ext_ids, names = self.ext_ids, self.names
        n = 0
        for chunk in _chunks(q.stream_stances(self.session, self.annotator_id)):
            writer.writerows(
                (ext_ids[did], names[aid], target, value, "" if span_id is None else span_id)
                for _, did, aid, target, value, span_id, *_ in chunk
            )
            n += len(chunk)
            self.ticker.advance(len(chunk))
        return n

    def write_status(self, handle: IO[str]) -> int:
        """Each annotator's status per document (a document without a row is not_started). With
        spans.csv and stances.csv it says which documents an annotator worked on, hence which
        documents each pair of annotators is compared on in the agreement report."""
        writer = _writer(handle, STATUS_COLUMNS)
        ext_ids, names = self.ext_ids, self.names
        n = 0
        for chunk in _chunks(q.stream_statuses(self.session, self.annotator_id)):
            writer.writerows(
                (ext_ids[did], names[aid], status, seconds, updated)
                for _, did, aid, status, seconds, _, updated in chunk
            )
            n += len(chunk)
            self.ticker.check()
        return n

    def write_comments(self, handle: IO[str]) -> int:
        """Reviewers' comments on items; they are about items, not layers, so every one is written.
        Then the reviewers' rejections, as rows without a comment id whose item_key is
        "rejected:<key>" and text "rejected" (how this table has always listed them)."""
        writer = _writer(handle, COMMENT_COLUMNS)
        ext_ids, names, neutralise = self.ext_ids, self.names, self.guard.text
        n = 0
        for chunk in _chunks(q.stream_comments(self.session)):
            writer.writerows(
                (cid, ext_ids[did], names[aid], neutralise(key), neutralise(text), created)
                for cid, did, aid, key, text, created in chunk
            )
            n += len(chunk)
            self.ticker.check()
        for chunk in _chunks(rejections.stream_rejections(self.session)):
            writer.writerows(
                ("", ext_ids[did], names[aid], neutralise(rejections.REJECTION_KEY_PREFIX + key), "rejected", created)
                for _, did, aid, key, created in chunk
            )
            n += len(chunk)
            self.ticker.check()
        return n

    def write_claims(self, handle: IO[str]) -> int:
        layout = self.claims
        writer = _writer(handle, layout.header)
        rows = q.stream_claims(
            self.session, layout.stored_labels, layout.relation_types, layout.targets, self.annotator_id
        )
        ext_ids, titles, names, make_row = self.ext_ids, self.titles, self.names, layout.row
        n = 0
        pending: list[Row] = []
        for chunk in _chunks(rows):
            out = []
            for row in chunk:
                # A claim with several links comes as consecutive rows; gather them first.
                if pending and row[0] != pending[0][0]:
                    did = pending[0][1]
                    out.append(make_row(pending, ext_ids[did], titles[did], names[pending[0][2]]))
                    pending = []
                pending.append(row)
            writer.writerows(out)
            n += len(out)
            self.ticker.check()
        if pending:
            did = pending[0][1]
            writer.writerow(make_row(pending, ext_ids[did], titles[did], names[pending[0][2]]))
            n += 1
        return n
