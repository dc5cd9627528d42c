#!/usr/bin/env bash
# The engine's speed targets (issue 13, Build item 5), each as a ratio to a baseline measured in
# the same run:
#
#   bash benchmarks/engine.sh        # from anywhere; root or a user with sudo; ~20 min on 2 cores
#
# Steps: build the JMH jar -> throwaway PostgreSQL 15 cluster on 127.0.0.1 (fsync=on,
# synchronous_commit=on; benchmarks/load/pg-cluster.sh) -> ONE JMH run of
#   BulkAppendBenchmark    batpak batch-of-1000 appends | Chronicle Queue | raw FileChannel writes
#   DurableAppendBenchmark batpak 16 threads EVERY_COMMIT | FileChannel group commit of frame-size
#                          records | 16 JDBC clients inserting into PostgreSQL, autocommit
#   ReopenBenchmark        open of EVENTS events with checkpoint | without checkpoint (full scan);
#                          the store is built once (in the first fork) and reused by the second
#   EntityReadBenchmark    readEntity of 100 events | positional reads of the same 100 frames
# -> stop PostgreSQL -> IndexHeapMeasure at EVENTS events on the same built store (heap bytes per
# indexed event; baseline an empty store) -> one table: target, measured, baseline, ratio, met.
#
# JMH settings are the benchmarks' annotations: 1 fork each; 2 x 10 s warm-up and 3 x 10 s
# measurement for bulk, durable and entity reads; 2 + 3 single reopens with the checkpoint and
# 1 + 2 without it (a 10M full scan takes minutes on a loaded machine).
#
# Settings (environment): WARMUP_ITERATIONS, WARMUP_TIME (s), ITERATIONS, ITERATION_TIME (s)
# override those for every benchmark when set (e.g. for a quick smoke run), EVENTS (10000000), HEAP_OPTS
# ("-Xmx4g -XX:+UseG1GC", the JVM of IndexHeapMeasure), MVN (default "mvn -B"), SKIP_BUILD=1
# (use benchmarks/target/benchmarks.jar as built), ENGINE_OUT=<dir> (keep the raw outputs; by
# default a temp dir removed on exit), JMH_WAIT (s to wait for another JMH run's lock, 1800),
# STORE_DIR=<dir> (keep the built EVENTS-event store there and reuse it if a previous run built
# it with the same EVENTS; by default it is built in the temp dir and removed on exit).
set -euo pipefail

EVENTS=${EVENTS:-10000000}
HEAP_OPTS=${HEAP_OPTS:--Xmx4g -XX:+UseG1GC}
MVN=${MVN:-mvn -B -Dstyle.color=never}
SKIP_BUILD=${SKIP_BUILD:-0}
JMH_WAIT=${JMH_WAIT:-1800}
STORE_DIR=${STORE_DIR:-}

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
JMH_JAR=$ROOT/benchmarks/target/benchmarks.jar

log() { printf '[engine %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# shellcheck source=load/pg-cluster.sh
source "$HERE/load/pg-cluster.sh"

WORK=$(mktemp -d /tmp/batpak-engine.XXXXXX)
if [[ -n ${ENGINE_OUT:-} ]]; then OUT=$ENGINE_OUT; else OUT=$WORK/out; fi
STORE=${STORE_DIR:-$WORK/store}
mkdir -p "$OUT"
cleanup() {
  local rc=$?
  set +e
  pg_remove
  rm -rf "$WORK"
  [[ $rc -ne 0 ]] && log "failed (exit $rc)"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------------------------------------
# 1. tools, build, disk
for tool in java awk; do command -v $tool >/dev/null || die "$tool is missing"; done
pg_need_binaries
cd "$ROOT"
BUILD_COMMIT=$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '?')
if [[ $SKIP_BUILD != 1 ]]; then
  log "building the JMH jar at $BUILD_COMMIT"
  $MVN -q -pl benchmarks -am package -DskipTests
fi
[[ -f $JMH_JAR ]] || die "$JMH_JAR missing"
TMP_DIR=$(java -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.io.tmpdir/ {print $2}')
FREE_MB=$(df -Pm "${TMP_DIR:-/tmp}" | awk 'NR == 2 {print $4}')
# ~440 B/event for the EVENTS-event store (unless already built), plus ~20 GB for the bulk appends
NEED_MB=$(( EVENTS / 1000 * 500 / 1000 + 20000 ))
[[ -f $STORE/built && $(cat "$STORE/built") == "$EVENTS" ]] && NEED_MB=20000
(( FREE_MB >= NEED_MB )) || die "${TMP_DIR:-/tmp} has ${FREE_MB} MB free, the run needs ~${NEED_MB} MB"

# ---------------------------------------------------------------------------------------------
# 2. PostgreSQL for the JDBC baseline
pg_start 127.0.0.1 "$OUT"
JDBC_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/postgres?user=postgres"
PG_SERVER_VERSION=$("${PSQL[@]}" -At -c "SHOW server_version")
PG_SETTINGS=$("${PSQL[@]}" -At -c "SELECT string_agg(name || '=' || setting, ' ') FROM pg_settings
  WHERE name IN ('fsync','synchronous_commit','wal_sync_method','full_page_writes')")
log "PostgreSQL $PG_SERVER_VERSION on 127.0.0.1:$PG_PORT: $PG_SETTINGS"

# ---------------------------------------------------------------------------------------------
# 3. one JMH run of every item-5 benchmark and its baselines
REGEX='io\.batpak\.bench\.(BulkAppendBenchmark\.(batpakAppendBatch1000|chronicleQueueAppend1000|baselineFileChannelWrite1000)|DurableAppendBenchmark\.(batpakDurableAppend|baselineFileChannelGroupCommit|postgresJdbcInsert)|ReopenBenchmark\.open(With|Without)Checkpoint|EntityReadBenchmark\.(batpakReadEntity100|baselineRawFrameReads100))$'
JMH_ARGS=("$REGEX" -f 1)
SETTINGS="annotations: 2 x 10 s warm-up, 3 x 10 s measurement; reopen 2 + 3 shots with checkpoint, 1 + 2 without"
if [[ -n ${WARMUP_ITERATIONS:-}${WARMUP_TIME:-}${ITERATIONS:-}${ITERATION_TIME:-} ]]; then
  JMH_ARGS+=(-wi "${WARMUP_ITERATIONS:-2}" -w "${WARMUP_TIME:-10}s" -i "${ITERATIONS:-3}" -r "${ITERATION_TIME:-10}s")
  SETTINGS="overridden: ${WARMUP_ITERATIONS:-2} x ${WARMUP_TIME:-10} s warm-up, ${ITERATIONS:-3} x ${ITERATION_TIME:-10} s measurement (reopen: single shots)"
fi
JMH_ARGS+=(-p "events=$EVENTS" -p "buildDir=$STORE" -p "jdbcUrl=$JDBC_URL" -rf csv -rff "$OUT/jmh.csv")
LOADAVG_START=$(cut -d' ' -f1-3 /proc/loadavg)
log "JMH: ${JMH_ARGS[*]}"
# JMH allows one run per machine (/tmp/jmh.lock); on a shared machine wait for the other one
# rather than run two benchmarks against each other.
waited=0
until java -jar "$JMH_JAR" "${JMH_ARGS[@]}" >"$OUT/jmh.txt" 2>&1; do
  grep -q 'Unable to acquire the JMH lock' "$OUT/jmh.txt" || { tail -30 "$OUT/jmh.txt" >&2; die "JMH failed (log $OUT/jmh.txt)"; }
  (( waited >= JMH_WAIT )) && die "another JMH run held /tmp/jmh.lock for ${JMH_WAIT} s"
  (( waited == 0 )) && log "another JMH run holds /tmp/jmh.lock; waiting"
  sleep 10; waited=$(( waited + 10 ))
done
LOADAVG_JMH=$(cut -d' ' -f1-3 /proc/loadavg)
grep -E '^\[(batpak|baseline|chronicle|postgres|build)\]' "$OUT/jmh.txt" | sort -u >"$OUT/jmh-stats.txt" || true
pg_remove

# ---------------------------------------------------------------------------------------------
# 4. heap bytes per indexed event
log "IndexHeapMeasure $EVENTS events ($HEAP_OPTS)"
# shellcheck disable=SC2086 # HEAP_OPTS is a list of options
java $HEAP_OPTS -cp "$JMH_JAR" io.batpak.bench.IndexHeapMeasure "$EVENTS" "$STORE" >"$OUT/heap.txt" 2>&1 \
  || { tail -20 "$OUT/heap.txt" >&2; die "IndexHeapMeasure failed"; }
LOADAVG_END=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------------------------------------
# 5. the table
score() {  # score of benchmark method $1 (class.method) from the CSV, or empty when it failed
  awk -F, -v b="io.batpak.bench.$1" '{n = $1; s = $5; gsub(/"/, "", n); gsub(/"/, "", s)}
    n == b {printf "%.6g", s; exit}' "$OUT/jmh.csv"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "-"; else printf "%.3f", a / b }'; }
fmt() {  # 1234567.8 -> 1,234,567; below 100 one decimal; empty (the benchmark failed) -> FAILED
  [[ -z $1 ]] && { echo "FAILED"; return; }
  awk -v v="$1" 'BEGIN { if (v + 0 < 100) { printf "%.1f\n", v; exit }
    s = sprintf("%.0f", v); out = ""
    while (length(s) > 3) { out = "," substr(s, length(s) - 2) out; s = substr(s, 1, length(s) - 3) }
    print s out }'
}
met() {  # met <value> <op> <limit>
  [[ -z $1 || $1 == - ]] && { echo "-"; return; }
  awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN { ok = (op == ">=") ? v + 0 >= t + 0 : v + 0 <= t + 0; print ok ? "yes" : "NO" }'
}

BULK=$(score BulkAppendBenchmark.batpakAppendBatch1000)
CQ=$(score BulkAppendBenchmark.chronicleQueueAppend1000)
RAW=$(score BulkAppendBenchmark.baselineFileChannelWrite1000)
DUR=$(score DurableAppendBenchmark.batpakDurableAppend)
GC=$(score DurableAppendBenchmark.baselineFileChannelGroupCommit)
PG=$(score DurableAppendBenchmark.postgresJdbcInsert)
RO_CK=$(score ReopenBenchmark.openWithCheckpoint)
RO_SCAN=$(score ReopenBenchmark.openWithoutCheckpoint)
READ=$(score EntityReadBenchmark.batpakReadEntity100)
READ_RAW=$(score EntityReadBenchmark.baselineRawFrameReads100)
HEAP=$(awk '/opened from checkpoint:/ {for (i = 1; i <= NF; i++) if ($i == "->") {print $(i + 1); exit}}' "$OUT/heap.txt")
HEAP_EMPTY=$(awk '/empty store \(baseline\)/ {gsub(/,/, "", $(NF - 1)); print $(NF - 1); exit}' "$OUT/heap.txt")
HEAP_JVM=$(awk -F'JVM: ' '/^JVM: / {print $2; exit}' "$OUT/heap.txt")
FRAME=$(awk '/engine frame for a/ {print $(NF - 3); exit}' "$OUT/jmh-stats.txt")

R_CQ=$(ratio "$BULK" "$CQ"); R_RAW=$(ratio "$BULK" "$RAW"); R_GC=$(ratio "$DUR" "$GC"); R_PG=$(ratio "$DUR" "$PG")
R_RO=$(ratio "$RO_CK" "$RO_SCAN"); R_READ=$(ratio "$READ" "$READ_RAW")
EV=$(fmt "$EVENTS")
row() { printf '| %-52s | %18s | %-30s | %7s | %-4s |\n' "$@"; }
{
  echo
  echo "batpak engine targets (issue 13, item 5), one run, $(date -u +'%Y-%m-%d %H:%M UTC'), built from $BUILD_COMMIT"
  echo "$(nproc) cores; JMH 1 fork per benchmark, $SETTINGS; IndexHeapMeasure: $HEAP_OPTS"
  echo "load average (1/5/15 min): start $LOADAVG_START, after JMH $LOADAVG_JMH, end $LOADAVG_END"
  echo
  row "target" "measured" "baseline (same run)" "ratio" "met"
  printf '|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..54})" "$(printf -- '-%.0s' {1..19}):" "$(printf -- '-%.0s' {1..32})" "$(printf -- '-%.0s' {1..8}):" "------"
  row "bulk append >= 1,000,000 events/s" "$(fmt "$BULK")/s" "-" "-" "$(met "$BULK" '>=' 1000000)"
  row "bulk append >= 0.5x Chronicle Queue" "$(fmt "$BULK")/s" "$(fmt "$CQ")/s Chronicle" "$R_CQ" "$(met "$R_CQ" '>=' 0.5)"
  row "  (bulk append vs raw FileChannel writes, no target)" "$(fmt "$BULK")/s" "$(fmt "$RAW")/s raw writes" "$R_RAW" "-"
  row "durable 16 thr >= 0.9x group-commit ceiling" "$(fmt "$DUR")/s" "$(fmt "$GC")/s ${FRAME:-?} B records" "$R_GC" "$(met "$R_GC" '>=' 0.9)"
  row "durable 16 thr >= 2x PostgreSQL, 16 JDBC clients" "$(fmt "$DUR")/s" "$(fmt "$PG")/s inserts" "$R_PG" "$(met "$R_PG" '>=' 2)"
  row "reopen $EV events with checkpoint <= 2 s" "$(fmt "$RO_CK") ms" "$(fmt "$RO_SCAN") ms full scan" "$R_RO" "$(met "$RO_CK" '<=' 2000)"
  row "<= 100 heap bytes per indexed event at $EV" "$(fmt "$HEAP") B/event" "$(fmt "$HEAP_EMPTY") B empty store" "-" "$(met "$HEAP" '<=' 100)"
  row "one entity's 100 events <= 2x raw positional reads" "$(fmt "$READ") us" "$(fmt "$READ_RAW") us raw reads" "$R_READ" "$(met "$R_READ" '<=' 2)"
  echo
  echo "ratio = measured / baseline (for reopen and reads lower is better). PostgreSQL $PG_SERVER_VERSION: $PG_SETTINGS."
  echo "IndexHeapMeasure JVM: ${HEAP_JVM:-?}"
  echo "JMH scores with errors: $OUT/jmh.txt$([[ -z ${ENGINE_OUT:-} ]] && echo ' (temporary; set ENGINE_OUT to keep it)')"
  echo
  cat "$OUT/jmh-stats.txt"
  grep -E 'opened from checkpoint|opened by full scan|breakdown' "$OUT/heap.txt" || true
} | tee "$OUT/summary.txt"
