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
LOAD_NAME=pipelines-load
source "$(dirname "${BASH_SOURCE[0]}")/payara-micro.sh"
start_payara
log "$EVENTS events per phase, ${WARMUP_SECONDS} s warm-up"
BATPAK_TOKEN=$(cat "$WORK/data/auth/admin.token") java -cp "$JMH_JAR" io.batpak.bench.PipelinesHttpLoad "http://127.0.0.1:$PORT/api/v1/" "$EVENTS" "$WARMUP_SECONDS"
log "done; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
