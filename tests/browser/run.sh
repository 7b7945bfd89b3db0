#!/bin/sh
# Runs alert_page.mjs: skips (77) without chromium or node, installs
# playwright-core into $INK_NODE_DIR when it is not there yet.
set -eu
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ] || ! command -v node >/dev/null 2>&1; then
    echo "SKIP: needs $CHROMIUM and node (apt-get install chromium nodejs)"
    exit 77
fi
: "${INK_NODE_DIR:?}" "${INK_BIN:?}" "${INK_BROKERS:?}" "${INK_PRODUCE_ALERT:?}"
if [ ! -d "$INK_NODE_DIR/node_modules/playwright-core" ]; then
    if ! command -v npm >/dev/null 2>&1; then
        echo "SKIP: playwright-core is not installed and there is no npm"
        exit 77
    fi
    mkdir -p "$INK_NODE_DIR"
    if ! npm install --prefix "$INK_NODE_DIR" --no-audit --no-fund \
            --loglevel=error playwright-core@1 >&2; then
        echo "SKIP: cannot install playwright-core from npm (offline?)"
        exit 77
    fi
fi
export CHROMIUM
export NODE_PATH="$INK_NODE_DIR/node_modules"
exec node "$(dirname "$0")/alert_page.cjs"
