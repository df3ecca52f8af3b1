#!/usr/bin/env bash
# A/B runs of one simulation against nodes that differ in one setting, alternating, each run on a fresh
# node and data directory (fixed loopback ports 18100/18578/25640); stops by itself.
#
#   bash simulations/compare.sh <ENV_VAR> "<value A> <value B>" <SimulationClass> [-Dgatling args...]
#   e.g. RUNS=2 bash simulations/compare.sh TH_HUNT_BATCH_MAX "200 1" HotHuntSimulation -Dusers=1000 -Dspectators=100
#
# The node runs with -Xms4g -Xmx4g -XX:MaxGCPauseMillis=20 (NODE_OPTS to change). Each run's JSON summary
# is copied to simulations/target/summaries/<NAME>-<value>-<run>.json (NAME defaults to the class, lower
# case); then `python3 simulations/compare_table.py` prints them side by side (KEYS: regex of the facts,
# counters and histograms to show).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
VAR="$1"; VALUES="$2"; CLASS="$3"; shift 3
RUNS="${RUNS:-2}"; NAME="${NAME:-$(echo "$CLASS" | tr 'A-Z' 'a-z')}"
NODE_OPTS="${NODE_OPTS:--Xms4g -Xmx4g -XX:MaxGCPauseMillis=20}"
OUT="$ROOT/simulations/target/summaries"; mkdir -p "$OUT"
WORK="$(mktemp -d /tmp/th-compare.XXXXXX)"
NODE_PID=""
stop_node() {
  if [[ -n "$NODE_PID" ]] && kill -0 "$NODE_PID" 2>/dev/null; then
    kill "$NODE_PID" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$NODE_PID" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$NODE_PID" 2>/dev/null || true
  fi
  NODE_PID=""
}
trap 'stop_node; rm -rf "$WORK"' EXIT

[[ -f target/treasure-hunt.jar ]] || mvn -B -q package -DskipTests
cp target/treasure-hunt.jar "$WORK/node.jar"
mvn -B -q -f simulations/pom.xml test-compile

for run in $(seq 1 "$RUNS"); do
  for value in $VALUES; do
    rm -rf "$WORK/data"
    # shellcheck disable=SC2086
    env TH_DATA_DIR="$WORK/data" TH_HTTP_PORT=18100 TH_MANAGEMENT_PORT=18578 TH_CLUSTER_PORT=25640 \
      TH_ADMIN_TOKEN=sim-admin-token-0001 TH_LOG_LEVEL=WARNING \
      TH_REGISTRATIONS_PER_MINUTE=0 TH_CHAT_PER_MINUTE=0 "$VAR=$value" \
      java $NODE_OPTS -jar "$WORK/node.jar" > "$WORK/node.log" 2>&1 &
    NODE_PID=$!
    for _ in $(seq 1 240); do curl -sf -o /dev/null http://127.0.0.1:18578/ready && break; sleep 0.5; done
    echo "compare: run $run, $VAR=$value, $CLASS"
    mvn -B -q -f simulations/pom.xml gatling:test -Dgatling.simulationClass="treasurehunt.simulations.$CLASS" \
      -DbaseUrl=http://127.0.0.1:18100 -DadminToken=sim-admin-token-0001 -DsummaryDir="$WORK/summary" "$@" \
      > "$WORK/gatling.log" 2>&1 || echo "compare: the run missed its thresholds (figures kept)"
    latest=$(ls -t "$WORK"/summary/*-latest.json 2>/dev/null | head -1 || true)
    if [[ -z "$latest" ]]; then echo "compare: no summary written"; tail -20 "$WORK/gatling.log"; exit 1; fi
    cp "$latest" "$OUT/$NAME-$value-$run.json"
    rm -rf "$WORK/summary"
    stop_node
  done
done
echo "compare: summaries in $OUT/$NAME-<value>-<run>.json"
