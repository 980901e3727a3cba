"""The Pint side of scripts/units-oracle.py: evaluates an expression tree with Pint and judges
what Watt printed for it."""

from __future__ import annotations

import importlib
import math
import re
import subprocess
import sys

RTOL = 1e-9


def pint_available() -> bool:
    """Imports pint, installing it with pip first when missing (as scripts/install-deps.sh)."""
    try:
        importlib.import_module("pint")
        return True
    except ImportError:
        pass
    print("units-oracle: installing pint (pip)", file=sys.stderr)
    for extra in ([], ["--user"], ["--break-system-packages"]):
        command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *extra, "pint"]
        if subprocess.run(command, capture_output=True).returncode == 0:
            break
    importlib.invalidate_caches()
    try:
        importlib.import_module("pint")
        return True
    except ImportError:
        return False


# Watt's symbols (UnitTable.swift) as Pint unit names. Currencies and the byte are new base
# units: Pint's own byte is 8 bits and its bit is dimensionless (`1 B + 1` would add).
SYMBOLS = {
    "mW": "milliwatt", "W": "watt", "kW": "kilowatt", "MW": "megawatt", "GW": "gigawatt",
    "J": "joule", "kJ": "kilojoule", "MJ": "megajoule", "GJ": "gigajoule", "Wh": "watt_hour",
    "kWh": "kilowatt_hour", "MWh": "megawatt_hour", "GWh": "gigawatt_hour", "TWh": "terawatt_hour",
    "ms": "millisecond", "s": "second", "min": "minute", "h": "hour", "d": "day", "day": "day", "days": "day",
    "week": "week", "weeks": "week",
    "mg": "milligram", "g": "gram", "kg": "kilogram", "t": "metric_ton",
    "Hz": "hertz", "kHz": "kilohertz", "MHz": "megahertz", "GHz": "gigahertz",
    "degC": "degree_Celsius", "K": "kelvin", "degF": "degree_Fahrenheit",
    "B": "data_byte", "kB": "kilodata_byte", "MB": "megadata_byte", "GB": "gigadata_byte", "TB": "teradata_byte",
    "KiB": "kibidata_byte", "MiB": "mebidata_byte", "GiB": "gibidata_byte", "TiB": "tebidata_byte",
    "%": "percent", "USD": "USD", "EUR": "EUR", "GBP": "GBP",
}
# In a compound unit, or in a result that is a difference, a temperature is a difference.
DIFFERENCES = {"degC": "delta_degree_Celsius", "degF": "delta_degree_Fahrenheit", "K": "kelvin"}
NUMBER = re.compile(r"^(?P<number>-?(?:\d+(?:\.\d*)?(?:e-?\d+)?|inf)|NaN)(?: (?P<unit>.+))?$")


class Refused(Exception):
    pass


class PintSide:
    def __init__(self) -> None:
        import pint
        self.pint = pint
        self.ureg = pint.UnitRegistry()
        for code in ("USD", "EUR", "GBP"):
            self.ureg.define(f"{code} = [currency_{code.lower()}]")
        self.ureg.define("data_byte = [data]")
        self.Q = self.ureg.Quantity
        self.errors = (pint.DimensionalityError, pint.OffsetUnitCalculusError)

    def unit(self, text: str, difference: bool = False) -> str:
        """Pint's name for a Watt unit: a symbol, a compound `a/b`, or a printed formula
        (`J^2/s^2`, `kB/h`, `g/kWh/h`)."""
        if text in SYMBOLS and not (difference and text in DIFFERENCES):
            return SYMBOLS[text]
        parts = re.split(r"([*/])", text)
        compound = len(parts) > 1
        out = []
        for part in parts:
            if part in "*/":
                out.append(f" {part} ")
                continue
            symbol, _, power = part.partition("^")
            if symbol not in SYMBOLS:
                raise ValueError(f"unknown unit `{symbol}` in `{text}`")
            name = DIFFERENCES[symbol] if (compound or difference) and symbol in DIFFERENCES else SYMBOLS[symbol]
            out.append(name + (f" ** {int(power)}" if power else ""))
        return "".join(out)

    # ---------------------------------------------------------------- evaluation

    def literal(self, text: str, unit: str):
        magnitude: int | float = int(text) if re.fullmatch(r"-?\d+", text) else float(text)
        return self.Q(magnitude, self.unit(unit) if unit else "dimensionless")

    @staticmethod
    def is_temperature_point(q) -> bool:
        return str(q.units) in ("degree_Celsius", "degree_Fahrenheit", "kelvin")

    def as_difference(self, q):
        """A K quantity beside a degC/degF reading or a difference is a difference."""
        return self.Q(q.magnitude, "delta_degree_Celsius") if str(q.units) == "kelvin" else q

    def base(self, q) -> float:
        return float(q.to_base_units().magnitude)

    def evaluate(self, node: tuple):
        """(value, scale): a Pint quantity or bool, and the size of the operands in base units
        (the absolute tolerance of a sum that cancels)."""
        if node[0] == "lit":
            q = self.literal(node[1], node[2])
            return q, abs(self.base(q))
        op = node[0]
        (a, scale_a), (b, scale_b) = self.evaluate(node[1]), self.evaluate(node[2])
        if isinstance(a, bool) or isinstance(b, bool):
            raise Refused("arithmetic on a bool")
        try:
            if op in ("+", "-"):
                offset = {"degree_Celsius", "degree_Fahrenheit"}
                delta = lambda q: "delta_" in str(q.units)  # noqa: E731
                # `point ± K` and `K + point`: the K is a difference (`K - point` stays a reading)
                if str(a.units) in offset or delta(a):
                    b = self.as_difference(b)
                if (str(b.units) in offset and op == "+") or delta(b):
                    a = self.as_difference(a)
                points = self.is_temperature_point(a) and self.is_temperature_point(b)
                result = a + b if op == "+" else a - b
                if op == "-" and points:  # a reading minus a reading is a difference
                    result = self.as_difference(result)
                elif self.is_temperature_point(result) and str(result.units) != "kelvin" \
                        and result.to("kelvin").magnitude < -1e-9:
                    # Watt refuses a reading below absolute zero; Pint computes one.
                    raise Refused("a reading below absolute zero")
                return result, max(scale_a, scale_b)
            if op == "*":
                return a * b, scale_a * scale_b
            if op == "/":
                if self.base(b) == 0:
                    raise Refused("division by zero")
                return a / b, scale_a / abs(self.base(b))
            # comparisons: operands equal within RTOL are equal
            if a.dimensionality != b.dimensionality:
                raise Refused(f"cannot compare {a.dimensionality} with {b.dimensionality}")
            x, y = self.base(a), self.base(b)
            order = 0 if abs(x - y) <= RTOL * max(abs(x), abs(y), scale_a, scale_b) else (-1 if x < y else 1)
            result = {"<": order < 0, "<=": order <= 0, ">": order > 0, ">=": order >= 0,
                      "==": order == 0, "!=": order != 0}[op]
            return result, 0.0
        except self.errors as error:
            raise Refused(str(error).split(". See")[0]) from None

    # ---------------------------------------------------------------- judging

    def judge(self, node: tuple, kind: str, printed: str, exact_int: bool) -> str | None:
        """None when Watt's answer agrees with Pint's, else Pint's answer (for the report)."""
        try:
            expected, scale = self.evaluate(node)
        except Refused as refusal:
            return None if kind == "error" else f"refused ({refusal})"
        if isinstance(expected, bool):
            want = "true" if expected else "false"
            return None if kind == "value" and printed == want else want
        if expected.dimensionless and str(expected.units) != "dimensionless":  # `2 GHz * 1 ms` is 2000000
            exact_magnitude = expected.magnitude
            expected = expected.to("dimensionless")
            if isinstance(exact_magnitude, int) and float(expected.magnitude).is_integer():
                expected = self.Q(int(expected.magnitude), "dimensionless")
        shown = f"{expected:~P}" if not expected.dimensionless or str(expected.units) != "dimensionless" else str(expected.magnitude)
        if kind != "value":
            return shown
        match = NUMBER.match(printed)
        if not match:
            return f"{shown} (watt's answer does not read as a quantity)"
        number = float(match.group("number"))
        difference = "delta_" in str(expected.units)
        try:
            unit = self.unit(match.group("unit"), difference) if match.group("unit") else "dimensionless"
            got = self.Q(number, unit).to(expected.units).magnitude
        except (ValueError, self.pint.errors.PintError) as error:
            return f"{shown} ({error})"
        want = float(expected.magnitude)
        whole = expected.magnitude
        if isinstance(whole, float) and whole.is_integer() and abs(whole) < 2**53:
            whole = int(whole)
        if exact_int and isinstance(whole, int) and abs(whole) < 10**15:
            exact = re.fullmatch(r"-?\d+", printed) is not None and int(printed) == whole
            return None if exact else f"{whole} (exactly)"
        try:
            unit_size = abs(self.base(self.Q(1, expected.units)))
        except self.errors:
            unit_size = 1.0
        tolerance = RTOL * max(abs(want), scale / unit_size if unit_size else 0.0)
        if math.isfinite(got) and abs(got - want) <= tolerance:
            return None
        return shown
