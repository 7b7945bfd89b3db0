#!/usr/bin/env bash
# Quick start: install what is missing, build, and run `inkstream demo`
# (the whole topology on an embedded Kafka cluster, on the bundled samples).
set -euo pipefail
cd "$(dirname -- "${BASH_SOURCE[0]}")/.."
bash scripts/deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C build inkstream
exec build/inkstream demo
