#!/usr/bin/env bash
# Run once by the postgres image on an empty data directory (from
# /docker-entrypoint-initdb.d): a login role per service, with the password
# given to it. Each may create tables in the database and owns what it creates;
# nobody else is granted anything on them, so no service can touch another's.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v registry_password="$MODEL_REGISTRY_DB_PASSWORD" \
  -v monitoring_password="$MONITORING_DB_PASSWORD" \
  -v gate_password="$RETRAINING_GATE_DB_PASSWORD" <<'SQL'
CREATE ROLE model_registry LOGIN PASSWORD :'registry_password';
CREATE ROLE monitoring LOGIN PASSWORD :'monitoring_password';
CREATE ROLE retraining_gate LOGIN PASSWORD :'gate_password';
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE, CREATE ON SCHEMA public TO model_registry, monitoring, retraining_gate;
SQL
