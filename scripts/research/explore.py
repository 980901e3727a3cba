from lwa_data import *
for r in ["DE", "GB", "FR"]:
    start, y = load(r)
    nom = nightly_indices(start)
    # yearly mean profile (non-causal) per half-hour of day
    tod = ((start // STEP) + np.arange(len(y))) % 48
    prof = np.array([y[tod == k].mean() for k in range(48)])
    print(r, "profile 17h..09h:", np.round(prof[[34,36,38,40,42,44,46,0,2,4,6,8,10,12,14,16,18]] - prof[2], 1))
    # non-causal: forecast = yearly profile
    def fprof(o, s):
        return prof[tod[o:o + s]]
    print(" yearly-profile", [round(scenario1(y, nom, w, fprof), 2) for w in (4, 8, 12, 16)])
    # smoothed truth
    for m in (3, 5, 9):
        ker = np.ones(m) / m
        sm = np.convolve(y, ker, mode="same")
        print(" smoothed", m, [round(scenario1(y, nom, w, lambda o, s: sm[o:o+s]), 2) for w in (4, 8, 12, 16)])
    d = np.diff(y)
    print(" diff acf", [round(np.corrcoef(d[:-k], d[k:])[0,1], 2) for k in (1, 2, 3, 4, 48)])
