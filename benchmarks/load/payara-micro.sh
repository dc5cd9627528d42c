# Sourced by the HTTP load scripts (streams.sh, pipelines.sh, exchanges.sh): builds the WAR and
# benchmarks.jar (unless SKIP_BUILD=1), starts the WAR on a throwaway Payara Micro and waits for
# /health/ready, and removes server and temp dir on exit. The caller sets LOAD_NAME first; after
# `start_payara` it has PORT, WORK (data in $WORK/data, the admin token in $WORK/data/auth) and
# JMH_JAR. Settings (environment): PORT (default: a free port), PAYARA_VERSION (6.2025.10), MVN
# (default "mvn -B"), SKIP_BUILD=1 (use the WAR and benchmarks.jar already built), PAYARA_OPTS
# (extra JVM options for the server, e.g. -Dbatpak.limits.sse-total=2000).
PAYARA_VERSION=${PAYARA_VERSION:-6.2025.10}
MVN=${MVN:-mvn -B -Dstyle.color=never}
SKIP_BUILD=${SKIP_BUILD:-0}
PAYARA_OPTS=${PAYARA_OPTS:-}
PORT=${PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WAR=$ROOT/web-module/target/batpak.war
JMH_JAR=$ROOT/benchmarks/target/benchmarks.jar
WORK=$(mktemp -d "/tmp/batpak-$LOAD_NAME.XXXXXX")
PAYARA_PID=""
log() { printf '[%s %s] %s\n' "$LOAD_NAME" "$(date -u +%H:%M:%S)" "$*" >&2; }
cleanup() {
  if [[ -n $PAYARA_PID ]] && kill -0 "$PAYARA_PID" 2>/dev/null; then
    kill "$PAYARA_PID" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$PAYARA_PID" 2>/dev/null || break; sleep 1; done
    kill -9 "$PAYARA_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

start_payara() {
  cd "$ROOT"
  if [[ $SKIP_BUILD != 1 ]]; then
    log "building the WAR and benchmarks.jar at $(git rev-parse --short HEAD)"
    $MVN -q -pl web-module,benchmarks -am package -DskipTests
  fi
  $MVN -q dependency:copy -Dartifact=fish.payara.extras:payara-micro:$PAYARA_VERSION -DoutputDirectory="$WORK/payara" >/dev/null
  mkdir -p "$WORK/data" "$WORK/root"
  log "starting Payara Micro on :$PORT"
  # shellcheck disable=SC2086 # PAYARA_OPTS is a list of options
  java $PAYARA_OPTS -Dbatpak.data-dir="$WORK/data" \
    -jar "$WORK/payara/payara-micro-$PAYARA_VERSION.jar" \
    --postbootcommandfile "$ROOT/config/payara/post-boot-commands.asadmin" --deploy "$WAR" --contextroot / --port "$PORT" --nocluster \
    --rootdir "$WORK/root" >"$WORK/payara.log" 2>&1 &
  PAYARA_PID=$!
  local i
  for i in $(seq 1 300); do
    curl -fs -o /dev/null "http://127.0.0.1:$PORT/health/ready" && break
    kill -0 "$PAYARA_PID" 2>/dev/null || { tail -50 "$WORK/payara.log" >&2; exit 1; }
    sleep 1
  done
  log "ready after ~${i} s; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
}
