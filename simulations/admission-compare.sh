#!/usr/bin/env bash
# Admission control, measured: the same stepped steady load past saturation against a node with the default
# location admission limit (treasure-hunt.ws.max-locations-in-flight = 1000) and against one with admission
# effectively off (1,000,000: every report queues for its entity, as before the limit existed), alternating,
# RUNS times each. Every run has a fresh node and data directory on fixed loopback ports; stops by itself.
#
#   bash simulations/admission-compare.sh                 # 2 runs each, ~20 minutes
#   RUNS=1 USERS=1000 STEPS=1000,500 bash simulations/admission-compare.sh
#
# Results: simulations/target/summaries/steady-*.json, copied as admission-<limit>-<run>.json; the script
# prints the per-step figures of each run at the end.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
RUNS="${RUNS:-2}"; USERS="${USERS:-2000}"; HUNTS="${HUNTS:-40}"; STEPS="${STEPS:-1000,500,333,250}"; STEP_S="${STEP_S:-45}"
OUT="$ROOT/simulations/target/summaries"; mkdir -p "$OUT"
WORK="$(mktemp -d /tmp/th-admission.XXXXXX)"
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
  for limit in 1000 1000000; do
    rm -rf "$WORK/data"
    TH_DATA_DIR="$WORK/data" TH_HTTP_PORT=18100 TH_MANAGEMENT_PORT=18578 TH_CLUSTER_PORT=25640 TH_ADMIN_TOKEN=sim-admin \
      TH_LOG_LEVEL=WARNING TH_WS_MAX_LOCATIONS_IN_FLIGHT=$limit \
      java -Xms4g -Xmx4g -XX:MaxGCPauseMillis=20 -jar "$WORK/node.jar" > "$WORK/node-$limit-$run.log" 2>&1 &
    NODE_PID=$!
    for _ in $(seq 1 120); do curl -sf -o /dev/null http://127.0.0.1:18578/ready && break; sleep 0.5; done
    echo "admission: run $run, limit $limit"
    mvn -B -q -f simulations/pom.xml gatling:test -Dgatling.simulationClass=treasurehunt.simulations.SteadySimulation \
      -DbaseUrl=http://127.0.0.1:18100 -DadminToken=sim-admin -Dusers="$USERS" -Dhunts="$HUNTS" -Dramp=40 \
      -Dsteps="$STEPS" -DstepS="$STEP_S" -DchatP=0.002 -Dp99Ms=100000 -DminOkPercent=0 -DsummaryDir="$OUT" > "$WORK/gatling.log" 2>&1 || true
    cp "$OUT/steady-latest.json" "$OUT/admission-$limit-$run.json"
    stop_node
  done
done

python3 - "$OUT" "$RUNS" "$STEPS" <<'PY'
import json, sys
out, runs, steps = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(",")
print("limit    run step  asked/s  ok/s  overloaded/s  unavailable/s  ok p50 ms  ok p99 ms  ok p99.9 ms")
for limit in ("1000", "1000000"):
    for run in range(1, runs + 1):
        d = json.load(open(f"{out}/admission-{limit}-{run}.json"))
        f, h = d["facts"], d["histograms"]
        for i, ms in enumerate(steps, 1):
            ok = h.get(f"latency_us.location.ok.players.step{i}-{ms}ms", {})
            g = lambda k: ok.get(k, 0) / 1000
            users = int(d["settings"].split("users=")[1].split()[0])
            print(f"{limit:>8} {run:>3} {i:>4} {round(users * 1000 / int(ms)):>8} "
                  f"{f.get(f'step{i}.locationOkPerSecond', 0):>5} {f.get(f'step{i}.locationOverloadedPerSecond', 0):>13} "
                  f"{f.get(f'step{i}.locationUnavailablePerSecond', 0):>14} {g('p50'):>10.1f} {g('p99'):>10.1f} {g('p999'):>12.1f}")
PY
