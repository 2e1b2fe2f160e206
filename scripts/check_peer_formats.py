#!/usr/bin/env python3
"""Check annotator's Label Studio and doccano exports in the real tools.

Builds a small project in a scratch folder (the seed corpus's first two articles, plus one short
article with CRLF and non-BMP characters — the flag 🇺🇦, 𝔘, 😀 — before and inside spans), with
spans (one discontinuous), span attributes, relations and a document stance by two annotators;
exports it with `annotator export --format labelstudio|doccano`; starts the tool from its own venv
(bound to 127.0.0.1, data under the scratch folder), imports the export through the tool's HTTP
API, reads the annotations back through the API and compares every span's label, offsets and text
and every relation with the project. With `--browser`, it also opens every imported annotation in
the tool's own labelling page in headless Chromium and compares the text the page highlights with
each span's text: the check that the tool counts offsets the way the export writes them.

Run it with the repository's venv (it imports annotator); the tools need their own venvs:

    python3 -m venv V/ls && V/ls/bin/pip install label-studio==1.23.2
    python3 -m venv V/dc && V/dc/bin/pip install doccano==1.8.4   (plus the pins in README)
    python3 -m venv V/pw && V/pw/bin/pip install playwright        (only for --browser, with
                                                                  Debian's chromium)
    .venv/bin/python scripts/check_peer_formats.py labelstudio --venv V/ls [--browser V/pw/bin/python]
    .venv/bin/python scripts/check_peer_formats.py doccano --venv V/dc [--browser V/pw/bin/python]

Prints one line per check and one per mismatch; exits 0 only when everything matched.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from peer_tools import DoccanoServer, LabelStudioServer, browser_highlights  # noqa: E402

from annotator import cli  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
EMOJI_TEXT = "Kyiv 🇺🇦 said: 𝔘 NATO membership is close.\r\nZelensky 😀 agreed; talks went well. 😀 Done."


@dataclass(frozen=True)
class Span:
    doc: str
    annotator: str
    local: str  # the span's id in the annotation JSONL line
    label: str
    start: int  # code points
    end: int
    pieces: tuple[tuple[int, int], ...]
    text: str


def _span(
    doc_id: str, text: str, local: str, label: str, *phrases: str, attrs: dict[str, str] | None = None
) -> dict[str, Any]:
    pieces = []
    at = 0
    for phrase in phrases:
        start = text.index(phrase, at)
        pieces.append([start, start + len(phrase)])
        at = start + len(phrase)
    item: dict[str, Any] = {
        "id": local,
        "label": label,
        "start": pieces[0][0],
        "end": pieces[-1][1],
        "text": " ".join(text[a:b] for a, b in pieces),
        "attributes": attrs or {},
    }
    if len(pieces) > 1:
        item["fragments"] = pieces
    return item


def annotation_lines() -> list[dict[str, Any]]:
    """The annotation JSONL lines of the check: what every tool must show back."""
    articles = [
        json.loads(line) for line in (REPO / "corpus" / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    first, second = articles[0], articles[1]
    lines = []
    t = first["text"]
    lines.append(
        {
            "document": {"id": first["id"], "text": t},
            "annotator": "alice",
            "spans": [
                _span(first["id"], t, "s1", "source", "President Zelensky", attrs={"source_type": "named_person"}),
                _span(first["id"], t, "s2", "claim", "Ukraine is safe", attrs={"claim_type": "demand"}),
                _span(first["id"], t, "s3", "claim", "Even if the West", "completely safe"),
            ],
            "relations": [
                {"type": "attributed_to", "from": "s2", "to": "s1"},
                {"type": "attributed_to", "from": "s3", "to": "s1"},
            ],
            "stances": [{"target": "nato_membership", "value": "favor", "span": None}],
        }
    )
    t = second["text"]
    words = t.split()
    phrase = " ".join(words[10:14])
    lines.append(
        {
            "document": {"id": second["id"], "text": t},
            "annotator": "bob",
            "spans": [_span(second["id"], t, "s1", "claim", phrase)],
            "relations": [],
            "stances": [],
        }
    )
    t = EMOJI_TEXT
    lines.append(
        {
            "document": {"id": "emoji", "title": "Emoji before spans", "text": t},
            "annotator": "alice",
            "spans": [
                _span("emoji", t, "s1", "source", "Kyiv"),
                _span("emoji", t, "s2", "claim", "NATO membership is close", attrs={"claim_type": "prediction"}),
                _span("emoji", t, "s3", "source", "Zelensky", attrs={"canonical": "Volodymyr Zelensky"}),
                _span("emoji", t, "s4", "claim", "😀 agreed"),
                _span("emoji", t, "s5", "claim", "talks went well", "😀 Done"),
            ],
            "relations": [
                {"type": "attributed_to", "from": "s2", "to": "s1"},
                {"type": "attributed_to", "from": "s4", "to": "s3"},
            ],
            "stances": [{"target": "security_guarantees", "value": "against", "span": None}],
        }
    )
    lines.append(
        {
            "document": {"id": "emoji", "text": t},
            "annotator": "bob",
            "spans": [
                _span("emoji", t, "s1", "claim", "talks went well"),
                _span("emoji", t, "s2", "source", "Zelensky"),
            ],
            "relations": [{"type": "attributed_to", "from": "s1", "to": "s2"}],
            "stances": [],
        }
    )
    return lines


def expected(
    lines: list[dict[str, Any]],
) -> tuple[dict[tuple[str, str], list[Span]], dict[tuple[str, str], set[tuple[str, str, str]]], dict[str, str]]:
    spans: dict[tuple[str, str], list[Span]] = {}
    relations: dict[tuple[str, str], set[tuple[str, str, str]]] = {}
    texts: dict[str, str] = {}
    for line in lines:
        doc, who, text = line["document"]["id"], line["annotator"], line["document"]["text"]
        texts[doc] = text
        key = (doc, who)
        spans[key] = [
            Span(
                doc,
                who,
                s["id"],
                s["label"],
                s["start"],
                s["end"],
                tuple(tuple(p) for p in s.get("fragments", [[s["start"], s["end"]]])),
                s["text"],
            )
            for s in line["spans"]
        ]
        relations[key] = {(r["type"], r["from"], r["to"]) for r in line["relations"]}
    return spans, relations, texts


def build_project(work: Path) -> tuple[Path, list[dict[str, Any]]]:
    lines = annotation_lines()
    data = work / "check.jsonl"
    data.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    db = work / "check.annotator"
    for argv in (["init", str(db)], ["import", str(REPO / "corpus" / "articles.jsonl")], ["import", str(data)]):
        code = cli.main(argv if argv[0] == "init" else ["--project", str(db), *argv])
        if code != 0:
            raise SystemExit(f"annotator {' '.join(argv)} failed ({code})")
    return db, lines


class Report:
    def __init__(self) -> None:
        self.failures = 0
        self.checks = 0

    def check(self, ok: bool, what: str) -> None:
        self.checks += 1
        if not ok:
            self.failures += 1
            print(f"MISMATCH {what}")


class Utf16Offsets:
    """Code points -> UTF-16 units, written here again so the check does not trust the exporter's own."""

    def __init__(self, text: str) -> None:
        self.text = text

    def to_units(self, offset: int) -> int:
        return len(self.text[:offset].encode("utf-16-le")) // 2


def _units_text(text: str, start: int, end: int) -> str:
    """text[start:end] with start/end in UTF-16 units, as JavaScript's substring gives it."""
    raw = text.encode("utf-16-le")[2 * start : 2 * end]
    return raw.decode("utf-16-le", errors="replace")


# How each tool counts offsets: Label Studio's editor converts the browser's positions to code points
# (its selection-tools.js, and the page check below); doccano's editor (v-annotator, grapheme mode off)
# and UIMA/INCEpTION count UTF-16 units.
COUNTS_UNITS = {"labelstudio": False, "doccano": True, "xmi": True}


def compare_layer(
    report: Report,
    tool: str,
    text: str,
    want: list[Span],
    want_rel: set[tuple[str, str, str]],
    got: list[dict[str, Any]],
    got_rel: list[tuple[str, str, str]],
) -> None:
    """`got`: {"id", "label", "start", "end", "text"?, "fragments"?} as the tool holds them."""
    units = COUNTS_UNITS[tool]
    offsets = Utf16Offsets(text)

    def tool_offset(code_point: int) -> int:
        return offsets.to_units(code_point) if units else code_point

    def tool_text(start: int, end: int) -> str:
        return _units_text(text, start, end) if units else text[start:end]

    report.check(
        len(got) == len(want), f"{tool} {want[0].doc if want else '?'}: {len(got)} spans back, {len(want)} sent"
    )
    local_to_tool: dict[str, str] = {}
    for span in want:
        start, end = tool_offset(span.start), tool_offset(span.end)
        match = [g for g in got if g["label"] == span.label and g["start"] == start and g["end"] == end]
        where = f"{tool} {span.doc}/{span.annotator} {span.local} {span.label} [{span.start},{span.end})"
        found = sorted((g["label"], g["start"], g["end"]) for g in got)
        report.check(len(match) == 1, f"{where}: not found at [{start},{end}) among {found}")
        if len(match) != 1:
            continue
        g = match[0]
        local_to_tool[span.local] = g["id"]
        if len(span.pieces) == 1:
            shown = tool_text(g["start"], g["end"])
            report.check(shown == span.text, f"{where}: the tool's offsets cover {shown!r}, not {span.text!r}")
            if g.get("text") is not None:
                report.check(g["text"] == span.text, f"{where}: region text {g['text']!r} != {span.text!r}")
        else:
            pieces = [tuple(p) for p in g.get("fragments") or []]
            report.check(
                pieces == [(tool_offset(a), tool_offset(b)) for a, b in span.pieces],
                f"{where}: pieces {pieces} lost or moved",
            )
    tool_to_local = {v: k for k, v in local_to_tool.items()}
    back = {(t, tool_to_local.get(a, f"?{a}"), tool_to_local.get(b, f"?{b}")) for t, a, b in got_rel}
    report.check(
        back == want_rel, f"{tool} {want[0].doc if want else '?'}: relations {sorted(back)} != {sorted(want_rel)}"
    )


def check_labelstudio(
    args: argparse.Namespace, work: Path, db: Path, lines: list[dict[str, Any]], report: Report
) -> None:
    out = work / "export" / "tasks.json"
    out.parent.mkdir()
    if cli.main(["--project", str(db), "export", "--format", "labelstudio", "--out", str(out)]) != 0:
        raise SystemExit("annotator export --format labelstudio failed")
    tasks = json.loads(out.read_text(encoding="utf-8"))
    config = out.with_suffix(".config.xml").read_text(encoding="utf-8")
    spans, relations, texts = expected(lines)
    with LabelStudioServer(args.venv, work / "ls", args.port, url=args.url, token=args.token) as ls:
        print(f"Label Studio {ls.version()} at {ls.base}")
        pid = ls.create_project("annotator check", config)
        ls.import_tasks(pid, tasks)
        back = ls.export_tasks(pid)
        report.check(len(back) == len(tasks), f"labelstudio: {len(back)} tasks back, {len(tasks)} sent")
        for sent, task in zip(tasks, sorted(back, key=lambda t: t["id"]), strict=False):
            doc = task["data"].get("doc_id")
            report.check(
                doc == sent["data"]["doc_id"] and task["data"]["text"] == texts.get(doc),
                f"labelstudio task {task['id']}: text or doc_id changed",
            )
            anns = sorted(task["annotations"], key=lambda a: a["id"])
            report.check(
                len(anns) == len(sent["annotations"]),
                f"labelstudio {doc}: {len(anns)} annotations back, {len(sent['annotations'])} sent",
            )
            for mine, ann in zip(sent["annotations"], anns, strict=False):
                who = mine["annotator"]
                got, rels = _ls_regions(ann["result"])
                compare_layer(report, "labelstudio", texts[doc], spans[(doc, who)], relations[(doc, who)], got, rels)
                _ls_choices(report, doc, who, mine["result"], ann["result"])
        print(f"  {len(back)} tasks, {sum(len(t['annotations']) for t in back)} annotations read back")
        if args.browser:
            # The page shows one annotation of a task at a time: a second project holds one task per annotation.
            single = [{**t, "annotations": [a]} for t in tasks for a in t["annotations"]]
            pid = ls.create_project("annotator check, one annotation per task", config)
            ls.import_tasks(pid, single)
            for sent, task in zip(single, sorted(ls.export_tasks(pid), key=lambda t: t["id"]), strict=True):
                doc, who = sent["data"]["doc_id"], sent["annotations"][0]["annotator"]
                shown = browser_highlights(args.browser, "labelstudio", ls.page_url(pid, task["id"]), ls.login())
                _compare_shown(report, "labelstudio", texts[doc], spans[(doc, who)], shown)
            print(f"  {len(single)} annotations drawn by Label Studio's page in Chromium")


def _ls_regions(result: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[tuple[str, str, str]]]:
    regions = []
    rels = []
    for item in result:
        if item.get("type") == "labels":
            v = item["value"]
            regions.append(
                {
                    "id": item["id"],
                    "label": v["labels"][0],
                    "start": v["start"],
                    "end": v["end"],
                    "text": v.get("text"),
                    "fragments": (item.get("meta") or {}).get("fragments"),
                }
            )
        elif item.get("type") == "relation":
            rels.append((item["labels"][0], item["from_id"], item["to_id"]))
    return regions, rels


def _ls_choices(report: Report, doc: str, who: str, sent: list[dict[str, Any]], back: list[dict[str, Any]]) -> None:
    def choices(result: list[dict[str, Any]]) -> set[str]:
        return {
            json.dumps([r.get("id"), r["from_name"], r["value"].get("choices"), r["value"].get("text")], sort_keys=True)
            for r in result
            if r.get("type") in ("choices", "textarea")
        }

    report.check(
        choices(sent) == choices(back),
        f"labelstudio {doc}/{who}: attributes/stances {sorted(choices(back))} != {sorted(choices(sent))}",
    )


def _compare_shown(report: Report, tool: str, text: str, want: list[Span], shown: list[str]) -> None:
    """`shown`: the texts the tool's page highlights, one per region (any order). A discontinuous span
    is drawn as its bounding region (neither tool has discontinuous regions)."""
    expect = sorted(text[s.start : s.end] for s in want)
    report.check(
        sorted(shown) == expect,
        f"{tool} page {want[0].doc}/{want[0].annotator} highlights {sorted(shown)} instead of {expect}",
    )


def check_doccano(args: argparse.Namespace, work: Path, db: Path, lines: list[dict[str, Any]], report: Report) -> None:
    out = work / "export" / "lines.jsonl"
    out.parent.mkdir()
    if cli.main(["--project", str(db), "export", "--format", "doccano", "--out", str(out)]) != 0:
        raise SystemExit("annotator export --format doccano failed")
    sent = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    spans, relations, texts = expected(lines)
    labels = sorted({e["label"] for line in sent for e in line["entities"]})
    rel_types = sorted({r["type"] for line in sent for r in line["relations"]})
    with DoccanoServer(args.venv, work / "dc", args.port) as dc:
        print(f"doccano {dc.version()} at {dc.base}")
        # doccano imports a file into one project and keeps no annotator per line: one project per annotator.
        for who in sorted({line["annotator"] for line in sent}):
            mine = [line for line in sent if line["annotator"] == who]
            pid = dc.create_project(f"annotator check {who}", labels, rel_types)
            dc.import_jsonl(pid, mine)
            back = dc.export_jsonl(pid)
            report.check(len(back) == len(mine), f"doccano {who}: {len(back)} lines back, {len(mine)} sent")
            by_text = {line["text"]: line for line in back}
            for line in mine:
                doc = line["id"]
                got_line = by_text.get(line["text"])
                report.check(got_line is not None, f"doccano {doc}/{who}: text not found back (changed on import?)")
                if got_line is None:
                    continue
                pieces = {
                    (f.get("label"), f.get("start_offset"), f.get("end_offset")): f.get("fragments")
                    for f in got_line.get("fragments") or []
                }
                got = [
                    {
                        "id": e["id"],
                        "label": e["label"],
                        "start": e["start_offset"],
                        "end": e["end_offset"],
                        "fragments": pieces.get((e["label"], e["start_offset"], e["end_offset"])),
                    }
                    for e in got_line["entities"]
                ]
                rels = [(r["type"], r["from_id"], r["to_id"]) for r in got_line["relations"]]
                compare_layer(report, "doccano", texts[doc], spans[(doc, who)], relations[(doc, who)], got, rels)
                if args.browser:
                    shown = browser_highlights(args.browser, "doccano", dc.page_url(pid, got_line["id"]), dc.login())
                    _compare_shown(report, "doccano", texts[doc], spans[(doc, who)], shown)


XMI_NS = {"cas": "http:///uima/cas.ecore", "custom": "http:///webanno/custom.ecore", "xmi": "http://www.omg.org/XMI"}


def check_xmi(work: Path, db: Path, lines: list[dict[str, Any]], report: Report) -> None:
    """INCEpTION itself is not run (see the README): read the XMI as a Java UIMA reader would, with a plain
    XML parser and UTF-16 offsets, and the type system as INCEpTION's custom layers need it."""
    import xml.etree.ElementTree as ET

    out = work / "export" / "xmi"
    out.parent.mkdir()
    if cli.main(["--project", str(db), "export", "--format", "xmi", "--out", str(out)]) != 0:
        raise SystemExit("annotator export --format xmi failed")
    spans, relations, texts = expected(lines)
    types = {
        t.findtext("{*}name"): t for t in ET.parse(out / "TypeSystem.xml").getroot().findall(".//{*}typeDescription")
    }
    for name in ("webanno.custom.Span", "webanno.custom.Relation", "webanno.custom.Stance"):
        report.check(
            types.get(name) is not None and types[name].findtext("{*}supertypeName") == "uima.tcas.Annotation",
            f"xmi: {name} is not a uima.tcas.Annotation (INCEpTION layers are)",
        )
    relation = types.get("webanno.custom.Relation")
    features = relation.findall(".//{*}featureDescription") if relation is not None else []
    ranges = {f.findtext("{*}name"): f.findtext("{*}rangeTypeName") for f in features}
    report.check(
        ranges.get("Governor") == ranges.get("Dependent") == "webanno.custom.Span",
        f"xmi: relation Governor/Dependent {ranges} must point at the span layer (INCEpTION's relation layers)",
    )
    files = sorted(out.rglob("*.xmi"))
    report.check(len(files) == len(spans), f"xmi: {len(files)} CAS files, {len(spans)} layers")
    for path in files:
        who, doc = path.parent.name, path.stem
        root = ET.parse(path).getroot()
        sofa = root.find("cas:Sofa", XMI_NS)
        text = sofa.get("sofaString") if sofa is not None else None
        report.check(
            text == texts.get(doc),
            f"xmi {doc}/{who}: the sofa string read by an XML parser differs from the text (CRLF or non-BMP lost?)",
        )
        if text is None or (doc, who) not in spans:
            continue
        xid = "{http://www.omg.org/XMI}id"
        found = [
            {
                "id": e.get(xid),
                "label": e.get("label"),
                "start": int(e.get("begin", -1)),
                "end": int(e.get("end", -1)),
                "fragments": _xmi_pieces(e.get("fragments")),
            }
            for e in root.findall("custom:Span", XMI_NS)
        ]
        rels = [
            (e.get("label"), e.get("Governor"), e.get("Dependent")) for e in root.findall("custom:Relation", XMI_NS)
        ]
        compare_layer(report, "xmi", text, spans[(doc, who)], relations[(doc, who)], found, rels)
    print(f"  {len(files)} CAS XMI files read with a plain XML parser, offsets as UTF-16 units")


def _xmi_pieces(raw: str | None) -> list[list[int]] | None:
    return [[int(x) for x in piece.split("-")] for piece in raw.split(";")] if raw else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tool", choices=["labelstudio", "doccano", "xmi"])
    parser.add_argument("--venv", type=Path, help="the tool's own venv (its bin/ has the tool); not for xmi")
    parser.add_argument("--port", type=int, default=18480)
    parser.add_argument("--url", help="Label Studio: use this running server instead of starting one")
    parser.add_argument("--token", help="Label Studio: API token of the running server given by --url")
    parser.add_argument(
        "--browser", metavar="PYTHON", help="a python with playwright: also compare what the page highlights"
    )
    parser.add_argument("--workdir", type=Path, help="scratch folder (default: a new temporary one, removed after)")
    args = parser.parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    work = args.workdir or Path(tempfile.mkdtemp(prefix="peer-check-"))
    work.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    report = Report()
    try:
        db, lines = build_project(work)
        if args.tool == "xmi":
            check_xmi(work, db, lines, report)
        elif args.venv is None and args.url is None:
            parser.error(f"{args.tool} needs --venv")
        elif args.tool == "labelstudio":
            check_labelstudio(args, work, db, lines, report)
        else:
            check_doccano(args, work, db, lines, report)
    finally:
        if args.workdir is None and report.failures == 0:
            shutil.rmtree(work, ignore_errors=True)
    matched = report.checks - report.failures
    print(f"{args.tool}: {matched} of {report.checks} checks matched ({time.perf_counter() - t0:.0f} s)")
    if report.failures:
        print(f"scratch folder kept: {work}")
    return 1 if report.failures else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUTF8", "1")
    sys.exit(main())
