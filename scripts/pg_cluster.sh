#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on a Unix socket, for the test suite (CI and `make pg`).
#
#   scripts/pg_cluster.sh start DIR   initdb + start in DIR; prints the test URL on stdout
#   scripts/pg_cluster.sh stop DIR    stop the cluster and remove DIR (safe to call twice)
#   scripts/pg_cluster.sh pause DIR   stop the server, keeping DIR (a lost-connection test)
#   scripts/pg_cluster.sh resume DIR  start a paused server again
#
# PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user. Nothing
# listens on TCP (listen_addresses=''), authentication is `trust` on the socket, and the cluster
# lives only in DIR. A server that does not come up within 30 s fails loudly (exit 1, log shown).
set -euo pipefail

action=${1:?usage: pg_cluster.sh start|stop|pause|resume DIR}
dir=${2:?usage: pg_cluster.sh start|stop|pause|resume DIR}

bindir=""
for candidate in /usr/lib/postgresql/*/bin; do
  [ -x "$candidate/pg_ctl" ] && bindir=$candidate
done
if [ -z "$bindir" ]; then
  pg_ctl_path=$(command -v pg_ctl || true)
  [ -n "$pg_ctl_path" ] && bindir=$(dirname "$pg_ctl_path")
fi
if [ -z "$bindir" ]; then
  echo "pg_cluster.sh: no PostgreSQL found (install Debian's postgresql package)" >&2
  exit 1
fi

as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

case "$action" in
  start)
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir"
    as_owner "$bindir/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; echo "pg_cluster.sh: initdb failed" >&2; exit 1; }
    if ! as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
      -o "-k $dir -c listen_addresses='' -c fsync=off -c max_connections=200" start >/dev/null; then
      cat "$dir/server.log" >&2 || true
      echo "pg_cluster.sh: the PostgreSQL server did not start" >&2
      exit 1
    fi
    echo "postgresql+psycopg://postgres@/postgres?host=$dir"
    ;;
  pause)
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null
    ;;
  resume)
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
      -o "-k $dir -c listen_addresses='' -c fsync=off -c max_connections=200" start >/dev/null
    ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: pg_cluster.sh start|stop|pause|resume DIR" >&2
    exit 2
    ;;
esac
