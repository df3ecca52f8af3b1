#!/usr/bin/env bash
# Made-up hunt ids against one node (docs: BENCHMARKS.md "Made-up hunt ids"). Stops by itself; loopback only.
#
# Starts a node from the jar on free loopback ports with its own temporary data directory, creates one real
# hunt, records the Hunt entities (/shards), the hunts with a feed / topics (th_hunt_feeds, th_hunt_topics,
# where the jar has them) and the heap after a full GC (jcmd GC.run, then GC.heap_info); sends JUNK_HTTP
# made-up ids over the four /api/hunts/{id} routes and JUNK_WS over the seven WebSocket frames that name a
# hunt (simulations/src/main/java/treasurehunt/baselines/JunkIds.java, JDK only); records the same again;
# then stops the node (SIGTERM), starts it on the same data, times the restart (until the real hunt
# answers) and records the same once more, 30 s later. Prints one markdown table.
#
#   bash simulations/junk-ids.sh                      # the jar of this tree (built if missing)
#   JAR=/tmp/old/target/treasure-hunt.jar bash simulations/junk-ids.sh   # another build, same run
#   JUNK_HTTP=100000 JUNK_WS=20000 bash simulations/junk-ids.sh
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

JUNK_HTTP="${JUNK_HTTP:-100000}"
JUNK_WS="${JUNK_WS:-20000}"
JAR="${JAR:-$ROOT/target/treasure-hunt.jar}"
HEAP="${HEAP:--Xmx1g}"
WORK="$(mktemp -d /tmp/th-junk.XXXXXX)"
NODE_PID=""

source "$ROOT/simulations/lib/node.sh"
trap node_cleanup EXIT
# Every step is bounded (waits of at most 300 s, the load generator under `timeout`), so the run stops by
# itself; the trap stops the node and its PostgreSQL whatever happens.


if [[ ! -f "$JAR" ]]; then
  echo "junk-ids: building the engine jar"
  mvn -B -q package -DskipTests -Dspotless.check.skip=true
fi
cp "$JAR" "$WORK/node.jar"   # a concurrent rebuild cannot pull the jar from under the node

HTTP_PORT=$(free_port); MGMT_PORT=$(free_port); CLUSTER_PORT=$(free_port)
ADMIN="junk-admin-token-$RANDOM$RANDOM"
BASE="http://127.0.0.1:$HTTP_PORT"

start_node() {
  # TH_WS_RATE: one attacker socket may send 1,000 frames a second, so that 20,000 frames take seconds
  TH_DATA_DIR="$WORK/data" TH_HTTP_PORT="$HTTP_PORT" TH_HTTP_INTERFACE=127.0.0.1 TH_MANAGEMENT_PORT="$MGMT_PORT" \
    TH_CLUSTER_HOST=127.0.0.1 TH_CLUSTER_PORT="$CLUSTER_PORT" TH_ADMIN_TOKEN="$ADMIN" TH_LOG_LEVEL=WARNING \
    TH_WS_RATE=1000 java $HEAP -jar "$WORK/node.jar" >> "$WORK/node.log" 2>&1 &
  NODE_PID=$!
}

# seconds (one decimal) until GET /api/hunts/real answers $1 (any status: "any"), at most 300 s
wait_real() {
  local t0 code; t0=$(date +%s.%N)
  for _ in $(seq 1 3000); do
    code="$(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/hunts/real" || true)"
    [[ "$code" == "$1" || ( "$1" == any && "$code" != 000 ) ]] && break
    sleep 0.1
  done
  python3 -c "print(f'{$(date +%s.%N) - $t0:.1f}')"
}

hunt_entities() {
  curl -s -H "Authorization: Bearer $ADMIN" "127.0.0.1:$MGMT_PORT/shards" \
    | python3 -c 'import json,sys; d=json.load(sys.stdin); print(sum(n["entities"] for n in d.get("Hunt",{}).values()))' 2>/dev/null || echo "?"
}

gauge() {  # a th_ gauge from /metrics, "n/a" where the jar has none
  local v; v=$(curl -s "127.0.0.1:$MGMT_PORT/metrics" | awk -v m="$1" '$1==m {print int($2)}' | head -1)
  echo "${v:-n/a}"
}

heap_after_gc() {  # MB used after a full GC
  jcmd "$NODE_PID" GC.run > /dev/null 2>&1 || true
  sleep 1
  jcmd "$NODE_PID" GC.heap_info 2>/dev/null | sed -n 's/.*heap *total [0-9]*K, used \([0-9]*\)K.*/\1/p' | head -1 \
    | awk '{printf "%.0f", $1/1024}'
}

declare -a ROWS
record() {
  ROWS+=("| $1 | $(hunt_entities) | $(gauge th_hunt_feeds) | $(gauge th_hunt_topics) | $(heap_after_gc) MB |")
}

echo "junk-ids: node on $BASE (management $MGMT_PORT, data $WORK/data), jar $JAR"
start_node
wait_real any > /dev/null
curl -s -o /dev/null -X POST "$BASE/api/hunts" -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' -d '{
  "huntId": "real", "name": "Real", "area": {"lat": 52.3702, "lon": 4.8952, "radiusM": 1500},
  "generate": {"count": 20, "seed": 42, "points": 50, "radiusM": 20}}'
curl -s -o /dev/null -X POST "$BASE/api/hunts/real/start" -H "Authorization: Bearer $ADMIN"
wait_real 200 > /dev/null
sleep 5
record "before: one real hunt"

echo "junk-ids: $JUNK_HTTP made-up ids over HTTP, $JUNK_WS over WebSocket"
timeout 1800 java simulations/src/main/java/treasurehunt/baselines/JunkIds.java --base "$BASE" --admin "$ADMIN" \
  --http "$JUNK_HTTP" --ws "$JUNK_WS" | tee "$WORK/junk.out"
sleep 2
record "after the made-up ids"

echo "junk-ids: restart on the same data"
t_stop=$(date +%s.%N)
kill "$NODE_PID"
for _ in $(seq 1 1200); do kill -0 "$NODE_PID" 2>/dev/null || break; sleep 0.1; done
kill -9 "$NODE_PID" 2>/dev/null || true; wait "$NODE_PID" 2>/dev/null || true
stop_s=$(python3 -c "print(f'{$(date +%s.%N) - $t_stop:.1f}')")
start_node
restart_s=$(wait_real 200)
sleep 30
record "30 s after the restart"

echo
echo "jar: $JAR; $JUNK_HTTP made-up ids over HTTP, $JUNK_WS over WebSocket; stop took ${stop_s} s, restart until the real hunt answered ${restart_s} s"
echo
echo "| moment | Hunt entities | hunts with a feed | hunts with topics | heap after full GC |"
echo "|---|---|---|---|---|"
for r in "${ROWS[@]}"; do echo "$r"; done
echo
sed -n 's/^/    /p' "$WORK/junk.out"
