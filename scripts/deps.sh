#!/usr/bin/env bash
# Installs the Debian packages inkstream needs to build and test, if any is
# missing.  Safe to run again: it does nothing when all are present.
set -euo pipefail

PKGS=(build-essential cmake ninja-build pkg-config
      librdkafka-dev libavro-dev libcriterion-dev libjansson-dev
      libutf8proc-dev libcurl4-openssl-dev libmicrohttpd-dev libxml2-dev libssl-dev
      libexttextcat-dev libexttextcat-data iso-codes clang libfuzzer-14-dev libclang-rt-14-dev chromium
      kafkacat openjdk-17-jre-headless maven python3 python3-yaml)

missing=()
for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" \
        || missing+=("$p")
done
# a JDK/Maven installed outside Debian's packages is fine too
if [ ${#missing[@]} -gt 0 ]; then
    filtered=()
    for p in "${missing[@]}"; do
        case "$p" in
            openjdk-17-jre-headless) command -v java >/dev/null && continue ;;
            maven) command -v mvn >/dev/null && continue ;;
            python3) command -v python3 >/dev/null && continue ;;
            python3-yaml) python3 -c 'import yaml' 2>/dev/null && continue ;;
            build-essential) command -v cc >/dev/null && command -v make >/dev/null && continue ;;
        esac
        filtered+=("$p")
    done
    missing=("${filtered[@]+"${filtered[@]}"}")
fi
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
echo "deps: installing ${missing[*]}" >&2
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
