#!/usr/bin/env bash
# Run a single-node Apache Kafka broker (KRaft mode, broker + controller in one
# JVM) on 127.0.0.1, from the jars on Maven Central, without Docker.
#
#   deploy/kafka/kafka.sh start  [--port N]   start (or find running); prints 127.0.0.1:N last
#   deploy/kafka/kafka.sh stop   [--port N] [--purge]
#   deploy/kafka/kafka.sh status [--port N]   prints running/stopped, exit 0/1
#
# The jars are resolved by Maven from deploy/kafka/pom.xml into the local
# repository (~/.m2); the resulting classpath is cached by the POM's hash, so
# only the first start on a machine downloads anything.
#
# Environment (all optional):
#   KAFKA_PORT              client (PLAINTEXT) port                      [9092]
#   KAFKA_CONTROLLER_PORT   KRaft controller port          [first free port above KAFKA_PORT]
#   KAFKA_DIR               data dir owned by this script: log dirs, server.properties,
#                           kafka.pid, kafka.log  [${TMPDIR:-/tmp}/inkstream-kafka-$KAFKA_PORT]
#   KAFKA_PARTITIONS        num.partitions of auto-created topics          [1]
#   KAFKA_INTERNAL_PARTITIONS  partitions of __consumer_offsets and
#                           __transaction_state (fewer = faster first use) [4]
#   KAFKA_EXTRA_PROPERTIES  file appended to server.properties; a key given there
#                           overrides the template's (last one wins). @PORT@,
#                           @CONTROLLER_PORT@ and @KAFKA_DIR@ in it are filled in.
#                           E.g. a SCRAM-SHA-512 listener next to the plain one:
#     listeners=PLAINTEXT://127.0.0.1:@PORT@,CONTROLLER://127.0.0.1:@CONTROLLER_PORT@,SASL_PLAINTEXT://127.0.0.1:19094
#     advertised.listeners=PLAINTEXT://127.0.0.1:@PORT@,SASL_PLAINTEXT://127.0.0.1:19094
#     sasl.enabled.mechanisms=SCRAM-SHA-512
#     listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
#                           with KAFKA_FORMAT_ARGS creating the user (a new KAFKA_DIR, or stop --purge first)
#   KAFKA_FORMAT_ARGS       extra arguments to the storage format run on first start only,
#                           e.g. "--add-scram SCRAM-SHA-512=[name=app,password=secret]"
#   KAFKA_OPTS              extra JVM options (e.g. -Djava.security.auth.login.config=...)
#   KAFKA_HEAP_OPTS         heap settings                           [-Xmx512m -Xms256m]
#   KAFKA_JVM_OPTS          GC and other JVM settings (replaces the defaults in cmd_start)
#   KAFKA_CDS=0             no class-data-sharing archive (see cds_opts)
#   KAFKA_START_TIMEOUT     seconds to wait for the broker to answer          [60]
#   KAFKA_STOP_TIMEOUT      seconds to wait after TERM before KILL            [20]
#   KAFKA_PURGE=1           same as stop --purge
#   KAFKA_CACHE_DIR         where the classpath is cached  [${XDG_CACHE_HOME:-~/.cache}/inkstream-kafka]
#   KAFKA_VERSION           Kafka release instead of the POM's kafka.version
#   JAVA_HOME / JAVA        Java 17 or newer                          [java on PATH]
#   MVN                     Maven command                                    [mvn]

set -euo pipefail

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
readonly SCRIPT_DIR
readonly POM="$SCRIPT_DIR/pom.xml"
readonly TEMPLATE="$SCRIPT_DIR/server.properties.in"
readonly LOG4J_CONF="$SCRIPT_DIR/log4j2.properties"
readonly HOST=127.0.0.1
readonly MARKER=.inkstream-kafka

PROG="$(basename -- "$0")"
readonly PROG

usage() {
    cat <<EOF
usage: $PROG start  [--port N]
       $PROG stop   [--port N] [--purge]
       $PROG status [--port N]

Runs a single-node Kafka broker (KRaft) on $HOST. 'start' prints the bootstrap
address as its last line. See the head of this script for the environment it reads.
EOF
}

die() {
    printf '%s: %s\n' "$PROG" "$*" >&2
    exit 1
}

bad_usage() {
    printf '%s: %s\n' "$PROG" "$*" >&2
    usage >&2
    exit 2
}

log() {
    printf '%s: %s\n' "$PROG" "$*" >&2
}

is_port_number() {
    [[ "$1" =~ ^[1-9][0-9]{0,4}$ ]] && (($1 <= 65535))
}

# --- configuration ----------------------------------------------------------

setup_paths() {
    PORT="${KAFKA_PORT:-9092}"
    is_port_number "$PORT" || bad_usage "bad port: $PORT"
    KAFKA_DIR="${KAFKA_DIR:-${TMPDIR:-/tmp}/inkstream-kafka-$PORT}"
    [[ "$KAFKA_DIR" == /* ]] || KAFKA_DIR="$PWD/$KAFKA_DIR"
    DATA_DIR="$KAFKA_DIR/data"
    PID_FILE="$KAFKA_DIR/kafka.pid"
    LOG_FILE="$KAFKA_DIR/kafka.log"
    PROPS_FILE="$KAFKA_DIR/server.properties"
    LOCK_FILE="$KAFKA_DIR/.lock"
    CDS_STATE="$KAFKA_DIR/kafka.cds"
    CACHE_DIR="${KAFKA_CACHE_DIR:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/inkstream-kafka}"
    START_TIMEOUT="${KAFKA_START_TIMEOUT:-60}"
    STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-20}"
    if [[ -n "${JAVA:-}" ]]; then
        :
    elif [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
        JAVA="$JAVA_HOME/bin/java"
    else
        JAVA=java
    fi
}

# --- process helpers --------------------------------------------------------

# Prints the pid from our pid file if that process is alive and is our broker.
running_pid() {
    local pid
    [[ -f "$PID_FILE" ]] || return 1
    pid="$(<"$PID_FILE")"
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    # Guard against a recycled pid: it must be a kafka.Kafka run on our config.
    if [[ -r "/proc/$pid/cmdline" ]]; then
        local cmdline
        cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline")"
        [[ "$cmdline" == *kafka.Kafka*"$PROPS_FILE"* ]] || return 1
    fi
    printf '%s\n' "$pid"
}

# True if something accepts TCP connections on $HOST:$1.
port_open() {
    # shellcheck disable=SC2016 # expanded by the inner bash, on purpose
    timeout 3 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$HOST" "$1" 2>/dev/null
}

# True if a Kafka broker on $HOST:$1 answers an ApiVersions (v0) request.
kafka_answers_raw() {
    local port="$1"
    # size=12 | api_key=18 ApiVersions | api_version=0 | correlation_id=0x494e4b31 | client_id "ik"
    local req='\x00\x00\x00\x0c\x00\x12\x00\x00\x49\x4e\x4b\x31\x00\x02\x69\x6b'
    local reply
    # shellcheck disable=SC2016 # expanded by the inner bash, on purpose
    reply="$(timeout 5 bash -c '
        exec 3<>"/dev/tcp/$0/$1" || exit 1
        printf "$2" >&3
        head -c 8 <&3 | od -An -tx1 | tr -d " \n"
    ' "$HOST" "$port" "$req" 2>/dev/null)" || return 1
    # 4 bytes of size, then our correlation id echoed back.
    [[ "${reply:8:8}" == 494e4b31 ]]
}

kcat_cmd() {
    if command -v kcat >/dev/null 2>&1; then
        printf 'kcat\n'
    elif command -v kafkacat >/dev/null 2>&1; then
        printf 'kafkacat\n'
    else
        return 1
    fi
}

# True once the broker answers requests and lists itself in a metadata response.
broker_ready() {
    local port="$1" kcat out
    port_open "$port" || return 1
    if kcat="$(kcat_cmd)"; then
        # Metadata for one absent topic: cheaper than listing every topic.
        # kcat -L's metadata call does not ask the broker to create it.
        out="$(timeout 10 "$kcat" -b "$HOST:$port" -L -t __inkstream_probe -m 5 \
            -X allow.auto.create.topics=false 2>/dev/null)" || return 1
        [[ "$out" == *"broker 1 at"* ]]
    else
        kafka_answers_raw "$port"
    fi
}

# --- jars -------------------------------------------------------------------

# Prints the broker classpath, asking Maven only when the POM changed or a jar
# went missing from the local repository.
classpath() {
    local hash cp_file tmp jar ok=1
    local -a mvn_version=()
    if [[ -n "${KAFKA_VERSION:-}" ]]; then
        [[ "$KAFKA_VERSION" =~ ^[0-9][0-9A-Za-z.-]*$ ]] || die "bad KAFKA_VERSION: $KAFKA_VERSION"
        mvn_version=(-Dkafka.version="$KAFKA_VERSION")
    fi
    hash="$( (cat "$POM" && printf '%s\n' "${KAFKA_VERSION:-}") | sha256sum | cut -c1-16)"
    cp_file="$CACHE_DIR/classpath-$hash.txt"
    if [[ -s "$cp_file" ]]; then
        local -a jars
        IFS=: read -r -a jars <"$cp_file"
        for jar in "${jars[@]}"; do
            [[ -f "$jar" ]] || { ok=0; break; }
        done
        if ((ok)); then
            printf '%s\n' "$(<"$cp_file")"
            return 0
        fi
    fi
    command -v "${MVN:-mvn}" >/dev/null 2>&1 || die "Maven (${MVN:-mvn}) is needed to fetch the Kafka jars"
    mkdir -p "$CACHE_DIR"
    tmp="$(mktemp "$cp_file.XXXXXX")"
    log "resolving Kafka jars with Maven (first run downloads them into ~/.m2)..."
    if ! "${MVN:-mvn}" -B -q -Dstyle.color=never -f "$POM" "${mvn_version[@]}" \
        dependency:build-classpath -Dmdep.includeScope=runtime \
        -Dmdep.outputFile="$tmp" >"$tmp.log" 2>&1; then
        cat "$tmp.log" >&2
        rm -f "$tmp" "$tmp.log"
        die "Maven could not resolve the Kafka jars"
    fi
    rm -f "$tmp.log"
    [[ -s "$tmp" ]] || { rm -f "$tmp"; die "Maven wrote an empty classpath"; }
    mv -f "$tmp" "$cp_file"
    printf '%s\n' "$(<"$cp_file")"
}

# Class-data sharing: a dynamic CDS archive of the ~3000 broker classes cuts
# about 1.5-2 s off each start. The first run (per classpath and Java build)
# has the JVM write the archive when it exits; 'stop' keeps it only if the
# broker exited on TERM, so a half-written file is never used. A stale or
# mismatched archive is ignored by the JVM (-Xshare:auto).
# Sets CDS_ARGS and records the pending archive in $CDS_STATE.
cds_opts() {
    local cp="$1" java_bin key archive
    CDS_ARGS=()
    rm -f "$CDS_STATE"
    [[ "${KAFKA_CDS:-1}" != 0 ]] || return 0
    java_bin="$(readlink -f "$(command -v "$JAVA")")"
    key="$(printf '%s\n%s\n%s\n' "$cp" "$java_bin" "$(stat -c %Y "$java_bin")" | sha256sum | cut -c1-16)"
    archive="$CACHE_DIR/broker-$key.jsa"
    if [[ -s "$archive" ]]; then
        CDS_ARGS=(-XX:SharedArchiveFile="$archive")
    else
        mkdir -p "$CACHE_DIR"
        rm -f "$archive.$PORT.partial"
        CDS_ARGS=(-XX:ArchiveClassesAtExit="$archive.$PORT.partial")
        printf '%s\n' "$archive" >"$CDS_STATE"
    fi
    # The dump warns about every class it skips; only errors are of interest.
    CDS_ARGS+=("-Xlog:cds=error,cds+dynamic=error")
}

# Called after the broker exited: keep a finished archive, drop a torn one.
cds_finish() {
    local clean="$1" archive
    [[ -f "$CDS_STATE" ]] || return 0
    archive="$(<"$CDS_STATE")"
    rm -f "$CDS_STATE"
    if ((clean)) && [[ -s "$archive.$PORT.partial" ]]; then
        mv -f "$archive.$PORT.partial" "$archive"
    else
        rm -f "$archive.$PORT.partial"
    fi
}

# --- server.properties ------------------------------------------------------

# Escapes a string for the replacement side of a sed s||| command.
sed_escape() {
    printf '%s' "$1" | sed -e 's/[\\|&]/\\&/g'
}

choose_controller_port() {
    local port="$1" p
    if [[ -n "${KAFKA_CONTROLLER_PORT:-}" ]]; then
        is_port_number "$KAFKA_CONTROLLER_PORT" || die "bad KAFKA_CONTROLLER_PORT: $KAFKA_CONTROLLER_PORT"
        port_open "$KAFKA_CONTROLLER_PORT" && die "controller port $KAFKA_CONTROLLER_PORT is in use"
        printf '%s\n' "$KAFKA_CONTROLLER_PORT"
        return 0
    fi
    for ((p = port + 1; p <= port + 100 && p <= 65535; p++)); do
        if ! port_open "$p"; then
            printf '%s\n' "$p"
            return 0
        fi
    done
    die "no free controller port above $port (set KAFKA_CONTROLLER_PORT)"
}

write_properties() {
    local port="$1" cport="$2" partitions internal tmp
    partitions="${KAFKA_PARTITIONS:-1}"
    internal="${KAFKA_INTERNAL_PARTITIONS:-4}"
    [[ "$partitions" =~ ^[1-9][0-9]*$ ]] || die "bad KAFKA_PARTITIONS: $partitions"
    [[ "$internal" =~ ^[1-9][0-9]*$ ]] || die "bad KAFKA_INTERNAL_PARTITIONS: $internal"
    if [[ -n "${KAFKA_EXTRA_PROPERTIES:-}" && ! -r "$KAFKA_EXTRA_PROPERTIES" ]]; then
        die "KAFKA_EXTRA_PROPERTIES: cannot read $KAFKA_EXTRA_PROPERTIES"
    fi
    tmp="$PROPS_FILE.tmp"
    {
        cat "$TEMPLATE"
        if [[ -n "${KAFKA_EXTRA_PROPERTIES:-}" ]]; then
            printf '\n# ---- from %s (overrides the above) ----\n' "$KAFKA_EXTRA_PROPERTIES"
            cat "$KAFKA_EXTRA_PROPERTIES"
            printf '\n'
        fi
    } | sed -e "s|@PORT@|$port|g" \
        -e "s|@CONTROLLER_PORT@|$cport|g" \
        -e "s|@KAFKA_DIR@|$(sed_escape "$KAFKA_DIR")|g" \
        -e "s|@LOG_DIRS@|$(sed_escape "$DATA_DIR")|g" \
        -e "s|@PARTITIONS@|$partitions|g" \
        -e "s|@INTERNAL_PARTITIONS@|$internal|g" >"$tmp"
    mv -f "$tmp" "$PROPS_FILE"
}

# A random cluster id: 16 random bytes, base64url without padding (as Kafka's Uuid).
random_cluster_id() {
    head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n'
}

# Formats the log dir once (KRaft needs meta.properties before the first start).
format_storage() {
    local cp="$1"
    [[ -f "$DATA_DIR/meta.properties" ]] && return 0
    local -a extra=()
    if [[ -n "${KAFKA_FORMAT_ARGS:-}" ]]; then
        read -r -a extra <<<"$KAFKA_FORMAT_ARGS"
    fi
    mkdir -p "$DATA_DIR"
    if ! "$JAVA" -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto \
        -Dlog4j2.configurationFile="$LOG4J_CONF" -Dkafka.root.log.level=WARN \
        -cp "$cp" kafka.tools.StorageTool format \
        -t "$(random_cluster_id)" -c "$PROPS_FILE" "${extra[@]}" \
        </dev/null >>"$LOG_FILE" 2>&1 9>&-; then
        tail -n 30 "$LOG_FILE" >&2
        die "formatting $DATA_DIR failed"
    fi
}

# --- commands ---------------------------------------------------------------

# TERM, then KILL after $STOP_TIMEOUT s. Fails if KILL was needed.
end_process() {
    local pid="$1" deadline=$((SECONDS + STOP_TIMEOUT))
    kill -TERM "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
        sleep 0.2
    done
    kill -0 "$pid" 2>/dev/null || return 0
    log "no exit ${STOP_TIMEOUT}s after TERM; sending KILL to $pid"
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    return 1
}

# Prints why, the tail of the broker log, ends a broker that came up halfway,
# and exits 1.
fail_start() {
    local msg="$1" pid="${2:-}"
    printf '%s: %s; last lines of %s:\n' "$PROG" "$msg" "$LOG_FILE" >&2
    tail -n 40 "$LOG_FILE" >&2 2>/dev/null || true
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
        log "stopping the unresponsive broker (pid $pid)"
        end_process "$pid" || true
    fi
    rm -f "$PID_FILE"
    cds_finish 0
    exit 1
}

wait_ready() {
    local pid="$1" deadline=$((SECONDS + START_TIMEOUT))
    while ((SECONDS < deadline)); do
        if ! kill -0 "$pid" 2>/dev/null; then
            fail_start "the broker exited during startup"
        fi
        if broker_ready "$PORT"; then
            return 0
        fi
        sleep 0.25
    done
    fail_start "the broker did not answer on $HOST:$PORT within ${START_TIMEOUT}s" "$pid"
}

cmd_start() {
    local pid cp cport
    mkdir -p "$KAFKA_DIR"
    [[ -e "$KAFKA_DIR/$MARKER" ]] || : >"$KAFKA_DIR/$MARKER"
    # One start at a time per data dir (fd 9 is closed for the JVMs below,
    # so that the lock ends with this script).
    exec 9>"$LOCK_FILE"
    flock -w $((START_TIMEOUT + 30)) 9 || die "another start holds $LOCK_FILE"

    if pid="$(running_pid)"; then
        wait_ready "$pid"
        printf '%s:%s\n' "$HOST" "$PORT"
        return 0
    fi
    # Not running (never started, stopped, or died/killed without 'stop').
    rm -f "$PID_FILE"
    cds_finish 0

    command -v "$JAVA" >/dev/null 2>&1 || die "java not found (set JAVA_HOME)"
    port_open "$PORT" && die "port $PORT on $HOST is in use by another process"
    cport="$(choose_controller_port "$PORT")"
    cp="$(classpath)"
    write_properties "$PORT" "$cport"
    if [[ -f "$LOG_FILE" ]]; then
        mv -f "$LOG_FILE" "$LOG_FILE.1"
    fi
    format_storage "$cp"
    cds_opts "$cp"

    local -a heap jvm extra=()
    read -r -a heap <<<"${KAFKA_HEAP_OPTS:--Xmx512m -Xms256m}"
    # G1 with few threads, no perf-data file, class-data sharing for the JDK classes.
    read -r -a jvm <<<"${KAFKA_JVM_OPTS:--XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:ParallelGCThreads=2 -XX:ConcGCThreads=1 -XX:CICompilerCount=2 -XX:-UsePerfData -Xshare:auto -Djava.awt.headless=true -Djava.security.egd=file:/dev/./urandom}"
    if [[ -n "${KAFKA_OPTS:-}" ]]; then
        read -r -a extra <<<"$KAFKA_OPTS"
    fi

    log "starting Kafka on $HOST:$PORT (controller $HOST:$cport, dir $KAFKA_DIR)"
    # setsid: own session, so the broker outlives the caller's terminal and
    # process group. In a script (no job control) setsid does not fork, so
    # $! is the JVM's pid.
    nohup setsid "$JAVA" "${heap[@]}" "${jvm[@]}" "${CDS_ARGS[@]}" "${extra[@]}" \
        -Dlog4j2.configurationFile="$LOG4J_CONF" \
        -Dkafka.logs.dir="$KAFKA_DIR" \
        -cp "$cp" kafka.Kafka "$PROPS_FILE" \
        </dev/null >>"$LOG_FILE" 2>&1 9>&- &
    pid=$!
    printf '%s\n' "$pid" >"$PID_FILE"

    wait_ready "$pid"
    log "Kafka is up (pid $pid)"
    printf '%s:%s\n' "$HOST" "$PORT"
}

cmd_stop() {
    local purge="$1" pid clean=1
    if pid="$(running_pid)"; then
        log "stopping Kafka (pid $pid)"
        end_process "$pid" || clean=0
    else
        log "not running"
        clean=0
    fi
    rm -f "$PID_FILE"
    cds_finish "$clean"
    if ((purge)) && [[ -d "$KAFKA_DIR" ]]; then
        # Only a directory this script made (it holds our marker file).
        [[ -e "$KAFKA_DIR/$MARKER" ]] || die "not purging $KAFKA_DIR: no $MARKER marker in it"
        rm -rf -- "$KAFKA_DIR"
        log "removed $KAFKA_DIR"
    fi
}

cmd_status() {
    local pid
    if pid="$(running_pid)"; then
        printf 'running %s:%s (pid %s, dir %s)\n' "$HOST" "$PORT" "$pid" "$KAFKA_DIR"
        return 0
    fi
    printf 'stopped\n'
    return 1
}

main() {
    (($# >= 1)) || bad_usage "missing command"
    local cmd="$1" purge="${KAFKA_PURGE:-0}"
    shift
    case "$cmd" in
        start | stop | status) ;;
        -h | --help | help)
            usage
            exit 0
            ;;
        *) bad_usage "unknown command: $cmd" ;;
    esac
    while (($#)); do
        case "$1" in
            --port)
                (($# >= 2)) || bad_usage "--port needs a value"
                is_port_number "$2" || bad_usage "bad port: $2"
                KAFKA_PORT="$2"
                shift 2
                ;;
            --port=*)
                is_port_number "${1#--port=}" || bad_usage "bad port: ${1#--port=}"
                KAFKA_PORT="${1#--port=}"
                shift
                ;;
            --purge)
                [[ "$cmd" == stop ]] || bad_usage "--purge goes with stop"
                purge=1
                shift
                ;;
            -h | --help)
                usage
                exit 0
                ;;
            *) bad_usage "unknown argument: $1" ;;
        esac
    done
    if [[ "$purge" != 1 ]]; then
        purge=0
    fi
    setup_paths
    case "$cmd" in
        start) cmd_start ;;
        stop) cmd_stop "$purge" ;;
        status) cmd_status ;;
    esac
}

main "$@"
