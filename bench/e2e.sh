#!/bin/sh
# End to end through a real broker (started with deploy/kafka/kafka.sh on
# KAFKA_PORT unless BROKERS is given):
#  1. E2E_N corpus articles pre-loaded into a 1-partition topic, one worker
#     with --exit-on-eof: articles/s, CPU seconds per article (user + sys
#     of the worker) beside `inkstream annotate` CPU for the same articles;
#  2. NOENRICH_N articles: the worker with --no-enrich against a plain kcat
#     consume -> produce pipe, same topic, same broker;
#  3. 2 workers (THREADS2 threads each) on a 2-partition topic (JOIN_S=8
#     seconds to join before the articles arrive).
# Rates are taken over the output records' timestamps (first to last
# CreateTime, so group join and start-up are left out) and over the wall
# time of the whole process.  Appends key=value results to
# bench/out/results.env.
#
# Usage: bench/e2e.sh   (environment: see bench/common.sh and)
#   E2E_N=5000  NOENRICH_N=20000  THREADS2=1
set -eu
. "$(dirname "$0")/common.sh"
E2E_N=${E2E_N:-5000}
NOENRICH_N=${NOENRICH_N:-20000}
THREADS2=${THREADS2:-1}
res=$out/results.env
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

[ "${BENCH_NO_BUILD:-}" ] || bench_build
bench_broker
sfx=e2e-$$

if [ ! -s "$out/corpus.jsonl" ]; then
        python3 "$src/bench/make_corpus.py" corpus "$RAW_DIR" \
                "$out/corpus.jsonl" "${CORPUS_MB:-50}" >"$out/corpus.jsonl.stats"
        echo "corpus ${CORPUS_MB:-50}" >"$out/corpus.jsonl.args"
fi
# take N: the first N corpus articles (cycled when the corpus is shorter)
take() {
        awk -v n="$1" 'BEGIN{c=0} {l[NR]=$0} END{for (i=0; i<n; i++) print l[i % NR + 1]}' \
                "$out/corpus.jsonl" |
                awk '{sub(/"id": "/, "\"id\": \"" NR "-"); print}'
}
take "$E2E_N" >"$out/e2e.jsonl"
take "$NOENRICH_N" >"$out/noenrich.jsonl"

# preload TOPIC PARTITIONS FILE
preload() {
        "$out/latency" create-topic "$BROKERS" "$1" "$2"
        "$INK" ingest --brokers "$BROKERS" --topic "$1" "$3" \
                >"$out/ingest.log" 2>&1 || { cat "$out/ingest.log" >&2; exit 1; }
}

# ts_rate TOPIC N: sets RATE to N / (last - first CreateTime of TOPIC),
# records/s, and OUT_COUNT to the number of records of TOPIC.
ts_rate() {
        kcat -C -b "$BROKERS" -t "$1" -e -q -o beginning -f '%T\n' \
                2>/dev/null >"$out/ts.txt" || true
        OUT_COUNT=$(wc -l <"$out/ts.txt")
        RATE=$(sort -n "$out/ts.txt" | awk -v n="$2" 'NR==1{a=$1} {b=$1}
                END{if (b > a) printf "%.1f", n * 1000 / (b - a); else print "inf"}')
}

# worker TIMEFILE ID INPUT EXTRA...: runs a worker to EOF under timed
worker() {
        _tf=$1
        _id=$2
        _in=$3
        shift 3
        # the output topics exist beforehand, as in production: otherwise
        # the first records wait for auto-creation (1-2 s), which the
        # queue.max records in flight turn into a stall of the whole run
        for _t in out alerts dlq; do
                "$out/latency" create-topic "$BROKERS" "$_t.$sfx.$_id" 1
        done
        "$out/latency" create-topic "$BROKERS" "events.$sfx" 1
        # shellcheck disable=SC2046
        timed "$_tf" "$INK" enrich -q --brokers "$BROKERS" --group "g.$sfx.$_id" \
                --input "$_in" --output "out.$sfx.$_id" \
                --alerts "alerts.$sfx.$_id" --dlq "dlq.$sfx.$_id" \
                --exit-on-eof -X metrics.addr= $(iso_args "$sfx") "$@" 2>>"$out/worker.log"
}

echo "== end to end: one worker, $E2E_N articles, 1 partition, $(threads_args | sed 's/^$/(no --threads)/') =="
wait_quiet
timed "$out/annotate-e2e.time" sh -c "\"$INK\" annotate --jsonl <\"$out/e2e.jsonl\" >/dev/null"
ann_cpa=$(calc "printf \"%.3f\", 1000 * $T_CPU / $E2E_N")
ann_load=$T_LOAD
preload "raw.$sfx.1" 1 "$out/e2e.jsonl"
wait_quiet
# shellcheck disable=SC2046
worker "$out/worker1.time" 1 "raw.$sfx.1" $(threads_args)
[ "$T_RC" = 0 ] || { echo "worker failed (rc $T_RC)" >&2; exit 1; }
w_cpu=$T_CPU w_wall=$T_WALL w_rss=$T_RSS_MB w_load=$T_LOAD
ts_rate "out.$sfx.1" "$E2E_N"
rate=$RATE
[ "$OUT_COUNT" = "$E2E_N" ] || echo "WARNING: $OUT_COUNT enriched records for $E2E_N articles" >&2
e2e_cpa=$(calc "printf \"%.3f\", 1000 * $w_cpu / $E2E_N")
ratio=$(calc "printf \"%.2f\", $e2e_cpa / $ann_cpa")
alerts=$(topic_count "alerts.$sfx.1")
echo "worker:    ${w_cpu}s CPU, wall ${w_wall}s, peak RSS ${w_rss} MB, $OUT_COUNT enriched, $alerts alerts, load1 $w_load"
echo "rate:      $rate articles/s (output timestamps), $(calc "printf \"%.1f\", $E2E_N / $w_wall") articles/s (wall, with start-up and group join)"
echo "cpu:       $e2e_cpa ms per article end to end vs $ann_cpa ms enrichment only (annotate, load1 $ann_load): ratio $ratio"
echo "per core:  $(calc "printf \"%.1f\", $E2E_N / $w_cpu") articles/s per CPU second"
{
        echo "e2e_rate=$rate"
        echo "e2e_cpu_ms_per_article=$e2e_cpa"
        echo "e2e_annotate_cpu_ms_per_article=$ann_cpa"
        echo "e2e_cpu_ratio=$ratio"
        echo "e2e_articles_per_cpu_s=$(calc "printf \"%.1f\", $E2E_N / $w_cpu")"
        echo "e2e_rss_mb=$w_rss"
        echo "e2e_load=$w_load"
} >>"$res"

echo
echo "== --no-enrich worker vs kcat consume -> produce pipe, $NOENRICH_N articles =="
preload "raw.$sfx.2" 1 "$out/noenrich.jsonl"
wait_quiet
# shellcheck disable=SC2046
worker "$out/worker2.time" 2 "raw.$sfx.2" --no-enrich $(threads_args)
[ "$T_RC" = 0 ] || { echo "worker failed (rc $T_RC)" >&2; exit 1; }
ts_rate "out.$sfx.2" "$NOENRICH_N"
ne_rate=$RATE
ne_count=$OUT_COUNT
echo "worker --no-enrich: $ne_rate records/s (output timestamps), wall ${T_WALL}s, ${T_CPU}s CPU, $ne_count records, load1 $T_LOAD"
wait_quiet
"$out/latency" create-topic "$BROKERS" "pipe.$sfx" 1
timed "$out/kcat.time" sh -c "kcat -C -b $BROKERS -t raw.$sfx.2 -e -q -o beginning -K '\t' -f '%k\t%s\n' | kcat -P -b $BROKERS -t pipe.$sfx -K '\t'"
ts_rate "pipe.$sfx" "$NOENRICH_N"
kc_rate=$RATE
echo "kcat pipe:          $kc_rate records/s (output timestamps), wall ${T_WALL}s, ${T_CPU}s CPU, $OUT_COUNT records, load1 $T_LOAD"
ne_ratio=$(calc "printf \"%.2f\", $ne_rate / $kc_rate")
echo "ratio:     --no-enrich / kcat = $ne_ratio"
{
        echo "noenrich_rate=$ne_rate"
        echo "kcat_rate=$kc_rate"
        echo "noenrich_kcat_ratio=$ne_ratio"
} >>"$res"

echo
echo "== 2 workers ($THREADS2 thread(s) each) on 2 partitions, $E2E_N articles =="
# Both workers join first (no --exit-on-eof: an empty topic would end
# them), then the articles arrive; the workers are stopped (SIGTERM) once
# every enriched record is there, so no rebalance re-processes anything.
"$out/latency" create-topic "$BROKERS" "raw.$sfx.3" 2
for t in out alerts dlq; do
        "$out/latency" create-topic "$BROKERS" "$t.$sfx.3" 1
done
wait_quiet
two_load=$(load1)
for w in a b; do
        # shellcheck disable=SC2046
        /usr/bin/time -v -o "$out/worker3$w.time" "$INK" enrich -q \
                --brokers "$BROKERS" --group "g.$sfx.3" --input "raw.$sfx.3" \
                --output "out.$sfx.3" --alerts "alerts.$sfx.3" \
                --dlq "dlq.$sfx.3" -X metrics.addr= $(iso_args "$sfx") \
                $(THREADS=$THREADS2 threads_args) 2>>"$out/worker.log" &
        bench_pids="$bench_pids $!"
done
sleep "${JOIN_S:-8}"
"$INK" ingest --brokers "$BROKERS" --topic "raw.$sfx.3" "$out/e2e.jsonl" \
        >"$out/ingest.log" 2>&1 || { cat "$out/ingest.log" >&2; exit 1; }
waited=0
while [ "$(topic_count "out.$sfx.3")" -lt "$E2E_N" ] && [ $waited -lt 600 ]; do
        sleep 1
        waited=$((waited + 1))
done
# SIGTERM to the workers, not to /usr/bin/time, which then reports
for p in $bench_pids; do
        for c in $(pgrep -P "$p"); do
                kill "$c" 2>/dev/null || true
        done
done
for p in $bench_pids; do
        wait "$p" 2>/dev/null || true
done
bench_pids=""
ts_rate "out.$sfx.3" "$E2E_N"
two_rate=$RATE
cpu2=$(awk -F': ' '/User time|System time/{s+=$2} END{printf "%.2f", s}' "$out/worker3a.time" "$out/worker3b.time")
rss2=$(awk -F': ' '/Maximum resident/{if ($2>m) m=$2} END{printf "%.1f", m/1024}' "$out/worker3a.time" "$out/worker3b.time")
echo "2 workers: $two_rate articles/s (output timestamps), ${cpu2}s CPU together, $(calc "printf \"%.3f\", 1000 * $cpu2 / $E2E_N") ms CPU per article, peak RSS ${rss2} MB per worker, $OUT_COUNT enriched, load1 $two_load"
echo "scaling:   $(calc "printf \"%.2f\", $two_rate / $rate") x the single worker's rate"
{
        echo "two_workers_rate=$two_rate"
        echo "two_workers_rss_mb=$rss2"
} >>"$res"
