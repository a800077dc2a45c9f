#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the test suite: initdb in a temp dir, listening only on a
# Unix socket there, no TCP, no fsync. Nothing outside the temp dir is touched.
#
#   eval "$(scripts/pg-cluster.sh start)"   # exports AKASHI_TEST_POSTGRES_URL and AKASHI_PG_DIR
#   scripts/pg-cluster.sh stop "$AKASHI_PG_DIR"
set -euo pipefail

find_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

as_owner() {
  # initdb and postgres refuse to run as root: run them as the postgres system user.
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
  start)
    bin=$(find_bin)
    if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
      if [ "$(id -u)" -eq 0 ]; then
        echo "pg-cluster: installing postgresql" >&2
        apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
        bin=$(find_bin)
      else
        echo "pg-cluster: PostgreSQL server binaries not found. Install them (sudo apt-get install postgresql) or run as root." >&2
        exit 1
      fi
    fi
    dir=$(mktemp -d /tmp/akashi-pg.XXXXXX)
    chmod 755 "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -U akashi -A trust --no-sync -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-k $dir -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    echo "export AKASHI_PG_DIR='$dir'"
    echo "export AKASHI_TEST_POSTGRES_URL='postgres://akashi@localhost/postgres?host=$dir'"
    ;;
  stop)
    dir=${2:?usage: pg-cluster.sh stop DIR}
    bin=$(find_bin)
    as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  *)
    echo "usage: pg-cluster.sh start | stop DIR" >&2
    exit 2
    ;;
esac
