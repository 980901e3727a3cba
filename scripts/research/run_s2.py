import sys
from extra import *
from lwa_data import *
from models import *
from scenario2 import study
regions = sys.argv[1].split(",")
names = sys.argv[2].split(";")
for r in regions:
    start, y = load(r)
    orc = study(y, start, oracle(y)); per = study(y, start, persistence24(y))
    print(r, "oracle", np.round(orc, 2), "persistence", np.round(per, 2), "midway", np.round((orc + per) / 2, 2), flush=True)
    from extra import *
    for n in names:
        m = eval(n)
        print("  ", n, np.round(study(y, start, m), 2), flush=True)
