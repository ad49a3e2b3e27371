#!/usr/bin/env bash
# Server start to ready, on the demo's data directory: after './airlock demo' ran once and was
# stopped with Ctrl-C, the model is still ACTIVE there, so a server started on it brings its engine
# up by itself. Each run launches the server jar and measures, from the launch:
#   ready  /health/ready answers 200 (database and data directory UP)
#   model  a chat completion (max_tokens 1) through /v1 with the demo's app key answers 200
#          (the model is active and its engine is loaded and healthy)
#   cpu    CPU time (user + system) the server process had used when it was ready: on a busy
#          machine the wall-clock figures mostly measure waiting for a core, this one does not
# then stops it with SIGTERM (a script's background jobs ignore SIGINT). The baseline in the same
# run: 'java -version', the JVM alone.
# Usage (from the repository root):  appliance-server/bench/demo-start.sh [RUNS] [DATA_DIR]
set -euo pipefail
RUNS=${1:-3}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DATA=$(cd "${2:-$ROOT/data/demo}" && pwd)
JAVA=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
JAR=$ROOT/appliance-server/target/airlock-server.jar
KEY=$(cat "$DATA/app-key")
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now_ms() { date +%s%3N; }

run() { # $1 = label; prints "label ready_ms model_ms cpu_ms"
  local label=$1
  local port; port=$(free_port)
  local t0; t0=$(now_ms)
  AIRLOCK_DATA_DIR=$DATA MICRONAUT_SERVER_PORT=$port AIRLOCK_LOG_LEVEL=WARN "$JAVA" -jar "$JAR" >/dev/null 2>&1 &
  PID=$!
  until curl -fs -o /dev/null "http://127.0.0.1:$port/health/ready"; do sleep 0.02; done
  local t1; t1=$(now_ms)
  local cpu; cpu=$(awk -v hz="$(getconf CLK_TCK)" '{print int(($14 + $15) * 1000 / hz)}' "/proc/$PID/stat")
  until curl -fs -o /dev/null "http://127.0.0.1:$port/v1/chat/completions" -H "Authorization: Bearer $KEY" \
      -H 'Content-Type: application/json' -d '{"model":"chat-default","messages":[{"role":"user","content":"Hi"}],"max_tokens":1}'; do
    sleep 0.02
  done
  local t2; t2=$(now_ms)
  kill -TERM "$PID"; wait "$PID" 2>/dev/null || true; PID=""
  echo "$label $((t1 - t0)) $((t2 - t0)) $cpu"
}

[ -f "$JAR" ] || { echo "build first: ./airlock demo (or mvn -B -q -DskipTests package)" >&2; exit 1; }
[ -f "$DATA/app-key" ] || { echo "run ./airlock demo once first (then stop it with Ctrl-C)" >&2; exit 1; }
run warmup >/dev/null   # warms the page cache
echo "run ready_ms model_ms cpu_ms   (load average before: $(cut -d' ' -f1-3 /proc/loadavg))"
for i in $(seq 1 "$RUNS"); do
  run "$i"
  t0=$(now_ms); "$JAVA" -version 2>/dev/null; echo "java-version $(($(now_ms) - t0))"
done
echo "(load average after: $(cut -d' ' -f1-3 /proc/loadavg))"
