"""Scenario II (ad-hoc ML jobs, Next Workday, their code's definitions) in numpy. Job sets are
drawn with NumPy seeds (Watt's SeededRandom stream is not reproduced): compare means."""
import numpy as np
from lwa_data import EPOCH2020, STEP

P = 48


def weekday(days):  # Monday = 0, days since 1970-01-01 (a Thursday)
    return (days + 3) % 7


def jobs(seed, count=3387):
    rng = np.random.default_rng(seed)
    first = EPOCH2020 // 86400
    workdays = [first + d for d in range(366) if weekday(first + d) <= 4]
    per = np.bincount(rng.integers(0, len(workdays), count), minlength=len(workdays))
    arr = []
    for k, day in enumerate(workdays):
        starts = np.sort(18 + rng.integers(0, 16, per[k]))
        arr += [day * 86400 + s * STEP for s in starts]
    work = 8 + rng.integers(0, 172, len(arr))
    return np.array(arr), work


def deadline(finish):
    days = finish // 86400
    hours = (finish - days * 86400) / 3600
    nine = days * 86400 + 9 * 3600
    d = weekday(days)
    if d == 5:
        return nine + 2 * 86400
    if d == 6 or hours > 17:
        return nine + 86400
    if hours < 9:
        return nine
    return finish


def run(y, start, arrivals, works, forecast_fn, cache=None):
    """Returns (non-interruptible %, interruptible %). forecast_fn(o, s) as in Scenario I."""
    tot = {"base": 0.0, "ni": 0.0, "int": 0.0}
    for a, work in zip(arrivals, works):
        o = (a - start) // STEP
        dl = deadline(a + work * STEP)
        n = int((dl - a) // STEP) + 1  # window steps (ends one step after the deadline)
        truth = y[o:o + n]
        # baseline: lower of starting at arrival or one step later (actual)
        b = min(truth[:work].sum(), truth[1:work + 1].sum())
        key = o
        if cache is not None and key in cache and len(cache[key]) >= n:
            f = cache[key][:n]
        else:
            f = forecast_fn(o, n)
            if cache is not None:
                cache[key] = f
        f = f[:n]
        c = np.concatenate([[0], np.cumsum(f)])
        sums = c[work:] - c[:-work]
        k = int(np.argmax(sums <= sums.min() + 1e-9 * abs(sums.min())))
        tot["ni"] += truth[k:k + work].sum()
        idx = np.argsort(f, kind="stable")[:work]
        tot["int"] += truth[idx].sum()
        tot["base"] += b
    return 100 * (1 - tot["ni"] / tot["base"]), 100 * (1 - tot["int"] / tot["base"])


def study(y, start, forecast_fn, seeds=range(1, 6)):
    cache = {}
    res = [run(y, start, *jobs(s), forecast_fn, cache) for s in seeds]
    return np.mean(res, axis=0)
