#!/usr/bin/env bash
# The README's test command: install what the tests need, then run every test
# (unit, notebooks, browser). Extra arguments go to pytest, e.g. `bash scripts/test.sh -m "not browser"`.
set -euo pipefail
cd "$(dirname "$0")/.."

# Browser tests drive Debian's chromium through Playwright (no browser download).
if [ -z "${CNNVIZ_CHROMIUM:-}" ] && ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "The browser tests need Debian's chromium: apt-get install -y chromium" >&2; exit 1
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium
fi

python -m pip install --quiet -r requirements.txt -e ".[test]"
# The classroom hub's proxy: configurable-http-proxy pinned in classroom/package-lock.json.
if [ ! -x classroom/node_modules/.bin/configurable-http-proxy ] ||
   [ classroom/package-lock.json -nt classroom/node_modules/.package-lock.json ]; then
  command -v npm >/dev/null 2>&1 || { echo "The classroom tests need Node.js >= 20 and npm" >&2; exit 1; }
  (cd classroom && npm ci --no-audit --no-fund)
fi
# Two workers (CI has 2 cores). --dist loadgroup keeps each group of browser tests (JupyterLab,
# Notebook 7, Voila) on one worker, which starts one JupyterLab server for all it runs.
python -m pytest -n 2 --dist loadgroup "$@"
