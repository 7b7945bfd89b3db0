#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds inkstream twice
# (normal, and with AddressSanitizer + UBSan), runs the unit, fault and
# integration tests under the sanitizers, then every suite with the normal
# build (unit, fuzz, fault, integration against a real Kafka broker that
# the suite starts and stops itself, browser).
set -euo pipefail
cd "$(dirname -- "${BASH_SOURCE[0]}")/.."
bash scripts/deps.sh

jobs=$(nproc)
werror=OFF
[ "${CI:-}" = true ] && werror=ON

echo "== build (sanitizers)"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug \
      -DINK_SANITIZE=ON -DINK_WERROR=$werror >/dev/null
ninja -C build-asan -j "$jobs"
echo "== unit tests under ASan+UBSan"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-asan -L unit --output-on-failure -j "$jobs"
echo "== fault and integration tests under ASan+UBSan (sanitized binary)"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-asan -L "integration|fault" --output-on-failure

echo "== build"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DINK_WERROR=$werror >/dev/null
ninja -C build -j "$jobs"
echo "== all suites (unit, fault, integration with a real broker)"
ctest --test-dir build --output-on-failure
