#!/usr/bin/env bash
# Exchanges over HTTP (issue 14): in one run against one Payara Micro, publish -> SSE receive latency of
# an exchange against POST /events -> /subscribe of stored events (the baseline), after a 30 s warm-up.
# The driver is io.batpak.bench.ExchangeHttpLatency in benchmarks.jar.
#
#   bash benchmarks/load/exchanges.sh
#
# Settings (environment): PORT (default: a free port), SAMPLES (3000), WARM_SECONDS (30),
# PAYARA_VERSION (6.2025.10), MVN (default "mvn -B"), SKIP_BUILD=1 (use the
# WAR and benchmarks.jar already built). Payara Micro and its temp dir are removed on exit.
set -euo pipefail

SAMPLES=${SAMPLES:-3000}
WARM_SECONDS=${WARM_SECONDS:-30}
LOAD_NAME=exchanges-load
source "$(dirname "${BASH_SOURCE[0]}")/payara-micro.sh"
start_payara
log "$SAMPLES samples per round, ${WARM_SECONDS} s warm-up"
# the API needs the admin token the server generated on its first start (docs: README, issue 5)
BATPAK_TOKEN=$(cat "$WORK/data/auth/admin.token") java -cp "$JMH_JAR" io.batpak.bench.ExchangeHttpLatency "http://127.0.0.1:$PORT/api/v1/" "$SAMPLES" "$WARM_SECONDS"
