#!/usr/bin/env bash
# The Kafka relay against a real single-node KRaft broker (issue 18): relay throughput as a ratio to
# a plain idempotent kafka-clients producer (acks=all) sending the same records in the same run, and
# relay lag p50/p99 at RATE appends/s (io.batpak.bench.KafkaRelayMeasure says how each is measured).
#
#   bash benchmarks/load/kafka.sh          # ~5 min on 2 cores
#
# Settings (environment): EVENTS (100000), ROUNDS (3, after one warm-up round), RATE (1000),
# LAG_SECONDS (30), SKIP_BUILD=1 (use benchmarks/target/benchmarks.jar as built), MVN ("mvn -B").
# The broker runs from the org.apache.kafka:kafka_2.13 jars (no Docker), as KafkaRelayIT starts it.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
MVN=${MVN:-mvn -B -Dstyle.color=never}
WORK=$(mktemp -d /tmp/batpak-kafka-bench.XXXXXX)
BROKER_PID=
cleanup() {
  [ -n "$BROKER_PID" ] && kill -9 "$BROKER_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

cd "$ROOT"
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  $MVN -q -pl benchmarks -am package -DskipTests
fi
# The broker's class path: arquillian-tests depends on kafka_2.13 (test scope) for KafkaBroker.
$MVN -q -pl arquillian-tests dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$WORK/cp.txt" >/dev/null
CP=$(cat "$WORK/cp.txt")
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(free_port); CPORT=$(free_port)
cat > "$WORK/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@localhost:$CPORT
listeners=PLAINTEXT://localhost:$PORT,CONTROLLER://localhost:$CPORT
advertised.listeners=PLAINTEXT://localhost:$PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$WORK/logs
num.partitions=3
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
CLUSTER=$(java -cp "$CP" org.apache.kafka.common.Uuid 2>/dev/null || python3 -c 'import base64,uuid; print(base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("="))')
java -cp "$CP" kafka.tools.StorageTool format -t "$CLUSTER" -c "$WORK/server.properties" > "$WORK/format.log" 2>&1
java -Xmx1g -cp "$CP" kafka.Kafka "$WORK/server.properties" > "$WORK/kafka.log" 2>&1 &
BROKER_PID=$!
for _ in $(seq 1 120); do
  if (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null; then break; fi
  sleep 1
done
sleep 3
echo "broker on localhost:$PORT; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
java -Xmx2g -Devents="${EVENTS:-100000}" -Drounds="${ROUNDS:-3}" -Drate="${RATE:-1000}" -DlagSeconds="${LAG_SECONDS:-30}" \
  -cp benchmarks/target/benchmarks.jar io.batpak.bench.KafkaRelayMeasure "localhost:$PORT"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
