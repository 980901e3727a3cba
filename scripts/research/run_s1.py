import sys
from lwa_data import *
from models import *
from extra import *
regions = sys.argv[1].split(","); names = sys.argv[2].split(";")
for r in regions:
    start, y = load(r)
    nom = nightly_indices(start)
    orc = [scenario1(y, nom, w, oracle(y)) for w in (4, 8, 12, 16)]
    per = [scenario1(y, nom, w, persistence24(y)) for w in (4, 8, 12, 16)]
    mid = [(a + b) / 2 for a, b in zip(orc, per)]
    print(r, "midway", np.round(mid, 2), flush=True)
    for n in names:
        m = eval(n)
        res = [scenario1(y, nom, w, m) for w in (4, 8, 12, 16)]
        print(f"  {n}", np.round(res, 2), "met", sum(a >= b for a, b in zip(res, mid)), flush=True)
