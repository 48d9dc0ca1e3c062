#!/usr/bin/env bash
# The main job: generate the default accelerator's RTL, co-simulate a real layer on it,
# print the report. Extra arguments go to the co-simulation (e.g. --seed 7 --stall 20).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release --product eyeriss
eyeriss=".build/release/eyeriss"
$eyeriss generate --out out/rtl
$eyeriss cosim-pe --layer alexnet.conv3 "$@"
