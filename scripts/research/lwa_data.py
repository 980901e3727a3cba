"""Research harness (not run by `make test`): Let's Wait Awhile Scenario I in numpy.

Loads the 2020 grid series of examples/data/grid on a 30-minute grid (UTC, values at
:00 and :30, as `GridCarbonCSV.load` with `.point` does) and evaluates forecasters on the
nightly job: a 30-minute job at 01:00 UTC, 365 nights from 2020-01-01, which may start in any
step within +-w steps; the forecast is issued at the window's first step (it has seen the
steps before it only); rule "lowest" (earliest on ties); saving = 1 - planned / baseline.
"""
import datetime as dt
import os
import numpy as np

ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "data", "grid")
FILES = {"DE": "ger_ci_2020.csv", "GB": "gb_ci_2020.csv", "FR": "fr_ci_2020.csv"}
STEP = 1800
EPOCH2020 = int(dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc).timestamp())


def load(region):
    times, vals = [], []
    with open(os.path.join(ROOT, FILES[region])) as f:
        next(f)
        for line in f:
            t, v = line.strip().split(",")
            ts = int(dt.datetime.strptime(t, "%Y-%m-%d %H:%M:%S").replace(tzinfo=dt.timezone.utc).timestamp())
            if ts % STEP == 0:
                times.append(ts)
                vals.append(float(v) if v not in ("", "NaN") else np.nan)
    times = np.array(times)
    start = times[0]
    n = (times[-1] - start) // STEP + 1
    y = np.full(n, np.nan)
    y[(times - start) // STEP] = vals
    # forward-fill gaps (none expected)
    for i in range(1, n):
        if not np.isfinite(y[i]):
            y[i] = y[i - 1]
    return start, y


def nightly_indices(start, days=365):
    return np.array([(EPOCH2020 + d * 86400 + 3600 - start) // STEP for d in range(days)])


def scenario1(y, nominal, w, forecast_fn):
    """forecast_fn(origin_index, steps) -> array of `steps` forecasts for y[origin:origin+steps]."""
    planned = 0.0
    base = 0.0
    for n in nominal:
        o = n - w
        f = forecast_fn(o, 2 * w + 1)
        k = int(np.argmin(f))
        planned += y[o + k]
        base += y[n]
    return 100 * (1 - planned / base)


def oracle(y):
    return lambda o, s: y[o:o + s]


def persistence24(y):
    return lambda o, s: np.array([y[o + k - 48 * (1 + k // 48)] for k in range(s)])
