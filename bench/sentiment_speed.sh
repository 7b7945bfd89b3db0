#!/bin/sh
# Words per CPU-second of sentence + document sentiment (news model over
# VADER), one thread, over the Wikinews texts of $NER_RAW (default
# /work/shared/data/ner/raw) or FILES.
#
# Usage: bench/sentiment_speed.sh [BUILD_DIR] [FILE...]
set -eu

src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$src/build}
[ $# -gt 0 ] && shift
cmake --build "$build" --target inkstream_lib >/dev/null
cc -O2 -std=gnu11 -Wall -Wextra -I"$src/include" \
        -o "$build/sentiment_speed" "$src/bench/sentiment_speed.c" \
        "$build/lib/libinkstream.a" $(pkg-config --libs libutf8proc) \
        -ljansson -lm
if [ $# -eq 0 ]; then
        set -- $(find "${NER_RAW:-/work/shared/data/ner/raw}" -type f | sort)
fi
"$build/sentiment_speed" "$@"
