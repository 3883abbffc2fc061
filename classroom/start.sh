#!/usr/bin/env bash
# Start the cnnviz classroom JupyterHub on this server: `sudo bash classroom/start.sh`
# Installs the pinned configurable-http-proxy (npm ci, once), then runs JupyterHub with
# classroom/jupyterhub_config.py. Settings are environment variables (see the top of that file),
# e.g. `sudo CNNVIZ_HUB_ADMINS=teacher CNNVIZ_DATA_DIR=/srv/cnnviz-data bash classroom/start.sh`.
# Needs Python with `pip install -r requirements.txt -e ".[classroom]"` and Node.js >= 20.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if [ ! -x "$here/node_modules/.bin/configurable-http-proxy" ]; then
  (cd "$here" && npm ci --no-audit --no-fund)
fi
mkdir -p "${CNNVIZ_HUB_STATE:-$here/state}"
cd "${CNNVIZ_HUB_STATE:-$here/state}"
exec python -m jupyterhub -f "$here/jupyterhub_config.py" "$@"
