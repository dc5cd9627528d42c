#!/usr/bin/env bash
# Pipelines over HTTP (issue 14): in one run against one Payara Micro, after a JIT warm-up of both
# phases (WARMUP_SECONDS, default 40), a 16-member consumer group drains EVENTS stream events with
# one ack call per delivery (the baseline), then a 4-stage diamond pipeline (validate -> charge,
# email -> ship) completes EVENTS instances with 4 HTTP workers per stage. Prints both rates and
# their ratio. The driver is io.batpak.bench.PipelinesHttpLoad in benchmarks.jar.
#
#   bash benchmarks/load/pipelines.sh
#
# Settings (environment): PORT (default: a free port), EVENTS (2000), WARMUP_SECONDS (40),
# PAYARA_VERSION (6.2025.10), MVN (default "mvn -B"), SKIP_BUILD=1 (use the WAR and benchmarks.jar
# already built). Payara Micro and its temp dir are removed on exit.
set -euo pipefail

EVENTS=${EVENTS:-2000}
WARMUP_SECONDS=${WARMUP_SECONDS:-40}
PAYARA_VERSION=${PAYARA_VERSION:-6.2025.10}
MVN=${MVN:-mvn -B -Dstyle.color=never}
SKIP_BUILD=${SKIP_BUILD:-0}
PORT=${PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WAR=$ROOT/web-module/target/batpak.war
JMH_JAR=$ROOT/benchmarks/target/benchmarks.jar
WORK=$(mktemp -d /tmp/batpak-pipelines-load.XXXXXX)
PAYARA_PID=""
log() { printf '[pipelines-load %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
cleanup() {
  if [[ -n $PAYARA_PID ]] && kill -0 "$PAYARA_PID" 2>/dev/null; then
    kill "$PAYARA_PID" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$PAYARA_PID" 2>/dev/null || break; sleep 1; done
    kill -9 "$PAYARA_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

cd "$ROOT"
if [[ $SKIP_BUILD != 1 ]]; then
  log "building the WAR and benchmarks.jar at $(git rev-parse --short HEAD)"
  $MVN -q -pl web-module,benchmarks -am package -DskipTests
fi
$MVN -q dependency:copy -Dartifact=fish.payara.extras:payara-micro:$PAYARA_VERSION -DoutputDirectory="$WORK/payara" >/dev/null
mkdir -p "$WORK/data" "$WORK/root"
log "starting Payara Micro on :$PORT"
java -Dbatpak.data-dir="$WORK/data" \
  -jar "$WORK/payara/payara-micro-$PAYARA_VERSION.jar" --deploy "$WAR" --contextroot / --port "$PORT" --nocluster \
  --rootdir "$WORK/root" >"$WORK/payara.log" 2>&1 &
PAYARA_PID=$!
for i in $(seq 1 300); do
  curl -fs -o /dev/null "http://127.0.0.1:$PORT/health/ready" && break
  kill -0 "$PAYARA_PID" 2>/dev/null || { tail -50 "$WORK/payara.log" >&2; exit 1; }
  sleep 1
done
log "ready after ~${i} s; $EVENTS events per phase, ${WARMUP_SECONDS} s warm-up; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
BATPAK_TOKEN=$(cat "$WORK/data/auth/admin.token") java -cp "$JMH_JAR" io.batpak.bench.PipelinesHttpLoad "http://127.0.0.1:$PORT/api/v1/" "$EVENTS" "$WARMUP_SECONDS"
log "done; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
