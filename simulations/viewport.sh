#!/usr/bin/env bash
# Viewport bandwidth (issue 14, protocol 1.1), small and < 2 minutes a run: starts one node from the jar on
# free ports, then runs HotHuntSimulation twice on fresh hunts — spectators on v1 `positions`, then the same
# spectators each with a `view` of VIEW_KM km² — and prints the position bytes per second per spectator of
# each run (fact `positionBytesPerSecondPerSpectator`, from the window after the ramp). The lead's full run
# is 10,000 players reporting every 10 s with 100 spectators: VIEW_USERS=10000 VIEW_SPECTATORS=100.
#
#   bash simulations/viewport.sh
#   VIEW_USERS=300 VIEW_SPECTATORS=20 VIEW_KM=1 VIEW_DURATION=40 bash simulations/viewport.sh
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

USERS="${VIEW_USERS:-300}"
SPECTATORS="${VIEW_SPECTATORS:-20}"
KM="${VIEW_KM:-1}"
DURATION="${VIEW_DURATION:-40}"
RAMP="${VIEW_RAMP:-30}"   # a hot hunt admits a few tens of joins a second (BENCHMARKS.md §6)
POLL_MS="${VIEW_POLL_MS:-10000}"
WORK="$(mktemp -d /tmp/th-viewport.XXXXXX)"
NODE_PID=""

source "$ROOT/simulations/lib/node.sh"
trap node_cleanup EXIT

if [[ ! -f target/treasure-hunt.jar ]]; then
  echo "viewport: building the engine jar"
  mvn -B -q package -DskipTests -Dspotless.check.skip=true
fi
cp target/treasure-hunt.jar "$WORK/node.jar"

HTTP_PORT=$(free_port); MGMT_PORT=$(free_port); CLUSTER_PORT=$(free_port)
ADMIN="viewport-admin-token-$RANDOM$RANDOM"
TH_DATA_DIR="$WORK/data" TH_HTTP_PORT="$HTTP_PORT" TH_HTTP_INTERFACE=127.0.0.1 TH_MANAGEMENT_PORT="$MGMT_PORT" \
  TH_CLUSTER_HOST=127.0.0.1 TH_CLUSTER_PORT="$CLUSTER_PORT" TH_ADMIN_TOKEN="$ADMIN" TH_LOG_LEVEL=WARNING \
  TH_REGISTRATIONS_PER_MINUTE=0 TH_CHAT_PER_MINUTE=0 \
  java @cluster-config/jvm.options -Xmx1g -jar "$WORK/node.jar" > "$WORK/node.log" 2>&1 &
NODE_PID=$!
for i in $(seq 1 240); do
  if ! kill -0 "$NODE_PID" 2>/dev/null; then echo "viewport: the node exited"; exit 1; fi
  if ! port_free "$HTTP_PORT"; then break; fi
  sleep 0.5
done

for km in 0 "$KM"; do
  timeout 150 mvn -B -q -f simulations/pom.xml gatling:test \
    -Dgatling.simulationClass=treasurehunt.simulations.HotHuntSimulation \
    -DbaseUrl="http://127.0.0.1:$HTTP_PORT" -DadminToken="$ADMIN" \
    -Dusers="$USERS" -Dspectators="$SPECTATORS" -DviewKm="$km" -Dramp="$RAMP" -Dduration="$DURATION" \
    -DpollMs="$POLL_MS" -DchatP=0 -Dp99Ms=5000 > "$WORK/run-$km.log" 2>&1 \
    || echo "viewport: viewKm=$km: the run failed an assertion (see below); its summary still counts the bytes"
  grep -E "^(Global|register|invite|location|stream integrity|view):" "$WORK/run-$km.log" | sed -e 's/^/viewport:   /' || true
  SUMMARY=simulations/target/summaries/hothunt-latest.json
  echo "viewport: viewKm=$km ($USERS players every ${POLL_MS} ms, $SPECTATORS spectators):"
  grep -E '"(positionBytesPerSecondPerSpectator|rate\.(bytes|deliveries)\.(positions|moves)\.perSecond|rate\.ok\.location\.perSecond)"' \
    "$SUMMARY" | sed -e 's/^ */viewport:   /' -e 's/,$//' || true
done
