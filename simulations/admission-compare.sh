#!/usr/bin/env bash
# Admission control, measured: the same stepped steady load past saturation against a node with the default
# location admission limit (treasure-hunt.ws.max-locations-in-flight = 1000) and against one with admission
# effectively off (1,000,000: every report queues for its entity, as before the limit existed), alternating,
# RUNS times each (simulations/compare.sh: a fresh node and data directory per run; stops by itself).
#
#   bash simulations/admission-compare.sh                 # 2 runs each, ~20 minutes
#   RUNS=1 USERS=1000 STEPS=1000,500 bash simulations/admission-compare.sh
#
# Results: simulations/target/summaries/admission-<limit>-<run>.json; the script
# prints the per-step figures of each run at the end.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
RUNS="${RUNS:-2}"; USERS="${USERS:-2000}"; HUNTS="${HUNTS:-40}"; STEPS="${STEPS:-1000,500,333,250}"; STEP_S="${STEP_S:-45}"
OUT="$ROOT/simulations/target/summaries"
NAME=admission RUNS="$RUNS" bash simulations/compare.sh TH_WS_MAX_LOCATIONS_IN_FLIGHT "1000 1000000" SteadySimulation \
  -Dusers="$USERS" -Dhunts="$HUNTS" -Dramp=40 -Dsteps="$STEPS" -DstepS="$STEP_S" -DchatP=0.002 -Dp99Ms=100000 -DminOkPercent=0

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
