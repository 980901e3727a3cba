"""Direct per-horizon least squares on changes from the last observation (vectorized)."""
import numpy as np
P = 48


def direct_change(y, days=28, pdays=14, lags=(1, 2, 4), phase_hours=None, ridge=1e-2, yday=True,
                  free_profile=True, weight_halflife=None):
    def f(o, s):
        pd = min(pdays, o // P)
        hist = y[o - pd * P:o].reshape(pd, P).mean(0)
        prof = lambda idx: hist[(np.asarray(idx) - o) % P]
        L = max(lags)
        first = max(P + L + 1, o - days * P)
        t = np.arange(first, o - 1)          # candidate last-observation indices for training
        cols = [np.ones(len(t))]
        e = lambda idx: y[idx] - prof(idx)
        cols.append(e(t))
        for l in lags:
            cols.append(y[t] - y[t - l])
        base = np.array(cols).T
        tq = np.array([o - 1])
        qcols = [np.ones(1), e(tq)] + [y[tq] - y[tq - l] for l in lags]
        qbase = np.array(qcols).T
        if phase_hours is not None:
            dph = ((t - (o - 1)) % P)
            dph = np.minimum(dph, P - dph)
            wrow = (dph <= phase_hours * 2).astype(float)
        else:
            wrow = np.ones(len(t))
        if weight_halflife:
            wrow = wrow * 0.5 ** ((o - 1 - t) / (weight_halflife * P))
        out = np.empty(s)
        for h in range(s):
            ok = t + 1 + h <= o - 1
            tt = t[ok]
            X = [base[ok]]
            Xq = [qbase]
            if free_profile:
                X.append((prof(tt + 1 + h) - prof(tt))[:, None]); Xq.append((prof(tq + 1 + h) - prof(tq))[:, None])
            if yday:
                X.append((y[tt + 1 + h - P] - y[tt - P])[:, None]); Xq.append((y[tq + 1 + h - P] - y[tq - P])[:, None])
            X = np.hstack(X); Xq = np.hstack(Xq)
            Y = y[tt + 1 + h] - y[tt]
            if not free_profile:
                Y = Y - (prof(tt + 1 + h) - prof(tt))
            w = wrow[ok]
            Xw = X * w[:, None]
            A = Xw.T @ X
            A += ridge * np.trace(A) / A.shape[0] * np.diag([0] + [1] * (A.shape[0] - 1))
            beta = np.linalg.solve(A, Xw.T @ Y)
            out[h] = y[o - 1] + (Xq @ beta)[0] + (0 if free_profile else prof(o + h) - prof(o - 1))
        return out
    return f
