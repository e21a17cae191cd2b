#!/usr/bin/env bash
# The official image's start-up, reduced to what this stack uses: on an empty
# data directory, a cluster whose superuser POSTGRES_USER has POSTGRES_PASSWORD,
# the database POSTGRES_DB, then each /docker-entrypoint-initdb.d script; then
# PostgreSQL itself, listening on every interface with password logins.
set -euo pipefail
if [ "${1:-}" = postgres ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
  : "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}"
  export POSTGRES_USER=${POSTGRES_USER:-postgres}
  export POSTGRES_DB=${POSTGRES_DB:-$POSTGRES_USER}
  initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") \
    --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 -D "$PGDATA" >/dev/null
  echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
  echo "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"
  # Only the local socket while the scripts run, as the official image does.
  pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
  if [ "$POSTGRES_DB" != postgres ]; then
    psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname postgres -v db="$POSTGRES_DB" \
      <<<'CREATE DATABASE :"db";' >/dev/null
  fi
  for script in /docker-entrypoint-initdb.d/*; do
    case "$script" in
    *.sh) echo "running $script"; bash "$script" ;;
    *.sql) echo "running $script"; psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" -f "$script" ;;
    esac
  done
  pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
  echo "database initialised"
fi
exec "$@"
