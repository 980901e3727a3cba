#!/usr/bin/env python3
"""Reliability figures: the reliability tests record what they tried in
.build/reliability/NAME.json (property, test, figures); this script, run by `make test`
after the Swift tests, writes them into docs/reliability.md (between the figures markers)
and exits 1 when a property's record is missing or a figure falls below its floor, so a
regression (fewer kill trials, a fuzzer that stopped running) fails the build."""
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
RECORDS = ROOT / ".build" / "reliability"
DOC = ROOT / "docs" / "reliability.md"
BEGIN, END = "<!-- reliability-figures:begin -->", "<!-- reliability-figures:end -->"

# The floors: what each property's test must at least have tried.
FLOORS = {
    "crash-kill": {"trials": 50, "trials ending like the uninterrupted run": 50, "kills": 50},
    "journal-failures": {"full disk, stopped and resumed": 1, "unwritable place, refused": 1},
    "guardrails": {"random policies and guardrail settings": 40},
    "fuzz": {"executions": 1000, "corpus inputs": 100},
}


def main() -> int:
    records = {}
    for path in sorted(RECORDS.glob("*.json")):
        try:
            record = json.loads(path.read_text())
            records[record["property"]] = record
        except (ValueError, KeyError) as error:
            print(f"FAIL  reliability: {path}: {error}")
            return 1
    failures = []
    for prop, floors in FLOORS.items():
        record = records.get(prop)
        if record is None:
            failures.append(f"`{prop}`: no figures recorded (did its test run?)")
            continue
        for name, floor in floors.items():
            got = record["figures"].get(name, 0)
            if got < floor:
                failures.append(f"`{prop}`: {name} = {got}, below its floor {floor}")
    rows = ["| property | test | figures |", "|---|---|---|"]
    for prop in sorted(records):
        record = records[prop]
        figures = ", ".join(f"{k}: {v:,}" for k, v in sorted(record["figures"].items()))
        rows.append(f"| {prop} | `{record['test']}` | {figures} |")
    table = "\n".join(rows)
    text = DOC.read_text() if DOC.exists() else "# Reliability\n"
    block = f"{BEGIN}\n{table}\n{END}"
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + block + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n## Figures\n\nWritten by `make test` (`scripts/reliability-figures.py`).\n\n" + block + "\n"
    DOC.write_text(text)
    for failure in failures:
        print(f"FAIL  reliability: {failure}")
    print(f"reliability: {len(records)} properties recorded, {len(failures)} below their floors")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
