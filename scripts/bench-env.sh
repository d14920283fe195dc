#!/usr/bin/env bash
# Install the book's own helper package (d2l 0.17.6) into a private directory that only `python -m bench` reads, so the
# training benchmark can time the book's train_epoch_ch3 against ours. It is not a dependency of the app or the tests.
# d2l's wheel pins ancient versions of everything, so it goes in without its dependencies, followed by just what
# d2l/torch.py imports that the app does not already have (matplotlib, matplotlib-inline, IPython).
# Usage: bash scripts/bench-env.sh            (directory: $D2L_BENCH_DIR, default ~/.cache/d2l-explorer/bench-env)
set -euo pipefail
cd "$(dirname "$0")/.."
export PIP_DISABLE_PIP_VERSION_CHECK=1
DIR="${D2L_BENCH_DIR:-$HOME/.cache/d2l-explorer/bench-env}"
PY="${PYTHON:-.venv/bin/python}"
"$PY" -m pip install -q --upgrade --target "$DIR" --no-deps d2l==0.17.6
"$PY" -m pip install -q --upgrade --target "$DIR" matplotlib==3.11.2 matplotlib-inline==0.2.2 ipython==9.18.1
echo "d2l 0.17.6 installed in $DIR"
