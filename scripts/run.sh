#!/usr/bin/env bash
# Install the app's dependencies and start it on http://localhost:8501.
# Usage: bash scripts/run.sh [streamlit options, e.g. --server.port 8502]
set -euo pipefail
cd "$(dirname "$0")/.."
export PIP_RETRIES=0 PIP_DISABLE_PIP_VERSION_CHECK=1
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q -r requirements.txt
exec .venv/bin/streamlit run app.py "$@"
