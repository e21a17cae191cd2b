# Shared by scripts and benchmarks (source it): a throwaway PostgreSQL 15
# cluster on a unix socket, and a development CA with certificates.
# Everything lives under $STACK_DIR; stack_cleanup removes it.

pg_bin=/usr/lib/postgresql/15/bin
stack_pids=()

# stack_start_postgres DIR PORT: a cluster in DIR/data, socket in DIR. Autovacuum
# looks every second, not every minute: thousands of promotions a second rewrite
# the same few registry rows, and a minute of their dead versions made lookups
# a third slower (docs/registry.md, "Vacuum").
stack_start_postgres() {
  STACK_DIR=$1
  STACK_PG_PORT=$2
  stack_as_postgres=()
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$STACK_DIR"; stack_as_postgres=(runuser -u postgres --); fi
  "${stack_as_postgres[@]}" "$pg_bin/initdb" -D "$STACK_DIR/data" -U postgres --auth=trust >/dev/null
  "${stack_as_postgres[@]}" "$pg_bin/pg_ctl" -D "$STACK_DIR/data" -l "$STACK_DIR/postgres.log" \
    -o "-p $STACK_PG_PORT -k $STACK_DIR -c listen_addresses='' -c max_connections=200 -c autovacuum_naptime=1s" -w start >/dev/null
}

# stack_issue_certificates DIR NAME...: DIR/ca.pem, and DIR/NAME.pem + .key per name (CN=NAME;
# SANs NAME, localhost, 127.0.0.1, so a service is reachable by its name on a container network
# too). Valid STACK_CERTIFICATE_DAYS days (2 unless set).
stack_issue_certificates() {
  local certs=$1 days=${STACK_CERTIFICATE_DAYS:-2}
  shift
  mkdir -p "$certs"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$certs/ca.key" \
    -out "$certs/ca.pem" -days "$days" -subj /CN=mlops-local-ca -addext basicConstraints=critical,CA:TRUE \
    -addext keyUsage=critical,keyCertSign 2>/dev/null
  for name in "$@"; do
    openssl req -x509 -CA "$certs/ca.pem" -CAkey "$certs/ca.key" -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
      -nodes -keyout "$certs/$name.key" -out "$certs/$name.pem" -days "$days" -subj "/CN=$name" \
      -addext basicConstraints=CA:FALSE -addext "subjectAltName=DNS:$name,DNS:localhost,IP:127.0.0.1" \
      -addext extendedKeyUsage=serverAuth,clientAuth 2>/dev/null
  done
}

# stack_start_service NAME PORT DATABASE [MEMBERS [FLAG...]]: our release build of service NAME
# (from $products, the release build folder) on 127.0.0.1:PORT over DATABASE of the cluster,
# presenting the certificate stack_issue_certificates made for NAME in $STACK_DIR/certs; MEMBERS
# (', "key": …') are added to its configuration and FLAGs to its command line (they override the
# file: --log-level info). Warnings and worse go to $STACK_DIR/NAME.log. Returns once it accepts
# connections (its migrations are done then); sets stack_last_pid.
stack_start_service() {
  local name=$1 port=$2 database=$3 members=${4:-} certs=$STACK_DIR/certs
  shift $(($# < 4 ? $# : 4))
  cat >"$STACK_DIR/$name.json" <<JSON
{"listen": {"host": "127.0.0.1", "port": $port},
 "tls": {"certificate": "$certs/$name.pem", "key": "$certs/$name.key", "ca": "$certs/ca.pem"},
 "database": {"maxConnections": 10}, "logLevel": "warning"$members}
JSON
  POSTGRES_HOST=$STACK_DIR POSTGRES_PORT=$STACK_PG_PORT POSTGRES_USER=postgres MLOPS_DB_NAME=$database \
    POSTGRES_SSLMODE=disable "$products/$name" --config "$STACK_DIR/$name.json" "$@" 2>"$STACK_DIR/$name.log" &
  stack_last_pid=$!
  stack_pids+=("$stack_last_pid")
  for _ in $(seq 300); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    kill -0 "$stack_last_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "$name did not start:" >&2
  cat "$STACK_DIR/$name.log" >&2
  return 1
}

stack_cleanup() {
  for pid in "${stack_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -n "${STACK_DIR:-}" ]; then
    "${stack_as_postgres[@]}" "$pg_bin/pg_ctl" -D "$STACK_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$STACK_DIR"
  fi
}
