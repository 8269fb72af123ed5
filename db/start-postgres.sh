#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for tests or local development and prints its
# connection string on the last line. Run as root (the cluster runs as user postgres).
#   bash db/start-postgres.sh [DIR] [PORT]      start (DIR default: a new temp folder)
#   bash db/start-postgres.sh --stop DIR        stop it and delete DIR
# Installs Debian's postgresql package when no server binaries are found.
set -euo pipefail

find_bin() {
  for d in /usr/lib/postgresql/*/bin; do
    if [ -x "$d/initdb" ]; then echo "$d"; return 0; fi
  done
  return 1
}

if [ "${1:-}" = "--stop" ]; then
  dir="${2:?usage: start-postgres.sh --stop DIR}"
  bin=$(find_bin)
  runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
  exit 0
fi

if ! bin=$(find_bin); then
  echo "installing postgresql" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  bin=$(find_bin)
  # The package starts its own cluster; the tests use their own.
  service postgresql stop >/dev/null 2>&1 || true
fi

dir="${1:-$(mktemp -d /tmp/portal-pg.XXXXXX)}"
port="${2:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 55432)}"
password="portal-test"
mkdir -p "$dir"
chown postgres "$dir"
echo "$password" > "$dir/pwfile"
chown postgres "$dir/pwfile"
runuser -u postgres -- "$bin/initdb" -D "$dir/data" -U postgres --pwfile="$dir/pwfile" \
  --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w start \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" >/dev/null
echo "Host=127.0.0.1;Port=$port;Username=postgres;Password=$password;Database=postgres"
