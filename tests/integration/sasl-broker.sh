#!/usr/bin/env bash
# A Kafka broker with authenticated listeners, for tests/integration/test_sasl.c.
#
#   tests/integration/sasl-broker.sh start   start it (or find it running)
#   tests/integration/sasl-broker.sh stop    stop it and remove its data dir
#
# Listeners on 127.0.0.1 (P = SASL_KAFKA_PORT):
#   P     PLAINTEXT       used only by the test to create and read topics
#   P+1   CONTROLLER      KRaft
#   P+2   SASL_PLAINTEXT  SCRAM-SHA-512
#   P+3   SASL_SSL        SCRAM-SHA-512 over TLS; the certificate authority is made
#                         with openssl on each start: $KAFKA_DIR/tls/ca.pem
# The SCRAM user SASL_USER (password SASL_PASSWORD) is created when the storage
# is formatted. It runs Kafka 3.9.1 (SASL_KAFKA_VERSION): librdkafka before 2.6.1
# cannot complete SCRAM against Kafka 4.x brokers (librdkafka issue #4895).
#
# Environment: SASL_KAFKA_PORT [39592], KAFKA_DIR [${TMPDIR:-/tmp}/inkstream-kafka-sasl-P],
# SASL_USER [inkstream], SASL_PASSWORD [required], SASL_KAFKA_VERSION [3.9.1].

set -euo pipefail

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
KAFKA_SH="$SCRIPT_DIR/../../deploy/kafka/kafka.sh"
PORT="${SASL_KAFKA_PORT:-39592}"
if ! [[ "$PORT" =~ ^[1-9][0-9]{0,4}$ ]] || ((PORT + 3 > 65535)); then
    echo "sasl-broker.sh: bad SASL_KAFKA_PORT: $PORT" >&2
    exit 2
fi
export KAFKA_PORT="$PORT"
export KAFKA_CONTROLLER_PORT=$((PORT + 1))
export KAFKA_DIR="${KAFKA_DIR:-${TMPDIR:-/tmp}/inkstream-kafka-sasl-$PORT}"
export KAFKA_VERSION="${SASL_KAFKA_VERSION:-3.9.1}"
# No class-data-sharing archive: writing one at exit makes this broker miss
# the stop timeout (and be killed) on a busy machine.
export KAFKA_CDS="${KAFKA_CDS:-0}"
SASL_USER="${SASL_USER:-inkstream}"
TLS_DIR="$KAFKA_DIR/tls"

# A throwaway CA and a server certificate for 127.0.0.1, in a PKCS#12 keystore.
make_tls() {
    local pass="$1"
    mkdir -p "$TLS_DIR"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=inkstream test CA" \
        -keyout "$TLS_DIR/ca.key" -out "$TLS_DIR/ca.pem" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
        -keyout "$TLS_DIR/server.key" -out "$TLS_DIR/server.csr" 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$TLS_DIR/san.ext"
    openssl x509 -req -in "$TLS_DIR/server.csr" -CA "$TLS_DIR/ca.pem" \
        -CAkey "$TLS_DIR/ca.key" -CAcreateserial -days 2 \
        -extfile "$TLS_DIR/san.ext" -out "$TLS_DIR/server.pem" 2>/dev/null
    openssl pkcs12 -export -name broker -inkey "$TLS_DIR/server.key" \
        -in "$TLS_DIR/server.pem" -certfile "$TLS_DIR/ca.pem" \
        -passout "pass:$pass" -out "$TLS_DIR/server.p12"
}

start() {
    local store_pass jaas props
    : "${SASL_PASSWORD:?SASL_PASSWORD must be set}"
    [[ "$SASL_PASSWORD" =~ ^[A-Za-z0-9._-]+$ ]] || {
        echo "sasl-broker.sh: SASL_PASSWORD may only hold [A-Za-z0-9._-]" >&2
        exit 2
    }
    if KAFKA_PORT="$PORT" "$KAFKA_SH" status >/dev/null 2>&1; then
        exec "$KAFKA_SH" start
    fi
    mkdir -p "$KAFKA_DIR"
    store_pass="$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    make_tls "$store_pass"
    jaas='org.apache.kafka.common.security.scram.ScramLoginModule required;'
    props="$KAFKA_DIR/sasl.properties"
    cat >"$props" <<EOF
listeners=PLAINTEXT://127.0.0.1:@PORT@,CONTROLLER://127.0.0.1:@CONTROLLER_PORT@,SASL_PLAINTEXT://127.0.0.1:$((PORT + 2)),SASL_SSL://127.0.0.1:$((PORT + 3))
advertised.listeners=PLAINTEXT://127.0.0.1:@PORT@,SASL_PLAINTEXT://127.0.0.1:$((PORT + 2)),SASL_SSL://127.0.0.1:$((PORT + 3))
sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=$jaas
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=$jaas
listener.name.sasl_ssl.ssl.keystore.type=PKCS12
listener.name.sasl_ssl.ssl.keystore.location=$TLS_DIR/server.p12
listener.name.sasl_ssl.ssl.keystore.password=$store_pass
listener.name.sasl_ssl.ssl.key.password=$store_pass
EOF
    export KAFKA_EXTRA_PROPERTIES="$props"
    export KAFKA_FORMAT_ARGS="--add-scram SCRAM-SHA-512=[name=$SASL_USER,password=$SASL_PASSWORD]"
    # The 4.x-only share.coordinator.* keys of the template are ignored by 3.9.
    exec "$KAFKA_SH" start
}

case "${1:-}" in
    start) start ;;
    stop) exec "$KAFKA_SH" stop --purge ;;
    *)
        echo "usage: sasl-broker.sh start|stop" >&2
        exit 2
        ;;
esac
