#!/usr/bin/env bash
# Repeats the build steps of deploy/docker/Dockerfile on this machine (no
# Docker needed) and checks what the image would get:
#
#   scripts/docker-build-mirror.sh                    build + checks + run
#   scripts/docker-build-mirror.sh --check-libs BIN   only the library check
#
# 1. the Dockerfile's BUILD_PACKAGES are installed here (the build stage);
# 2. a copy of the build context (without what Dockerfile.dockerignore drops)
#    is configured and built in a scratch prefix exactly as in the build
#    stage (Release, INK_TESTS=OFF), and installed as in the image;
# 3. every shared library the binary loads belongs to a Debian package that
#    the runtime stage's RUNTIME_PACKAGES (or their dependencies) install;
# 4. the installed entrypoint runs `inkstream --version` and `inkstream demo`
#    as an unprivileged user with an empty environment, as the image would.
#
# Environment: MIRROR_DOCKERFILE [deploy/docker/Dockerfile]; MIRROR_DIR
# (scratch prefix, kept) [a new temporary directory, removed at the end];
# MIRROR_JOBS [2].
set -euo pipefail

ROOT="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)"
DOCKERFILE="${MIRROR_DOCKERFILE:-$ROOT/deploy/docker/Dockerfile}"
PROG=docker-build-mirror.sh

die() {
    printf '%s: %s\n' "$PROG" "$*" >&2
    exit 1
}

log() {
    printf '%s: %s\n' "$PROG" "$*" >&2
}

# Prints the default of `ARG NAME="..."` in the Dockerfile.
dockerfile_arg() {
    local v
    v="$(sed -n "s/^ARG $1=\"\\(.*\\)\"\$/\\1/p" "$DOCKERFILE" | head -n 1)"
    [[ -n "$v" ]] || die "no ARG $1=\"...\" in $DOCKERFILE"
    printf '%s\n' "$v"
}

# The candidate paths under which dpkg may have registered library $1
# (merged /usr: the loader's path, the real path, with and without /usr).
candidates() {
    local real
    real="$(readlink -f "$1")"
    printf '%s\n' "$1" "$real" "${real#/usr}" "/usr$1" | sort -u
}

# Step 3: fails unless every library of $1 comes from RUNTIME_PACKAGES or
# their dependencies (libc6 and the rest of the base image included there).
check_libs() {
    local bin="$1" runtime closure lib pkg path bad=0 n=0
    local -a libs paths
    local -A owner=()
    [[ -x "$bin" ]] || die "not an executable: $bin"
    runtime="$(dockerfile_arg RUNTIME_PACKAGES)"
    # shellcheck disable=SC2086 # a list of package names
    closure="$(apt-cache depends --recurse --no-recommends --no-suggests \
        --no-conflicts --no-breaks --no-replaces --no-enhances $runtime 2>/dev/null |
        grep -v '^ ' | sed 's/:.*//' | sort -u)"
    [[ -n "$closure" ]] || die "apt-cache knows none of: $runtime"
    mapfile -t libs < <(ldd "$bin" |
        awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }')
    mapfile -t paths < <(for lib in "${libs[@]}"; do candidates "$lib"; done)
    # one dpkg run for all (it reads its whole file database each time)
    while IFS= read -r line; do
        pkg="${line%%: *}"
        path="${line#*: }"
        owner["$path"]="${pkg%%:*}"
    done < <(dpkg -S "${paths[@]}" 2>/dev/null || true)
    for lib in "${libs[@]}"; do
        n=$((n + 1))
        pkg=
        while IFS= read -r path; do
            [[ -n "${owner[$path]:-}" ]] && pkg="${owner[$path]}" && break
        done < <(candidates "$lib")
        if [[ -z "$pkg" ]]; then
            log "no Debian package owns $lib"
            bad=1
        elif ! grep -qx -- "$pkg" <<<"$closure"; then
            log "$lib comes from $pkg, which RUNTIME_PACKAGES do not install"
            bad=1
        fi
    done
    ((bad == 0)) || die "RUNTIME_PACKAGES in $DOCKERFILE miss libraries of $bin"
    log "libraries: all $n come from RUNTIME_PACKAGES ($runtime) or their dependencies"
}

check_build_packages() {
    local p missing=()
    for p in $(dockerfile_arg BUILD_PACKAGES); do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
            missing+=("$p")
    done
    ((${#missing[@]} == 0)) || die "build stage packages not installed here: ${missing[*]}"
    log "build stage packages: all installed"
}

# Runs "$@" as an unprivileged user with an empty environment, as the
# image's USER 10001 would (nobody here: no writable home, no config).
run_unprivileged() {
    local -a as=()
    if [[ "$(id -u)" == 0 ]]; then
        as=(setpriv --reuid=65534 --regid=65534 --clear-groups)
    fi
    env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/nonexistent \
        INKSTREAM_METRICS_ADDR=0.0.0.0:9464 "${as[@]}" "$@"
}

main() {
    if [[ "${1:-}" == --check-libs ]]; then
        (($# == 2)) || die "usage: $PROG --check-libs BIN"
        check_libs "$2"
        return 0
    fi
    (($# == 0)) || die "usage: $PROG [--check-libs BIN]"
    local scratch keep=1 out
    scratch="${MIRROR_DIR:-}"
    if [[ -z "$scratch" ]]; then
        scratch="$(mktemp -d "${TMPDIR:-/tmp}/inkstream-mirror.XXXXXX")"
        keep=0
        # shellcheck disable=SC2064 # expand now
        trap "rm -rf -- '$scratch'" EXIT
    fi
    check_build_packages
    log "copying the build context into $scratch/src"
    mkdir -p "$scratch/src"
    tar -C "$ROOT" --exclude=./.git --exclude=./.ci --exclude='./build' \
        --exclude='./build-*' --exclude=./bench --exclude='*.o' --exclude='*.a' \
        -cf - . | tar -C "$scratch/src" -xf -
    log "building (Release, INK_TESTS=OFF)"
    (cd "$scratch/src" &&
        cmake -S . -B "$scratch/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
            -DINK_TESTS=OFF -DCMAKE_INSTALL_PREFIX=/usr/local >"$scratch/cmake.log" 2>&1 &&
        nice ninja -C "$scratch/build" -j "${MIRROR_JOBS:-2}" inkstream >"$scratch/ninja.log" 2>&1) || {
        tail -n 30 "$scratch/cmake.log" "$scratch/ninja.log" >&2 2>/dev/null || true
        die "the build stage failed"
    }
    install -D -m 0755 "$scratch/build/inkstream" "$scratch/root/usr/local/bin/inkstream"
    install -D -m 0755 "$ROOT/deploy/docker/entrypoint.sh" \
        "$scratch/root/usr/local/bin/inkstream-entrypoint"
    chmod 0755 "$scratch" "$scratch/root" "$scratch/root/usr" \
        "$scratch/root/usr/local" "$scratch/root/usr/local/bin"
    check_libs "$scratch/root/usr/local/bin/inkstream"
    log "running as an unprivileged user: --version, demo"
    out="$(run_unprivileged env INK_BIN="$scratch/root/usr/local/bin/inkstream" \
        "$scratch/root/usr/local/bin/inkstream-entrypoint" --version 2>&1)" ||
        die "inkstream --version failed: $out"
    printf '%s\n' "$out"
    out="$(run_unprivileged env INK_BIN="$scratch/root/usr/local/bin/inkstream" \
        "$scratch/root/usr/local/bin/inkstream-entrypoint" demo 2>&1)" ||
        die "inkstream demo failed: $out"
    grep -q "SUMMIT" <<<"$out" || die "the demo printed no alert: $out"
    printf '%s\n' "$out" | tail -n 12
    log "ok: the image's build and run steps work here (size of the binary: $(du -h "$scratch/root/usr/local/bin/inkstream" | cut -f1))"
    ((keep)) && log "kept $scratch"
    return 0
}

main "$@"
