#!/bin/sh
# The whole benchmark: prints the machine, the versions, every parameter
# and the figures of bench/enrich_only.sh, bench/e2e.sh, bench/latency.sh,
# bench/memory.sh and bench/python_peer/run.sh, against one broker
# (deploy/kafka/kafka.sh on KAFKA_PORT, stopped at the end, unless BROKERS
# is given), then a summary table and the plot (bench/plot.py ->
# bench/out/bench.svg).  The full output is also kept in bench/out/run.log.
# About 10-15 minutes on a 2-core machine with the defaults.
#
# Usage: bench/run.sh   (every size is an environment variable:)
#   BUILD CORPUS_MB SIZES SIZE_MB E2E_N NOENRICH_N THREADS THREADS2
#   LAT_SECONDS LAT_EVERY RATE MEM_N MEM_IDLE_S MEM_BIG_MB PEER_N PEER_BATCH
#   KAFKA_PORT KAFKA_DIR BROKERS LOAD_MAX LOAD_WAIT
set -eu
. "$(dirname "$0")/common.sh"
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

main() {
        : >"$out/results.env"
        echo "inkstream benchmark, $(date -u +%Y-%m-%dT%H:%MZ)"
        bench_machine
        echo "python peer: $(python3 --version 2>&1) (system) -> venv bench/out/venv"
        echo "parameters: CORPUS_MB=${CORPUS_MB:-50} SIZES='${SIZES:-1000 10000 100000 1000000}' SIZE_MB=${SIZE_MB:-4} E2E_N=${E2E_N:-5000} NOENRICH_N=${NOENRICH_N:-20000} THREADS=$THREADS THREADS2=${THREADS2:-1} LAT_SECONDS=${LAT_SECONDS:-20} LAT_EVERY=${LAT_EVERY:-10} RATE=${RATE:-auto} MEM_N=${MEM_N:-3000} MEM_IDLE_S=${MEM_IDLE_S:-10} MEM_BIG_MB=${MEM_BIG_MB:-8} PEER_N=${PEER_N:-300} PEER_BATCH=${PEER_BATCH:-64} LOAD_MAX=$LOAD_MAX LOAD_WAIT=$LOAD_WAIT BROKERS=$BROKERS"
        echo
        sh "$src/bench/enrich_only.sh"
        echo
        sh "$src/bench/e2e.sh"
        echo
        sh "$src/bench/latency.sh" || echo "latency: records missing (see above)"
        echo
        sh "$src/bench/memory.sh"
        echo
        sh "$src/bench/python_peer/run.sh"
        echo
        summary
        "$out/venv/bin/python" "$src/bench/plot.py" "$out/results.env" \
                "$out/bench.svg" || python3 "$src/bench/plot.py" \
                "$out/results.env" "$out/bench.svg"
}

# The figures against the targets of the project.
summary() {
        # shellcheck disable=SC1091
        . "$out/results.env"
        echo "== summary (load1 noted per figure above) =="
        printf '%-52s %14s %14s\n' "figure" "measured" "target"
        printf '%-52s %14s %14s\n' "enrichment only, words/s per core" "${enrich_words_per_cpu_s:-n/a}" ">= 250000"
        printf '%-52s %14s %14s\n' "enrichment only, articles/s per core" "${enrich_articles_per_cpu_s:-n/a}" ""
        printf '%-52s %14s %14s\n' "end to end CPU / enrichment-only CPU per article" "${e2e_cpu_ratio:-n/a}" "<= 1.25"
        printf '%-52s %14s %14s\n' "end to end, articles/s (1 worker)" "${e2e_rate:-n/a}" ""
        printf '%-52s %14s %14s\n' "end to end, articles/s (2 workers, 2 partitions)" "${two_workers_rate:-n/a}" ""
        printf '%-52s %14s %14s\n' "--no-enrich rate / kcat pipe rate" "${noenrich_kcat_ratio:-n/a}" ">= 0.5"
        printf '%-52s %14s %14s\n' "inkstream / Python peer, articles/s per core" "${peer_ratio_steady:-n/a}" ">= 200"
        printf '%-52s %14s %14s\n' "latency p99 at ${latency_rate:-?} articles/s, ms" "${latency_p99_ms:-n/a}" "< 20"
        printf '%-52s %14s %14s\n' "alert latency p99, ms" "${alert_p99_ms:-n/a}" "< 100"
        printf '%-52s %14s %14s\n' "peak RSS under load (corpus articles), MB" "${rss_mem_mb:-n/a}" "< 64"
        printf '%-52s %14s %14s\n' "peak RSS under load (1 MB articles), MB" "${rss_mem_big_mb:-n/a}" "< 64"
        printf '%-52s %14s %14s\n' "RSS at idle, MB" "${idle_rss_mb:-n/a}" ""
}

bench_build
bench_broker
export BENCH_NO_BUILD=1 BUILD="$build" KAFKA_PORT KAFKA_DIR THREADS LOAD_MAX \
        LOAD_WAIT RAW_DIR BROKERS
main 2>&1 | tee "$out/run.log"
