from lwa_data import *
for r in ["DE", "GB", "FR"]:
    start, y = load(r)
    nom = nightly_indices(start)
    print(r, len(y), [round(scenario1(y, nom, w, oracle(y)), 2) for w in (4, 8, 12, 16)],
          [round(scenario1(y, nom, w, persistence24(y)), 2) for w in (4, 8, 12, 16)])
