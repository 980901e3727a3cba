#!/usr/bin/env python3
"""Cross-checks Watt's unit arithmetic against Pint (issue 17), as grammar/crosscheck.py does
the grammar against Lark.

    python3 scripts/units-oracle.py [--seed N] [--count N] [--category NAME ...]
                                    [--pending NAME ...] [--show N] [--list]

Generates seeded random unit expressions in families (`--list` names them): products,
quotients, sums, comparisons near the boundary, conversions, data sizes, large integers and
temperature points and differences. Each expression is evaluated twice: by Pint (the expected
value) and by Watt. All expressions go to ONE `watt repl` process on stdin (a string marker
line between them), which is much faster than a process per expression; a sample of them also
goes through `watt eval --data examples/worlds/demo.json` to check that the two agree.

Watt prints a result in a unit of its choosing; the script reads that quantity with Pint,
converts it to the unit of Pint's result and compares magnitudes at 1e-9 relative (with an
absolute tolerance of 1e-9 times the size of the operands, for sums that cancel to near 0).
Integer results below 1e15 must print exactly. Booleans must be equal; two operands Pint finds
equal within 1e-9 are equal (the generator only builds such pairs when they are exactly
equal). An expression Pint refuses must be refused by Watt (an `error[` line), and the
reverse.

Temperatures: Watt has no `delta_degC`; it writes a difference in K. Where a K quantity is
added to or subtracted from a degC or degF reading, the script gives Pint `delta_degC`
(`20 degC + 10 K` is 30 degC, the reading issue 17 asks for); a printed result whose expected
value is a difference is read as a difference (`10 degC` as 10 delta_degC). A reading below
absolute zero (`20 degC - 300 K`), which Pint computes, must be refused.

Categories named with --pending (e.g. `temperature`, while issue 17's temperature points are
being built) are run and counted but do not fail the run; they print as `pending`.

Environment: WATT (default `.build/debug/watt`). Pint is installed with pip when missing; a
`SKIP` line only where pip cannot install it. Exit status: 0 when every non-pending case
agrees, 1 otherwise, 2 when the check cannot run. The last line is `N passed, M failed`.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from units_oracle_pint import PintSide, pint_available  # noqa: E402
from units_oracle_table import TableCase, load as load_table  # noqa: E402

RTOL = 1e-9

# Watt's unit families (Sources/WattLanguage/Units/UnitTable.swift) with exact factors to a
# canonical unit, used only to build exact boundary pairs; expected values come from Pint.
WH = Fraction(3600)
FAMILIES: dict[str, dict[str, Fraction]] = {
    "power": {"mW": Fraction(1, 1000), "W": Fraction(1), "kW": Fraction(10**3), "MW": Fraction(10**6), "GW": Fraction(10**9)},
    "energy": {"J": Fraction(1), "kJ": Fraction(10**3), "MJ": Fraction(10**6), "GJ": Fraction(10**9), "Wh": WH,
               "kWh": 10**3 * WH, "MWh": 10**6 * WH, "GWh": 10**9 * WH, "TWh": 10**12 * WH},
    "time": {"ms": Fraction(1, 1000), "s": Fraction(1), "min": Fraction(60), "h": Fraction(3600), "d": Fraction(86400),
             "day": Fraction(86400), "days": Fraction(86400), "week": Fraction(604800), "weeks": Fraction(604800)},
    "mass": {"mg": Fraction(1, 1000), "g": Fraction(1), "kg": Fraction(10**3), "t": Fraction(10**6)},
    "carbon intensity": {"g/kWh": 1 / (10**3 * WH), "kg/kWh": 10**3 / (10**3 * WH), "kg/MWh": 10**3 / (10**6 * WH),
                         "t/MWh": 10**6 / (10**6 * WH), "g/Wh": 1 / WH},
    "carbon rate": {"g/h": Fraction(1, 3600), "kg/h": Fraction(1000, 3600), "t/h": Fraction(10**6, 3600)},
    "frequency": {"Hz": Fraction(1), "kHz": Fraction(10**3), "MHz": Fraction(10**6), "GHz": Fraction(10**9)},
    "data": {"B": Fraction(1), "kB": Fraction(10**3), "MB": Fraction(10**6), "GB": Fraction(10**9), "TB": Fraction(10**12),
             "KiB": Fraction(2**10), "MiB": Fraction(2**20), "GiB": Fraction(2**30), "TiB": Fraction(2**40)},
    "number": {"": Fraction(1), "%": Fraction(1, 100)},
}
for code in ("USD", "EUR", "GBP"):
    FAMILIES[code] = {code: Fraction(1)}
    FAMILIES[f"{code}/energy"] = {f"{code}/kWh": 1 / (10**3 * WH), f"{code}/MWh": 1 / (10**6 * WH)}
    FAMILIES[f"{code}/time"] = {f"{code}/h": Fraction(1, 3600)}
    FAMILIES[f"{code}/mass"] = {f"{code}/t": Fraction(1, 10**6)}
CURRENCIES = ("USD", "EUR", "GBP")

# Compound literals `a/b` of two listed symbols (UnitTable.lookup), beside the listed ones.
COMPOUNDS = ["kWh/h", "MWh/d", "J/s", "kg/d", "t/week", "GB/s", "MiB/s", "kW/Hz", "USD/d", "EUR/min", "kWh/GB", "g/GB"]


# ------------------------------------------------------------------ expressions

@dataclass
class Case:
    category: str
    text: str                    # Watt source
    node: tuple                  # the tree Pint evaluates (see PintSide.evaluate)
    exact_int: bool = False      # an integer result below 1e15 must print exactly


def decimal_text(value: Fraction, max_digits: int = 15) -> str | None:
    """The exact decimal text of `value`, or None when it does not terminate within
    `max_digits` significant digits."""
    sign = "-" if value < 0 else ""
    value = abs(value)
    for places in range(0, 25):
        scaled = value * 10**places
        if scaled.denominator == 1:
            digits = str(scaled.numerator)
            if len(digits.strip("0")) > max_digits:
                return None
            if places == 0:
                return sign + digits
            digits = digits.rjust(places + 1, "0")
            text = digits[:-places] + "." + digits[-places:]
            return sign + text.rstrip("0").rstrip(".")
    return None


def random_magnitude(rng: random.Random, small: bool = False) -> Fraction:
    """A decimal of 1 to 6 significant digits between about 1e-3 and 1e6."""
    digits = rng.randint(1, 6)
    mantissa = rng.randint(10 ** (digits - 1), 10**digits - 1)
    exponent = rng.randint(-3, 2) if small else rng.randint(-4, 4)
    return Fraction(mantissa) * Fraction(10) ** (exponent - digits + 2)


def lit(value: Fraction, unit: str) -> tuple[str, tuple]:
    text = decimal_text(value)
    assert text is not None
    watt = f"{text} {unit}".strip() if unit else text
    if value < 0:
        watt = f"({watt})"
    return watt, ("lit", text, unit)


def rand_lit(rng: random.Random, family: str, negative: float = 0.1, small: bool = False) -> tuple[str, tuple]:
    unit = rng.choice(list(FAMILIES[family]))
    value = random_magnitude(rng, small)
    if rng.random() < negative:
        value = -value
    return lit(value, unit)


def binary(op: str, a: tuple[str, tuple], b: tuple[str, tuple]) -> tuple[str, tuple]:
    def wrap(side: tuple[str, tuple]) -> str:
        return side[0] if side[1][0] == "lit" else f"({side[0]})"
    return f"{wrap(a)} {op} {wrap(b)}", (op, a[1], b[1])


def case(category: str, expression: tuple[str, tuple], exact_int: bool = False) -> Case:
    text = expression[0]
    if expression[1][0] == "lit" and text.startswith("("):  # a whole negative literal: `-40 degF`
        text = text[1:-1]
    return Case(category, text, expression[1], exact_int)


def gen_products(rng: random.Random) -> Case:
    c = rng.choice(CURRENCIES)
    pairs = [("power", "time"), ("time", "power"), ("energy", "carbon intensity"), ("carbon intensity", "energy"),
             ("energy", f"{c}/energy"), ("power", f"{c}/energy"), ("carbon rate", "time"), ("mass", f"{c}/mass"),
             (f"{c}/time", "time"), ("power", "carbon intensity"), ("frequency", "time"), ("number", "power"),
             ("energy", "number"), ("number", "mass"), ("power", "power"), ("data", "number"), ("time", "frequency")]
    a, b = rng.choice(pairs)
    if rng.random() < 0.1:  # a literal compound unit on one side
        return case("products", binary("*", lit(random_magnitude(rng), rng.choice(COMPOUNDS)), rand_lit(rng, "time")))
    expression = binary("*", rand_lit(rng, a), rand_lit(rng, b))
    if rng.random() < 0.25:
        expression = binary("*", expression, rand_lit(rng, "number"))
    return case("products", expression)


def gen_quotients(rng: random.Random) -> Case:
    c = rng.choice(CURRENCIES)
    same = rng.choice(["power", "energy", "time", "mass", "data", "frequency", c])
    pairs = [("energy", "time"), ("energy", "power"), ("mass", "energy"), ("mass", "time"), ("data", "time"),
             (same, same), (c, "energy"), ("number", "time"), ("number", "frequency"), (c, "time"), (c, "mass"),
             ("mass", "carbon rate"), ("energy", "number"), ("power", "number"), (f"{c}/energy", "number"),
             ("mass", "carbon intensity"), ("data", "data"), (c, f"{c}/energy")]
    a, b = rng.choice(pairs)
    return case("quotients", binary("/", rand_lit(rng, a), rand_lit(rng, b, negative=0.05)))


SUM_FAMILIES = ["power", "energy", "time", "mass", "carbon intensity", "carbon rate", "frequency", "number",
                "USD", "EUR/energy", "GBP/time", "USD/mass"]


def gen_sums(rng: random.Random) -> Case:
    family = rng.choice(SUM_FAMILIES)
    expression = binary(rng.choice("+-"), rand_lit(rng, family, negative=0.2), rand_lit(rng, family, negative=0.2))
    roll = rng.random()
    if roll < 0.2:
        expression = binary(rng.choice("+-"), expression, rand_lit(rng, family))
    elif roll < 0.3:  # different dimensions: both must refuse
        other = rng.choice([f for f in SUM_FAMILIES if f != family])
        expression = binary(rng.choice("+-"), rand_lit(rng, family), rand_lit(rng, other))
    elif roll < 0.4:  # x - x in another unit cancels to (near) 0
        unit_a, unit_b = rng.choice(list(FAMILIES[family])), rng.choice(list(FAMILIES[family]))
        value = random_magnitude(rng)
        other = decimal_text(value * FAMILIES[family][unit_a] / FAMILIES[family][unit_b])
        if other is not None:
            expression = binary("-", lit(value, unit_a), lit(Fraction(other), unit_b))
    return case("sums", expression)


def boundary_pair(rng: random.Random, family: str, tie: bool) -> tuple[tuple[str, tuple], tuple[str, tuple]]:
    """Two quantities of `family` in two units that are exactly equal (`tie`), or differ by a
    relative 1e-8, 1e-6 or 1e-2."""
    units = FAMILIES[family]
    for _ in range(50):
        unit_a, unit_b = rng.sample(list(units), 2) if len(units) > 1 else (list(units)[0],) * 2
        value = random_magnitude(rng)
        if rng.random() < 0.15:
            value = -value
        exact = value * units[unit_a] / units[unit_b]
        delta = 0 if tie else rng.choice([Fraction(1, 10**8), Fraction(-1, 10**8), Fraction(1, 10**6),
                                          Fraction(-1, 10**6), Fraction(1, 100), Fraction(-1, 100)])
        other = exact * (1 + delta)
        if decimal_text(other) is not None:
            return lit(value, unit_a), lit(other, unit_b)
    return lit(Fraction(1), unit_a), lit(Fraction(1), unit_a)


COMPARED = ["power", "energy", "time", "mass", "carbon intensity", "carbon rate", "frequency", "data", "number",
            "USD/energy", "EUR"]
COMPARISONS = ["<", "<=", ">", ">=", "==", "!="]


def gen_comparisons(rng: random.Random) -> Case:
    op = rng.choice(COMPARISONS)
    if rng.random() < 0.08:  # different dimensions: both must refuse
        a, b = rng.sample(["power", "energy", "time", "mass", "data", "USD", "EUR"], 2)
        return case("comparisons", binary(op, rand_lit(rng, a), rand_lit(rng, b)))
    left, right = boundary_pair(rng, rng.choice(COMPARED), tie=False)
    if rng.random() < 0.5:
        left, right = right, left
    return case("comparisons", binary(op, left, right))


def gen_ties(rng: random.Random) -> Case:
    """The same quantity written in two units (`0.083154 kW == 83.154 W`) compares equal."""
    left, right = boundary_pair(rng, rng.choice(COMPARED), tie=True)
    if rng.random() < 0.5:
        left, right = right, left
    return case("ties", binary(rng.choice(COMPARISONS), left, right))


def gen_conversions(rng: random.Random) -> Case:
    family = rng.choice(["power", "energy", "time", "mass", "carbon intensity", "carbon rate", "frequency", "data",
                         "GBP/energy", "EUR/mass", "USD/time"])
    roll = rng.random()
    if roll < 0.4:  # a literal, printed in the unit Watt chooses
        return case("conversions", rand_lit(rng, family))
    if roll < 0.8:  # the ratio to one unit of the family: a plain number
        divisor = rng.choice(list(FAMILIES[family]))
        return case("conversions", binary("/", rand_lit(rng, family), lit(Fraction(1), divisor)))
    unit = rng.choice(COMPOUNDS)
    return case("conversions", lit(random_magnitude(rng), unit))


DATA = list(FAMILIES["data"])


def gen_data(rng: random.Random) -> Case:
    roll = rng.random()
    if roll < 0.25:
        # whole binary multiples print with binary prefixes where shorter (`1536 MiB`)
        unit = rng.choice(["KiB", "MiB", "GiB", "TiB", "kB", "MB", "GB", "TB", "B"])
        return case("data", lit(Fraction(rng.choice([1, 2, 3, 512, 1000, 1024, 1536, 2048, 1023, 4096, 10**6])), unit))
    if roll < 0.5:
        return case("data", binary(rng.choice("+-"), rand_lit(rng, "data"), rand_lit(rng, "data")))
    if roll < 0.65:
        return case("data", binary(rng.choice("*/"), rand_lit(rng, "data"), rand_lit(rng, "number", negative=0)))
    if roll < 0.8:
        return case("data", binary("/", rand_lit(rng, "data"), rand_lit(rng, rng.choice(["time", "data"]), negative=0)))
    left, right = boundary_pair(rng, "data", tie=False)
    return case("data", binary(rng.choice(COMPARISONS), left, right))


def gen_integers(rng: random.Random) -> Case:
    def big(limit: int) -> Fraction:
        return Fraction(rng.randint(min(limit, 10**5), limit) * rng.choice([1, 1, 1, -1]))
    roll = rng.random()
    if roll < 0.3:  # printed exactly: integers are not rounded to six digits
        return case("integers", lit(big(10**15 - 1), ""), exact_int=True)
    if roll < 0.5:
        a, b = big(10**7), big(10**7)
        return case("integers", binary("*", lit(a, ""), lit(b, "")), exact_int=abs(a * b) < 2**53)
    if roll < 0.7:
        return case("integers", binary(rng.choice("+-"), lit(big(10**14), ""), lit(big(10**14), "")), exact_int=True)
    unit = rng.choice(["W", "kW", "J", "Wh", "g", "s", "B", "USD"])
    return case("integers", binary(rng.choice("*+"), lit(big(10**9), unit),
                                   lit(Fraction(rng.randint(2, 10**5)), "") if rng.random() < 0.5 else lit(big(10**9), unit)))


TEMPERATURE_UNITS = ["degC", "degF", "K"]


def gen_temperature(rng: random.Random) -> Case:
    def point(unit: str | None = None) -> tuple[str, tuple]:
        unit = unit or rng.choice(TEMPERATURE_UNITS)
        low, high = {"K": (200, 400), "degC": (-60, 120), "degF": (-80, 250)}[unit]
        value = Fraction(rng.randint(low * 100, high * 100), 100)
        return lit(value, unit)

    def difference() -> tuple[str, tuple]:
        if rng.random() < 0.5:
            return lit(Fraction(rng.randint(1, 5000), rng.choice([1, 10, 100])), "K")
        unit = rng.choice(["degC", "degF"])
        return binary("-", point(unit), point(unit))

    roll = rng.random()
    if roll < 0.15:  # a point plus or minus a difference is a point
        return case("temperature", binary(rng.choice("+-"), point(rng.choice(["degC", "degF"])), difference()))
    if roll < 0.3:  # a point minus a point is a difference
        unit = rng.choice(TEMPERATURE_UNITS)
        return case("temperature", binary("-", point(unit), point(rng.choice([unit, unit, rng.choice(TEMPERATURE_UNITS)]))))
    if roll < 0.4:  # adding two readings, or scaling one, is refused
        if rng.random() < 0.5:
            return case("temperature", binary("+", point(rng.choice(["degC", "degF"])), point(rng.choice(["degC", "degF"]))))
        return case("temperature", binary(rng.choice("*/"), point(rng.choice(["degC", "degF"])), lit(Fraction(rng.randint(2, 9)), "")))
    if roll < 0.5:  # differences scale and add
        if rng.random() < 0.5:
            return case("temperature", binary("*", difference(), lit(Fraction(rng.randint(2, 9)), "")))
        return case("temperature", binary(rng.choice("+-"), difference(), difference()))
    if roll < 0.65:  # a reading, printed (negative literals are negated before conversion)
        return case("temperature", point())
    if roll < 0.8:  # the same reading on two scales is equal, exactly
        celsius = Fraction(rng.randint(-6000, 12000), 100)
        scales = {"degC": celsius, "K": celsius + Fraction(27315, 100), "degF": celsius * Fraction(9, 5) + 32}
        unit_a, unit_b = rng.sample(TEMPERATURE_UNITS, 2)
        delta = rng.choice([0, 0, Fraction(1, 10**6), Fraction(-1, 10**6), Fraction(1, 100)])
        other = scales[unit_b] + delta
        if decimal_text(scales[unit_a]) is None or decimal_text(other) is None:
            return case("temperature", point())
        return case("temperature", binary(rng.choice(["==", "!=", "<", "<=", ">", ">="]), lit(scales[unit_a], unit_a), lit(other, unit_b)))
    # a difference compared with K: `(30 degC - 20 degC) == 10 K`
    unit = rng.choice(["degC", "degF"])
    a, b = Fraction(rng.randint(-400, 1200), 10), Fraction(rng.randint(-400, 1200), 10)
    kelvin = (a - b) * (Fraction(5, 9) if unit == "degF" else 1)
    text = decimal_text(kelvin)
    if text is None:
        kelvin = Fraction(round(float(kelvin) * 1000), 1000)
    return case("temperature", binary(rng.choice(["==", "<", ">="]), binary("-", lit(a, unit), lit(b, unit)), lit(kelvin, "K")))


GENERATORS = {
    "products": gen_products, "quotients": gen_quotients, "sums": gen_sums, "comparisons": gen_comparisons,
    "ties": gen_ties,
    "conversions": gen_conversions, "data": gen_data, "integers": gen_integers, "temperature": gen_temperature,
}


def generate(seed: int, count: int, categories: list[str]) -> list[Case]:
    """`count` cases spread evenly over `categories`; a category's cases depend only on the
    seed and their index, so `--category X` reproduces the same expressions as a full run."""
    cases: list[Case] = []
    share, extra = divmod(count, len(categories))
    for index, name in enumerate(categories):
        rng = random.Random(f"{seed}:{name}")
        cases += [GENERATORS[name](rng) for _ in range(share + (1 if index < extra else 0))]
    return cases


# ------------------------------------------------------------------ Watt side

MARKER = re.compile(r'^"@@(\d+)" : string$')
VALUE = re.compile(r"^(?P<value>.*?) : (?P<type>[^:]*)$")


def parse_block(lines: list[str]) -> tuple[str, str]:
    """('error', first error line) or ('value', printed value) of one REPL answer."""
    for line in lines:
        if "error[" in line:
            return "error", line.strip()
    for line in lines:
        match = VALUE.match(line)
        if match:
            return "value", match.group("value")
    return "error", "no value printed: " + " | ".join(lines)[:200]


def run_repl(watt: str, cases: list[Case]) -> list[tuple[str, str]]:
    """Every case through one `watt repl` on stdin, a marker line before each."""
    script = "".join(f'"@@{i}"\n{c.text}\n' for i, c in enumerate(cases))
    process = subprocess.run([watt, "repl", "--history", os.devnull, "--warmup", "0s"], input=script,
                             capture_output=True, text=True, timeout=600, cwd=ROOT)
    blocks: dict[int, list[str]] = {}
    current: int | None = None
    for line in (process.stdout + process.stderr).splitlines():
        match = MARKER.match(line)
        if match:
            current = int(match.group(1))
            blocks[current] = []
        elif current is not None:
            blocks[current].append(line)
    if len(blocks) != len(cases):
        print(f"units-oracle: `watt repl` answered {len(blocks)} of {len(cases)} expressions (exit {process.returncode})\n"
              + process.stderr[-2000:], file=sys.stderr)
        sys.exit(2)
    return [parse_block(blocks[i]) for i in range(len(cases))]


def run_eval(watt: str, case_: Case) -> tuple[str, str]:
    process = subprocess.run([watt, "eval", "--data", "examples/worlds/demo.json", case_.text],
                             capture_output=True, text=True, timeout=60, cwd=ROOT)
    lines = (process.stdout + process.stderr).splitlines()
    if process.returncode != 0 or any("error[" in line for line in lines):
        return "error", next((line for line in lines if "error[" in line), f"exit {process.returncode}")
    return "value", lines[0].strip() if lines else ""


# ------------------------------------------------------------------ main

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--count", type=int, default=2700, help="expressions in all (100..100000, default 2700)")
    parser.add_argument("--category", action="append", choices=list(GENERATORS), help="only this family (repeatable)")
    parser.add_argument("--pending", default=os.environ.get("UNITS_ORACLE_PENDING", ""),
                        help="comma-separated families counted but not failing the run")
    parser.add_argument("--show", type=int, default=25, help="failures printed (default 25)")
    parser.add_argument("--show-pending", type=int, default=4, help="failures printed per pending family (default 4)")
    parser.add_argument("--eval-sample", type=int, default=24, help="cases also run through `watt eval` (0..500)")
    parser.add_argument("--no-table", action="store_true", help="leave out the corpus table (units_table_*.watt)")
    parser.add_argument("--list", action="store_true", help="print the families and exit")
    parser.add_argument("--print", action="store_true", help="print the generated expressions and exit")
    args = parser.parse_args()
    if args.list:
        print("\n".join(GENERATORS))
        return 0
    if not 100 <= args.count <= 100000:
        parser.error("--count must be between 100 and 100000")
    if not 0 <= args.eval_sample <= 500:
        parser.error("--eval-sample must be between 0 and 500")
    pending = {name.strip() for name in args.pending.replace(" ", ",").split(",") if name.strip()}
    unknown = pending - set(GENERATORS) - {"table"}
    if unknown:
        parser.error(f"unknown pending family: {', '.join(sorted(unknown))}")
    categories = args.category or list(GENERATORS)
    cases = generate(args.seed, args.count, categories)
    table: list[TableCase] = [] if args.no_table or args.category else load_table(ROOT)
    for row in table:
        cases.append(Case(row.category, row.text, row.node, exact_int=re.fullmatch(r"-?\d+", row.expected) is not None))
        if row.category not in categories:
            categories.append(row.category)
    table_rows = {id(cases[len(cases) - len(table) + i]): row for i, row in enumerate(table)}

    def is_pending(name: str) -> bool:
        return name in pending or name.removeprefix("table-") in pending
    if args.print:
        for c in cases:
            print(f"{c.category}\t{c.text}")
        return 0

    if not pint_available():
        print("units-oracle: SKIP (the Python package `pint` is missing and pip could not install it)")
        return 0
    pint_side = PintSide()
    watt = os.environ.get("WATT", str(ROOT / ".build/debug/watt"))
    if not Path(watt).exists():
        print(f"units-oracle: `{watt}` not found; run `swift build` or set WATT", file=sys.stderr)
        return 2

    chunks = [cases[i::2] for i in range(2)]  # two REPLs (two cores), interleaved
    with ThreadPoolExecutor(max_workers=2) as pool:
        chunk_answers = list(pool.map(lambda chunk: run_repl(watt, chunk), chunks))
    answers: list[tuple[str, str]] = [("", "")] * len(cases)
    for offset, chunk in enumerate(chunk_answers):
        answers[offset::2] = chunk
    counts: dict[str, list[int]] = {name: [0, 0] for name in categories}
    failures: list[str] = []
    for c, (kind, printed) in zip(cases, answers):
        verdict = pint_side.judge(c.node, kind, printed, c.exact_int)
        report = f"{c.text}\n    watt: {printed}\n    pint: {verdict}"
        row = table_rows.get(id(c))
        if row is not None:  # the hand-computed value and the golden must agree with Pint too
            hand = pint_side.judge(c.node, "value", row.expected, c.exact_int)
            golden = "no golden" if row.golden is None else pint_side.judge(c.node, "value", row.golden, c.exact_int)
            if hand is not None or golden is not None:
                verdict = verdict or "ok"
            report = (f"{row.name} = {c.text}\n    watt: {printed}\n    golden: {row.golden}\n    hand: {row.expected}"
                      f"\n    pint: {hand or golden or verdict}")
        counts[c.category][0 if verdict is None else 1] += 1
        if verdict is not None:
            tag = " (pending)" if is_pending(c.category) else ""
            failures.append(f"[{c.category}{tag}] {report}")

    # `watt eval` must print what the REPL printed.
    sample = random.Random(args.seed).sample(range(len(cases)), min(args.eval_sample, len(cases)))
    with ThreadPoolExecutor(max_workers=2) as pool:
        evaluated = list(pool.map(lambda i: run_eval(watt, cases[i]), sample))
    agree = [0, 0]
    for i, (kind, printed) in zip(sample, evaluated):
        repl_kind, repl_printed = answers[i]
        same = kind == repl_kind and (kind == "error" or printed == repl_printed)
        agree[0 if same else 1] += 1
        if not same:
            failures.append(f"[eval vs repl] {cases[i].text}\n    watt eval: {printed}\n    watt repl: {repl_printed}")

    blocking = [f for f in failures if "(pending)]" not in f]
    pending_failures = [f for f in failures if "(pending)]" in f]
    shown_pending = [f for name in categories for f in [f for f in pending_failures if f.startswith(f"[{name} ")][: args.show_pending]]
    for text in blocking[: args.show] + shown_pending:
        print(text)
    hidden = max(0, len(blocking) - args.show) + len(pending_failures) - len(shown_pending)
    if hidden:
        print(f"... {hidden} more failures (--show N and --show-pending N print more)")
    passed = failed = 0
    for name in categories:
        ok, bad = counts[name]
        state = "pending" if is_pending(name) else ("ok" if bad == 0 else "FAILED")
        print(f"  {name:<12} {ok:5} passed, {bad:4} failed  {state}")
        if not is_pending(name):
            passed, failed = passed + ok, failed + bad
    print(f"  {'eval = repl':<12} {agree[0]:5} passed, {agree[1]:4} failed  {'ok' if agree[1] == 0 else 'FAILED'}")
    passed, failed = passed + agree[0], failed + agree[1]
    pending_names = [n for n in categories if is_pending(n)]
    pending_ok = sum(counts[n][0] for n in pending_names)
    pending_bad = sum(counts[n][1] for n in pending_names)
    if pending_names:
        print(f"units-oracle: pending ({', '.join(pending_names)}): "
              f"{pending_ok} passed, {pending_bad} failed")
    print(f"units-oracle: seed {args.seed}, {len(cases) - len(table)} random expressions, {len(table)} table cases")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
