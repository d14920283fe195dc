#!/usr/bin/env bash
# Install what the test suite needs and run all of it: lint, unit, page (AppTest) and browser (Chromium) tests.
# Usage: bash scripts/test.sh [pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
export PIP_RETRIES=0 PIP_DISABLE_PIP_VERSION_CHECK=1  # the CPU-wheel index may be unreachable: do not wait on it

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q -r requirements-dev.txt

# The browser test drives Debian's Chromium (Playwright cannot download its own browser here).
if ! command -v chromium >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium >/dev/null
fi

.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"
