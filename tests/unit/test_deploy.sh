#!/usr/bin/env bash
# Checks of deploy/ that run without Docker or a cluster:
#  - every YAML file parses, and the manifests agree with each other (ports,
#    probes, group, topics, secret names, static membership, grace period);
#  - every property in the shipped configurations is one inkstream accepts;
#  - the systemd unit passes `systemd-analyze verify` (when available);
#  - the shell scripts pass shellcheck (when available, else bash -n);
#  - the image entrypoint: default command, mounted config, *_FILE secrets,
#    the /healthz probe (against a stub listener);
#  - RUNTIME_PACKAGES of the Dockerfile cover the libraries of the binary.
# Environment: INK_BIN (the built inkstream), INK_SOURCE_DIR (the tree).
set -euo pipefail

SRC="${INK_SOURCE_DIR:-$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)}"
BIN="${INK_BIN:?INK_BIN is not set (run through ctest)}"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/ink-deploy-test.XXXXXX")"
STUB_PID=
cleanup() {
    [[ -z "$STUB_PID" ]] || kill "$STUB_PID" 2>/dev/null || true
    rm -rf -- "$TMP"
}
trap cleanup EXIT
FAILS=0

pass() { printf 'PASS %s\n' "$*"; }
fail() {
    printf 'FAIL %s\n' "$*"
    FAILS=$((FAILS + 1))
}
skip() { printf 'SKIP %s\n' "$*"; }

# --- YAML and cross-checks --------------------------------------------------

if python3 -c 'import yaml' 2>/dev/null; then
    if python3 - "$SRC" "$TMP" <<'EOF'; then pass "YAML parses; manifests agree"; else fail "YAML checks"; fi
import glob, os, sys, yaml

src, tmp = sys.argv[1], sys.argv[2]
errors = []

def check(cond, msg):
    if not cond:
        errors.append(msg)

docs = {}
for path in sorted(glob.glob(os.path.join(src, "deploy", "**", "*.y*ml"),
                             recursive=True)):
    try:
        docs[path] = [d for d in yaml.safe_load_all(open(path)) if d is not None]
    except yaml.YAMLError as e:
        errors.append(f"{path}: {e}")
check(len(docs) >= 8, f"only {len(docs)} YAML files under deploy/")

def props(text):
    out = {}
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            k, _, v = line.partition("=")
            out[k] = v
    return out

k8s = {}
for path, ds in docs.items():
    if "/deploy/k8s/" in path:
        for d in ds:
            if "kind" in d and "metadata" in d:
                k8s[(d["kind"], d["metadata"]["name"])] = d

dep = k8s.get(("Deployment", "inkstream-enrich"))
cm = k8s.get(("ConfigMap", "inkstream-enrich"))
so = k8s.get(("ScaledObject", "inkstream-enrich"))
pdb = k8s.get(("PodDisruptionBudget", "inkstream-enrich"))
ta = k8s.get(("TriggerAuthentication", "inkstream-kafka"))
sec = k8s.get(("Secret", "inkstream-kafka-credentials"))
for name, d in [("Deployment", dep), ("ConfigMap", cm), ("ScaledObject", so),
                ("PodDisruptionBudget", pdb), ("TriggerAuthentication", ta),
                ("Secret", sec)]:
    check(d is not None, f"k8s: no {name}")
if not errors:
    conf = props(cm["data"]["inkstream.conf"])
    open(os.path.join(tmp, "k8s.conf"), "w").write(cm["data"]["inkstream.conf"])
    port = int(conf["metrics.addr"].rsplit(":", 1)[1])
    spec = dep["spec"]["template"]["spec"]
    c = spec["containers"][0]
    env = {e["name"]: e for e in c["env"]}
    gi = env.get("INKSTREAM_KAFKA_GROUP_INSTANCE_ID", {})
    check(gi.get("valueFrom", {}).get("fieldRef", {}).get("fieldPath")
          == "metadata.name", "group.instance.id is not the pod name")
    for k in ("INKSTREAM_KAFKA_SASL_USERNAME", "INKSTREAM_KAFKA_SASL_PASSWORD"):
        ref = env.get(k, {}).get("valueFrom", {}).get("secretKeyRef", {})
        check(ref.get("name") == sec["metadata"]["name"]
              and ref.get("key") in sec["stringData"], f"{k}: bad secret ref")
    ports = {p["name"]: p["containerPort"] for p in c["ports"]}
    check(ports.get("metrics") == port, "container port != metrics.addr port")
    check(c["livenessProbe"]["httpGet"]["path"] == "/healthz", "liveness path")
    check(c["readinessProbe"]["httpGet"]["path"] == "/readyz", "readiness path")
    for p in ("livenessProbe", "readinessProbe"):
        check(c[p]["httpGet"]["port"] in ("metrics", port), f"{p} port")
    check(spec["terminationGracePeriodSeconds"] * 1000
          > int(conf.get("shutdown.timeout.ms", "10000")),
          "grace period shorter than shutdown.timeout.ms")
    check(spec["securityContext"]["runAsNonRoot"] is True, "runs as root")
    labels = dep["spec"]["selector"]["matchLabels"]
    check(pdb["spec"]["selector"]["matchLabels"] == labels, "PDB selector")
    check(so["spec"]["scaleTargetRef"]["name"] == dep["metadata"]["name"],
          "ScaledObject target")
    trig = so["spec"]["triggers"][0]["metadata"]
    check(trig["consumerGroup"] == conf["group"], "KEDA group != group")
    check(trig["topic"] == conf["input.topic"], "KEDA topic != input.topic")
    check(trig["bootstrapServers"] == conf["brokers"], "KEDA brokers")
    check(str(trig.get("allowIdleConsumers")) == "false",
          "KEDA may scale past the partition count")
    check(so["spec"]["maxReplicaCount"] >= dep["spec"]["replicas"]
          >= so["spec"]["minReplicaCount"], "replica bounds")
    for r in ta["spec"]["secretTargetRef"]:
        check(r["name"] == sec["metadata"]["name"]
              and r["key"] in sec["stringData"], f"KEDA secret ref {r}")

compose = docs.get(os.path.join(src, "deploy", "compose", "compose.yaml"), [None])[0]
prom = docs.get(os.path.join(src, "deploy", "compose", "prometheus.yml"), [None])[0]
check(compose is not None and prom is not None, "compose files missing")
if compose and prom:
    svcs = compose["services"]
    workers = {n: s for n, s in svcs.items() if s.get("command") == ["enrich"]}
    check(len(workers) == 3, f"{len(workers)} workers in compose, not 3")
    ids = {s["environment"].get("INKSTREAM_KAFKA_GROUP_INSTANCE_ID")
           for s in workers.values()}
    check(len(ids) == 3 and None not in ids, "worker instance ids not distinct")
    targets = set(prom["scrape_configs"][0]["static_configs"][0]["targets"])
    for n, s in workers.items():
        p = s["environment"]["INKSTREAM_METRICS_ADDR"].rsplit(":", 1)[1]
        check(f"{n}:{p}" in targets, f"Prometheus does not scrape {n}")
    check("kafka" in svcs and "prometheus" in svcs, "compose: kafka/prometheus")
    check(any(s.get("command", [""])[0] == "alerts" for s in svcs.values()),
          "compose: no alerts reader")
    with open(os.path.join(tmp, "compose.env"), "w") as f:
        for n, s in svcs.items():
            if s.get("image", "").startswith("inkstream"):
                for k, v in s.get("environment", {}).items():
                    f.write(f"{k}={v}\n")

for e in errors:
    print("  " + e)
sys.exit(1 if errors else 0)
EOF
else
    skip "YAML checks (python3-yaml missing: bash scripts/deps.sh)"
fi

# --- every shipped property is one inkstream knows -------------------------

check_conf() {
    local what="$1" out
    shift
    if out="$("$@" 2>&1)"; then
        pass "properties of $what accepted"
    else
        fail "properties of $what: $out"
    fi
}
for f in "$TMP/k8s.conf" "$SRC/deploy/systemd/enrich.conf.example"; do
    [[ -f "$f" ]] && check_conf "${f##*/}" "$BIN" config --config "$f"
done
for f in "$TMP/compose.env" "$SRC/deploy/systemd/enrich.env.example"; do
    [[ -f "$f" ]] || continue
    mapfile -t vars < <(grep -E '^INKSTREAM_[A-Z0-9_]+=' "$f")
    check_conf "${f##*/}" env -i "${vars[@]}" "$BIN" config
done

# --- systemd ----------------------------------------------------------------

if command -v systemd-analyze >/dev/null 2>&1; then
    mkdir -p "$TMP/systemd"
    sed "s|^ExecStart=/usr/local/bin/inkstream|ExecStart=$BIN|" \
        "$SRC/deploy/systemd/inkstream-enrich@.service" \
        >"$TMP/systemd/inkstream-enrich@.service"
    out="$(cd "$TMP/systemd" && systemd-analyze verify ./inkstream-enrich@1.service 2>&1)" || true
    if grep -q 'inkstream-enrich' <<<"$out"; then
        fail "systemd-analyze verify: $out"
    else
        pass "systemd-analyze verify inkstream-enrich@.service"
    fi
else
    skip "systemd-analyze not installed"
fi

# --- shell scripts ----------------------------------------------------------

scripts=("$SRC/deploy/docker/entrypoint.sh" "$SRC/scripts/docker-build-mirror.sh"
    "$SRC/tests/integration/sasl-broker.sh" "$SRC/tests/unit/test_deploy.sh")
if command -v shellcheck >/dev/null 2>&1; then
    if out="$(shellcheck -S warning "${scripts[@]}" 2>&1)"; then
        pass "shellcheck"
    else
        fail "shellcheck: $out"
    fi
else
    for s in "${scripts[@]}"; do
        bash -n "$s" || fail "bash -n $s"
    done
    skip "shellcheck not installed (bash -n only)"
fi

# --- the entrypoint ---------------------------------------------------------

EP="$SRC/deploy/docker/entrypoint.sh"
printf '#!/bin/sh\necho "args: $*"\n' >"$TMP/echo-bin"
chmod +x "$TMP/echo-bin"
ep_expect() {
    local want="$1" out
    shift
    out="$(INK_BIN="$TMP/echo-bin" INK_CONFIG_FILE="$TMP/absent.conf" "$EP" "$@" 2>&1)" || true
    if [[ "$out" == "args: $want" ]]; then
        pass "entrypoint $* -> inkstream $want"
    else
        fail "entrypoint $*: got '$out', wanted 'args: $want'"
    fi
}
ep_expect "enrich"
ep_expect "enrich -X a=b" -X a=b
ep_expect "demo" demo
ep_expect "--version" --version
printf 'group=from-file\n' >"$TMP/mounted.conf"
out="$(INK_BIN="$TMP/echo-bin" INK_CONFIG_FILE="$TMP/mounted.conf" "$EP" 2>&1)" || true
[[ "$out" == "args: enrich --config $TMP/mounted.conf" ]] &&
    pass "entrypoint passes a mounted config" || fail "entrypoint config: $out"
out="$(INK_BIN="$TMP/echo-bin" INK_CONFIG_FILE="$TMP/mounted.conf" "$EP" demo 2>&1)" || true
[[ "$out" == "args: demo" ]] && pass "no --config for demo" || fail "demo: $out"

printf 'Pw-from-file-93\n' >"$TMP/pw"
out="$(INK_BIN="$BIN" INK_CONFIG_FILE="$TMP/mounted.conf" \
    INKSTREAM_KAFKA_SASL_PASSWORD_FILE="$TMP/pw" "$EP" config --dump 2>&1)" || true
if grep -qx 'kafka.sasl.password=\*\*\*\*\*\*\*\*' <<<"$out" &&
    grep -qx 'group=from-file' <<<"$out" && ! grep -q 'Pw-from-file' <<<"$out"; then
    pass "*_FILE secret loaded and masked in config --dump"
else
    fail "*_FILE secret: $out"
fi
out="$(INK_BIN="$BIN" INKSTREAM_KAFKA_SASL_PASSWORD_FILE="$TMP/nonexistent" "$EP" config 2>&1)" &&
    fail "unreadable *_FILE accepted" || pass "unreadable *_FILE refused: ${out##*: }"

# /healthz probe: refused with nothing listening, 200 from a stub, 503 not ok
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
INKSTREAM_METRICS_ADDR="127.0.0.1:$port" "$EP" healthcheck &&
    fail "healthcheck ok with nothing listening" || pass "healthcheck fails without a listener"
python3 - "$port" <<'EOF' &
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        code = 200 if self.path == "/healthz" else 404
        self.send_response(code); self.end_headers(); self.wfile.write(b"ok\n")
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
EOF
STUB_PID=$!
for _ in $(seq 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
done
INKSTREAM_METRICS_ADDR="0.0.0.0:$port" "$EP" healthcheck &&
    pass "healthcheck ok on 200 /healthz" || fail "healthcheck against a 200 listener"

# --- the image's runtime packages -------------------------------------------

if ldd "$BIN" 2>/dev/null | grep -qE 'lib(a|ub)san'; then
    skip "library check (a sanitizer build links libasan/libubsan)"
elif command -v dpkg >/dev/null 2>&1 && command -v apt-cache >/dev/null 2>&1; then
    if out="$("$SRC/scripts/docker-build-mirror.sh" --check-libs "$BIN" 2>&1)"; then
        pass "RUNTIME_PACKAGES cover the binary's libraries"
    else
        fail "$out"
    fi
    sed 's/ libmicrohttpd12//' "$SRC/deploy/docker/Dockerfile" >"$TMP/Dockerfile"
    MIRROR_DOCKERFILE="$TMP/Dockerfile" "$SRC/scripts/docker-build-mirror.sh" \
        --check-libs "$BIN" >/dev/null 2>&1 &&
        fail "a missing runtime package went unnoticed" ||
        pass "a missing runtime package is caught"
else
    skip "library check (no dpkg/apt-cache)"
fi
df="$SRC/deploy/docker/Dockerfile"
grep -qE '^USER [1-9][0-9]*' "$df" && grep -q '^HEALTHCHECK ' "$df" &&
    [[ "$(grep -c '^FROM \${DEBIAN_IMAGE}' "$df")" == 2 ]] &&
    grep -q '^ARG DEBIAN_IMAGE=debian:bookworm-slim$' "$df" &&
    pass "Dockerfile: bookworm-slim stages, non-root USER, HEALTHCHECK" ||
    fail "Dockerfile shape"

if ((FAILS)); then
    printf '%d check(s) failed\n' "$FAILS"
    exit 1
fi
printf 'all deploy checks passed\n'
