#!/bin/sh
# End-to-end alert latency against a real broker: the time from the sample
# article being produced to articles.raw until its summit alert is
# readable on the alert topic, over RUNS runs (default 50, at most 99; each
# run recasts the two leaders so that it is a new encounter), printed as
# min/p50/p90/p99/max.  Starts a broker with deploy/kafka/kafka.sh on
# KAFKA_PORT (default 39492) unless BROKERS is given, one enrich worker,
# and the helper bench/alert_latency.c; stops what it started.
#
# Usage: bench/alert_latency.sh [BUILD_DIR] [RUNS]
#   BROKERS=host:port     use a running broker instead
#   WORKER_ARGS="-X ..."  extra arguments of the worker
set -eu

src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$src/build}
runs=${2:-50}
port=${KAFKA_PORT:-39492}
kdir=${KAFKA_DIR:-/tmp/inkstream-bench-kafka-$port}
article=$src/data/samples/trump-putin-call.txt

cmake --build "$build" --target inkstream >/dev/null 2>&1
cc -O2 -std=gnu11 -Wall -Wextra -o "$build/alert_latency" \
        "$src/bench/alert_latency.c" -lrdkafka -ljansson

started=""
worker=""
cleanup() {
        if [ -n "$worker" ]; then
                kill "$worker" 2>/dev/null || true
                wait "$worker" 2>/dev/null || true
        fi
        if [ -n "$started" ]; then
                KAFKA_PORT=$port KAFKA_DIR=$kdir \
                        "$src/deploy/kafka/kafka.sh" stop --purge >/dev/null
        fi
}
trap cleanup EXIT INT TERM

if [ -z "${BROKERS:-}" ]; then
        BROKERS=127.0.0.1:$port
        if ! kcat -L -b "$BROKERS" -m 3 >/dev/null 2>&1; then
                KAFKA_PORT=$port KAFKA_DIR=$kdir \
                        "$src/deploy/kafka/kafka.sh" start >/dev/null
                started=1
        fi
fi

sfx=bench-$$
raw=articles.raw.$sfx
alerts=alerts.summit.$sfx
"$build/inkstream" enrich --brokers "$BROKERS" --group "enrich.$sfx" \
        --input "$raw" --output "articles.enriched.$sfx" \
        --alerts "$alerts" --dlq "articles.dlq.$sfx" \
        -X metrics.addr= ${WORKER_ARGS:-} 2>"$build/alert_latency.worker.log" &
worker=$!
"$build/alert_latency" "$BROKERS" "$raw" "$alerts" "$article" "$runs"
