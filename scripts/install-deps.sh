#!/usr/bin/env bash
# Installs what `make run` and `make test` need and the machine lacks:
# libreadline-dev (the REPL's line editing), libsqlite3-dev (the journal) and tmux (the
# REPL's terminal tests) through apt, and Lark (the grammar
# cross-check) and Pint (the units oracle) through pip. Quiet when everything is already there.
set -euo pipefail

need_apt=()
dpkg -s libreadline-dev >/dev/null 2>&1 || need_apt+=(libreadline-dev)
dpkg -s libsqlite3-dev >/dev/null 2>&1 || need_apt+=(libsqlite3-dev)
command -v tmux >/dev/null 2>&1 || need_apt+=(tmux)
if ((${#need_apt[@]})); then
  echo "installing ${need_apt[*]} (apt)"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if ! python3 -c 'import lark' >/dev/null 2>&1; then
  echo "installing lark (pip)"
  python3 -m pip install --quiet --disable-pip-version-check lark \
    || python3 -m pip install --quiet --disable-pip-version-check --user lark \
    || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages lark
fi

# Without Pint the units oracle prints a SKIP line, so a failed install is not fatal here.
if ! python3 -c 'import pint' >/dev/null 2>&1; then
  echo "installing pint (pip)"
  python3 -m pip install --quiet --disable-pip-version-check pint \
    || python3 -m pip install --quiet --disable-pip-version-check --user pint \
    || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages pint \
    || echo "warning: could not install pint with pip; \`make units-oracle\` will skip"
fi

command -v swift >/dev/null 2>&1 || { echo "error: swift is not on PATH (Swift 6 toolchain needed)" >&2; exit 1; }
