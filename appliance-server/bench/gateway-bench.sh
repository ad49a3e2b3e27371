#!/usr/bin/env bash
# Gateway benchmark: in one run, on loopback, non-streaming chat completions with 64 connections
#   (a) the vLLM stand-in directly, (b) nginx as a plain reverse proxy in front of it,
#   (c) Airlock, every request durably audited (request and response records fsync'd),
#   (d) Airlock with its data directory on tmpfs (/dev/shm): fsync is a no-op there, so this row is
#       NOT durable; it separates the gateway's own cost from the disk's fsync latency.
#   (e) optional, BASELINE_JAR=/path/to/airlock-server.jar: another build, durable like (c), so that
#       a change is compared with what it replaces in the same run; BASELINE_ENV="NAME=value ..."
#       sets environment variables for that server only (BASELINE_JAR defaults to this build then),
#       e.g. BASELINE_ENV=AIRLOCK_GATEWAY_FAST_PATH=false: the inference routes served by Micronaut.
# Usage (from the repository root):  appliance-server/bench/gateway-bench.sh [seconds per run]
#   ROUNDS=n (default 3) measured runs per target, the order reversed every other round (direct, nginx,
#   airlock, tmpfs, baseline; then baseline first): one run per target favoured whichever came later
#   (the first runs after the warm-ups were the slowest), so compare medians, printed at the end.
#   WARMUP=seconds (default 60) of load on each JVM before anything is measured: on 2 busy cores the
#   JIT compilers need about a minute to finish with the gateway's path (at 10 s it ran at a third
#   of its steady speed). STREAM_WARMUP=seconds (default 30) of streams per target before time to
#   first token is measured (new connection per stream, then one kept-alive connection).
#   PACE_MS (default 10): after the saturated rounds, the same rounds again with each connection
#   pausing after every answer, on average this long (exponentially distributed, see chat.lua), so
#   that latency is measured below every target's capacity.
# Needs: JDK 21+ as JAVA_HOME, nginx and wrk (apt-get install nginx wrk), a built server:
#   mvn -B -q -o -pl appliance-server -am -DskipTests package
set -euo pipefail
DURATION=${1:-15}
# chat.lua paces requests only when PACE_MS is set: the saturated runs must not be.
PACE=${PACE_MS:-10}; unset PACE_MS
CONNECTIONS=64
THREADS=2
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
JAVA=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
JAR=$ROOT/appliance-server/target/airlock-server.jar
TEST_CLASSES=$ROOT/appliance-server/target/test-classes
WORK=$(mktemp -d /tmp/airlock-bench.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

[ -f "$JAR" ] || { echo "build the server first: mvn -B -q -o -pl appliance-server -am -DskipTests package" >&2; exit 1; }
[ -d "$TEST_CLASSES" ] || { echo "compile the tests first (the stand-in lives there): mvn -B -q -o -pl appliance-server -am test-compile" >&2; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { for _ in $(seq 1 1200); do curl -fs -o /dev/null "$1" && return 0; sleep 0.1; done; echo "not up: $1" >&2; exit 1; }

STANDIN_PORT=$(free_port); NGINX_PORT=$(free_port); AIRLOCK_PORT=$(free_port); TMPFS_PORT=$(free_port)
TMPFS_DIR=$(mktemp -d /dev/shm/airlock-bench.XXXXXX)
# Each server's audit log and search index grow by gigabytes in a run: removed at the end (the
# results are printed; KEEP=1 keeps the data directories too).
trap 'cleanup; rm -rf "$TMPFS_DIR"; [ -n "${KEEP:-}" ] || rm -rf "$WORK/data" "$WORK/data-baseline"' EXIT

# (a) the stand-in, started the way Airlock starts vLLM (telemetry off, offline). Its JDK server closes
# idle connections beyond 200 by default; with nginx's and three Airlocks' keep-alive pools that
# limit made proxies fail requests that raced a close, so it is raised (vLLM's server closes idle
# connections after a 5 s timeout instead).
env -i PATH="$PATH" VLLM_NO_USAGE_STATS=1 VLLM_DO_NOT_TRACK=1 DO_NOT_TRACK=1 HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 \
  "$JAVA" -Xmx512m -cp "$TEST_CLASSES:$JAR" -Dstandin.record="$WORK/standin" -Dsun.net.httpserver.maxIdleConnections=4096 \
  dev.airlock.server.backend.VllmStandIn \
  serve /models/bench-chat --served-model-name bench-chat --host 127.0.0.1 --port "$STANDIN_PORT" > "$WORK/standin.log" 2>&1 &
PIDS+=($!)
wait_http "http://127.0.0.1:$STANDIN_PORT/health"
# The stand-in records every request body for the tests; for the benchmark that file is a sink.
rm -f "$WORK/standin/requests-$STANDIN_PORT.jsonl"; ln -s /dev/null "$WORK/standin/requests-$STANDIN_PORT.jsonl"

# (b) nginx: a plain reverse proxy with upstream keep-alive (the least any proxy costs).
mkdir -p "$WORK/nginx"
cat > "$WORK/nginx/nginx.conf" <<NGINX
worker_processes auto;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  upstream standin { server 127.0.0.1:$STANDIN_PORT; keepalive 128; }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / {
      proxy_pass http://standin;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
    }
  }
}
NGINX
nginx -c "$WORK/nginx/nginx.conf" -g 'daemon off;' &
PIDS+=($!)
wait_http "http://127.0.0.1:$NGINX_PORT/health"

# (c) Airlock on the local disk, (d) Airlock on tmpfs: same jar, same settings. The JVM's own
# defaults, as `./airlock server` runs it (G1; the heap may grow to a quarter of the memory): until
# 2026-11-22 the servers ran with -Xmx1g, which made G1 collect three times as often.
OPERATOR=bench-operator-token
start_airlock() { # data-dir port [jar [environment]]
  # The accounts that register and approve the backend (bench/approve-external.py), made as on a
  # new appliance; their one-time passwords go to <data-dir>.accounts.
  env AIRLOCK_DATA_DIR=$1 "$JAVA" -jar "${3:-$JAR}" admin bootstrap --username bench-admin \
    --dpo bench-dpo-1 --dpo bench-dpo-2 > "$1.accounts"
  env ${4:-} AIRLOCK_DATA_DIR=$1 MICRONAUT_SERVER_PORT=$2 AIRLOCK_GATEWAY_OPERATOR_TOKEN=$OPERATOR \
    AIRLOCK_GATEWAY_EXTERNAL_ALLOWLIST=127.0.0.1:$STANDIN_PORT AIRLOCK_LOG_FORMAT=text \
    "$JAVA" -jar "${3:-$JAR}" > "$1.log" 2>&1 &
  PIDS+=($!)
}
setup_airlock() { # port data-dir -> prints the app key
  wait_http "http://127.0.0.1:$1/health"
  # Only an approved catalog version is served: register the stand-in as an external server, have
  # the DPOs approve it, activate it.
  python3 "$(dirname "$0")/approve-external.py" "$1" bench-chat "http://127.0.0.1:$STANDIN_PORT" "$OPERATOR" \
    < "$2.accounts"
  local key
  key=$(curl -fs -X POST -H "authorization: Bearer $OPERATOR" "http://127.0.0.1:$1/admin/apps" \
    -d '{"name":"bench","grants":["bench-chat"],"requestsPerMinute":1000000000,"tokensPerMinute":1000000000000}' \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"]["secret"])')
  for _ in $(seq 1 100); do
    curl -fs -o /dev/null -H "authorization: Bearer $key" -d '{"model":"bench-chat","messages":[{"role":"user","content":"x"}]}' \
      "http://127.0.0.1:$1/v1/chat/completions" && break
    sleep 0.2
  done
  echo "$key"
}
start_airlock "$WORK/data" "$AIRLOCK_PORT"
start_airlock "$TMPFS_DIR/data" "$TMPFS_PORT"
DISK_KEY=$(setup_airlock "$AIRLOCK_PORT" "$WORK/data")
TMPFS_KEY=$(setup_airlock "$TMPFS_PORT" "$TMPFS_DIR/data")
[ -z "${BASELINE_ENV:-}" ] || BASELINE_JAR=${BASELINE_JAR:-$JAR}
if [ -n "${BASELINE_JAR:-}" ]; then
  BASELINE_PORT=$(free_port)
  start_airlock "$WORK/data-baseline" "$BASELINE_PORT" "$BASELINE_JAR" "${BASELINE_ENV:-}"
  BASELINE_KEY=$(setup_airlock "$BASELINE_PORT" "$WORK/data-baseline")
fi

run() { # name url
  wrk -t$THREADS -c$CONNECTIONS -d"${DURATION}s" --latency -s "$ROOT/appliance-server/bench/chat.lua" "$2/v1/chat/completions" > "$WORK/$1.txt"
  python3 - "$1" "$WORK/$1.txt" <<'PY'
import re, sys
name, path = sys.argv[1], sys.argv[2]
t = open(path).read()
def ms(v, unit): return float(v) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
p = {k: ms(v, u) for k, v, u in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)", t, re.M)}
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
print(f"{name} {rps:.0f} {p['50']:.3f} {p['99']:.3f} {errors.group(1) if errors else 0}")
PY
}

# Warm-up: JIT for the JVMs on both paths, not measured.
DURATION_SAVED=$DURATION; DURATION=${WARMUP:-60}
run warmup-direct "http://127.0.0.1:$STANDIN_PORT" > /dev/null
BENCH_KEY=$DISK_KEY run warmup-airlock "http://127.0.0.1:$AIRLOCK_PORT" > /dev/null
BENCH_KEY=$TMPFS_KEY run warmup-airlock-tmpfs "http://127.0.0.1:$TMPFS_PORT" > /dev/null
[ -z "${BASELINE_JAR:-}" ] || BENCH_KEY=$BASELINE_KEY run warmup-baseline "http://127.0.0.1:$BASELINE_PORT" > /dev/null
DURATION=$DURATION_SAVED
# The warm-ups left each Airlock's search index behind its log (it yields the CPU to requests);
# let them catch up first, or their catching up would take CPU from whatever is measured next.
index_gauge() { # port name
  curl -fs -H "authorization: Bearer $OPERATOR" "http://127.0.0.1:$1/metrics" | awk -v m="$2" '$1 == m {print $2}'; }
index_lag() { index_gauge "$1" airlock_audit_index_lag_entries; }
await_index() { # caught up and its search indexes built (a build without a gauge counts as done)
  local lag building; for _ in $(seq 1 1200); do
    lag=$(index_lag "$1"); building=$(index_gauge "$1" airlock_audit_index_rebuilding)
    { [ -z "$lag" ] || [ "$lag" = "0" ]; } && { [ -z "$building" ] || [ "$building" = "0" ]; } && return 0; sleep 0.5; done
  echo "index of :$1 did not catch up" >&2; }
for port in "$AIRLOCK_PORT" "$TMPFS_PORT" ${BASELINE_PORT:-}; do await_index "$port"; done
# An index that just caught up leaves hundreds of MB of dirty pages that the kernel writes back over
# the next half minute, on the disk whose fsyncs the durable run waits for: write them out first.
# Then wait (up to 5 minutes) for a second in which the cores are at least 90 % idle, so that no
# server's background work (a build without the rebuilding gauge, the JIT) runs into the next run.
settle() {
  sync
  python3 - <<'PY'
import time
def idle():
    f = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    return f[3] + f[4], sum(f)
for _ in range(300):
    i0, t0 = idle(); time.sleep(1); i1, t1 = idle()
    if (i1 - i0) >= 0.9 * (t1 - t0): break
PY
}
settle

echo "# $(date -u +%FT%TZ) $(nproc) cores, ${DURATION}s per run, $CONNECTIONS connections, $THREADS wrk threads"
echo "# name req/s p50_ms p99_ms non2xx"
# An Airlock run, then how far its search index fell behind and how long it took to catch up (all
# indexes are caught up again before the next run).
run_airlock() { # name port key
  BENCH_KEY=$3 run "$1" "http://127.0.0.1:$2"
  local behind t0; behind=$(index_lag "$2"); t0=$(date +%s.%N)
  for port in "$AIRLOCK_PORT" "$TMPFS_PORT" ${BASELINE_PORT:-}; do await_index "$port"; done
  echo "# $1: search index $behind entries behind the log at the end of the run, caught up $(python3 -c "import time; print(f'{time.time() - $t0:.1f}')") s later" >> "$WORK/index.txt"
  settle
}
TARGETS=("direct" "nginx" "airlock $AIRLOCK_PORT $DISK_KEY" "airlock-tmpfs $TMPFS_PORT $TMPFS_KEY")
[ -z "${BASELINE_JAR:-}" ] || TARGETS+=("airlock-baseline $BASELINE_PORT $BASELINE_KEY")
measure() { # name [port key]
  case $1 in
    direct) run direct "http://127.0.0.1:$STANDIN_PORT" ;;
    nginx) run nginx "http://127.0.0.1:$NGINX_PORT" ;;
    *) run_airlock "$1" "$2" "$3" ;;
  esac
}
rounds() { # every target ROUNDS times, the order reversed every other round
  for round in $(seq 1 "${ROUNDS:-3}"); do
    if [ $((round % 2)) = 1 ]; then order=("${TARGETS[@]}"); else order=(); for t in "${TARGETS[@]}"; do order=("$t" "${order[@]}"); done; fi
    for t in "${order[@]}"; do measure $t; done
  done
}
summarize() { # results file
  python3 - "$1" <<'PY'
import statistics, sys
runs = {}
for l in open(sys.argv[1]):
    if l.strip():
        runs.setdefault(l.split()[0], []).append([float(x) for x in l.split()[1:]])
# The median of each column over the rounds.
r = {name: [statistics.median(col) for col in zip(*rows)] for name, rows in runs.items()}
print(f"# medians over {len(runs['direct'])} rounds: name req/s p50_ms p99_ms")
for name, m in r.items():
    print(f"# median {name:16} {m[0]:.0f} {m[1]:.3f} {m[2]:.3f}")
d, n = r["direct"], r["nginx"]
print(f"# nginx         adds p50 {n[1]-d[1]:+.3f} ms, p99 {n[2]-d[2]:+.3f} ms; req/s {n[0]/d[0]:.2f}x direct")
for name in ("airlock", "airlock-tmpfs", "airlock-baseline"):
    if name not in r: continue
    a = r[name]
    print(f"# {name:13} adds p50 {a[1]-d[1]:+.3f} ms, p99 {a[2]-d[2]:+.3f} ms; req/s {a[0]/d[0]:.2f}x direct, {a[0]/n[0]:.2f}x nginx")
if "airlock-baseline" in runs:
    pairs = [a[0] / b[0] for a, b in zip(runs["airlock"], runs["airlock-baseline"])]
    print("# airlock / airlock-baseline req/s, round by round: " + ", ".join(f"{x:.2f}" for x in pairs)
          + f"; median {statistics.median(pairs):.2f}")
PY
}
rounds | tee "$WORK/results.txt"
cat "$WORK/index.txt"
summarize "$WORK/results.txt"
# Latency without queueing. Saturated, a closed loop's latency is mostly waiting in line (64
# connections / throughput); here every connection pauses PACE_MS (default 10) on average after each
# answer, so each target gets about 64 / (PACE_MS + latency) requests per second, below what any of
# them serves, and latency is what a request costs. Same rounds, same order.
echo "# paced: on average $PACE ms (exponential) between a connection's answer and its next request"
: > "$WORK/index.txt"
PACE_MS=$PACE rounds | tee "$WORK/paced.txt"
cat "$WORK/index.txt"
summarize "$WORK/paced.txt"
# Streaming: time to first token, one request at a time (nothing else running). The warm-up above
# sent only non-streamed requests, so the streamed path is warmed first (STREAM_WARMUP seconds of
# streams, 16 connections, per target), then measured twice: a new connection per stream
# (ttft.py), and one kept-alive connection as OpenAI's clients keep them (keepalive-stream.py).
STREAM_WARMUP=${STREAM_WARMUP:-30}
echo "# streaming time to first token, after ${STREAM_WARMUP}s of streams: name median_ms p90_ms"
TTFT_ROWS=("direct $STANDIN_PORT -" "nginx $NGINX_PORT -" "airlock $AIRLOCK_PORT $DISK_KEY" "airlock-tmpfs $TMPFS_PORT $TMPFS_KEY")
[ -z "${BASELINE_JAR:-}" ] || TTFT_ROWS+=("airlock-baseline $BASELINE_PORT $BASELINE_KEY")
for row in "${TTFT_ROWS[@]}"; do
  set -- $row
  BENCH_KEY=$([ "$3" = "-" ] || echo "$3") wrk -t2 -c16 -d"${STREAM_WARMUP}s" -s "$ROOT/appliance-server/bench/stream.lua" \
    "http://127.0.0.1:$2/v1/chat/completions" > /dev/null
  [ "$3" = "-" ] || await_index "$2"
  echo "ttft-$1 new connection each: $(python3 "$ROOT/appliance-server/bench/ttft.py" 127.0.0.1 "$2" "$3" 200)"
  echo "ttft-$1 kept-alive: $(python3 "$ROOT/appliance-server/bench/keepalive-stream.py" 127.0.0.1 "$2" "$3" 300)"
done
# Where Airlock's time went, from its own /metrics (whole run, warm-up included).
METRIC_ROWS=("airlock $AIRLOCK_PORT" "airlock-tmpfs $TMPFS_PORT")
[ -z "${BASELINE_JAR:-}" ] || METRIC_ROWS+=("airlock-baseline $BASELINE_PORT")
for row in "${METRIC_ROWS[@]}"; do
  set -- $row
  curl -fs -H "authorization: Bearer $OPERATOR" "http://127.0.0.1:$2/metrics" | python3 -c '
import sys, re
name = sys.argv[1]; m = sys.stdin.read()
def total(metric, part):
    return sum(float(v) for v in re.findall(r"^" + metric + "_" + part + r"(?:\{[^}]*\})? ([0-9.eE+-]+)$", m, re.M))
a_n, a_s = total("airlock_audit_append_seconds", "count"), total("airlock_audit_append_seconds", "sum")
o_n, o_s = total("airlock_gateway_overhead_seconds", "count"), total("airlock_gateway_overhead_seconds", "sum")
r_n, r_s = total("airlock_gateway_request_duration_seconds", "count"), total("airlock_gateway_request_duration_seconds", "sum")
print(f"# {name}: {int(a_n)} audit appends, mean {a_s / a_n * 1e3:.2f} ms; mean request {r_s / r_n * 1e3:.2f} ms"
      f" of which gateway (backend excluded) {o_s / o_n * 1e3:.2f} ms")
' "$1"
done
# The disk's own fsync latency, measured right after, in the same data directory's file system.
python3 - "$WORK" <<'PY'
import os, sys, time
f = os.open(os.path.join(sys.argv[1], "fsync-probe"), os.O_WRONLY | os.O_CREAT | os.O_APPEND)
ts = []
for _ in range(200):
    os.write(f, b"x" * 600)
    t = time.perf_counter(); os.fdatasync(f); ts.append(time.perf_counter() - t)
ts.sort()
print(f"# fdatasync of 600 B on the audit disk, idle: p50 {ts[100]*1e3:.3f} ms, p99 {ts[197]*1e3:.3f} ms")
PY
