#!/usr/bin/env bash
# The test command: installs missing tools, builds, runs every test, then the quick regression
# suite (random layers on small arrays, each co-simulated in its own process; README, Regressions).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/onnx/testdata.sh
swift build --build-tests
swift test --skip-build
"$(swift build --show-bin-path)/eyeriss" regress --suite quick --jobs 2 --junit .build/regress-quick.xml
