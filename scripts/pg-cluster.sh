# Sourced by scripts/test and the benchmark scripts: a throwaway PostgreSQL 15 cluster with
# PostGIS and pgRouting (Debian's packages), in a temporary folder, on a free port, removed
# again by pg_cluster_stop (which the callers run from an EXIT trap, so also when tests fail).
# Sets NAERMILJO_TEST_PG to its connection URL.

PG_BIN=/usr/lib/postgresql/15/bin
PG_PACKAGES=(postgresql-15 postgresql-15-postgis-3 postgresql-15-pgrouting)

pg_cluster_install() {
  if [ -x "$PG_BIN/initdb" ] && [ -f /usr/share/postgresql/15/extension/pgrouting.control ] \
    && [ -f /usr/share/postgresql/15/extension/postgis.control ]; then
    return
  fi
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing ${PG_PACKAGES[*]} from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get install -y --no-install-recommends "${PG_PACKAGES[@]}" \
    || { $sudo apt-get update && $sudo apt-get install -y --no-install-recommends "${PG_PACKAGES[@]}"; }
}

# Runs a PostgreSQL binary as the cluster's owner: PostgreSQL refuses to run as root.
pg_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_cluster_start() {
  pg_cluster_install
  PG_DIR=$(mktemp -d /tmp/naermiljo-pg.XXXXXX)
  chmod 755 "$PG_DIR"
  [ "$(id -u)" -eq 0 ] && chown postgres "$PG_DIR"
  PG_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  pg_as_owner "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 \
    || { cat "$PG_DIR/initdb.log"; return 1; }
  # Throwaway data: durability settings off for speed; connections for parallel tests.
  pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 start \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    >/dev/null || { cat "$PG_DIR/server.log"; return 1; }
  export NAERMILJO_TEST_PG="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
  echo "throwaway PostgreSQL 15 at $NAERMILJO_TEST_PG ($PG_DIR)"
}

pg_cluster_stop() {
  if [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR" ]; then
    pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  fi
}
