#!/usr/bin/env bash
# Waiting clients (issue 17, "no thread held by a wait"): what 1,000 open SSE subscriptions and 200
# waiting long polls cost a Payara Micro that is also taking appends. In one run against one
# server: single-event appends with wrk (benchmarks/load/single.lua, 16 connections) after a
# warm-up, alone; then the waiters open (benchmarks/load/waiters.py: SSE streams on an entity
# prefix nothing is appended to, long polls on a stream nobody publishes to, each polling again
# when answered), and the same appends again with them open. Only the HTTP contract is used.
#
#   bash benchmarks/load/waiters.sh
#
# Prints: requests refused while opening (any non-2xx or connection error), the server's RSS and
# live threads (/proc/<pid>/status) before and with the waiters, appends/s alone and with them,
# and the ratio. Settings (environment): WARMUP (s, 30), DURATION (s, 30), SSE (1000), POLLS (200),
# WAIT_MS (30000, the server's cap), SINGLE_CONNECTIONS (16), WRK_THREADS (2), and those of
# payara-micro.sh (PORT, PAYARA_VERSION, MVN, SKIP_BUILD=1, PAYARA_OPTS). The script raises
# batpak.limits.sse-total and sse-per-principal to SSE + 100 (one principal opens them all).
# Payara Micro and its temp dir are removed on exit.
set -euo pipefail

WARMUP=${WARMUP:-30}
DURATION=${DURATION:-30}
SSE=${SSE:-1000}
POLLS=${POLLS:-200}
WAIT_MS=${WAIT_MS:-30000}
SINGLE_CONNECTIONS=${SINGLE_CONNECTIONS:-16}
WRK_THREADS=${WRK_THREADS:-2}
LOAD_NAME=waiters-load
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PAYARA_OPTS="${PAYARA_OPTS:-} -Dbatpak.limits.sse-total=$((SSE + 100)) -Dbatpak.limits.sse-per-principal=$((SSE + 100))"
source "$HERE/payara-micro.sh"
CLIENT_PID=""
stop_client() {
  [[ -n $CLIENT_PID ]] && kill "$CLIENT_PID" 2>/dev/null || true
  cleanup
}
trap stop_client EXIT
start_payara
BASE=http://127.0.0.1:$PORT
export BATPAK_TOKEN=$(cat "$WORK/data/auth/admin.token")
auth=(-H "Authorization: Bearer $BATPAK_TOKEN")

rss_mb() { awk '/^VmRSS:/ {printf "%.0f", $2 / 1024}' "/proc/$PAYARA_PID/status"; }
threads() { awk '/^Threads:/ {print $2}' "/proc/$PAYARA_PID/status"; }
appends() {  # $1: label; prints appends/s, warns on non-2xx
  local out=$WORK/wrk-$1.txt
  wrk -t "$WRK_THREADS" -c "$SINGLE_CONNECTIONS" -d "${DURATION}s" -s "$HERE/single.lua" "$BASE" >"$out" 2>&1
  local bad
  bad=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$out")
  [[ -z $bad ]] || log "WARNING: $bad non-2xx answers to appends ($1)"
  grep -q 'Socket errors' "$out" && log "WARNING: $(grep 'Socket errors' "$out") ($1)"
  awk '/^Requests\/sec:/ {print $2}' "$out"
}

curl -fs -o /dev/null "${auth[@]}" -X PUT -H 'Content-Type: application/json' -d '{"partitions":1}' \
  "$BASE/api/v1/streams/waiters-idle"
log "single appends: warm-up ${WARMUP}s, $SINGLE_CONNECTIONS connections"
wrk -t "$WRK_THREADS" -c "$SINGLE_CONNECTIONS" -d "${WARMUP}s" -s "$HERE/single.lua" "$BASE" >/dev/null
sleep 2
rss_before=$(rss_mb); threads_before=$(threads)
log "single appends alone: ${DURATION}s"
alone=$(appends alone)
log "alone: $alone appends/s; opening $SSE SSE streams and $POLLS long polls (waitMs $WAIT_MS)"

python3 "$HERE/waiters.py" --base "$BASE" --token "$BATPAK_TOKEN" --sse "$SSE" --polls "$POLLS" \
  --wait-ms "$WAIT_MS" --stop "$WORK/stop" --max-seconds $((DURATION * 3 + 600)) >"$WORK/client.txt" 2>"$WORK/client.err" &
CLIENT_PID=$!
for _ in $(seq 1 600); do
  grep -q '^ready ' "$WORK/client.txt" && break
  kill -0 "$CLIENT_PID" 2>/dev/null || { cat "$WORK/client.err" >&2; exit 1; }
  sleep 1
done
grep -q '^ready ' "$WORK/client.txt" || { log "the waiters did not open within 600 s"; exit 1; }
log "waiters open: $(grep '^ready ' "$WORK/client.txt" | cut -c7-)"
sleep 5
rss_with=$(rss_mb); threads_with=$(threads)
log "single appends with the waiters open: ${DURATION}s"
with=$(appends with)
touch "$WORK/stop"
for _ in $(seq 1 30); do grep -q '^done ' "$WORK/client.txt" && break; sleep 1; done
done_line=$(grep '^done ' "$WORK/client.txt" | cut -c6-)
kill "$CLIENT_PID" 2>/dev/null || true
CLIENT_PID=""

python3 - "$done_line" "$alone" "$with" "$rss_before" "$rss_with" "$threads_before" "$threads_with" "$SSE" "$POLLS" <<'EOF'
import json, sys
c = json.loads(sys.argv[1])
alone, with_, rss0, rss1, t0, t1, sse, polls = sys.argv[2:]
refused = c["sse_refused"] + c["poll_refused"]
print(f"waiters: {sse} SSE streams ({c['sse_opened']} opened, {c['sse_refused']} refused, {c['sse_closed']} closed by the server),"
      f" {polls} long pollers ({c['polls']} polls sent, {c['poll_answers']} answered 2xx, {c['poll_refused']} refused/failed)")
print(f"refused requests while opening or holding: {refused}")
print(f"server RSS: {rss0} MB before, {rss1} MB with the waiters open")
print(f"server live threads: {t0} before, {t1} with the waiters open ({int(t1) - int(t0):+d})")
print(f"single appends/s: {alone} alone, {with_} with the waiters open, ratio {float(with_) / float(alone):.2f}")
EOF
