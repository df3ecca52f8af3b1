#!/usr/bin/env bash
# Durable vs non-durable embedded PostgreSQL: the INSERT ceiling, alternating, on fresh nodes.
set -u
cd "$(dirname "$0")/.."
# needs: mvn -B -q package -DskipTests; mvn -B -q -f simulations/pom.xml compile dependency:build-classpath -Dmdep.outputFile=$PWD/cp.txt
for round in 1 2; do
  for durable in on off; do
    d=/tmp/ceil-$durable; rm -rf $d
    TH_DATA_DIR=$d TH_DB_DURABLE=$durable TH_HTTP_PORT=18190 TH_MANAGEMENT_PORT=18591 TH_CLUSTER_PORT=25690 TH_ADMIN_TOKEN=ceiling-admin-token-01 TH_LOG_LEVEL=WARNING \
      java -jar target/treasure-hunt.jar > /tmp/ceil-node.log 2>&1 &
    pid=$!
    for i in $(seq 1 120); do curl -s -o /dev/null localhost:18190/api/hunts/x && break; sleep 1; done
    echo "round $round durable=$durable"
    java -cp simulations/target/classes:$(cat cp.txt) treasurehunt.baselines.InsertCeiling --data-dir $d --seconds 10 --repeat 2 2>&1 | tail -3
    kill $pid; wait $pid
  done
done
