#!/usr/bin/env bash
# Soak run (issue 21): the crash test with 100 SIGKILLs under load and 100,000 hostile requests
# (80,000 to the event API, 20,000 to streams and transactions) against a real Payara Micro.
# Prints one summary line for each run at the end. Takes hours on a small machine.
#
#   benchmarks/soak.sh                       # the full soak
#   KILLS=20 HOSTILE=10000 benchmarks/soak.sh   # a reduced one (say so when you quote its figures)
#
# The ITs print "CRASH SUMMARY ..." and "HOSTILE SUMMARY ..."; this script collects them.
set -euo pipefail
cd "$(dirname "$0")/.."
KILLS="${KILLS:-100}"
HOSTILE="${HOSTILE:-100000}"
EVENTS_API=$(( HOSTILE * 4 / 5 ))
STREAMS_API=$(( HOSTILE - EVENTS_API ))
LOG="${LOG:-target/soak-$(date -u +%Y%m%dT%H%M%SZ).log}"
mkdir -p "$(dirname "$LOG")"
status=0
mvn -B verify -pl arquillian-tests -am -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test='CrashUnderLoadIT,HostileInputIT' \
  -Dbatpak.crashKills="$KILLS" -Dbatpak.hostileRequests="$EVENTS_API" -Dbatpak.hostileStreamsRequests="$STREAMS_API" \
  "$@" >"$LOG" 2>&1 || status=$?
crash=$(grep -o 'CRASH SUMMARY.*' "$LOG" | tail -1 || true)
hostile=$(grep -o 'HOSTILE SUMMARY.*' "$LOG" | tail -1 || true)
streams=$(grep -o 'HOSTILE STREAMS SUMMARY.*' "$LOG" | tail -1 || true)
echo "crash soak: ${crash:-no summary (see $LOG)}"
echo "hostile soak: ${hostile:-no summary (see $LOG)} | ${streams:-no streams summary}"
if [ "$status" -ne 0 ]; then
  echo "soak FAILED (mvn exit $status); details in $LOG" >&2
fi
exit "$status"
