#!/usr/bin/env bash
# The main job: generate the default accelerator's RTL, co-simulate a real layer on it (AlexNet
# CONV3, full size, on the 12 x 14 array), print the report. Extra arguments go to `eyeriss
# cosim` (e.g. --layer alexnet.conv1 --batch 4 --seed 7 --hostile-dram).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release --product eyeriss
eyeriss=".build/release/eyeriss"
$eyeriss generate --out out/rtl
if [ $# -eq 0 ]; then set -- --layer alexnet.conv3; fi
$eyeriss cosim "$@"
