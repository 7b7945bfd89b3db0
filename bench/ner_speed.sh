#!/bin/sh
# Tokenizer + NER speed on one core: builds BUILD_DIR (default: build)
# if needed, compiles bench/ner_speed.c against its static library, and
# runs it over the GUM texts of DATA_DIR/raw (openly licensed), the set
# repeated REPEAT times (default 10, about 10 MB), printing words/s
# (CPU time of the one thread).  Under `perf stat` when perf works.
#   bench/ner_speed.sh [BUILD_DIR] [DATA_DIR] [REPEAT]
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
data=${2:-/work/shared/data/ner}
repeat=${3:-10}
if [ ! -f "$build/lib/libinkstream.a" ]; then
        cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release
fi
ninja -C "$build" inkstream_lib
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cc -O2 -std=c11 -D_GNU_SOURCE -I"$here/include" "$here/bench/ner_speed.c" \
        "$build/lib/libinkstream.a" -lutf8proc -ljansson -lavro -lxml2 \
        -lcurl -lcrypto $(pkg-config --libs libexttextcat) -lm -lpthread \
        -o "$out/ner_speed"
set -- "$data"/raw/GUM_*.txt
if command -v perf >/dev/null 2>&1 &&
   perf stat -e task-clock true >/dev/null 2>&1; then
        perf stat -e task-clock -o "$out/perf.txt" \
                "$out/ner_speed" "$repeat" "$@"
        grep -E "task-clock|elapsed|user|sys" "$out/perf.txt"
else
        "$out/ner_speed" "$repeat" "$@"
fi
