#!/usr/bin/env bash
# Issue 14's measurement: one hot hunt on one fresh node (durable embedded PostgreSQL, the documented JVM
# options), loaded by HotHuntSimulation; prints the figures BENCHMARKS.md records (players admitted, join
# p50/p99, location p99, deliveries/s, bytes/s per spectator and per player). Stops by itself (a hard
# `timeout` around everything, HOT_TIMEOUT s) and kills what it started on exit.
#
#   bash simulations/hothunt.sh                                  # 10,000 players, ramp 60 s, JSON
#   ENCODING=cbor bash simulations/hothunt.sh                    # the same over CBOR
#   USERS=1000 RAMP_S=20 DURATION_S=30 bash simulations/hothunt.sh    # a quick check
#   PROTOCOL=1 bash simulations/hothunt.sh                       # bots that do not ask for 1.1
#
# Environment: USERS (10000), RAMP_S (60), DURATION_S (60: after the ramp), POLL_MS (10000: one report per
# player every 10 s), SPECTATORS (100), VIEW_KM (1: each spectator watches a viewport of ~1 km²; 0: none),
# PROTOCOL (1.1), ENCODING (json), RADIUS_M (1000: the hunt's radius), TREASURES (60), HEAP (3g),
# HOT_TIMEOUT (900 s), CONNECT_ATTEMPTS (6: a failed connect is tried again after 1, 2, 4, 8, 16 s, as a
# client should), JOIN_ATTEMPTS (10: a join answered `overloaded` is sent again after its retryAfterMs;
# 1 and 1 give the earlier give-up-at-once bots). Extra generator options: GEN_OPTS.
# Node output and the summary stay in simulations/target/hothunt/.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
if [[ -z "${HOT_INNER:-}" ]]; then
  exec timeout --kill-after=20 "${HOT_TIMEOUT:-900}" env HOT_INNER=1 bash "$0" "$@"
fi
USERS="${USERS:-10000}"; RAMP_S="${RAMP_S:-60}"; DURATION_S="${DURATION_S:-60}"; POLL_MS="${POLL_MS:-10000}"
SPECTATORS="${SPECTATORS:-100}"; VIEW_KM="${VIEW_KM:-1}"; PROTOCOL="${PROTOCOL:-1.1}"; ENCODING="${ENCODING:-json}"
HEAP="${HEAP:-3g}"; CONNECT_ATTEMPTS="${CONNECT_ATTEMPTS:-6}"; JOIN_ATTEMPTS="${JOIN_ATTEMPTS:-10}"; RADIUS_M="${RADIUS_M:-1000}"; TREASURES="${TREASURES:-60}"
OUT="$ROOT/simulations/target/hothunt"; mkdir -p "$OUT"
WORK="$(mktemp -d /tmp/th-hothunt.XXXXXX)"
NODE_PID=""
source "$ROOT/simulations/lib/node.sh"
trap node_cleanup EXIT
trap 'echo "hothunt: stopped (time limit or signal)" >&2; exit 143' TERM INT

# (re)build the jar when it is missing or older than the sources: a stale jar would measure old code
if [[ ! -f target/treasure-hunt.jar || -n "$(find src pom.xml -newer target/treasure-hunt.jar -print -quit)" ]]; then
  mvn -B -q package -DskipTests
fi
cp target/treasure-hunt.jar "$WORK/node.jar"
mvn -B -q -f simulations/pom.xml test-compile
HTTP_PORT=$(free_port); MGMT_PORT=$(free_port); CLUSTER_PORT=$(free_port)
ADMIN="hot-admin-token-$RANDOM$RANDOM"
TH_DATA_DIR="$WORK/data" TH_HTTP_PORT="$HTTP_PORT" TH_HTTP_INTERFACE=127.0.0.1 TH_MANAGEMENT_PORT="$MGMT_PORT" \
  TH_CLUSTER_HOST=127.0.0.1 TH_CLUSTER_PORT="$CLUSTER_PORT" TH_ADMIN_TOKEN="$ADMIN" TH_LOG_LEVEL=WARNING \
  TH_REGISTRATIONS_PER_MINUTE=0 TH_CHAT_PER_MINUTE=0 \
  java @cluster-config/jvm.options "-Xms$HEAP" "-Xmx$HEAP" -jar "$WORK/node.jar" > "$OUT/node.log" 2>&1 &
NODE_PID=$!
ready=""
for _ in $(seq 1 240); do
  if curl -sf -o /dev/null "http://127.0.0.1:$MGMT_PORT/ready"; then ready=1; break; fi
  kill -0 "$NODE_PID" 2>/dev/null || break
  sleep 0.5
done
[[ -n "$ready" ]] || { echo "hothunt: the node did not become ready"; exit 1; }
echo "hothunt: $USERS players (ramp ${RAMP_S} s, a report every ${POLL_MS} ms), $SPECTATORS spectators" \
  "(viewport ${VIEW_KM} km), hunt radius ${RADIUS_M} m with $TREASURES treasures, protocol $PROTOCOL, $ENCODING;" \
  "node on 127.0.0.1:$HTTP_PORT"
CPU0=$(awk '{print $14+$15}' "/proc/$NODE_PID/stat")
started=$SECONDS
mvn -B -q -f simulations/pom.xml gatling:test -Dgatling.simulationClass=treasurehunt.simulations.HotHuntSimulation \
  -DbaseUrl="http://127.0.0.1:$HTTP_PORT" -DadminToken="$ADMIN" -DsummaryDir="$WORK/summary" \
  -Dusers="$USERS" -Dramp="$RAMP_S" -Dduration="$DURATION_S" -DpollMs="$POLL_MS" -Dspectators="$SPECTATORS" \
  -DviewKm="$VIEW_KM" -DhotRadiusM="$RADIUS_M" -DhotTreasures="$TREASURES" -Dprotocol="$PROTOCOL" -Dencoding="$ENCODING" -DconnectAttempts="$CONNECT_ATTEMPTS" -DjoinAttempts="$JOIN_ATTEMPTS" -DchatP=0 -Dp99Ms=600000 -DminOkPercent=0 \
  ${GEN_OPTS:-} > "$OUT/gatling.log" 2>&1 || echo "hothunt: the simulation missed its assertions (figures kept)"
CPU1=$(awk '{print $14+$15}' "/proc/$NODE_PID/stat")
# the node's own view: what its followers fetched, what its hunts could not hold, and how long a
# location command took from its frame reaching the session to its answer (th_command_seconds: the
# rest of what a bot measures is TCP, the node's stream stages and the generator's own queues)
curl -sf "http://127.0.0.1:$MGMT_PORT/metrics" > "$OUT/metrics.txt" || true
python3 - "$OUT/metrics.txt" <<'PY'
import re, sys
buckets = []
for line in open(sys.argv[1]):
    if re.match(r'^th_(stream_fills|hunt_commands_overloaded)_total', line):
        print("hothunt: node metric " + line.strip())
    m = re.match(r'^th_command_seconds_bucket\{.*type="location".*le="([^"]+)".*\} (\S+)', line)
    if m and m.group(1) != "+Inf":
        buckets.append((float(m.group(1)), float(m.group(2))))
buckets.sort()
if buckets and buckets[-1][1] > 0:
    total = buckets[-1][1]
    def q(p):
        return next(le for le, n in buckets if n >= p * total) * 1000
    print(f"hothunt: node's own location command time (th_command_seconds, bucket bounds): "
          f"p50 <= {q(0.5):.1f} ms, p99 <= {q(0.99):.1f} ms, {int(total):,} commands")
PY
latest=$(ls -t "$WORK/summary"/*-latest.json 2>/dev/null | head -1 || true)
[[ -n "$latest" ]] || { echo "hothunt: no summary"; tail -30 "$OUT/gatling.log"; exit 1; }
cp "$latest" "$OUT/summary-$ENCODING.json"
echo "hothunt: node CPU $(( (CPU1 - CPU0) / $(getconf CLK_TCK) )) s over $((SECONDS - started)) s"
python3 - "$latest" "$USERS" "$SPECTATORS" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); users, spect = int(sys.argv[2]), max(1, int(sys.argv[3]))
c, f, h = s.get("counters", {}), s.get("facts", {}), s.get("histograms", {})
def ms(name, q):
    v = h.get(name, {}).get(q)
    return "-" if v is None else f"{v / 1000:.1f} ms"
print(f"hothunt: joins ok {c.get('ok.join', 0):,} of {users:,}; refused " +
      ", ".join(f"{k[len('errors.join.'):]} {v:,}" for k, v in c.items() if k.startswith("errors.join.")))
print(f"hothunt: join p50 {ms('latency_us.join.ok', 'p50')}, p99 {ms('latency_us.join.ok', 'p99')}; "
      f"location p50 {ms('latency_us.location.ok', 'p50')}, p99 {ms('latency_us.location.ok', 'p99')}")
# the same by phase: while the hunt fills (the ramp and 3 s after it), then with everyone in
for phase in ("filling", "full"):
    k = f"latency_us.location.ok.players.{phase}"
    if k in h:
        print(f"hothunt: location while {phase}: {h[k].get('count', 0):,} acks, p50 {ms(k, 'p50')}, p99 {ms(k, 'p99')}")
for k, v in sorted(f.items()):
    if k.startswith("rate.") or "bytes" in k.lower() or "presence" in k.lower():
        print(f"hothunt: {k} = {v}")
for k, v in sorted(c.items()):
    if "bytes" in k.lower() or k.startswith("deliveries") or k.startswith("frames"):
        print(f"hothunt: counter {k} = {v:,}")
PY
