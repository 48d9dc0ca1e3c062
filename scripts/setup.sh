#!/usr/bin/env bash
# Installs what eyeriss-swift needs and is missing: Verilator, SystemC, Yosys (Debian packages).
# Swift itself must already be on PATH.
set -euo pipefail

missing=()
command -v verilator >/dev/null 2>&1 || missing+=(verilator)
command -v yosys >/dev/null 2>&1 || missing+=(yosys)
[ -f /usr/include/systemc.h ] || [ -f /usr/include/systemc ] || missing+=(libsystemc-dev)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
command -v make >/dev/null 2>&1 || missing+=(make)

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

command -v swift >/dev/null 2>&1 || { echo "setup: swift is not on PATH (Swift 6 toolchain needed)" >&2; exit 1; }
echo "setup: $(verilator --version), $(yosys -V | cut -d' ' -f1-2), $(swift --version 2>&1 | head -1)" >&2
