"""The fixed table of scripts/units-oracle.py: hand-computed cases in the language corpus
(Tests/WattLanguageTests/Corpus/eval/units_table_*.watt), one per line as

    let NAME = EXPRESSION  # = EXPECTED

Each case is checked three ways: the hand-computed EXPECTED against Pint, the value that the
corpus golden (`NAME = PRINTED`, recorded by CorpusTests) holds against Pint, and Watt's live
answer (through the REPL, with the random cases). A table file listed in Corpus/skip.txt is
pending (its golden is written by hand until Watt passes it): its family is `table-SUFFIX`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from units_oracle_pint import SYMBOLS

CORPUS = Path("Tests/WattLanguageTests/Corpus")
LET = re.compile(r"^let (\w+) = (.+?)\s+# = (.+?)\s*$")
_SYMBOL = "|".join(re.escape(s) for s in sorted(SYMBOLS, key=len, reverse=True))
TOKEN = re.compile(
    rf"\s*(?:(?P<number>\d+(?:\.\d+)?(?:e-?\d+)?)(?:\s*(?P<unit>(?:{_SYMBOL})(?:/(?:{_SYMBOL}))?)(?![\w/]))?"
    r"|(?P<op>==|!=|<=|>=|[-+*/<>()]))")


@dataclass
class TableCase:
    category: str
    name: str
    text: str
    node: tuple
    expected: str       # hand-computed
    golden: str | None  # what the corpus golden records


def parse(text: str) -> tuple:
    """A Watt expression of literals, + - * /, comparisons, parentheses and unary minus as
    the oracle's tree (units_oracle_pint.PintSide.evaluate)."""
    tokens: list[tuple[str, str, str]] = []
    position = 0
    while position < len(text):
        match = TOKEN.match(text, position)
        if not match or match.end() == position:
            if text[position:].strip() == "":
                break
            raise ValueError(f"cannot read `{text[position:]}` in `{text}`")
        position = match.end()
        if match.group("number"):
            tokens.append(("num", match.group("number"), match.group("unit") or ""))
        else:
            tokens.append(("op", match.group("op"), ""))
    index = 0

    def peek() -> str | None:
        return tokens[index][1] if index < len(tokens) and tokens[index][0] == "op" else None

    def take() -> tuple[str, str, str]:
        nonlocal index
        index += 1
        return tokens[index - 1]

    def primary() -> tuple:
        if peek() == "-":
            take()
            if index < len(tokens) and tokens[index][0] == "num":  # `-40 degF` is a reading
                _, number, unit = take()
                return ("lit", "-" + number, unit)
            return ("*", ("lit", "-1", ""), primary())
        if peek() == "(":
            take()
            inner = comparison()
            if take()[1] != ")":
                raise ValueError(f"`)` expected in `{text}`")
            return inner
        kind, number, unit = take()
        if kind != "num":
            raise ValueError(f"a number expected in `{text}`")
        return ("lit", number, unit)

    def chain(operand, operators: tuple[str, ...]):
        def rule() -> tuple:
            node = operand()
            while peek() in operators:
                op = take()[1]
                node = (op, node, operand())
            return node
        return rule

    product = chain(primary, ("*", "/"))
    total = chain(product, ("+", "-"))

    def comparison() -> tuple:
        node = total()
        if peek() in ("==", "!=", "<", "<=", ">", ">="):
            op = take()[1]
            node = (op, node, total())
        return node

    tree = comparison()
    if index != len(tokens):
        raise ValueError(f"unexpected `{tokens[index][1]}` in `{text}`")
    return tree


def skipped(root: Path) -> set[str]:
    path = root / CORPUS / "skip.txt"
    if not path.exists():
        return set()
    return {line.split("#", 1)[0].strip() for line in path.read_text().splitlines()
            if line.strip() and not line.startswith("#")}


def load(root: Path) -> list[TableCase]:
    cases: list[TableCase] = []
    pending_files = skipped(root)
    for path in sorted((root / CORPUS / "eval").glob("units_table_*.watt")):
        relative = str(path.relative_to(root / CORPUS))
        category = "table-" + path.stem.removeprefix("units_table_") if relative in pending_files else "table"
        golden_path = path.with_suffix(".golden")
        golden: dict[str, str] = {}
        if golden_path.exists():
            for line in golden_path.read_text().splitlines():
                name, sep, value = line.partition(" = ")
                if sep and re.fullmatch(r"\w+", name):
                    golden[name] = value
        for line in path.read_text().splitlines():
            match = LET.match(line)
            if match:
                name, text, expected = match.groups()
                cases.append(TableCase(category, name, text, parse(text), expected, golden.get(name)))
    return cases
