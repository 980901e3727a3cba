from lwa_data import *
for r in ["DE", "GB", "FR"]:
    start, y = load(r)
    nom = nightly_indices(start)
    n = len(y)
    tod = ((start // STEP) + np.arange(n)) % 48
    day = ((start // STEP) + np.arange(n)) // 48
    wd = (day + 3) % 7
    # centered +-k day profile (non-causal)
    for k in (3, 7, 15):
        def f(o, s, k=k):
            out = []
            for i in range(o, o + s):
                js = i + 48 * np.arange(-k, k + 1)
                js = js[(js >= 0) & (js < n) & (js != i)]
                out.append(y[js].mean())
            return np.array(out)
        print(r, "centered profile +-", k, [round(scenario1(y, nom, w, f), 2) for w in (4, 8, 12, 16)])
    prof = {}
    for d in range(7):
        prof[d] = np.array([y[(tod == k) & (wd == d)].mean() for k in range(48)])
    f = lambda o, s: np.array([prof[wd[i]][tod[i]] for i in range(o, o + s)])
    print(r, "weekday yearly profile", [round(scenario1(y, nom, w, f), 2) for w in (4, 8, 12, 16)])
