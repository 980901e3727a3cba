#!/usr/bin/env bash
# The side-by-side anchor benchmark (docs/performance.md): one policy tick in Watt beside
# hand-written Swift, LuaJIT, Lua 5.4, CPython, Rego and CEL, every engine's result checked
# against the others. Builds `watt-anchor` in release mode, installs the other engines once
# (Benchmarks/anchors/harness/setup.sh: Debian's lua5.4 and luajit, a Python venv), then runs
# the harness with WATT_BENCH set. Extra environment (QUICK=1, SCALE10=0, ...) goes through.
set -euo pipefail
cd "$(dirname "$0")/.."
harness=Benchmarks/anchors/harness
swift build -c release --product watt-anchor
if ! { [ -x "${ANCHORS_VENV:-/tmp/anchors-venv}/bin/python" ] && command -v lua5.4 >/dev/null && command -v luajit >/dev/null; }; then
  bash "$harness/setup.sh"
fi
WATT_BENCH="$PWD/.build/release/watt-anchor" exec bash "$harness/run_all.sh"
