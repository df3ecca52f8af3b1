#!/usr/bin/env bash
# Scripted operator run on this machine: three local nodes (cluster-config/local-node-*.conf) on one
# PostgreSQL, N players and hunts spread over them, then
#   1. a fourth node joins: time from its start to Up, and until it holds its share of the player shards;
#   2. kill -9 of node 3: time until the split brain resolver has removed it, and until every hunt
#      (remembered entities, restarted from the journal) answers again through node 1.
# Prints one line of figures. Usage (from the repository root, jar built):
#   bash simulations/cluster-failover.sh [players=300] [hunts=40]
# NODE_OPTS: more JVM options for the nodes, e.g. the earlier failover settings for an A/B run:
#   NODE_OPTS="-Dakka.cluster.failure-detector.acceptable-heartbeat-pause=3s -Dakka.cluster.split-brain-resolver.stable-after=7s -Dakka.cluster.down-removal-margin=off"
# Every hunt is polled on its own from the kill on (0.1 s between tries, each try at most 1 s), so the
# recovery figure is the moment the last hunt answered, late by 0.1 s and at worst by one try.
# Uses ports 808{1..4}, 856{1..4}, 2552{1..4} and PostgreSQL on 55433; stops everything on exit.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
JAR="$ROOT/target/treasure-hunt.jar"
PLAYERS=${1:-300}
HUNTS=${2:-40}
NODE_OPTS=${NODE_OPTS:-}
WORK=$(mktemp -d /tmp/th-failover.XXXX)
cd "$WORK"
pids=()
# SIGTERM first: the postgres subcommand then stops its PostgreSQL (a SIGKILL would orphan the postmaster).
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for _ in $(seq 1 30); do alive=0; for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done; [ $alive = 0 ] && break; sleep 1; done
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
}
trap cleanup EXIT
now() { date +%s%3N; }
java -jar "$JAR" postgres --port 55433 --data-dir "$WORK/pg" > pg.log 2>&1 & pids+=($!)
for _ in $(seq 1 60); do grep -q "PostgreSQL ready" pg.log && break; sleep 1; done
export TH_DB_URL=jdbc:postgresql://localhost:55433/postgres
export TH_REGISTRATIONS_PER_MINUTE=0   # the players below all register from 127.0.0.1
start_node() { java @"$ROOT/cluster-config/jvm.options" -Xmx512m $NODE_OPTS -Dconfig.file="$ROOT/cluster-config/local-node-$1.conf" -jar "$JAR" > "node$1.log" 2>&1 & pids+=($!); }
up_count() { curl -s -m 2 -H "Authorization: Bearer local-admin-token" localhost:8561/cluster/members | python3 -c 'import json,sys; print(sum(m["status"]=="Up" for m in json.load(sys.stdin)["members"]))' 2>/dev/null || echo 0; }
shards_on() { curl -s -m 10 -H "Authorization: Bearer local-admin-token" localhost:8561/shards | python3 -c "import json,sys; d=json.load(sys.stdin)['Player']; n=d.get('akka://treasure-hunt@127.0.0.1:$1',{}).get('shards',0); t=sum(v['shards'] for v in d.values()); print(n, t)" 2>/dev/null || echo "0 0"; }
for n in 1 2 3; do start_node $n; done
for _ in $(seq 1 240); do [ "$(up_count)" = 3 ] && break; sleep 1; done
for i in $(seq 1 "$PLAYERS"); do curl -s -o /dev/null -X POST "localhost:808$((i%3+1))/api/players" -H 'Content-Type: application/json' -d "{\"name\":\"p$i\"}"; done
for i in $(seq 1 "$HUNTS"); do curl -s -o /dev/null -X POST localhost:8081/api/hunts -H "Authorization: Bearer local-admin-token" -H 'Content-Type: application/json' -d "{\"huntId\":\"h$i\",\"name\":\"H$i\",\"area\":{\"lat\":52.37,\"lon\":4.89,\"radiusM\":1000},\"generate\":{\"count\":5,\"seed\":$i}}"; done
sleep 3

t0=$(now); start_node 4; up=""
while [ $(( $(now) - t0 )) -lt 120000 ]; do
  if [ -z "$up" ] && [ "$(up_count)" = 4 ]; then up=$(( $(now) - t0 )); fi
  if [ -n "$up" ]; then read -r mine total < <(shards_on 25524); if [ "$total" -gt 0 ] && [ "$mine" -ge $(( total / 4 - 1 )) ]; then break; fi; fi
  sleep 0.25
done
balanced=$(( $(now) - t0 ))

# Each hunt has its own poller from the kill on: it asks until the hunt answers 200 and writes down when.
# A request sent while the hunt's shard is being moved waits in sharding's buffer and is answered the
# moment the hunt is back, so the figure is late by at most the 0.1 s between tries, or, when a try timed
# out (1 s) just before the hunt came back, by that try. (Until 2026-12-01 one round asked every hunt at
# once and waited for the slowest: up to ~1.25 s late.)
poll_hunt() {
  while [ $(( $(now) - t1 )) -lt 120000 ]; do
    [ "$(curl -s -m 1 -o /dev/null -w '%{http_code}' "localhost:8081/api/hunts/h$1")" = 200 ] && { echo $(( $(now) - t1 )) > "hunt$1.ms"; return; }
    sleep 0.1
  done
  echo 120000 > "hunt$1.ms"
}
victim=$(pgrep -f "local-node-3.conf")
t1=$(now); kill -9 "$victim"
pollers=()
for i in $(seq 1 "$HUNTS"); do poll_hunt "$i" & pollers+=($!); done
while [ $(( $(now) - t1 )) -lt 120000 ]; do curl -s -m 2 -H "Authorization: Bearer local-admin-token" localhost:8561/cluster/members | grep -q '25523' || break; sleep 0.25; done
removed=$(( $(now) - t1 ))
wait "${pollers[@]}"
recovered=$(sort -n hunt*.ms | tail -1)
echo "join: Up ${up} ms, share of shards ${balanced} ms (${mine}/${total} on node 4) | kill -9: removed ${removed} ms, all ${HUNTS} hunts answer ${recovered} ms"
