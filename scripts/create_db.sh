#!/usr/bin/env bash
# Creates a fresh database with sale_management and relation_pyramid.
# Usage: create_db.sh DBNAME [extra odoo options, e.g. --without-demo=all]
source "$(dirname "$0")/common.sh"
db="${1:?database name}"; shift

dropdb_if_exists() {
    PGPASSWORD="$RP_DB_PASSWORD" dropdb -h 127.0.0.1 -p "$RP_PGPORT" -U "$RP_DB_USER" --if-exists "$1"
}

dropdb_if_exists "$db"
log="$RP_LOCAL/log/install-$db.log"
: > "$log"  # Odoo appends to its log file: check this install's lines only
# RP_ADDONS: the modules to install (the bridges install themselves).
addons="${RP_ADDONS:-sale_management,relation_pyramid}"
say "installing $addons into a fresh database $db (log: ${log#$RP_ROOT/})"
start=$(date +%s)
if ! "$RP_ROOT/bin/odoo" -d "$db" -i "$addons" --stop-after-init \
        --http-port="${RP_INSTALL_HTTP_PORT:-8169}" --logfile="$log" --log-level=info "$@"; then
    tail -n 40 "$log" >&2
    die "installing the addon into $db failed"
fi
if grep -E ' (ERROR|CRITICAL) ' "$log" >&2; then
    die "installing the addon into $db logged errors (see $log)"
fi
say "database $db ready in $(( $(date +%s) - start )) s"
