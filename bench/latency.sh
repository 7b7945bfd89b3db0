#!/bin/sh
# Latency at a fixed rate: bench/latency.c produces corpus articles (every
# LAT_EVERY-th one a short summit announcement, each a new event) at
# RATE articles/s for LAT_SECONDS seconds to a topic that one worker
# consumes, and reads the enriched and alert topics meanwhile.  Prints
# p50/p99/max from the input record's timestamp to the output record's
# timestamp (CreateTime, set by the worker's producer) and to the moment
# the reader received it.  RATE defaults to half of the single worker's
# rate measured by bench/e2e.sh (bench/out/results.env), else 50.
#
# Usage: bench/latency.sh   (environment: see bench/common.sh and)
#   RATE=...  LAT_SECONDS=20  LAT_EVERY=10
set -eu
. "$(dirname "$0")/common.sh"
LAT_SECONDS=${LAT_SECONDS:-20}
LAT_EVERY=${LAT_EVERY:-10}
res=$out/results.env
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

if [ -z "${RATE:-}" ]; then
        max=$(sed -n 's/^e2e_rate=//p' "$res" 2>/dev/null | tail -1)
        RATE=$(calc "m=\"$max\"+0; printf \"%.0f\", (m > 0 ? m / 2 : 50)")
        src_rate="half of the measured single-worker maximum ${max:-(none: default)}"
else
        src_rate="given"
fi
[ "${BENCH_NO_BUILD:-}" ] || bench_build
bench_broker
[ -s "$out/corpus.jsonl" ] || python3 "$src/bench/make_corpus.py" corpus \
        "$RAW_DIR" "$out/corpus.jsonl" "${CORPUS_MB:-50}" >/dev/null
sfx=lat-$$
for t in raw out alerts dlq events; do
        "$out/latency" create-topic "$BROKERS" "$t.$sfx" 1
done

echo "== latency at $RATE articles/s ($src_rate) for ${LAT_SECONDS}s, every ${LAT_EVERY}th article a summit announcement, $(threads_args | sed 's/^$/(no --threads)/') =="
wait_quiet
# shellcheck disable=SC2046
"$INK" enrich -q --brokers "$BROKERS" --group "g.$sfx" --input "raw.$sfx" \
        --output "out.$sfx" --alerts "alerts.$sfx" --dlq "dlq.$sfx" \
        -X metrics.addr= $(threads_args) $(iso_args "$sfx") \
        2>>"$out/worker.log" &
bench_pids=$!
load=$(load1)
rc=0
"$out/latency" rate "$BROKERS" "raw.$sfx" "out.$sfx" "alerts.$sfx" \
        "$out/corpus.jsonl" "$RATE" "$LAT_SECONDS" "$LAT_EVERY" >"$out/latency.out" || rc=$?
# shellcheck disable=SC1090
. "$out/latency.out"
printf '%-34s %6s %9s %9s %9s\n' "from input CreateTime to" "n" "p50 ms" "p99 ms" "max ms"
for k in enriched_ts:"enriched record's CreateTime" enriched_recv:"enriched record received" \
         alert_ts:"alert's CreateTime" alert_recv:"alert received"; do
        v=${k%%:*}
        eval "printf '%-34s %6s %9s %9s %9s\n' \"${k#*:}\" \"\${${v}_n}\" \"\${${v}_p50_ms:-}\" \"\${${v}_p99_ms:-}\" \"\${${v}_max_ms:-}\""
done
echo "missing:   $enriched_missing enriched, $alerts_missing alerts; load1 at start $load"
{
        echo "latency_rate=$RATE"
        echo "latency_p50_ms=$enriched_ts_p50_ms"
        echo "latency_p99_ms=$enriched_ts_p99_ms"
        echo "latency_max_ms=$enriched_ts_max_ms"
        echo "latency_recv_p99_ms=$enriched_recv_p99_ms"
        echo "alert_p50_ms=${alert_ts_p50_ms:-}"
        echo "alert_p99_ms=${alert_ts_p99_ms:-}"
        echo "alert_max_ms=${alert_ts_max_ms:-}"
        echo "latency_load=$load"
} >>"$res"
exit $rc
