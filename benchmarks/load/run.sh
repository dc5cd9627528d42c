#!/usr/bin/env bash
# HTTP load figure for batpak (issue 4), compared in the same run with PostgreSQL 15 doing the
# same durable work and with the in-process durable JMH figure (docs/BENCHMARKS.md, figure (a)).
#
#   bash benchmarks/load/run.sh            # from anywhere; root or a user with sudo
#
# Steps: install wrk and PostgreSQL 15 if missing (apt-get) -> build the WAR and the JMH jar ->
# Payara Micro on a temporary data dir -> wrk: single events (16 connections) and batches of
# 1,000 (4 connections) -> stop Payara -> throwaway PostgreSQL 15 cluster (fsync=on,
# synchronous_commit=on) + pgbench, one INSERT of a 200-byte row per transaction, 16 clients ->
# stop PostgreSQL -> JMH DurableAppendBenchmark.batpakDurableAppend (16 threads, EVERY_COMMIT) and
# DurableBatchBenchmark (batches of 1,000, 4 threads, EVERY_COMMIT) -> one summary table -> the
# JAX-RS + JDBC + PostgreSQL WAR comparison, ../shared/bench/jdbc-war/run.sh run as it is (it builds
# this checkout's HEAD, runs both WARs on one Payara Micro with a 60 s warm-up, and pgbench). Everything it starts is stopped and every temp dir removed on exit.
#
# Settings (environment): DURATION (s, default 30), WARMUP (s, default 30: the JIT needs it on 2 cores), PORT (default 8080),
# SERVER_OPTS (extra JVM options for the server, e.g. -Dbatpak.auth.token-cache-size=0),
# SINGLE_CONNECTIONS (16), BATCH_CONNECTIONS (4), WRK_THREADS (2), PG_CLIENTS (16),
# PAYARA_VERSION (6.2025.10), MVN (default "mvn -B"; e.g. MVN="mvn -B -o" offline),
# SKIP_BUILD=1 (use the WAR and benchmarks.jar already built), LOAD_OUT=<dir> (keep the raw
# outputs there; by default they live in a temp dir removed on exit),
# POSTBOOT (asadmin file applied at boot; default config/payara/post-boot-commands.asadmin; "none"),
# JDBC_WAR (path of the jdbc-war run.sh; default ../shared/bench/jdbc-war/run.sh next to the checkout;
# "skip": not run), JDBC_WARMUP (its warm-up, s, default 60),
# PROFILE=1 (a JFR recording of the Payara JVM from its start; the single-event run's samples are
# split by layer into profile-single.txt by jfr-split.py, the recording kept in LOAD_OUT).
set -euo pipefail

DURATION=${DURATION:-30}
WARMUP=${WARMUP:-30}
SERVER_OPTS=${SERVER_OPTS:-}
PORT=${PORT:-8080}
SINGLE_CONNECTIONS=${SINGLE_CONNECTIONS:-16}
BATCH_CONNECTIONS=${BATCH_CONNECTIONS:-4}
WRK_THREADS=${WRK_THREADS:-2}
PG_CLIENTS=${PG_CLIENTS:-16}
PAYARA_VERSION=${PAYARA_VERSION:-6.2025.10}
MVN=${MVN:-mvn -B -Dstyle.color=never}
SKIP_BUILD=${SKIP_BUILD:-0}
PROFILE=${PROFILE:-0}

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)

log() { printf '[load %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

if [[ $(id -u) -eq 0 ]]; then
  SUDO=()
else
  SUDO=(sudo)
fi
# the throwaway PostgreSQL cluster (pg_start / pg_stop / pg_remove), shared with benchmarks/engine.sh
# shellcheck source=pg-cluster.sh
source "$HERE/pg-cluster.sh"

# ---------------------------------------------------------------------------------------------
# cleanup: runs on every exit (success, failure, Ctrl-C)
WORK=$(mktemp -d /tmp/batpak-load.XXXXXX)
PAYARA_PID=""
if [[ -n ${LOAD_OUT:-} ]]; then
  OUT=$LOAD_OUT
  mkdir -p "$OUT"
else
  OUT=$WORK/out
  mkdir -p "$OUT"
fi

stop_payara() {
  if [[ -n $PAYARA_PID ]] && kill -0 "$PAYARA_PID" 2>/dev/null; then
    log "stopping Payara Micro (pid $PAYARA_PID)"
    kill "$PAYARA_PID" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$PAYARA_PID" 2>/dev/null || break; sleep 1; done
    kill -9 "$PAYARA_PID" 2>/dev/null || true
    wait "$PAYARA_PID" 2>/dev/null || true
  fi
  PAYARA_PID=""
}

stop_postgres() { pg_stop; }

cleanup() {
  local rc=$?
  set +e
  stop_payara
  pg_remove
  rm -rf "$WORK"
  [[ $rc -ne 0 ]] && log "failed (exit $rc)"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------------------------------------
# 1. tools
apt_install() {
  log "installing $* (apt-get)"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
command -v wrk >/dev/null || apt_install wrk
pg_need_binaries
for tool in java curl awk sort; do command -v $tool >/dev/null || die "$tool is missing"; done

# ---------------------------------------------------------------------------------------------
# 2. build
cd "$ROOT"
WAR=$ROOT/web-module/target/batpak.war
JMH_JAR=$ROOT/benchmarks/target/benchmarks.jar
# the commit the build is made from ("-dirty": the working tree had uncommitted changes)
BUILD_COMMIT=$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '?')
if [[ $SKIP_BUILD != 1 ]]; then
  log "building the WAR and the JMH jar at $BUILD_COMMIT"
  $MVN -q -pl web-module,benchmarks -am package -DskipTests
fi
[[ -f $WAR ]] || die "$WAR missing"
[[ -f $JMH_JAR ]] || die "$JMH_JAR missing"
log "fetching Payara Micro $PAYARA_VERSION"
$MVN -q dependency:copy -Dartifact=fish.payara.extras:payara-micro:$PAYARA_VERSION \
  -DoutputDirectory="$WORK/payara" >/dev/null
PAYARA_JAR=$WORK/payara/payara-micro-$PAYARA_VERSION.jar
[[ -f $PAYARA_JAR ]] || die "$PAYARA_JAR missing"

# ---------------------------------------------------------------------------------------------
# helpers to read wrk output
# wrk prints latencies like 812.00us / 12.34ms / 1.02s; convert to ms
to_ms() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.2f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.2f", v }
    else if (v ~ /m$/) { sub(/m$/, "", v); printf "%.2f", v * 60000 }
    else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.2f", v * 1000 }
    else printf "nan" }'
}
wrk_rps() { awk '/^Requests\/sec:/ {print $2}' "$1"; }
wrk_p() { to_ms "$(awk -v p="$2" '$1 == p {print $2; exit}' "$1")"; }
wrk_non2xx() { awk '/Non-2xx or 3xx responses:/ {print $NF}' "$1"; }
wrk_errors() { awk '/Socket errors:/ {print}' "$1"; }

check_wrk() {  # fail loudly if the server answered anything but 2xx
  local f=$1 bad
  bad=$(wrk_non2xx "$f")
  if [[ -n $bad && $bad != 0 ]]; then
    log "WARNING: $bad non-2xx answers in $(basename "$f")"
    NON2XX_NOTE="${NON2XX_NOTE:-} $(basename "$f" .txt):$bad non-2xx"
  fi
  if [[ -n $(wrk_errors "$f") ]]; then
    log "WARNING: $(wrk_errors "$f") in $(basename "$f")"
  fi
}

# ---------------------------------------------------------------------------------------------
# 3. Payara Micro + wrk
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
  die "port $PORT is already in use; set PORT=<free port>"
fi
mkdir -p "$WORK/data" "$WORK/payara-root"
log "starting Payara Micro on :$PORT (data dir $WORK/data)"
# shellcheck disable=SC2086 # SERVER_OPTS is a list of options
JFR_OPTS=()
# the tuned listener settings (config/README.md "Payara settings"); POSTBOOT=none runs Payara's defaults
POSTBOOT=${POSTBOOT:-$ROOT/config/payara/post-boot-commands.asadmin}
POSTBOOT_OPTS=()
[[ $POSTBOOT != none ]] && POSTBOOT_OPTS=(--postbootcommandfile "$POSTBOOT")
# Recording from the JVM's start: a recording started mid-run makes HotSpot throw away compiled
# code, which cut the measured rate by more than half for the rest of the run.
[[ $PROFILE == 1 ]] && JFR_OPTS=(-XX:StartFlightRecording=name=load,settings=profile,disk=true,maxage=30m)
java $SERVER_OPTS "${JFR_OPTS[@]}" \
  -Dbatpak.data-dir="$WORK/data" \
  -jar "$PAYARA_JAR" "${POSTBOOT_OPTS[@]}" --deploy "$WAR" --contextroot / --port "$PORT" --nocluster \
  --rootdir "$WORK/payara-root" >"$OUT/payara.log" 2>&1 &
PAYARA_PID=$!
BASE=http://127.0.0.1:$PORT
for i in $(seq 1 300); do
  if curl -fs -o /dev/null "$BASE/health/ready"; then break; fi
  kill -0 "$PAYARA_PID" 2>/dev/null || { tail -50 "$OUT/payara.log" >&2; die "Payara Micro exited during start"; }
  [[ $i -eq 300 ]] && { tail -50 "$OUT/payara.log" >&2; die "not ready after 300 s"; }
  sleep 1
done
log "ready after ~${i} s"
# the API needs the admin token the server generated on its first start; the wrk scripts read it too
export BATPAK_TOKEN=$(cat "$WORK/data/auth/admin.token")

# smoke appends: the contract says 201. A hang here (seen once: the append's future never
# completed) is reported with a thread dump of the server instead of waiting forever.
for n in 1 2 3; do
  code=$(curl -s -m 60 -o "$OUT/smoke.json" -w '%{http_code}' -H 'Content-Type: application/json' \
    -H "Authorization: Bearer $BATPAK_TOKEN" \
    -d "{\"entity\":\"load:smoke\",\"scope\":\"bench\",\"kind\":61441,\"payload\":{\"x\":$n}}" \
    "$BASE/api/v1/events" || true)
  if [[ $code != 201 ]]; then
    command -v jstack >/dev/null && jstack "$PAYARA_PID" >"$OUT/payara-smoke-fail.jstack" 2>&1 || true
    cat "$OUT/smoke.json" >&2 || true
    die "smoke append $n answered '${code}' (000 = no answer within 60 s), expected 201; thread dump in $OUT/payara-smoke-fail.jstack"
  fi
done

LOADAVG_START=$(cut -d' ' -f1-3 /proc/loadavg)

log "single events: warm-up ${WARMUP}s"
wrk -t "$WRK_THREADS" -c "$SINGLE_CONNECTIONS" -d "${WARMUP}s" -s "$HERE/single.lua" "$BASE" \
  >"$OUT/wrk-single-warmup.txt"
log "single events: ${DURATION}s, $SINGLE_CONNECTIONS connections, $WRK_THREADS threads"
LOADAVG_SINGLE=$(cut -d' ' -f1-3 /proc/loadavg)
wrk -t "$WRK_THREADS" -c "$SINGLE_CONNECTIONS" -d "${DURATION}s" --latency -s "$HERE/single.lua" \
  "$BASE" >"$OUT/wrk-single.txt" &
WRK_PID=$!
# where the time goes, mid-run: per-thread CPU of the Payara JVM (second top frame = CPU over
# the 3 s between the frames) and the machine as a whole; optionally a JFR recording
date -u +%H:%M:%S >"$OUT/single-run-start"
sleep $(( DURATION / 3 ))
top -H -b -n 2 -d 3 -p "$PAYARA_PID" 2>/dev/null | awk '/^top -/ {n++} n == 2' | head -45 \
  >"$OUT/top-payara-threads.txt" || true
top -b -n 2 -d 3 2>/dev/null | awk '/^top -/ {n++} n == 2' | head -30 >"$OUT/top-machine.txt" || true
wait "$WRK_PID"
if [[ $PROFILE == 1 ]]; then
  jcmd "$PAYARA_PID" JFR.dump name=load filename="$OUT/payara-single.jfr" >/dev/null 2>&1 || log "JFR dump failed"
  python3 "$HERE/jfr-split.py" "$OUT/payara-single.jfr" "$(cat "$OUT/single-run-start")" >"$OUT/profile-single.txt" \
    2>&1 || log "JFR analysis failed"
fi
check_wrk "$OUT/wrk-single.txt"

log "batches of 1000: warm-up ${WARMUP}s"
wrk -t "$WRK_THREADS" -c "$BATCH_CONNECTIONS" -d "${WARMUP}s" --timeout 30s -s "$HERE/batch.lua" "$BASE" \
  >"$OUT/wrk-batch-warmup.txt"
log "batches of 1000: ${DURATION}s, $BATCH_CONNECTIONS connections"
wrk -t "$WRK_THREADS" -c "$BATCH_CONNECTIONS" -d "${DURATION}s" --timeout 30s --latency \
  -s "$HERE/batch.lua" "$BASE" >"$OUT/wrk-batch.txt"
check_wrk "$OUT/wrk-batch.txt"
curl -fs -H "Authorization: Bearer $BATPAK_TOKEN" "$BASE/api/v1/stats" >"$OUT/stats.json" || true
stop_payara

# ---------------------------------------------------------------------------------------------
# 4. PostgreSQL 15, durable, pgbench
pg_start '' "$OUT"   # Unix socket only: pgbench connects through $PG_DIR
"${PSQL[@]}" -c "CREATE TABLE events (id bigserial PRIMARY KEY, entity text NOT NULL, payload text NOT NULL)"
PG_SETTINGS=$("${PSQL[@]}" -At -c "SELECT string_agg(name || '=' || setting, ' ') FROM pg_settings
  WHERE name IN ('fsync','synchronous_commit','wal_sync_method','full_page_writes')")
PG_SERVER_VERSION=$("${PSQL[@]}" -At -c "SHOW server_version")
log "PostgreSQL $PG_SERVER_VERSION: $PG_SETTINGS"

PGBENCH=("$PG_BIN/pgbench" -n -h "$PG_DIR" -p "$PG_PORT" -U postgres -c "$PG_CLIENTS"
  -j "$WRK_THREADS" -f "$HERE/pg-insert.sql")
log "pgbench warm-up ${WARMUP}s"
"${PGBENCH[@]}" -T "$WARMUP" postgres >"$OUT/pgbench-warmup.txt" 2>&1
log "pgbench: ${DURATION}s, $PG_CLIENTS clients"
mkdir -p "$WORK/pglog"
LOADAVG_PG=$(cut -d' ' -f1-3 /proc/loadavg)
"${PGBENCH[@]}" -T "$DURATION" -l --log-prefix="$WORK/pglog/tx" postgres >"$OUT/pgbench.txt" 2>&1
PG_TPS=$(awk '/^tps = / {print $3; exit}' "$OUT/pgbench.txt")
PG_FAILED=$(awk '/number of failed transactions:/ {print $5}' "$OUT/pgbench.txt")
# per-transaction log: client_id tx_no latency_us script_no epoch_s epoch_us
cat "$WORK"/pglog/tx* | awk '{print $3}' | sort -n >"$WORK/pg-lat.txt"
pct() {  # percentile of a sorted file of µs values, in ms
  awk -v p="$2" '{v[NR] = $1} END { if (NR == 0) { print "nan"; exit }
    i = int(NR * p / 100 + 0.999999); if (i < 1) i = 1; if (i > NR) i = NR; printf "%.2f", v[i] / 1000 }' "$1"
}
PG_P50=$(pct "$WORK/pg-lat.txt" 50)
PG_P99=$(pct "$WORK/pg-lat.txt" 99)
PG_ROWS=$("${PSQL[@]}" -At -c "SELECT count(*) FROM events")
stop_postgres

# ---------------------------------------------------------------------------------------------
# 5. in-process durable figure (docs/BENCHMARKS.md figure (a)), same run
log "JMH DurableAppendBenchmark.batpakDurableAppend (16 threads, EVERY_COMMIT)"
# JMH allows one instance per machine (/tmp/jmh.lock); on a shared machine wait for the other
# one to finish (up to JMH_WAIT seconds) rather than run two benchmarks against each other.
JMH_WAIT=${JMH_WAIT:-900}
waited=0
until java -jar "$JMH_JAR" 'DurableAppendBenchmark.batpakDurableAppend' -f 1 -wi 2 -i 3 -w 2s -r 3s \
  -rf csv -rff "$OUT/jmh-durable.csv" >"$OUT/jmh-durable.txt" 2>&1; do
  grep -q 'Unable to acquire the JMH lock' "$OUT/jmh-durable.txt" || { tail -20 "$OUT/jmh-durable.txt" >&2; die "JMH failed"; }
  (( waited >= JMH_WAIT )) && die "another JMH run held /tmp/jmh.lock for ${JMH_WAIT} s"
  (( waited == 0 )) && log "another JMH run holds /tmp/jmh.lock; waiting"
  sleep 10; waited=$(( waited + 10 ))
done
(( waited > 0 )) && log "waited ${waited} s for the JMH lock"
LOADAVG_JMH=$(cut -d' ' -f1-3 /proc/loadavg)  # just after the run
INPROC=$(awk -F, 'NR == 2 {gsub(/"/, "", $5); printf "%.0f", $5}' "$OUT/jmh-durable.csv")
INPROC_ERR=$(awk -F, 'NR == 2 {gsub(/"/, "", $6); printf "%.0f", $6}' "$OUT/jmh-durable.csv")
log "JMH DurableBatchBenchmark.batpakDurableBatch1000 (4 threads, batches of 1000, EVERY_COMMIT)"
java -jar "$JMH_JAR" 'DurableBatchBenchmark.batpakDurableBatch1000' -f 1 -wi 2 -i 3 -w 5s -r 5s \
  -rf csv -rff "$OUT/jmh-batch.csv" >"$OUT/jmh-batch.txt" 2>&1 || { tail -20 "$OUT/jmh-batch.txt" >&2; die "JMH batch failed"; }
INBATCH=$(awk -F, 'NR == 2 {gsub(/"/, "", $5); printf "%.0f", $5}' "$OUT/jmh-batch.csv")
INBATCH_ERR=$(awk -F, 'NR == 2 {gsub(/"/, "", $6); printf "%.0f", $6}' "$OUT/jmh-batch.csv")

# ---------------------------------------------------------------------------------------------
# 6. summary
S_RPS=$(wrk_rps "$OUT/wrk-single.txt")
S_P50=$(wrk_p "$OUT/wrk-single.txt" 50%)
S_P99=$(wrk_p "$OUT/wrk-single.txt" 99%)
B_RPS=$(wrk_rps "$OUT/wrk-batch.txt")
B_P50=$(wrk_p "$OUT/wrk-batch.txt" 50%)
B_P99=$(wrk_p "$OUT/wrk-batch.txt" 99%)
B_EPS=$(awk -v r="$B_RPS" 'BEGIN {printf "%.0f", r * 1000}')
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "nan"; else printf "%.0f %%", 100 * a / b }'; }
fmt() { awk -v v="$1" 'BEGIN {printf "%\047.0f", v}'; }
verdict() { awk -v a="$1" -v t="$2" 'BEGIN { print (a + 0 >= t + 0) ? "met" : "MISSED" }'; }

R_PG=$(ratio "$S_RPS" "$PG_TPS")
R_IN=$(ratio "$S_RPS" "$INPROC")

{
  echo
  echo "batpak HTTP load vs PostgreSQL $PG_SERVER_VERSION and in-process (one run, $(date -u +'%Y-%m-%d %H:%M UTC'))"
  echo "built from $BUILD_COMMIT$([[ $SKIP_BUILD == 1 ]] && echo ' (SKIP_BUILD: jars built earlier)'), $(nproc) cores, duration ${DURATION}s after ${WARMUP}s warm-up"
  echo "load average (1/5/15 min) at start $LOADAVG_START; single run $LOADAVG_SINGLE; pgbench $LOADAVG_PG; JMH $LOADAVG_JMH"
  echo
  printf '| %-48s | %14s | %9s | %9s |\n' "run" "events/s" "p50 ms" "p99 ms"
  printf '|%s|%s|%s|%s|\n' "--------------------------------------------------" "---------------:" "----------:" "----------:"
  printf '| %-48s | %14s | %9s | %9s |\n' "HTTP single event, $SINGLE_CONNECTIONS conn (wrk)" "$(fmt "$S_RPS")" "$S_P50" "$S_P99"
  printf '| %-48s | %14s | %9s | %9s |\n' "HTTP batch of 1000, $BATCH_CONNECTIONS conn (wrk)" "$(fmt "$B_EPS")" "$B_P50" "$B_P99"
  printf '| %-48s | %14s | %9s | %9s |\n' "PostgreSQL INSERT 200 B, $PG_CLIENTS clients (pgbench)" "$(fmt "$PG_TPS")" "$PG_P50" "$PG_P99"
  printf '| %-48s | %14s | %9s | %9s |\n' "in-process, 16 threads (JMH, ± $(fmt "$INPROC_ERR"))" "$(fmt "$INPROC")" "-" "-"
  printf '| %-48s | %14s | %9s | %9s |\n' "in-process batch of 1000, 4 threads (JMH, ± $(fmt "$INBATCH_ERR"))" "$(fmt "$INBATCH")" "-" "-"
  echo
  echo "HTTP single / pgbench       = $R_PG (issue 17 target >= 50 %: $(verdict "$(awk -v s="$S_RPS" 'BEGIN{print s*2}')" "$PG_TPS"))"
  echo "HTTP single / in-process    = $R_IN"
  echo "HTTP batch events/s         = $(fmt "$B_EPS") (target >= 250,000: $(verdict "$B_EPS" 250000))"
  echo "HTTP batch / in-process batch = $(ratio "$B_EPS" "$INBATCH") (target >= 50 %: $(verdict "$(awk -v s="$B_EPS" 'BEGIN{print s*2}')" "$INBATCH"))"
  echo "batch p50/p99 are per request of 1000 events; PostgreSQL: $PG_SETTINGS, $(fmt "$PG_ROWS") rows, failed tx ${PG_FAILED:-0}"
  [[ -n ${NON2XX_NOTE:-} ]] && echo "NON-2xx ANSWERS:$NON2XX_NOTE"
  echo "raw outputs: $OUT$([[ -z ${LOAD_OUT:-} ]] && echo ' (temporary; set LOAD_OUT to keep them)')"
} | tee "$OUT/summary.txt"

if [[ -s $OUT/top-payara-threads.txt ]]; then
  echo
  echo "busiest Payara threads mid single-event run (top -H):"
  sed -n '7,22p' "$OUT/top-payara-threads.txt"
fi

# ---------------------------------------------------------------------------------------------
# 7. the JAX-RS + JDBC + PostgreSQL WAR on the same Payara Micro (issue 17's peer), run as it is
JDBC_WAR=${JDBC_WAR:-$ROOT/../shared/bench/jdbc-war/run.sh}
if [[ $JDBC_WAR == skip ]]; then
  log "JDBC_WAR=skip: the jdbc-war comparison is not run"
elif [[ -f $JDBC_WAR ]]; then
  log "jdbc-war comparison: $JDBC_WAR (WARMUP=${JDBC_WARMUP:-60} s; it builds this checkout's HEAD itself)"
  (cd "$ROOT" && WARMUP=${JDBC_WARMUP:-60} DURATION=$DURATION KEEP="$OUT/jdbc-war" bash "$JDBC_WAR") 2>"$OUT/jdbc-war.log" \
    | tee "$OUT/jdbc-war.txt" || die "the jdbc-war comparison failed; see $OUT/jdbc-war.log"
else
  log "no jdbc-war harness at $JDBC_WAR (set JDBC_WAR=<path to its run.sh>): comparison not run"
fi
