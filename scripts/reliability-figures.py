#!/usr/bin/env python3
"""Reliability figures: the reliability tests record what they tried in
.build/reliability/*.json (property, test, figures; a test may record one part of a
property, `PROPERTY--PART.json`, and the parts of a property are added up); this script,
run by `make test` after the Swift tests, writes them into docs/reliability.md (between the
figures markers) and exits 1 when a property's record is missing or a figure falls below
its floor, so a regression (fewer inputs tried, fewer handled as required, a test that
stopped running) fails the build.

Figures come in two forms: a plain count (`trials`), or a pair `KIND: tried` and
`KIND: as required` (inputs of that kind exercised, and how many of them got the required
diagnostic or behaviour, every check of the test holding). A floor on KIND applies to both
counts of the pair. A record may say `skipped` (why the test could not run here): it is
printed as a SKIP line and shown in the doc, and the floors of that property are not
applied (a sandbox without the means, not a regression)."""
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
RECORDS = ROOT / ".build" / "reliability"
DOC = ROOT / "docs" / "reliability.md"
BEGIN, END = "<!-- reliability-figures:begin -->", "<!-- reliability-figures:end -->"
TRIED, OK = ": tried", ": as required"

# The floors: what each property's tests must at least have tried (and handled as required).
# They are the counts of the case tables when written: a case removed, or a test that stops
# recording, fails `make test`.
FLOORS = {
    "crash-kill": {"trials": 50, "trials ending like the uninterrupted run": 50, "kills": 50},
    "journal-failures": {"full disk, stopped and resumed": 1, "unwritable place, refused": 1},
    "read-only-journal": {
        "journal directory made immutable mid-run": 1,
        "journal files made immutable mid-run": 1,
        "resume in an immutable directory": 1,
        "journal directory made read-only for an unprivileged run": 1,
        "resume as an unprivileged user in a read-only directory": 1,
    },
    "guardrails": {"random policies and guardrail settings": 40},
    "fuzz": {"executions": 1000, "corpus inputs": 100},
    "hostile-input": {
        "10,000-level nesting (let, rule, eval)": 54,
        "deepest accepted nesting, every stage on a small stack": 10,
        "one level over the nesting limit": 10,
        "10,000 chained lets": 2,
        "longest accepted let chain on a small stack": 1,
        "huge number literal": 8,
        "tiny or long valid number": 5,
        "instant beyond the calendar": 8,
        "overflow at run time": 2,
        "dimension exponent out of range": 4,
        "10 MB line": 6,
        "10 MB of garbage": 4,
        "bytes that are not text": 10,
        "byte order marks and carriage returns": 4,
        "20,000 checker errors": 1,
    },
    "evaluation-bounds": {
        "costly rule rejected or warned at check time": 3,
        "const over its budget at check time": 1,
        "rule stopped at its budget while the others ran": 2,
        "tick budget shared": 2,
        "expression or let over its budget": 2,
        "generated pathological rule": 24,
        "generated rules rejected at check time": 12,
        "generated rules stopped at their budget": 8,
        "generated rules finished within their budget": 4,
        "absurd policy test step": 3,
    },
    "bad-data": {
        "bad telemetry value": 26,
        "odd but legitimate value": 4,
        "rejected value kept out of the history": 2,
        "clock backwards, duplicate, forward jump": 3,
        "stale metric": 1,
        "20-year clock jump": 1,
        "history append": 11,
        "series gap": 2,
        "series bad value": 2,
        "grid series gap and hold": 5,
        "NaN telemetry through the control loop": 1,
        "tick with rejections counted": 6,
    },
    "file-validation": {
        "cluster file bad value": 60,
        "cluster file whole-file problem": 9,
        "cluster file cut short": 374,
        "grid series file": 18,
        "grid CSV bad row": 11,
        "trace bad line": 22,
        "trace with several bad lines": 2,
        "trace not text": 2,
        "trace cut short": 162,
        "profile file bad": 12,
        "profile file cut short": 306,
        "text check": 10,
    },
    "action-bounds": {
        "out-of-range action value stopped before the scheduler": 27,
        "in-range action value passed": 7,
        "random action values": 500,
    },
}


def load():
    """The records, their parts added up per property."""
    merged = {}
    for path in sorted(RECORDS.glob("*.json")):
        record = json.loads(path.read_text())
        prop = record["property"]
        entry = merged.setdefault(prop, {"tests": [], "figures": {}, "skipped": []})
        if record["test"] not in entry["tests"]:
            entry["tests"].append(record["test"])
        for name, value in record["figures"].items():
            entry["figures"][name] = entry["figures"].get(name, 0) + int(value)
        if record.get("skipped"):
            entry["skipped"].append(record["skipped"])
    return merged


def check(records):
    failures = []
    for prop, floors in FLOORS.items():
        record = records.get(prop)
        if record is None:
            failures.append(f"`{prop}`: no figures recorded (did its tests run?)")
            continue
        if record["skipped"]:
            continue
        figures = record["figures"]
        for name, floor in floors.items():
            names = [name] if name in figures else [name + TRIED, name + OK]
            for key in names:
                got = figures.get(key, 0)
                if got < floor:
                    failures.append(f"`{prop}`: {key} = {got}, below its floor {floor}")
        # Every kind tried must have been handled as required, all of it.
        for key, tried in figures.items():
            if key.endswith(TRIED):
                kind = key[: -len(TRIED)]
                ok = figures.get(kind + OK, 0)
                if ok != tried:
                    failures.append(f"`{prop}`: {kind}: {ok} of {tried} as required")
    return failures


def render(records):
    lines = []
    for prop in sorted(records):
        record = records[prop]
        figures = record["figures"]
        tests = ", ".join(f"`{t}`" for t in sorted(record["tests"]))
        lines.append(f"**{prop}** ({tests})")
        lines.append("")
        for reason in record["skipped"]:
            lines.append(f"SKIPPED here: {reason}")
            lines.append("")
        kinds = sorted(k[: -len(TRIED)] for k in figures if k.endswith(TRIED))
        plain = sorted(k for k in figures if not k.endswith(TRIED) and not k.endswith(OK))
        if kinds:
            lines += ["| inputs | tried | as required | floor |", "|---|---:|---:|---:|"]
            for kind in kinds:
                floor = FLOORS.get(prop, {}).get(kind, "")
                lines.append(f"| {kind} | {figures[kind + TRIED]:,} | {figures.get(kind + OK, 0):,} | {floor} |")
            total_tried = sum(figures[k + TRIED] for k in kinds)
            total_ok = sum(figures.get(k + OK, 0) for k in kinds)
            lines.append(f"| **total** | **{total_tried:,}** | **{total_ok:,}** | |")
            lines.append("")
        if plain:
            lines += ["| figure | value | floor |", "|---|---:|---:|"]
            for name in plain:
                floor = FLOORS.get(prop, {}).get(name, "")
                lines.append(f"| {name} | {figures[name]:,} | {floor} |")
            lines.append("")
    return "\n".join(lines).rstrip("\n")


def main() -> int:
    try:
        records = load()
    except (ValueError, KeyError, TypeError) as error:
        print(f"FAIL  reliability: a record in {RECORDS} is unreadable: {error}")
        return 1
    failures = check(records)
    text = DOC.read_text() if DOC.exists() else "# Reliability\n"
    block = f"{BEGIN}\n{render(records)}\n{END}"
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + block + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n## Figures\n\nWritten by `make test` (`scripts/reliability-figures.py`).\n\n" + block + "\n"
    DOC.write_text(text)
    for prop in sorted(records):
        for reason in records[prop]["skipped"]:
            print(f"SKIP  reliability: `{prop}`: {reason}")
    for failure in failures:
        print(f"FAIL  reliability: {failure}")
    print(f"reliability: {len(records)} properties recorded, {len(failures)} figures below their floors")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
