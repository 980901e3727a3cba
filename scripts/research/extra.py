from models import *
import numpy as np
from lwa_data import STEP


def typed_profile_ar(y, start, days=28, split="weekend", ar=1, recent_days=None, level_days=None):
    """Profile per day type (weekday / weekend, or 7 days) from the last `days` days: each
    type's mean at each time of day, plus AR(ar) on the deviations fitted by least squares,
    iterated over the horizon."""
    day0 = start // STEP  # absolute step index of y[0]

    def dtype(idx):
        d = ((day0 + np.asarray(idx)) // P + 3) % 7
        if split == "weekend":
            return (d >= 5).astype(int)
        if split == "sat-sun":
            return np.where(d == 5, 1, np.where(d == 6, 2, 0))
        if split == "none":
            return np.zeros_like(d)
        return d

    def f(o, s):
        D = min(days, o // P)
        idx = np.arange(o - D * P, o)
        tod = (day0 + idx) % P
        ty = dtype(idx)
        ntypes = ty.max() + 1 if split != "week" else 7
        prof = np.zeros((max(ntypes, 3 if split == "sat-sun" else 2 if split == "weekend" else 1), P))
        allp = np.array([y[idx][tod == k].mean() for k in range(P)])
        for t_ in range(prof.shape[0]):
            for k in range(P):
                m = (ty == t_) & (tod == k)
                prof[t_, k] = y[idx][m].mean() if m.sum() >= 1 else allp[k]
        if recent_days:  # level from recent days: shift the profiles so their weekday mean matches recent level
            pass
        pfun = lambda j: prof[dtype(j), (day0 + np.asarray(j)) % P]
        e = y[idx] - pfun(idx)
        # AR(ar) on e by least squares
        X = np.array([e[ar - 1 - i:len(e) - 1 - i] for i in range(ar)]).T
        Y = e[ar:]
        beta = np.linalg.lstsq(X, Y, rcond=None)[0]
        hist = list(e[-ar:])
        out = np.empty(s)
        for h in range(s):
            nxt = float(np.dot(beta, hist[::-1][:ar]))
            hist.append(nxt)
            out[h] = pfun(o + h) + nxt
        return out
    return f


def typed_profile_ar2(y, start, days=35, halflife=None, ar=2, weekend_split=True):
    """Vectorized: weekday/weekend profile with optional exponential day weights, AR(ar) on
    deviations (least squares), iterated."""
    day0 = start // STEP

    def dtype(idx):
        d = ((day0 + np.asarray(idx)) // P + 3) % 7
        return (d >= 5).astype(int) if weekend_split else np.zeros_like(d)

    def f(o, s):
        D = min(days, o // P)
        idx = np.arange(o - D * P, o)
        tod = (day0 + idx) % P
        ty = dtype(idx)
        age = (o - 1 - idx) // P
        w = np.ones(len(idx)) if not halflife else 0.5 ** (age / halflife)
        prof = np.zeros((2, P))
        sw_all = np.bincount(tod, w, P); sy_all = np.bincount(tod, w * y[idx], P)
        for t_ in (0, 1):
            m = ty == t_
            sw = np.bincount(tod[m], w[m], P); sy = np.bincount(tod[m], (w * y[idx])[m], P)
            prof[t_] = np.where(sw > 0, sy / np.maximum(sw, 1e-300), sy_all / sw_all)
        pfun = lambda j: prof[dtype(j), (day0 + np.asarray(j)) % P]
        e = y[idx] - pfun(idx)
        X = np.array([e[ar - 1 - i:len(e) - 1 - i] for i in range(ar)]).T
        beta = np.linalg.lstsq(X, e[ar:], rcond=None)[0]
        hist = list(e[-ar:])
        out = np.empty(s)
        for h in range(s):
            nxt = float(np.dot(beta, hist[::-1][:ar]))
            hist.append(nxt)
            out[h] = nxt
        return out + pfun(np.arange(o, o + s))
    return f
