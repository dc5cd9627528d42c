# A throwaway PostgreSQL 15 cluster for the benchmarks' baselines, shared by benchmarks/load/run.sh
# (pgbench over a Unix socket) and benchmarks/engine.sh (JDBC over 127.0.0.1). Source it; it
# defines functions and variables only and starts nothing by itself.
#
#   pg_start LISTEN OUT   initdb a temp cluster (fsync=on, synchronous_commit=on,
#                         full_page_writes=on: durable commits like the store's EVERY_COMMIT),
#                         listening on LISTEN ('' = Unix socket only, or e.g. 127.0.0.1) at a
#                         random port; initdb's log goes to OUT/initdb.log. Sets PG_DIR, PG_PORT,
#                         PG_STARTED=1 and PSQL (an array: psql as postgres on that cluster).
#   pg_stop               stop it (fast shutdown) if it runs
#   pg_remove             stop it and delete its directory
#
# Needs the caller's log and die functions. The cluster runs as the OS user postgres: as root
# through runuser, otherwise through sudo. PG_BIN (default /usr/lib/postgresql/15/bin) can be
# set before sourcing; pg_need_binaries installs postgresql-15 with apt-get when it is missing.

PG_VERSION=${PG_VERSION:-15}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/$PG_VERSION/bin}
PG_DIR=""
PG_PORT=""
PG_STARTED=0
if [[ $(id -u) -eq 0 ]]; then
  PG_SUDO=()
  AS_POSTGRES=(runuser -u postgres --)
else
  PG_SUDO=(sudo)
  AS_POSTGRES=(sudo -u postgres)
fi

pg_need_binaries() {
  if [[ ! -x $PG_BIN/initdb || ! -x $PG_BIN/pgbench ]]; then
    log "installing postgresql-$PG_VERSION (apt-get)"
    "${PG_SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${PG_SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "postgresql-$PG_VERSION" >/dev/null
  fi
  [[ -x $PG_BIN/initdb ]] || die "no PostgreSQL $PG_VERSION under $PG_BIN"
}

pg_start() {
  local listen=$1 out=$2
  PG_DIR=$(mktemp -d /tmp/batpak-pg.XXXXXX)
  PG_PORT=$(( 20000 + RANDOM % 20000 ))
  "${PG_SUDO[@]}" chown postgres: "$PG_DIR"
  "${PG_SUDO[@]}" chmod 755 "$PG_DIR"
  log "initdb into $PG_DIR (port $PG_PORT, listen '${listen}')"
  "${AS_POSTGRES[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 \
    --locale=C >"$out/initdb.log" 2>&1
  "${AS_POSTGRES[@]}" tee -a "$PG_DIR/data/postgresql.conf" >/dev/null <<EOF
# batpak benchmark baseline: durable commits, like the batpak store's every-commit sync mode
fsync = on
synchronous_commit = on
full_page_writes = on
listen_addresses = '$listen'
port = $PG_PORT
unix_socket_directories = '$PG_DIR'
max_connections = 64
shared_buffers = 256MB
EOF
  "${AS_POSTGRES[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w start >/dev/null
  PG_STARTED=1
  PSQL=("$PG_BIN/psql" -X -q -h "$PG_DIR" -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1)
}

pg_stop() {
  if [[ $PG_STARTED -eq 1 ]]; then
    log "stopping PostgreSQL"
    "${AS_POSTGRES[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    PG_STARTED=0
  fi
}

pg_remove() {
  pg_stop
  if [[ -n $PG_DIR ]]; then
    "${PG_SUDO[@]}" rm -rf "$PG_DIR"
    PG_DIR=""
  fi
}
