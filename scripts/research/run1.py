import sys
from lwa_data import *
from models import *
regions = sys.argv[1].split(",") if len(sys.argv) > 1 else ["DE", "GB", "FR"]
for r in regions:
    start, y = load(r)
    nom = nightly_indices(start)
    orc = [scenario1(y, nom, w, oracle(y)) for w in (4, 8, 12, 16)]
    per = [scenario1(y, nom, w, persistence24(y)) for w in (4, 8, 12, 16)]
    mid = [(a + b) / 2 for a, b in zip(orc, per)]
    print(r, "midway", np.round(mid, 2))
    for name, m in [("profile14", daily_profile(y, 14)), ("profile28", daily_profile(y, 28)),
                    ("profile-ar14", daily_profile_ar(y, 14)),
                    ("direct", direct_deviation(y))]:
        res = [scenario1(y, nom, w, m) for w in (4, 8, 12, 16)]
        print(f"  {name:14s}", np.round(res, 2), "met", sum(a >= b for a, b in zip(res, mid)))
