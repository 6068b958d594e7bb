#!/bin/sh
# Set up planner in this checkout and run it; safe to rerun.
#
#   ./setup.sh run [ARGS]    install, then `planner ARGS` (default: solve inputs/default --force)
#   ./setup.sh test [ARGS]   install with the test tools, then `python -m pytest -q -n auto --dist loadfile [ARGS]`
#   ./setup.sh check         install with the test tools, then the static checks (scripts/check-static: ruff, mypy)
#   ./setup.sh install       install only (with the test tools: ./setup.sh install dev)
#
# Finds a Python >= 3.12 (python3.13, python3.12, python3, then pyenv's versions), rebuilds a
# .venv that another (older or vanished) Python made, and reinstalls only when pyproject.toml changed.
set -eu
cd "$(dirname "$0")"

fits() { "$1" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; }

find_python() {
  for candidate in python3.13 python3.12 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && fits "$candidate"; then command -v "$candidate"; return 0; fi
  done
  if command -v pyenv >/dev/null 2>&1; then
    root=$(pyenv root)
    for v in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.(1[2-9]|[2-9][0-9])(\.[0-9]+)?$' | sort -t. -k1,1nr -k2,2nr -k3,3nr); do
      if [ -x "$root/versions/$v/bin/python3" ] && fits "$root/versions/$v/bin/python3"; then echo "$root/versions/$v/bin/python3"; return 0; fi
    done
  fi
  return 1
}

install() {  # $1: "" or "dev"
  extras=${1:+"[$1]"}
  if [ -e .venv ] && ! fits .venv/bin/python; then
    echo "setup: .venv was made by $(.venv/bin/python --version 2>&1 | head -n1 || echo 'a Python that is gone'); rebuilding it with $($PY --version)" >&2
    rm -rf .venv
  fi
  if [ ! -e .venv ]; then
    echo "setup: creating .venv with $($PY --version)" >&2
    "$PY" -m venv .venv
  fi
  stamp=".venv/.planner-installed${1:+-$1}"
  want=$(cksum pyproject.toml | cut -d' ' -f1)
  if [ -z "$1" ] && [ "$(cat .venv/.planner-installed-dev 2>/dev/null)" = "$want" ]; then return 0; fi  # dev includes the base
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "setup: installing planner$extras into .venv (first time: about a minute) ..." >&2
    .venv/bin/python -m pip install -q -e ".$extras"
    echo "$want" > "$stamp"
  fi
}

check_system() {  # what the report tests need from the system
  missing=""
  command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing="Chromium"
  if command -v fc-list >/dev/null 2>&1; then
    fc-list 2>/dev/null | grep -q -i -E 'Noto Sans CJK SC|Source Han Sans SC' || missing="${missing:+$missing and }CJK fonts"
  fi
  if [ -n "$missing" ]; then
    echo "setup: the report tests need $missing; install them with: sudo scripts/install-system-deps" >&2
    exit 1
  fi
}

if ! PY=$(find_python); then
  echo "setup: planner needs Python 3.12 or newer; install it (e.g. 'pyenv install 3.12' or 'apt-get install python3.12') and rerun" >&2
  exit 1
fi

command=${1:-run}
[ $# -gt 0 ] && shift
case "$command" in
  run)
    install ""
    if [ $# -eq 0 ]; then set -- solve inputs/default --force; fi  # rerunnable: replaces the last default plan
    exec .venv/bin/planner "$@" ;;
  test)
    install dev
    check_system
    # one test process per core (PLANNER_TEST_WORKERS=0 for one process); a file's tests stay together
    exec .venv/bin/python -m pytest -q -n "${PLANNER_TEST_WORKERS:-auto}" --dist loadfile "$@" ;;
  check)
    install dev
    exec scripts/check-static ;;
  install)
    install "${1:-}" ;;
  *)
    echo "usage: ./setup.sh run [PLANNER ARGS] | test [PYTEST ARGS] | check | install [dev]" >&2
    exit 2 ;;
esac
