#!/usr/bin/env python3
"""The language core stands alone: the targets WattLanguageTests reaches (from
`swift package dump-package`) include no database, YAML, command-line, readline, control,
cluster or Slurm code. Run by `make test`; exits 1 naming what leaked in."""
import json, subprocess, sys

FORBIDDEN = {"GRDB", "Yams", "ArgumentParser", "CReadline", "WattCLI", "WattControl", "WattSlurm",
             "WattCluster", "WattBindings", "WattEnergy", "WattTesting"}

package = json.loads(subprocess.check_output(["swift", "package", "dump-package"], text=True))
targets = {t["name"]: t for t in package["targets"]}

def deps(target):
    out = []
    for d in target.get("dependencies", []):
        for kind in ("byName", "target", "product"):
            if kind in d:
                out.append(d[kind][0])
    return out

seen, todo = set(), ["WattLanguageTests"]
while todo:
    name = todo.pop()
    if name in seen:
        continue
    seen.add(name)
    if name in targets:
        todo.extend(deps(targets[name]))
leaked = sorted(seen & FORBIDDEN)
if leaked:
    print(f"FAIL  core-deps: WattLanguageTests reaches {', '.join(leaked)}")
    sys.exit(1)
print(f"core-deps: WattLanguageTests reaches only {', '.join(sorted(seen - {'WattLanguageTests'}))}")
