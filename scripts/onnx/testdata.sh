#!/usr/bin/env bash
# The ONNX backend test data for the test suite: the `onnx` package from PyPI in a test-only
# virtual environment under .build/ (never committed). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=.build/onnx-venv
if ! "$venv/bin/python" -c "import onnx" 2>/dev/null; then
    echo "setup: installing onnx (test data) into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet "onnx==1.23.2"
fi
