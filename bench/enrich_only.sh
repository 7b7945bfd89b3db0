#!/bin/sh
# Enrichment only, no Kafka: `inkstream annotate --jsonl` over a corpus of
# the openly licensed texts in ../shared/data/ner/raw (each file one
# article, repeated to CORPUS_MB MB), then over articles of SIZES bytes
# (SIZE_MB MB of each size) to show how time grows with article length.
# Prints words/s and articles/s per core (CPU seconds = user + sys) and a
# table; appends key=value results to bench/out/results.env.
#
# Usage: bench/enrich_only.sh   (environment: see bench/common.sh and)
#   CORPUS_MB=50  SIZES="1000 10000 100000 1000000"  SIZE_MB=4
set -eu
. "$(dirname "$0")/common.sh"
CORPUS_MB=${CORPUS_MB:-50}
SIZES=${SIZES:-1000 10000 100000 1000000}
SIZE_MB=${SIZE_MB:-4}
res=$out/results.env

[ "${BENCH_NO_BUILD:-}" ] || bench_build

# corpus FILE ARGS...: builds FILE unless it exists with the same args;
# sets C_ARTICLES C_WORDS C_BYTES.
corpus() {
        _file=$1
        shift
        if [ ! -s "$_file" ] || [ "$(cat "$_file.args" 2>/dev/null)" != "$*" ]; then
                _kind=$1
                shift
                python3 "$src/bench/make_corpus.py" "$_kind" "$RAW_DIR" \
                        "$_file" "$@" >"$_file.stats"
                set -- "$_kind" "$@"
                echo "$*" >"$_file.args"
        fi
        eval "$(sed 's/^articles=\([0-9]*\) words=\([0-9]*\) bytes=\([0-9]*\)/C_ARTICLES=\1 C_WORDS=\2 C_BYTES=\3/' "$_file.stats")"
}

# annotate FILE: enriches FILE; sets the T_* figures and A_ERRORS.
annotate() {
        wait_quiet
        timed "$out/annotate.time" sh -c \
                "\"$INK\" annotate --jsonl <\"$1\" | grep -c '\"error_class\"' >\"$out/annotate.errors\" || true"
        A_ERRORS=$(cat "$out/annotate.errors")
}

echo "== enrichment only: inkstream annotate --jsonl (no Kafka) =="
corpus "$out/corpus.jsonl" corpus "$CORPUS_MB"
annotate "$out/corpus.jsonl"
wps=$(calc "printf \"%.0f\", $C_WORDS / $T_CPU")
aps=$(calc "printf \"%.1f\", $C_ARTICLES / $T_CPU")
cpa=$(calc "printf \"%.3f\", 1000 * $T_CPU / $C_ARTICLES")
mbs=$(calc "printf \"%.2f\", $C_BYTES / 1e6 / $T_CPU")
echo "corpus:    $RAW_DIR, $(ls "$RAW_DIR" | wc -l) texts repeated to $CORPUS_MB MB: $C_ARTICLES articles, $C_WORDS words (whitespace-separated), $C_BYTES bytes"
echo "run:       cpu ${T_CPU}s (user $T_USER, sys $T_SYS), wall ${T_WALL}s, peak RSS ${T_RSS_MB} MB, errors $A_ERRORS, load1 at start $T_LOAD"
echo "per core:  $wps words/s, $aps articles/s, $mbs MB/s, ${cpa} ms CPU per article"
{
        echo "enrich_words_per_cpu_s=$wps"
        echo "enrich_articles_per_cpu_s=$aps"
        echo "enrich_cpu_ms_per_article=$cpa"
        echo "enrich_load=$T_LOAD"
        echo "enrich_rss_mb=$T_RSS_MB"
} >>"$res"

echo
echo "scaling with article length ($SIZE_MB MB of each size; texts concatenated):"
printf '%-12s %9s %10s %12s %14s %8s\n' "article" "articles" "cpu s" "cpu s / MB" "words/s/core" "load1"
for size in $SIZES; do
        corpus "$out/sized-$size.jsonl" sized "$size" "$SIZE_MB"
        annotate "$out/sized-$size.jsonl"
        spm=$(calc "printf \"%.3f\", $T_CPU / ($C_BYTES / 1e6)")
        w=$(calc "printf \"%.0f\", $C_WORDS / $T_CPU")
        label=$(calc "s=$size; if (s>=1e6) printf \"%g MB\", s/1e6; else printf \"%g KB\", s/1e3")
        printf '%-12s %9s %10s %12s %14s %8s\n' "$label" "$C_ARTICLES" "$T_CPU" "$spm" "$w" "$T_LOAD"
        echo "scale_${size}_cpu_s_per_mb=$spm" >>"$res"
done
