#!/usr/bin/env bash
# Issue 13's idle figure: one player on an otherwise idle node, on a fresh node and on the same node once
# it has served a load (its hot path compiled by the JIT, as on any node that has been serving players).
# One fresh node (embedded durable PostgreSQL, fresh data directory, loopback ports), then:
#   1. IdleLatency (150 rounds of warm-up, 40 measured): "fresh node";
#   2. a short load to warm the JIT: SteadySimulation, LOAD_USERS clients reporting LOAD_RATE reports/s
#      for LOAD_S seconds (defaults 500, 500/s, 30 s), then QUIET_S seconds (15) with nothing;
#   3. IdleLatency twice more: "after load" (the node idle again; only this player).
# Prints one line per IdleLatency run (ping, location and chat: median and p90 on the client). Stops by
# itself (a hard `timeout` of 600 s around everything) and kills what it started on exit.
#
#   bash simulations/idle.sh          # ~3 min; the jar is built when missing
#
# Environment: LOAD_USERS (500), LOAD_RATE (500), LOAD_S (30), QUIET_S (15), HTTP_PORT (18200),
# MGMT_PORT (18678), CLUSTER_PORT (25740), NODE_JAR (target/treasure-hunt.jar).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
if [[ -z "${IDLE_INNER:-}" ]]; then
  exec timeout --kill-after=20 600 env IDLE_INNER=1 bash "$0" "$@"
fi
LOAD_USERS="${LOAD_USERS:-500}"; LOAD_RATE="${LOAD_RATE:-500}"; LOAD_S="${LOAD_S:-30}"; QUIET_S="${QUIET_S:-15}"
HTTP_PORT="${HTTP_PORT:-18200}"; MGMT_PORT="${MGMT_PORT:-18678}"; CLUSTER_PORT="${CLUSTER_PORT:-25740}"
NODE_JAR="${NODE_JAR:-target/treasure-hunt.jar}"
ADMIN=idle-admin-token-0001
[[ -f "$NODE_JAR" ]] || mvn -B -q package -DskipTests
mvn -B -q -f simulations/pom.xml test-compile
WORK="$(mktemp -d /tmp/th-idle.XXXXXX)"
NODE_PID=""
source "$ROOT/simulations/lib/node.sh"
trap node_cleanup EXIT
env TH_DATA_DIR="$WORK/data" TH_HTTP_PORT="$HTTP_PORT" TH_MANAGEMENT_PORT="$MGMT_PORT" \
  TH_CLUSTER_PORT="$CLUSTER_PORT" TH_ADMIN_TOKEN="$ADMIN" TH_CHAT_PER_MINUTE=0 TH_REGISTRATIONS_PER_MINUTE=0 \
  java @cluster-config/jvm.options -jar "$NODE_JAR" > "$WORK/node.log" 2>&1 &
NODE_PID=$!
for _ in $(seq 1 240); do curl -sf -o /dev/null "http://127.0.0.1:$MGMT_PORT/ready" && break; sleep 0.5; done
idle() {
  java simulations/src/main/java/treasurehunt/baselines/IdleLatency.java --base "http://127.0.0.1:$HTTP_PORT" \
    --admin "$ADMIN" --warmup 150 --rounds 40 | tail -1 | sed "s/^idle:/$1:/"
}
idle "fresh node"
# every client reports at the step's interval: LOAD_USERS x 1000 / interval = LOAD_RATE reports/s
mvn -B -q -f simulations/pom.xml gatling:test -Dgatling.simulationClass=treasurehunt.simulations.SteadySimulation \
  -DbaseUrl="http://127.0.0.1:$HTTP_PORT" -DadminToken="$ADMIN" -DsummaryDir="$WORK/summary" \
  -Dusers="$LOAD_USERS" -Dramp=10 -Dsteps=$(( LOAD_USERS * 1000 / LOAD_RATE )) -DstepS="$LOAD_S" -Dhunts=10 \
  -DchatP=0 > "$WORK/gatling.log" 2>&1 || echo "idle: the warming load missed its thresholds (not a figure of this script)"
sleep "$QUIET_S"
idle "after load, run 1"
idle "after load, run 2"
