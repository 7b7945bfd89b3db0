#!/bin/sh
# Memory of one worker: resident set at idle (a worker on an empty topic
# after MEM_IDLE_S seconds: VmRSS and VmHWM from /proc) and peak RSS
# (/usr/bin/time -v) while draining MEM_N corpus articles and, second,
# MEM_BIG_MB MB of 1 MB articles.  Appends key=value results to
# bench/out/results.env.
#
# Usage: bench/memory.sh   (environment: see bench/common.sh and)
#   MEM_N=3000  MEM_IDLE_S=10  MEM_BIG_MB=8
set -eu
. "$(dirname "$0")/common.sh"
MEM_N=${MEM_N:-3000}
MEM_IDLE_S=${MEM_IDLE_S:-10}
MEM_BIG_MB=${MEM_BIG_MB:-8}
res=$out/results.env
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

[ "${BENCH_NO_BUILD:-}" ] || bench_build
bench_broker
[ -s "$out/corpus.jsonl" ] || python3 "$src/bench/make_corpus.py" corpus \
        "$RAW_DIR" "$out/corpus.jsonl" "${CORPUS_MB:-50}" >/dev/null
head -n "$MEM_N" "$out/corpus.jsonl" >"$out/mem.jsonl"
python3 "$src/bench/make_corpus.py" sized "$RAW_DIR" "$out/mem-big.jsonl" \
        1000000 "$MEM_BIG_MB" >/dev/null
sfx=mem-$$

# run ID INPUT EXTRA...: the worker on topic INPUT
run() {
        _id=$1
        _in=$2
        shift 2
        # shellcheck disable=SC2046
        exec "$INK" enrich -q --brokers "$BROKERS" --group "g.$sfx.$_id" \
                --input "$_in" --output "out.$sfx.$_id" \
                --alerts "alerts.$sfx.$_id" --dlq "dlq.$sfx.$_id" \
                -X metrics.addr= $(iso_args "$sfx") $(threads_args) "$@" 2>>"$out/worker.log"
}

echo "== memory of one worker, $(threads_args | sed 's/^$/(no --threads)/') =="
"$out/latency" create-topic "$BROKERS" "empty.$sfx" 1
run idle "empty.$sfx" &
bench_pids=$!
sleep "$MEM_IDLE_S"
idle_rss=$(awk '/VmRSS/{printf "%.1f", $2/1024}' "/proc/$bench_pids/status")
idle_hwm=$(awk '/VmHWM/{printf "%.1f", $2/1024}' "/proc/$bench_pids/status")
kill "$bench_pids"
wait "$bench_pids" || true
bench_pids=""
echo "idle:      RSS $idle_rss MB after ${MEM_IDLE_S}s (peak so far $idle_hwm MB)"

for kind in mem:"$MEM_N corpus articles" mem-big:"$MEM_BIG_MB MB of 1 MB articles"; do
        f=${kind%%:*}
        "$out/latency" create-topic "$BROKERS" "$f.$sfx" 1
        "$INK" ingest --brokers "$BROKERS" --topic "$f.$sfx" \
                -X kafka.message.max.bytes=4194304 "$out/$f.jsonl" \
                >"$out/ingest.log" 2>&1 || { cat "$out/ingest.log" >&2; exit 1; }
        wait_quiet
        # shellcheck disable=SC2046
        timed "$out/$f.time" "$INK" enrich -q --brokers "$BROKERS" \
                --group "g.$sfx.$f" --input "$f.$sfx" --output "out.$sfx.$f" \
                --alerts "alerts.$sfx.$f" --dlq "dlq.$sfx.$f" --exit-on-eof \
                -X metrics.addr= $(iso_args "$sfx") $(threads_args) 2>>"$out/worker.log"
        echo "load:      peak RSS $T_RSS_MB MB draining ${kind#*:} (${T_CPU}s CPU, load1 $T_LOAD)"
        echo "rss_${f}_mb=$T_RSS_MB" | tr - _ >>"$res"
done
echo "idle_rss_mb=$idle_rss" >>"$res"
