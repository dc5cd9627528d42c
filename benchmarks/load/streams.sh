#!/usr/bin/env bash
# Streams over HTTP (issue 6): in one run against one Payara Micro, plain appends (the baseline),
# publishes to a 4-partition stream, then a 4-member group consuming and acking everything
# published. The driver is io.batpak.bench.StreamsHttpLoad in benchmarks.jar.
#
#   bash benchmarks/load/streams.sh
#
# Settings (environment): PORT (default: a free port), THREADS (16), SECONDS_EACH (20),
# MAX_PER_POLL (100), PAYARA_VERSION (6.2025.10), MVN (default "mvn -B"), SKIP_BUILD=1 (use the
# WAR and benchmarks.jar already built). Payara Micro and its temp dir are removed on exit.
set -euo pipefail

THREADS=${THREADS:-16}
SECONDS_EACH=${SECONDS_EACH:-20}
MAX_PER_POLL=${MAX_PER_POLL:-100}
LOAD_NAME=streams-load
source "$(dirname "${BASH_SOURCE[0]}")/payara-micro.sh"
start_payara
log "$THREADS clients, ${SECONDS_EACH} s per phase"
# the API needs the admin token the server generated on its first start (docs: README, issue 5)
BATPAK_TOKEN=$(cat "$WORK/data/auth/admin.token") java -cp "$JMH_JAR" io.batpak.bench.StreamsHttpLoad "http://127.0.0.1:$PORT/api/v1/" "$THREADS" "$SECONDS_EACH" "$MAX_PER_POLL"
