#!/bin/sh
# Agreement of the C VADER port with the Python reference vaderSentiment
# 3.3.2 on the NYT editorial snippets (dev half), and Pearson r of the
# compound against the human mean.
#
# Usage: bench/vader_reference.sh [BUILD_DIR] [GROUND_TRUTH]
#   BUILD_DIR     a configured build tree (default: build)
#   GROUND_TRUTH  default: /work/shared/data/sentiment/hutto_icwsm2014/
#                 nytEditorialSnippets_dev_GroundTruth.txt
# The venv goes to $VADER_VENV (default: BUILD_DIR/vader-venv).
set -eu

src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$src/build}
gt=${2:-/work/shared/data/sentiment/hutto_icwsm2014/nytEditorialSnippets_dev_GroundTruth.txt}
venv=${VADER_VENV:-$build/vader-venv}

cmake --build "$build" --target inkstream_lib >/dev/null
if [ ! -x "$venv/bin/python" ]; then
        python3 -m venv "$venv"
        "$venv/bin/pip" install -q vaderSentiment==3.3.2
fi

cc -O2 -std=gnu11 -Wall -Wextra -I"$src/include" \
        -o "$build/vader_score" "$src/bench/vader_score.c" \
        "$build/lib/libinkstream.a" $(pkg-config --libs libutf8proc) -lm
"$build/vader_score" < "$gt" > "$build/vader_c_scores.tsv"
"$venv/bin/python" "$src/bench/vader_reference.py" "$gt" \
        "$build/vader_c_scores.tsv"
