#!/usr/bin/env bash
# Entrypoint of the inkstream image.
#
#   inkstream-entrypoint [SUBCOMMAND] [ARGS...]   runs `inkstream SUBCOMMAND ARGS`
#   inkstream-entrypoint --flag ...               runs `inkstream enrich --flag ...`
#   inkstream-entrypoint --version | --help       runs `inkstream --version | --help`
#   inkstream-entrypoint healthcheck              exit 0 if GET /healthz answers 200
#
# - INKSTREAM_<KEY>_FILE=/path: the file's content (trailing newline removed)
#   becomes INKSTREAM_<KEY>, for secrets mounted as files.
# - A file at $INK_CONFIG_FILE [/etc/inkstream/inkstream.conf], if present,
#   is passed as --config to the Kafka subcommands; INKSTREAM_* variables and
#   flags override it.
# - INK_BIN [/usr/local/bin/inkstream] is the binary to run.
# (These two are not INKSTREAM_* names: every INKSTREAM_* variable is read by
# inkstream as a property.)
set -euo pipefail

BIN="${INK_BIN:-/usr/local/bin/inkstream}"
CONFIG_FILE="${INK_CONFIG_FILE:-/etc/inkstream/inkstream.conf}"

die() {
    printf 'inkstream-entrypoint: %s\n' "$*" >&2
    exit 1
}

# INKSTREAM_X_FILE=path -> INKSTREAM_X=<content of path>; the _FILE variable
# is removed so that the worker does not see it as a property.
load_file_secrets() {
    local var target path
    while IFS= read -r var; do
        target="${var%_FILE}"
        path="${!var}"
        [[ -r "$path" ]] || die "$var: cannot read $path"
        [[ -z "${!target:-}" ]] || die "both $target and $var are set"
        export "$target=$(<"$path")"
        unset "$var"
    done < <(compgen -e | grep -E '^INKSTREAM_[A-Z0-9_]+_FILE$' || true)
}

# GET /healthz on the port of INKSTREAM_METRICS_ADDR, over bash's /dev/tcp
# (the image has no HTTP client). Exit 0 on "HTTP/1.x 200".
healthcheck() {
    local addr="${INKSTREAM_METRICS_ADDR:-127.0.0.1:9464}" port status
    port="${addr##*:}"
    [[ "$port" =~ ^[0-9]+$ ]] || die "INKSTREAM_METRICS_ADDR: no port in '$addr'"
    { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null || exit 1
    printf 'GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3
    IFS= read -r -t 3 status <&3 || exit 1
    [[ "$status" =~ ^HTTP/1\.[01]\ 200 ]]
}

main() {
    local cmd=enrich
    case "${1:-}" in
        --version | --help | -h) exec "$BIN" "$@" ;;
    esac
    if (($# > 0)) && [[ "$1" != -* ]]; then
        cmd="$1"
        shift
    fi
    if [[ "$cmd" == healthcheck ]]; then
        healthcheck
        exit $?
    fi
    load_file_secrets
    case "$cmd" in
        enrich | alerts | ingest | dlq | config)
            if [[ -f "$CONFIG_FILE" ]]; then
                exec "$BIN" "$cmd" --config "$CONFIG_FILE" "$@"
            fi
            ;;
    esac
    exec "$BIN" "$cmd" "$@"
}

main "$@"
