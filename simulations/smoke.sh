#!/usr/bin/env bash
# CI smoke simulation (< 3 minutes with the node's 20 s warm-up, stops by itself): builds the engine jar if needed, starts one node on
# unusual free ports with its own temporary data directory and admin token, waits until it answers, runs a
# short StormSimulation (a few dozen walking bots and spectators that join, report, claim, chat, all drop at
# once and resume; asserts zero gaps/duplicates, that every bot ends holding its hunt's head (the last seq it
# has equals the seq of the hunt's public view) and a successful run; reports how many resumes were answered
# by a replay of the missed events and how many by a snapshot), then stops the node (trap on EXIT).
#
#   bash simulations/smoke.sh            # from the repository root (or anywhere)
#   SMOKE_USERS=60 bash simulations/smoke.sh
#   SMOKE_ENCODING=cbor bash simulations/smoke.sh   # the bots speak CBOR (docs/protocol.md §2.1)
#
# Reports: simulations/target/gatling/stormsimulation-*/index.html and simulations/target/summaries/storm-latest.json
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

USERS="${SMOKE_USERS:-30}"
SPECTATORS="${SMOKE_SPECTATORS:-6}"
WORK="$(mktemp -d /tmp/th-smoke.XXXXXX)"
NODE_PID=""

source "$ROOT/simulations/lib/node.sh"
trap node_cleanup EXIT

if [[ ! -f target/treasure-hunt.jar ]]; then
  echo "smoke: building the engine jar"
  mvn -B -q package -DskipTests
fi
cp target/treasure-hunt.jar "$WORK/node.jar"   # a concurrent rebuild cannot pull the jar from under the node

HTTP_PORT=$(free_port); MGMT_PORT=$(free_port); CLUSTER_PORT=$(free_port)
ADMIN="smoke-admin-token-$RANDOM$RANDOM"
echo "smoke: node on http://127.0.0.1:$HTTP_PORT (management $MGMT_PORT, cluster $CLUSTER_PORT, data $WORK/data)"
# every bot registers from 127.0.0.1 and the chatters post twice a second: past the limits per address and
# per player (docs/protocol.md §9), which a load test switches off
TH_DATA_DIR="$WORK/data" TH_HTTP_PORT="$HTTP_PORT" TH_HTTP_INTERFACE=127.0.0.1 TH_MANAGEMENT_PORT="$MGMT_PORT" \
  TH_CLUSTER_HOST=127.0.0.1 TH_CLUSTER_PORT="$CLUSTER_PORT" TH_ADMIN_TOKEN="$ADMIN" TH_LOG_LEVEL=WARNING \
  TH_REGISTRATIONS_PER_MINUTE=0 TH_CHAT_PER_MINUTE=0 \
  java @cluster-config/jvm.options -Xmx1g -jar "$WORK/node.jar" > "$WORK/node.log" 2>&1 &
NODE_PID=$!

# the node opens its port after its warm-up (TH_WARM_UP, 20 s: cluster/WarmUp.java)
for i in $(seq 1 240); do
  if ! kill -0 "$NODE_PID" 2>/dev/null; then echo "smoke: the node exited"; exit 1; fi
  if ! port_free "$HTTP_PORT"; then break; fi
  sleep 0.5
  if [[ $i -eq 240 ]]; then echo "smoke: the node did not open its port within 120 s"; exit 1; fi
done
echo "smoke: node answers after ~$((i / 2)) s (its warm-up included)"

timeout 150 mvn -B -f simulations/pom.xml gatling:test \
  -Dgatling.simulationClass=treasurehunt.simulations.StormSimulation \
  -DbaseUrl="http://127.0.0.1:$HTTP_PORT" -DadminToken="$ADMIN" \
  -Dusers="$USERS" -Dspectators="$SPECTATORS" -Dhunts=2 -Dramp=5 -DstormAfter=8 -Dduration=8 \
  -DchatP=0.05 -Dp99Ms=2000 -Dencoding="${SMOKE_ENCODING:-json}"
SUMMARY=simulations/target/summaries/storm-latest.json
grep -E '"storm\.(clients|resumed|resumesAnsweredBy\.[a-z]+|clientsWithGapOrDuplicate|clientsComparedWithHead|clientsBehindHead|maxEventsBehindHead)"' \
  "$SUMMARY" | sed -e 's/^ */smoke: /' -e 's/,$//' || true
echo "smoke: simulation passed (report under simulations/target/gatling/, summary $SUMMARY)"
