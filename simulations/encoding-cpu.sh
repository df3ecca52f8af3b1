#!/usr/bin/env bash
# Issue 14: node CPU per location report, JSON vs CBOR (BENCHMARKS.md, "Issue 14: JSON vs CBOR"). Builds the
# engine jar and the test classes of this tree, starts one node on free loopback ports with its own temporary
# data directory (the tests' admin token, limits per connection and per address switched off), then runs
# treasurehunt.bench.EncodingCpu: per round, PLAYERS clients of each encoding walk REPORTS reports in all, one
# report at a time each (after a warm-up of both encodings), and the node's CPU time (/proc/PID/stat) over them is divided by the reports. Prints
# each round and the medians with the ratio CBOR/JSON measured round by round. Stops the node on exit.
#
#   bash simulations/encoding-cpu.sh                       # 20 players, 4000 reports, 5 rounds
#   PLAYERS=20 REPORTS=4000 ROUNDS=5 bash simulations/encoding-cpu.sh
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

PLAYERS="${PLAYERS:-20}"; REPORTS="${REPORTS:-4000}"; ROUNDS="${ROUNDS:-5}"
WORK="$(mktemp -d /tmp/th-enc.XXXXXX)"
NODE_PID=""
source "$ROOT/simulations/lib/node.sh"
trap node_cleanup EXIT

mvn -B -q package -DskipTests -Dspotless.check.skip=true
mvn -B -q test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$WORK/cp.txt" \
  -Dspotless.check.skip=true > /dev/null
cp target/treasure-hunt.jar "$WORK/node.jar"

HTTP_PORT=$(free_port); MGMT_PORT=$(free_port); CLUSTER_PORT=$(free_port)
TH_DATA_DIR="$WORK/data" TH_HTTP_PORT="$HTTP_PORT" TH_HTTP_INTERFACE=127.0.0.1 TH_MANAGEMENT_PORT="$MGMT_PORT" \
  TH_CLUSTER_HOST=127.0.0.1 TH_CLUSTER_PORT="$CLUSTER_PORT" TH_ADMIN_TOKEN=test-admin-token TH_LOG_LEVEL=WARNING \
  TH_REGISTRATIONS_PER_MINUTE=0 TH_CHAT_PER_MINUTE=0 TH_WS_RATE=10000 \
  java @cluster-config/jvm.options -Xmx1g -jar "$WORK/node.jar" > "$WORK/node.log" 2>&1 &
NODE_PID=$!
for i in $(seq 1 240); do
  if ! kill -0 "$NODE_PID" 2>/dev/null; then echo "encoding-cpu: the node exited"; exit 1; fi
  if ! port_free "$HTTP_PORT"; then break; fi
  sleep 0.5
done
echo "encoding-cpu: node $NODE_PID on port $HTTP_PORT; $PLAYERS players, $REPORTS reports, $ROUNDS rounds"
java -cp "target/test-classes:target/classes:$(cat "$WORK/cp.txt")" treasurehunt.bench.EncodingCpu \
  "$HTTP_PORT" "$NODE_PID" "$PLAYERS" "$REPORTS" "$ROUNDS"
