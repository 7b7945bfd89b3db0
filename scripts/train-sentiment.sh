#!/bin/sh
# Trains the sentiment models and writes them to data/sentiment/
# (news_model.txt, target_model.txt), printing the cross-validated and dev
# figures.  Deterministic: the same data and options give the same files.
#
# Usage: scripts/train-sentiment.sh [BUILD_DIR] [DATA_DIR]
#   BUILD_DIR  a configured build tree (default: build)
#   DATA_DIR   holds hutto_icwsm2014/ and newsmtsc/
#              (default: /work/shared/data/sentiment)
# Extra train-sentiment options go in $TRAIN_SENTIMENT_OPTS.
# Re-run cmake (or ninja, which re-globs) afterwards to embed the new files.
set -eu

src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$src/build}
data=${2:-/work/shared/data/sentiment}

cmake --build "$build" --target inkstream >/dev/null
# shellcheck disable=SC2086
"$build/inkstream" train-sentiment --data "$data/hutto_icwsm2014" \
        --newsmtsc "$data/newsmtsc" --out-dir "$src/data/sentiment" \
        ${TRAIN_SENTIMENT_OPTS:-}
