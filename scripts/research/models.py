"""Candidate forecasters for the research harness. Each returns forecast(o, s): the forecast of
y[o], ..., y[o+s-1] made with y[:o] only."""
import numpy as np

P = 48  # steps per day on the 30-minute grid


def profile_at(y, o, days, weights=None):
    """Mean of the last `days` days at each phase; returned indexed by absolute index mod P
    relative to origin: prof[k] is the profile for index o + k (k may be negative)."""
    days = min(days, o // P)
    hist = y[o - days * P:o].reshape(days, P)  # row j: indices o-days*P + j*P ...
    if weights is None:
        p = hist.mean(axis=0)
    else:
        w = weights[-days:]
        p = (hist * w[:, None]).sum(0) / w.sum()
    # p[j] is the profile of index o - days*P + j  == phase (j) relative to o  => index o + k has p[k mod P]
    return lambda idx: p[(np.asarray(idx) - o) % P]


def daily_profile(y, days=14):
    def f(o, s):
        pr = profile_at(y, o, days)
        return pr(np.arange(o, o + s))
    return f


def daily_profile_ar(y, days=14):
    """DailyProfileModel-like: profile + phi^h * last deviation (phi fitted on the window)."""
    def f(o, s):
        pr = profile_at(y, o, days)
        idx = np.arange(o - min(days, o // P) * P, o)
        e = y[idx] - pr(idx)
        phi = np.clip(np.dot(e[1:], e[:-1]) / np.dot(e[:-1], e[:-1]), 0, 1)
        h = np.arange(1, s + 1)
        return pr(np.arange(o, o + s)) + phi ** h * e[-1]
    return f


def direct_deviation(y, days=28, pdays=14, lags=(1, 2, 4, 8), ridge=1e-3, yday=True, H=None):
    """One least-squares model per horizon on deviations from a recent daily profile:
    e(o+h) ~ 1 + e(o-1) + [e(o-1) - e(o-1-l) for l in lags] + e(o+h-P) (yesterday's deviation at
    the target time). The profile is computed at each origin from the `pdays` days before it;
    training rows use the profile of the final origin (approximation)."""
    cache = {}

    def feats(e, t, h):
        # t: index of the last observation (o-1) in e's frame
        row = [1.0, e[t]]
        row += [e[t] - e[t - l] for l in lags]
        if yday:
            row.append(e[t + 1 + h - P])
        return row

    def f(o, s):
        pr = profile_at(y, o, pdays)
        start = max(0, o - days * P - P - max(lags) - 1)
        idx = np.arange(start, o)
        e = y[idx] - pr(idx)
        t0 = len(e) - 1  # last obs
        out = np.empty(s)
        for h in range(s):
            X, Y = [], []
            # training rows: last obs at t with target t+1+h <= t0
            ts = np.arange(P + max(lags) + 1, t0 - h)
            X = np.array([feats(e, t, h) for t in ts])
            Y = e[ts + 1 + h]
            A = X.T @ X + ridge * len(ts) * np.diag([0] + [1] * (X.shape[1] - 1))
            beta = np.linalg.solve(A, X.T @ Y)
            out[h] = pr(o + h) + np.dot(feats(e, t0, h), beta)
        return out
    return f
