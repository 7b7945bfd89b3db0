#!/bin/sh
# Trains the NER model and writes data/ner/model.bin (deterministic: the
# same data and seed give the same file).  Usage:
#   scripts/train-ner.sh [BUILD_DIR] [DATA_DIR]
# BUILD_DIR holds the inkstream binary (default: build); DATA_DIR the
# CoNLL files (default: /work/shared/data/ner).  Set INKSTREAM to use
# another binary.
#
# Data: GUM Wikinews + other GUM genres (CC BY), plus UNER English EWT as
# partially labelled data (no MISC in it: O on capitalised words may be
# MISC).  UNER is CC BY-SA 4.0, so the model is CC BY-SA 4.0 (see
# data/ner/README.md).  NER_WITH_UNER=0 leaves it out: a CC BY 4.0 model,
# about 3 points of dev F1 lower.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
data=${2:-/work/shared/data/ner}
bin=${INKSTREAM:-$build/cli/inkstream}
extra=""
if [ "${NER_WITH_UNER:-1}" = 1 ]; then
        extra="--partial $data/uner-ewt-train.conll"
fi
# Resources from the source tree, so the gazetteer hash recorded in the
# model is that of the gazetteer that will be embedded.
INKSTREAM_RESOURCE_DIR=$here exec "$bin" train-ner \
        --train "$data/train.conll" "$data/train-gum-other.conll" $extra \
        --dev "$data/dev.conll" \
        --epochs 8 --seed 1 --bits 18 \
        --out "$here/data/ner/model.bin"
