#!/usr/bin/env bash
# Bundle import benchmark: Airlock's import (hash + copy + fsync + catalog, one pass over the tar)
# against `sha256sum` plus a plain `cp` (and sync) of the same bundle, side by side in one run.
# Usage: model-vault/bench/bundle-import.sh [SIZE_MIB=10240] [FILES=20] [ROUNDS=3] [WORK_DIR]
# Needs a JDK 21+ in JAVA_HOME and `mvn` (builds model-vault's classes first).
set -euo pipefail
SIZE_MIB=${1:-10240}
FILES=${2:-20}
ROUNDS=${3:-3}
WORK=${4:-$(mktemp -d /tmp/airlock-bench.XXXXXX)}
HEAP=${HEAP:-256m}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java

cd "$ROOT"
mvn -B -q -o -pl model-vault -am test-compile dependency:build-classpath \
  -Dmdep.outputFile="$WORK/cp.txt" -Dmdep.includeScope=test >/dev/null
# A private copy of the classes, so that rebuilding during a long run cannot change them.
rm -rf "$WORK/classes" && mkdir -p "$WORK/classes"
cp -r model-vault/target/classes "$WORK/classes/main" && cp -r model-vault/target/test-classes "$WORK/classes/test"
CP="$WORK/classes/test:$WORK/classes/main:$(cat "$WORK/cp.txt")"
run() { "$JAVA" "-Xmx$HEAP" -cp "$CP" dev.airlock.vault.bench.ImportBenchmark "$@"; }
now() { date +%s%N; }

echo "generating ${SIZE_MIB} MiB in ${FILES} files under $WORK"
run generate "$WORK/model" "$SIZE_MIB" "$FILES"
run bundle "$WORK/model" "$WORK/bundle.tar" "$WORK/keys"
rm -rf "$WORK/model"   # only the bundle is needed from here on
BYTES=$(stat -c %s "$WORK/bundle.tar")
echo "bundle: $BYTES bytes; heap limit $HEAP; $(nproc) cores"

for i in $(seq 1 "$ROUNDS"); do
  sync
  t0=$(now); sha256sum "$WORK/bundle.tar" >/dev/null; t1=$(now)
  cp "$WORK/bundle.tar" "$WORK/copy.tar"; sync "$WORK/copy.tar"; t2=$(now)
  rm -f "$WORK/copy.tar"; sync
  t3=$(now); out=$(run import "$WORK/bundle.tar" "$WORK/data" "$WORK/keys/public.pem"); t4=$(now)
  rm -rf "$WORK/data"; sync
  echo "round $i: sha256sum_ms=$(( (t1-t0)/1000000 )) cp_sync_ms=$(( (t2-t1)/1000000 )) baseline_ms=$(( (t2-t0)/1000000 )) airlock_process_ms=$(( (t4-t3)/1000000 )) $out"
done | tee "$WORK/results.txt"

python3 - "$WORK/results.txt" "$BYTES" <<'PY'
import re, statistics, sys
rows = [dict(re.findall(r'(\w+)=(\S+)', l)) for l in open(sys.argv[1])]
b = int(sys.argv[2])
med = lambda k: statistics.median(int(r[k]) for r in rows)
base, imp, proc = med('baseline_ms'), med('import_ms'), med('airlock_process_ms')
mibs = lambda ms: b / 2**20 / (ms / 1000)
print(f"median sha256sum {med('sha256sum_ms')} ms, cp+sync {med('cp_sync_ms')} ms, baseline {base} ms ({mibs(base):.0f} MiB/s)")
print(f"median Airlock import {imp} ms ({mibs(imp):.0f} MiB/s), whole process {proc} ms")
print(f"ratio (baseline time / import time): {base/imp:.2f}; with JVM start: {base/proc:.2f}")
print(f"peak heap MiB: {max(int(r['peak_heap_mib']) for r in rows)} of {rows[0]['max_heap_mib']}")
PY
rm -rf "$WORK/bundle.tar" "$WORK/keys" "$WORK/classes"
