#!/usr/bin/env bash
# What one location report costs the node in its closed loop: accepted reports a second, the node's CPU
# per report and the bytes it allocates per report, measured by the node itself. An A/B tool for changes
# too small for ratio.sh's ratio (whose echo half alone moves ±10 % between runs on a shared machine):
# no echo run, a fresh node per run (fresh data directory), about 2.5 minutes, stops by itself (a hard
# `timeout` around everything, 400 s by default) and kills what it started on exit.
#
#   bash simulations/per-report.sh                                  # target/treasure-hunt.jar, as shipped
#   NODE_JAR=/tmp/a.jar LABEL=a bash simulations/per-report.sh      # another build
#   NODE_OPTS="-Dakka.actor.default-dispatcher.throughput=10" LABEL=t10 bash simulations/per-report.sh
#
# The load: SteadySimulation, 2,000 clients over 20 s, then steps of 30 s at 1k/s, 2k/s and the closed
# model (every client sends its next report when the previous one is answered), as ratio.sh's short runs.
# The window: 15 s of the closed step, from ~10 s into it (located by the node's first location command).
# Figures, from the node's /metrics at both ends of the window and /proc:
#   reports          th_command_seconds_count{type="location"} (every answered location report)
#   alloc/report     jvm_gc_memory_allocated_bytes_total (Micrometer; counted at each young collection,
#                    so ±1 collection, ~7 % of a 15 s window: compare medians of several runs)
#   node CPU/report  the node JVM's user + system ticks
#   gc pause         jvm_gc_pause_seconds_sum
#   PostgreSQL CPU/report  the embedded PostgreSQL's ticks (the postmaster and its backends), per report
# and the Gatling summary's accepted reports a second of each step. The last line prints them all.
#
# SERIES=n instead: n snapshots 15 s apart from ~10 s after the node's first location report, and a line per
# 15 s window (reports/s, CPU per report, of which the JIT compiler threads'), e.g. how a node warms up under
# a closed loop straight after the ramp, with and without its warm-up (BENCHMARKS.md, issue 13, "session 14"):
#   SERIES=12 STEPS=0 STEP_S=200 PR_TIMEOUT=500 LABEL=warm bash simulations/per-report.sh
#   TH_WARM_UP=0s SERIES=12 STEPS=0 STEP_S=200 PR_TIMEOUT=500 LABEL=cold bash simulations/per-report.sh
#
# Environment: LABEL (run), NODE_JAR (target/treasure-hunt.jar; built when missing), NODE_OPTS (more JVM
# options for the node, after @cluster-config/jvm.options), HEAP (2g), WINDOW_AT (99 s after the first
# location command), WINDOW_S (15), SERIES (off), STEPS (2000,1000,0), STEP_S (30), PR_TIMEOUT (400 s), HTTP_PORT (18310), MGMT_PORT (18311), CLUSTER_PORT
# (25650). Results stay in simulations/target/per-report/<label>-<time>/.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
if [[ -z "${PR_INNER:-}" ]]; then
  exec timeout --kill-after=20 "${PR_TIMEOUT:-400}" env PR_INNER=1 bash "$0" "$@"
fi
LABEL="${LABEL:-run}"; NODE_JAR="${NODE_JAR:-target/treasure-hunt.jar}"; HEAP="${HEAP:-2g}"
HTTP_PORT="${HTTP_PORT:-18310}"; MGMT_PORT="${MGMT_PORT:-18311}"; CLUSTER_PORT="${CLUSTER_PORT:-25650}"
ADMIN="per-report-admin-token-$RANDOM$RANDOM"
OUT="$ROOT/simulations/target/per-report/$LABEL-$(date +%H%M%S)"; mkdir -p "$OUT"
WORK="$(mktemp -d /tmp/th-per-report.XXXXXX)"
NPID=""
cleanup() {
  local rc=$?; trap - EXIT
  if [[ -n "$NPID" ]] && kill -0 "$NPID" 2>/dev/null; then
    kill "$NPID" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$NPID" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$NPID" 2>/dev/null || true
  fi
  local pg="$WORK/data/postgres/postmaster.pid"
  if [[ -f "$pg" ]]; then kill "$(head -1 "$pg")" 2>/dev/null || true; sleep 1; fi
  rm -rf "$WORK"; exit "$rc"
}
trap cleanup EXIT
trap 'echo "per-report: stopped (time limit or signal)" >&2; exit 143' TERM INT

for p in "$HTTP_PORT" "$MGMT_PORT" "$CLUSTER_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "per-report: port $p is in use"; exit 1; fi
done
[[ -f "$NODE_JAR" ]] || mvn -B -q package -DskipTests
cp "$NODE_JAR" "$WORK/node.jar"
# shellcheck disable=SC2206
EXTRA=(${NODE_OPTS:-})
env TH_DATA_DIR="$WORK/data" TH_HTTP_PORT="$HTTP_PORT" TH_HTTP_INTERFACE=127.0.0.1 \
  TH_MANAGEMENT_PORT="$MGMT_PORT" TH_CLUSTER_HOST=127.0.0.1 TH_CLUSTER_PORT="$CLUSTER_PORT" \
  TH_ADMIN_TOKEN="$ADMIN" TH_LOG_LEVEL=WARNING TH_REGISTRATIONS_PER_MINUTE=0 TH_CHAT_PER_MINUTE=0 \
  java @cluster-config/jvm.options "-Xms$HEAP" "-Xmx$HEAP" "${EXTRA[@]}" -jar "$WORK/node.jar" \
  > "$OUT/node.log" 2>&1 &
NPID=$!
for _ in $(seq 1 240); do curl -sf -o /dev/null "http://127.0.0.1:$MGMT_PORT/ready" && break; sleep 0.5; done
curl -sf -o /dev/null "http://127.0.0.1:$MGMT_PORT/ready" || { echo "per-report: the node did not start"; tail -30 "$OUT/node.log"; exit 1; }

metric() { # <metrics text> <awk pattern>: the sum of the matching samples (the value is the last field)
  echo "$1" | awk -v p="$2" '$0 ~ p {s += $NF} END {printf "%.0f", s}'
}
jit_ticks() { # the node's JIT compiler threads' ticks (C1 and C2 CompilerThread*)
  local t=0 d
  for d in /proc/"$NPID"/task/*; do
    case "$(cat "$d/comm" 2>/dev/null)" in
      C1*|C2*) t=$((t + $(awk '{print $14+$15}' "$d/stat" 2>/dev/null || echo 0))) ;;
    esac
  done
  echo "$t"
}
pg_ticks() { # the embedded PostgreSQL's ticks: the postmaster and its children (the backends)
  local pm t=0 q; pm=$(head -1 "$WORK/data/postgres/postmaster.pid" 2>/dev/null || true)
  for q in $pm $( [[ -n "$pm" ]] && pgrep -P "$pm" 2>/dev/null ); do
    t=$((t + $(awk '{print $14+$15}' "/proc/$q/stat" 2>/dev/null || echo 0)))
  done
  echo "$t"
}
snap() { # one line: label, allocated bytes, location commands, node ticks, GC pause seconds, PG ticks
  local m; m=$(curl -s "http://127.0.0.1:$MGMT_PORT/metrics")
  echo "$1 $(metric "$m" '^jvm_gc_memory_allocated_bytes_total') \
$(metric "$m" '^th_command_seconds_count\\{.*type="location"') \
$(awk '{print $14+$15}' "/proc/$NPID/stat") \
$(echo "$m" | awk '/^jvm_gc_pause_seconds_sum/ {s += $NF} END {print s + 0}') $(pg_ticks) $(jit_ticks) \
$(date +%s%3N)" >> "$OUT/snaps.txt"
}
(
  for _ in $(seq 1 300); do
    [[ "$(metric "$(curl -s "http://127.0.0.1:$MGMT_PORT/metrics")" '^th_command_seconds_count\\{.*type="location"')" != "0" ]] && break
    sleep 1
  done
  if [[ -n "${SERIES:-}" ]]; then
    sleep 10; for i in $(seq 1 "$SERIES"); do snap "s$i"; sleep 15; done
  else
    sleep "${WINDOW_AT:-99}"; snap a; sleep "${WINDOW_S:-15}"; snap b
  fi
) &
SNAP=$!
mvn -B -q -f simulations/pom.xml gatling:test -Dgatling.simulationClass=treasurehunt.simulations.SteadySimulation \
  -DbaseUrl="http://127.0.0.1:$HTTP_PORT" -DsummaryDir="$OUT/summary" -Dusers=2000 -Dramp=20 \
  -Dsteps="${STEPS:-2000,1000,0}" -DstepS="${STEP_S:-30}" -Dhunts=40 -DchatP=0 -Dp99Ms=600000 -DminOkPercent=0 -Dseed=42 \
  -DadminToken="$ADMIN" > "$OUT/gatling.log" 2>&1 || echo "per-report: the simulation missed its assertions (figures kept)"
wait "$SNAP"
python3 - "$OUT" "$LABEL" <<'PY'
import glob, json, sys
out, label = sys.argv[1], sys.argv[2]
snaps = [l.split() for l in open(out + "/snaps.txt")]
facts = json.load(open(sorted(glob.glob(out + "/summary/*-latest.json"))[-1]))["facts"]
steps = [facts[k] for k in sorted(facts) if k.startswith("step") and k.endswith("locationOkPerSecond")]
def window(a, b):
    n = float(b[2]) - float(a[2])
    return n, (f"alloc/report {(float(b[1]) - float(a[1])) / n / 1024:.1f} KB, "
               f"node CPU/report {(int(b[3]) - int(a[3])) * 1e6 / 100 / n:.0f} us "
               f"(JIT threads {(int(b[6]) - int(a[6])) * 1e6 / 100 / n:.0f}), "
               f"PostgreSQL CPU/report {(int(b[5]) - int(a[5])) * 1e6 / 100 / n:.0f} us, "
               f"gc pause {1000 * (float(b[4]) - float(a[4])):.0f} ms")
if len(snaps) > 2:  # SERIES: one line per 15 s window, from ~10 s after the first location report
    for i, (a, b) in enumerate(zip(snaps, snaps[1:])):
        n, text = window(a, b)
        secs = (int(b[7]) - int(a[7])) / 1000
        print(f"  {10 + 15 * i:>4}-{10 + 15 * (i + 1):<4} s: {n / secs:,.0f} reports/s, {text}")
    a, b = snaps[-2], snaps[-1]
else:
    a, b = snaps
n, text = window(a, b)
print(f"per-report {label}: accepted/s by step {steps}; window: {n:.0f} reports, {text}")
PY
