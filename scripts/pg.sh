#!/usr/bin/env bash
# The project's own PostgreSQL cluster: .local/pg, port $RP_PGPORT on
# 127.0.0.1 and a socket in .local/pg/run, role 'odoo' (Odoo refuses to run
# as the postgres superuser). Usage: pg.sh start|stop|status|psql [args]
source "$(dirname "$0")/common.sh"

pgctl() { as_pg_owner "$RP_PG_BIN/pg_ctl" -D "$RP_PGDATA" "$@"; }

init_cluster() {
    [ -f "$RP_PGDATA/PG_VERSION" ] && return 0
    [ -x "$RP_PG_BIN/initdb" ] || die "PostgreSQL 15 server binaries not found in $RP_PG_BIN (apt-get install postgresql)"
    say "creating the PostgreSQL cluster in .local/pg"
    mkdir -p "$RP_PGDATA" "$RP_PGRUN"
    if [ "$(id -u)" -eq 0 ]; then
        chown -R postgres: "$RP_LOCAL/pg"
        runuser -u postgres -- test -w "$RP_PGDATA" \
            || die "the postgres user cannot write $RP_PGDATA: move the repo to a folder other users can enter"
    fi
    as_pg_owner "$RP_PG_BIN/initdb" -D "$RP_PGDATA" -U postgres -E UTF8 --locale=C.UTF-8 \
        --auth-local=trust --auth-host=scram-sha-256 >/dev/null
    cat >> "$RP_PGDATA/postgresql.conf" <<CONF
# relation_pyramid development cluster
listen_addresses = '127.0.0.1'
port = $RP_PGPORT
unix_socket_directories = '$RP_PGRUN'
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 512MB
work_mem = 64MB
maintenance_work_mem = 256MB
max_wal_size = 4GB
# A test class runs many recomputes in one transaction (SavepointCase), and
# each holds the locks of the temporary tables it made until the end: 64
# per connection ran out ("out of shared memory") with two suites at once.
max_locks_per_transaction = 256
CONF
}

start() {
    init_cluster
    if pgctl status >/dev/null 2>&1; then return 0; fi
    if (exec 3<>"/dev/tcp/127.0.0.1/$RP_PGPORT") 2>/dev/null; then
        die "port $RP_PGPORT is taken by another server: set RP_PGPORT to a free port"
    fi
    mkdir -p "$RP_PGRUN"; [ "$(id -u)" -eq 0 ] && chown postgres: "$RP_PGRUN"
    as_pg_owner touch "$RP_PGLOG" 2>/dev/null || true
    pgctl -l "$RP_PGLOG" -w -t 60 start >/dev/null || die "PostgreSQL did not start, see $RP_PGLOG"
    psql_super -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$RP_DB_USER'" | grep -q 1 \
        || psql_super -qc "CREATE ROLE $RP_DB_USER LOGIN CREATEDB PASSWORD '$RP_DB_PASSWORD'"
}

psql_super() { as_pg_owner psql -h "$RP_PGRUN" -p "$RP_PGPORT" -U postgres -d postgres -v ON_ERROR_STOP=1 "$@"; }

case "${1:-}" in
    start) start ;;
    stop) pgctl status >/dev/null 2>&1 && pgctl -m fast stop >/dev/null; true ;;
    status) pgctl status ;;
    psql) shift; start; PGPASSWORD="$RP_DB_PASSWORD" psql -h 127.0.0.1 -p "$RP_PGPORT" -U "$RP_DB_USER" "$@" ;;
    *) die "usage: $0 start|stop|status|psql [args]" ;;
esac
