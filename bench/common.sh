# Shared by the bench/*.sh scripts (sourced, not run).  Sets src, build,
# out, INK, BROKERS and defines the helpers below.  Environment:
#   BUILD=dir          build directory of inkstream        [$src/build]
#   KAFKA_PORT=N       port of the benchmark's broker       [39892]
#   KAFKA_DIR=dir      its data directory     [/tmp/inkstream-bench-kafka-$KAFKA_PORT]
#   BROKERS=host:port  use a running broker instead of starting one
#   BENCH_OUT=dir      where results and corpora go   [$src/bench/out]
#   THREADS=N          --threads of the workers (0 = one per core)   [0]
#   LOAD_MAX=x         wait (up to LOAD_WAIT s) for the 1-minute load to
#                      fall below x before each measurement   [2]
#   LOAD_WAIT=s                                                      [60]

src=${src:-$(cd "$(dirname "$0")/.." && pwd)}
build=${BUILD:-$src/build}
out=${BENCH_OUT:-$src/bench/out}
mkdir -p "$out"
INK=$build/inkstream
KAFKA_PORT=${KAFKA_PORT:-39892}
KAFKA_DIR=${KAFKA_DIR:-/tmp/inkstream-bench-kafka-$KAFKA_PORT}
THREADS=${THREADS:-0}
LOAD_MAX=${LOAD_MAX:-2}
LOAD_WAIT=${LOAD_WAIT:-60}
RAW_DIR=${RAW_DIR:-$src/../shared/data/ner/raw}
bench_started_broker=""
bench_pids=""

# Builds the inkstream binary (Release when the build dir is new) and the
# helper bench/latency.c.
bench_build() {
        if [ ! -f "$build/build.ninja" ] && [ ! -f "$build/Makefile" ]; then
                cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release \
                        >/dev/null
        fi
        cmake --build "$build" --target inkstream >/dev/null
        cc -O2 -std=gnu11 -Wall -Wextra -o "$out/latency" \
                "$src/bench/latency.c" -lrdkafka -ljansson
}

# The 1-minute load average.
load1() {
        cut -d' ' -f1 /proc/loadavg
}

# Waits up to LOAD_WAIT seconds for load1 < LOAD_MAX; goes on either way.
wait_quiet() {
        _w=0
        while awk -v l="$(load1)" -v m="$LOAD_MAX" 'BEGIN{exit !(l >= m)}' &&
                [ "$_w" -lt "$LOAD_WAIT" ]; do
                sleep 5
                _w=$((_w + 5))
        done
}

# Wall clock in seconds with nanoseconds.
now() {
        date +%s.%N
}

# timed FILE CMD...: runs CMD under /usr/bin/time -v (report in FILE);
# sets T_USER T_SYS T_CPU (seconds) T_RSS_MB (peak) T_WALL T_LOAD (load1
# at the start) and T_RC.
timed() {
        _f=$1
        shift
        T_LOAD=$(load1)
        _t0=$(now)
        T_RC=0
        /usr/bin/time -v -o "$_f" "$@" || T_RC=$?
        _t1=$(now)
        T_WALL=$(awk -v a="$_t0" -v b="$_t1" 'BEGIN{printf "%.3f", b-a}')
        T_USER=$(awk -F': ' '/User time/{print $2}' "$_f")
        T_SYS=$(awk -F': ' '/System time/{print $2}' "$_f")
        T_CPU=$(awk -v u="$T_USER" -v s="$T_SYS" 'BEGIN{printf "%.2f", u+s}')
        T_RSS_MB=$(awk -F': ' '/Maximum resident/{printf "%.1f", $2/1024}' "$_f")
}

# calc EXPR: prints EXPR evaluated by awk (format with printf in EXPR).
calc() {
        awk "BEGIN{$1}"
}

# Starts the broker unless BROKERS is set or one answers on KAFKA_PORT.
bench_broker() {
        if [ -n "${BROKERS:-}" ]; then
                return 0
        fi
        BROKERS=127.0.0.1:$KAFKA_PORT
        if ! kcat -L -b "$BROKERS" -m 3 >/dev/null 2>&1; then
                KAFKA_PORT=$KAFKA_PORT KAFKA_DIR=$KAFKA_DIR \
                        "$src/deploy/kafka/kafka.sh" start >/dev/null
                bench_started_broker=1
        fi
}

# EXIT trap: kills the processes in bench_pids (and their children) and stops a broker that
# this script started.
bench_cleanup() {
        for _p in $bench_pids; do
                for _c in $(pgrep -P "$_p"); do
                        kill "$_c" 2>/dev/null || true
                done
                kill "$_p" 2>/dev/null || true
                wait "$_p" 2>/dev/null || true
        done
        if [ -n "$bench_started_broker" ]; then
                KAFKA_PORT=$KAFKA_PORT KAFKA_DIR=$KAFKA_DIR \
                        "$src/deploy/kafka/kafka.sh" stop --purge >/dev/null ||
                        true
        fi
}

# Number of records in TOPIC (all partitions), read to the end.
topic_count() {
        kcat -C -b "$BROKERS" -t "$1" -e -q -o beginning -f 'x\n' 2>/dev/null |
                wc -l
}

# Whether the worker takes --threads (older builds do not).
threads_args() {
        if "$INK" enrich --help 2>&1 | grep -q -- '--threads'; then
                echo "--threads $THREADS"
        fi
}

# iso_args SUFFIX: worker flags that give the run its own internal topics
# and groups (summit events, novelty), when the binary has them.
iso_args() {
        if "$INK" config 2>/dev/null | grep -q '^events\.topic'; then
                echo "-X events.topic=events.$1 -X novelty.group=novelty.$1"
        fi
}

# Prints the machine and the versions.
bench_machine() {
        echo "machine:   $(nproc) cores, $(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo), $(awk '/MemTotal/{printf "%.1f GB", $2/1048576}' /proc/meminfo) RAM"
        echo "os:        $(. /etc/os-release && echo "$PRETTY_NAME"), $(uname -r)"
        echo "inkstream: $("$INK" --version 2>&1 | head -1)"
        echo "kafka:     $(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$src/deploy/kafka/pom.xml") (deploy/kafka/kafka.sh, one KRaft node on this machine)"
        echo "kcat:      $(kcat -V 2>&1 | grep -i -m1 version)"
        echo "compiler:  $(cc --version | head -1)"
        echo "load:      $(cat /proc/loadavg) (1, 5, 15 min; other jobs share the machine)"
}
