#!/usr/bin/env python3
"""Cross-checks grammar/watt.lark and grammar/watt.ebnf against the Swift parser.

    python3 grammar/crosscheck.py [--verbose] [--directives] [FILE.watt ...]

1. Every `*.watt` file under Tests/WattLanguageTests/Corpus/, policies/ and examples/
   (recursively), or the files given, is parsed twice: by the Swift parser
   (`$WATT_BIN parse FILE`, default `.build/debug/watt`; exit 0 = accepted, 1 = rejected)
   and by the Lark grammar grammar/watt.lark (Earley, basic lexer). Every disagreement is
   reported. A file whose first line is a directive is also checked against it:
   `# expect: syntax-error` must be rejected, `# expect: ok` and `# expect: error ...`
   must be accepted. With --directives, `watt check --format json` must also report no
   errors for `ok` and exactly the listed codes (as a set, like CorpusTests) for
   `error CODE...`.
2. Every `/// name = ... ;` production in Sources/WattLanguage/Parser/*.swift must appear,
   whitespace-normalised, as the production of that name in the syntactic part of
   grammar/watt.ebnf, and every production of that part must come from a doc comment
   (helpers belong to the lexical part, after the `== Lexical grammar ==` marker).
3. The keyword list (Token.swift, watt.ebnf, watt.lark) and the unit symbols
   (`watt units`, watt.ebnf, watt.lark) must agree.

grammar/crosscheck_skip.txt lists files to leave out of step 1, one per line as
`path # reason` (path relative to the repository root; a line starting with `#` is a
comment), e.g. files that only the nesting-depth limit (E0206) rejects.

Exit status: 0 when everything agrees, 1 on any mismatch, 2 when the check cannot run.
The last line is always `crosscheck: N passed, M failed`.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

try:
    import lark
except ImportError:
    print("grammar/crosscheck.py needs the Python package `lark`; install it with:\n"
          "    pip install lark", file=sys.stderr)
    sys.exit(2)

ROOT = Path(__file__).resolve().parent.parent
GRAMMAR_DIR = ROOT / "grammar"
CORPUS_DIRS = ["Tests/WattLanguageTests/Corpus", "policies", "examples"]
PARSER_SOURCES = ROOT / "Sources/WattLanguage/Parser"
TOKEN_SOURCE = ROOT / "Sources/WattLanguage/Lexer/Token.swift"
LEXICAL_MARKER = "== Lexical grammar =="
DIRECTIVE = re.compile(r"#\s*expect:\s*(ok|syntax-error|error((?:\s+E\d{4})+))\s*$")

passed = 0
failed = 0


def fail(message: str) -> None:
    global failed
    failed += 1
    print(message)


def ok() -> None:
    global passed
    passed += 1


def finish(code: int | None = None) -> None:
    print(f"crosscheck: {passed} passed, {failed} failed")
    sys.exit(code if code is not None else (1 if failed else 0))


# ------------------------------------------------------------------ Lark side

def make_lark_parser() -> lark.Lark:
    text = (GRAMMAR_DIR / "watt.lark").read_text(encoding="utf-8")
    return lark.Lark(text, parser="earley", lexer="basic", start="start")


NUMBER_PREFIX = re.compile(r"[0-9][0-9_]*(?:\.[0-9][0-9_]*)?(?:[eE][+-]?[0-9][0-9_]*)?")


def lark_verdict(parser: lark.Lark, data: bytes) -> tuple[bool, str]:
    """(accepted, why not). The file is decoded as UTF-8 with `surrogateescape`: bytes
    that are not valid UTF-8 become U+DC80..U+DCFF, which only comments accept."""
    text = data.decode("utf-8", errors="surrogateescape")
    try:
        tree = parser.parse(text)
    except lark.exceptions.LarkError as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return False, first
    except RecursionError:
        return False, "Python recursion limit (nesting too deep for Lark)"
    # Not context-free: a number must be finite as a Double (Swift's E0105).
    for token in tree.scan_values(lambda v: isinstance(v, lark.Token) and v.type in ("NUMBER", "QUANTITY")):
        digits = NUMBER_PREFIX.match(str(token)).group(0).replace("_", "")
        if not math.isfinite(float(digits)):
            return False, f"number `{digits}` is out of range (line {token.line})"
    return True, ""


# ----------------------------------------------------------------- Swift side

def swift_verdict(binary: str, path: Path) -> tuple[bool | None, str]:
    try:
        run = subprocess.run([binary, "parse", str(path)], capture_output=True, timeout=60)
    except subprocess.TimeoutExpired:
        return None, "`watt parse` timed out"
    except OSError as error:
        return None, f"cannot run `{binary}`: {error}"
    detail = run.stderr.decode("utf-8", "replace").strip().splitlines()
    first = detail[0] if detail else ""
    if run.returncode == 0:
        return True, ""
    if run.returncode == 1:
        return False, first
    how = f"signal {-run.returncode}" if run.returncode < 0 else f"exit {run.returncode}"
    return None, f"`watt parse` failed ({how}): {first}"


def swift_check_codes(binary: str, path: Path) -> list[str] | str:
    try:
        run = subprocess.run([binary, "check", "--format", "json", str(path)], capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"cannot run `watt check`: {error}"
    if run.returncode not in (0, 1):
        return f"`watt check` failed (status {run.returncode})"
    try:
        diagnostics = json.loads(run.stdout.decode("utf-8", "replace") or "[]")
    except json.JSONDecodeError:
        return "`watt check --format json` printed no JSON"
    return sorted({d["code"] for d in diagnostics if d.get("severity") == "error"})


# ------------------------------------------------------------------ corpus

def load_skips() -> dict[str, str]:
    """grammar/crosscheck_skip.txt: `path # reason` per line (the format of
    Tests/WattLanguageTests/Corpus/skip.txt), path relative to the repository root."""
    skips: dict[str, str] = {}
    path = GRAMMAR_DIR / "crosscheck_skip.txt"
    if not path.exists():
        return skips
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, _, reason = line.partition("#")
        name, reason = name.strip(), reason.strip()
        if not reason:
            fail(f"SKIP LIST grammar/crosscheck_skip.txt:{number}: `{name}` has no reason (`path # reason`)")
        elif not (ROOT / name).is_file():
            fail(f"SKIP LIST grammar/crosscheck_skip.txt:{number}: no such file `{name}`")
        else:
            skips[name] = reason
    return skips


def corpus_files() -> list[Path]:
    files: list[Path] = []
    for folder in CORPUS_DIRS:
        base = ROOT / folder
        if base.is_dir():
            files.extend(p for p in base.rglob("*.watt") if p.is_file())
    return sorted(files)


def relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def verdict_word(accepted: bool | None) -> str:
    return {True: "accepted", False: "rejected", None: "error"}[accepted]


def check_corpus(binary: str, files: list[Path], verbose: bool, directives: bool) -> None:
    parser = make_lark_parser()
    skips = load_skips()
    todo = []
    for path in files:
        name = relative(path)
        if name in skips:
            if verbose:
                print(f"skip {name}: {skips[name]}")
            continue
        todo.append(path)
    skipped = len(files) - len(todo)

    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        swift = list(pool.map(lambda p: swift_verdict(binary, p), todo))
        agreed = 0
        for path, (swift_ok, swift_why) in zip(todo, swift):
            name = relative(path)
            data = path.read_bytes()
            lark_ok, lark_why = lark_verdict(parser, data)
            problems = []
            if swift_ok is None:
                problems.append(swift_why)
            elif swift_ok != lark_ok:
                problems.append(f"swift={verdict_word(swift_ok)} lark={verdict_word(lark_ok)}")
                if swift_why:
                    problems.append(f"swift: {swift_why}")
                if "[E0206]" in swift_why and lark_ok:
                    problems.append("(only the nesting-depth limit rejects it? then list it in "
                                    "grammar/crosscheck_skip.txt as `path # reason`)")
                if lark_why:
                    problems.append(f"lark: {lark_why}")
            first_line = data.split(b"\n", 1)[0].decode("utf-8", "replace").strip()
            directive = DIRECTIVE.match(first_line)
            if first_line.startswith("# expect:") and not directive:
                problems.append(f"malformed directive `{first_line}`")
            if directive and swift_ok is not None:
                expects_ok = directive.group(1) != "syntax-error"
                if swift_ok != expects_ok:
                    problems.append(f"directive `{first_line}` but the Swift parser {verdict_word(swift_ok)} it"
                                    + (f" ({swift_why})" if swift_why else ""))
                elif directives and expects_ok:
                    wanted = sorted(set(directive.group(2).split())) if directive.group(2) else []
                    got = swift_check_codes(binary, path)
                    if isinstance(got, str):
                        problems.append(got)
                    elif got != wanted:
                        problems.append(f"directive `{first_line}` but `watt check` reports errors "
                                        f"[{' '.join(got) or 'none'}]")
            if problems:
                fail(f"FAIL {name}: " + problems[0]
                     + "".join(f"\n    {p}" for p in problems[1:]))
            else:
                agreed += 1
                ok()
                if verbose:
                    print(f"ok   {name}: both {verdict_word(lark_ok)}")
    print(f"corpus: {agreed} of {len(todo)} files agree ({skipped} skipped)")


# ------------------------------------------------------ productions and lists

def strip_ebnf_comments(text: str) -> str:
    """Removes `(* ... *)` comments, leaving quoted text alone."""
    out, i, quote = [], 0, None
    while i < len(text):
        c = text[i]
        if quote:
            out.append(c)
            if c == quote:
                quote = None
            i += 1
        elif c in "\"'":
            quote = c
            out.append(c)
            i += 1
        elif text.startswith("(*", i):
            end = text.find("*)", i + 2)
            i = len(text) if end < 0 else end + 2
            out.append(" ")
        else:
            out.append(c)
            i += 1
    return "".join(out)


def productions(text: str) -> list[tuple[str, str]]:
    """`name = body ;` statements, in order, as (name, whitespace-normalised text).
    A `;` inside "...", '...' or ? ... ? does not end a production."""
    found, i = [], 0
    start = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*=(?!=)")
    while i < len(text):
        m = start.match(text, i)
        if not m:
            nxt = text.find("\n", i)
            if nxt < 0:
                break
            i = nxt + 1
            continue
        j, quote = m.end(), None
        while j < len(text):
            c = text[j]
            if quote:
                if c == quote:
                    quote = None
            elif c in "\"'?":
                quote = c
            elif c == ";":
                break
            j += 1
        body = text[m.start():j + 1]
        found.append((m.group(1), " ".join(body.split())))
        i = j + 1
    return found


def swift_productions() -> list[tuple[str, str, str]]:
    """(name, text, where) for each production in a `///` doc comment of the parser."""
    result = []
    for source in sorted(PARSER_SOURCES.glob("*.swift")):
        lines = source.read_text(encoding="utf-8").splitlines()
        index = 0
        while index < len(lines):
            if not lines[index].strip().startswith("///"):
                index += 1
                continue
            first = index
            block = []
            while index < len(lines) and lines[index].strip().startswith("///"):
                block.append(lines[index].strip()[3:])
                index += 1
            text = "\n".join(block)
            for name, production in productions(text):
                line = first + 1 + next((k for k, b in enumerate(block) if re.match(rf"\s*{name}\s*=", b)), 0)
                result.append((name, production, f"{relative(source)}:{line}"))
    return result


def check_productions() -> tuple[str, str, str]:
    ebnf_raw = (GRAMMAR_DIR / "watt.ebnf").read_text(encoding="utf-8")
    if LEXICAL_MARKER not in ebnf_raw:
        fail(f"EBNF grammar/watt.ebnf has no `{LEXICAL_MARKER}` marker between its syntactic and lexical parts")
        return "", "", ""
    syntactic_raw, lexical_raw = ebnf_raw.split(LEXICAL_MARKER, 1)
    syntactic = productions(strip_ebnf_comments(syntactic_raw))
    lexical = productions(strip_ebnf_comments(lexical_raw.split("*)", 1)[-1]))
    ebnf = {}
    for name, text in syntactic + lexical:
        if name in ebnf:
            fail(f"EBNF production `{name}` is defined twice in grammar/watt.ebnf")
        ebnf[name] = text
    syntactic_names = [name for name, _ in syntactic]

    documented = {}
    for name, text, where in swift_productions():
        if name in documented:
            fail(f"PRODUCTION `{name}` is documented twice ({documented[name][1]} and {where})")
            continue
        documented[name] = (text, where)
        if name not in syntactic_names:
            fail(f"PRODUCTION `{name}` ({where}) is missing from the syntactic part of grammar/watt.ebnf\n"
                 f"    swift: {text}")
        elif ebnf[name] != text:
            fail(f"PRODUCTION `{name}` differs between {where} and grammar/watt.ebnf\n"
                 f"    swift: {text}\n    ebnf:  {ebnf[name]}")
        else:
            ok()
    for name in syntactic_names:
        if name not in documented:
            fail(f"PRODUCTION `{name}` in the syntactic part of grammar/watt.ebnf has no parse function "
                 f"doc comment in {relative(PARSER_SOURCES)}/ (move it to the lexical part if it is lexical)")
    return ebnf.get("keyword", ""), ebnf.get("contextual_keyword", ""), ebnf.get("unit_symbol", "")


def quoted(text: str) -> set[str]:
    return set(re.findall(r'"([^"]*)"', text)) | set(re.findall(r"'([^']*)'", text))


def swift_string_set(source: str, name: str) -> set[str]:
    m = re.search(rf"static let {name}\s*:\s*Set<String>\s*=\s*\[(.*?)\]", source, re.S)
    return set(re.findall(r'"([^"]*)"', m.group(1))) if m else set()


def check_keywords(parser_terminals: list, ebnf_keyword: str, ebnf_contextual: str) -> None:
    source = TOKEN_SOURCE.read_text(encoding="utf-8")
    enum = re.search(r"enum Keyword\b[^{]*\{(.*?)\n\s*(?:///|public static|static|\})", source, re.S)
    reserved = set()
    if enum:
        for line in enum.group(1).splitlines():
            line = line.strip()
            if line.startswith("case "):
                reserved |= {w.strip().strip("`") for w in line[5:].split(",") if w.strip()}
    contextual = swift_string_set(source, "contextual")
    if not reserved:
        fail("KEYWORDS cannot read `enum Keyword` in " + relative(TOKEN_SOURCE))
        return
    lark_words = {t.pattern.value for t in parser_terminals
                  if isinstance(t.pattern, lark.lexer.PatternStr) and re.fullmatch(r"[A-Za-z_]\w*", t.pattern.value)}
    lark_text = (GRAMMAR_DIR / "watt.lark").read_text(encoding="utf-8")
    lark_regex_keywords = [set(group.split("|")) for group in re.findall(r"\(\?!\(\?:((?:[a-z]+\|)+[a-z]+)\)", lark_text)]
    checks = [
        ("grammar/watt.ebnf `keyword`", quoted(ebnf_keyword), reserved),
        ("grammar/watt.ebnf `contextual_keyword`", quoted(ebnf_contextual), contextual),
        ("grammar/watt.lark keywords and contextual keywords", lark_words, reserved | contextual),
    ]
    # The qualifier tokens spell out the keywords: "not a keyword" (all of them) and
    # "not a keyword other than true/false" (the words that do not start a qualified value).
    for index, words in enumerate(lark_regex_keywords):
        expected = reserved if index % 2 == 0 else reserved - {"true", "false"}
        checks.append((f"grammar/watt.lark keyword list #{index + 1} in a QUALIFIED_* pattern", words, expected))
    if len(lark_regex_keywords) != 4:
        fail(f"KEYWORDS expected 4 keyword lists in the QUALIFIED_* patterns of grammar/watt.lark, "
             f"found {len(lark_regex_keywords)}")
    for label, found, expected in checks:
        if found != expected:
            fail(f"KEYWORDS {label} differs from Token.swift: missing {sorted(expected - found)}, "
                 f"extra {sorted(found - expected)}")
        else:
            ok()


def check_units(binary: str, ebnf_units: str) -> None:
    run = subprocess.run([binary, "units"], capture_output=True, timeout=60)
    if run.returncode != 0:
        fail(f"UNITS `watt units` failed with status {run.returncode}")
        return
    table, temperature = set(), set()
    for line in run.stdout.decode("utf-8").splitlines():
        if ":" not in line or line.startswith("compound units"):
            continue
        category, symbols = line.split(":", 1)
        names = {s.strip() for s in symbols.split(",") if s.strip()}
        table |= names
        if category.strip() == "temperature":
            temperature |= names
    ebnf = quoted(ebnf_units)
    if ebnf != table:
        fail(f"UNITS grammar/watt.ebnf `unit_symbol` differs from `watt units`: missing {sorted(table - ebnf)}, "
             f"extra {sorted(ebnf - table)}")
    else:
        ok()
    lark_text = (GRAMMAR_DIR / "watt.lark").read_text(encoding="utf-8")

    def terminal(name: str) -> set[str]:
        m = re.search(rf"^{name}\s*:(.*?)(?=^\S)", lark_text, re.S | re.M)
        return quoted(m.group(1)) if m else set()

    plain, temperatures = terminal("PLAIN_UNIT"), terminal("TEMPERATURE_UNIT")
    simple = {s for s in table if "/" not in s and s != "%"}
    compound = {s for s in table if "/" in s}
    problems = []
    if plain | temperatures != simple:
        problems.append(f"PLAIN_UNIT | TEMPERATURE_UNIT: missing {sorted(simple - plain - temperatures)}, "
                        f"extra {sorted((plain | temperatures) - simple)}")
    if temperatures != temperature:
        problems.append(f"TEMPERATURE_UNIT should be {sorted(temperature)}, is {sorted(temperatures)}")
    bad = sorted(c for c in compound
                 if c.count("/") != 1 or c.split("/")[0] not in plain or c.split("/")[1] not in plain | temperatures)
    if bad:
        problems.append(f"table compounds not of the form PLAIN_UNIT/(PLAIN_UNIT|TEMPERATURE_UNIT): {bad}")
    if problems:
        fail("UNITS grammar/watt.lark disagrees with `watt units`: " + "; ".join(problems))
    else:
        ok()


# ------------------------------------------------------------------- main

def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("files", nargs="*", type=Path, help="check these files instead of the corpus")
    options.add_argument("-v", "--verbose", action="store_true", help="print every file's verdict")
    options.add_argument("--directives", action="store_true",
                         help="also run `watt check` on files with `# expect: ok` / `# expect: error ...`")
    args = options.parse_args()

    binary = os.environ.get("WATT_BIN", str(ROOT / ".build/debug/watt"))
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        print(f"no watt binary at `{binary}`: build it with `swift build --product watt` "
              f"or set WATT_BIN", file=sys.stderr)
        finish(2)
    sources = [p for p in (ROOT / "Sources").rglob("*.swift")]
    if sources and max(p.stat().st_mtime for p in sources) > os.stat(binary).st_mtime:
        print(f"warning: `{binary}` is older than Sources/; rebuild with `swift build --product watt`",
              file=sys.stderr)

    try:
        ebnf_keyword, ebnf_contextual, ebnf_units = check_productions()
        check_keywords(make_lark_parser().terminals, ebnf_keyword, ebnf_contextual)
        check_units(binary, ebnf_units)
        files = [p if p.is_absolute() else Path.cwd() / p for p in args.files] if args.files else corpus_files()
        check_corpus(binary, files, args.verbose, args.directives)
    except (OSError, lark.exceptions.GrammarError) as error:
        print(f"error: {error}", file=sys.stderr)
        finish(2)
    finish()


if __name__ == "__main__":
    main()
