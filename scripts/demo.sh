#!/usr/bin/env bash
# The demo database relation_pyramid_demo with Odoo's and the addon's demo
# data, the pyramid computed and summarised, then Odoo serving on
# http://127.0.0.1:$RP_HTTP_PORT (admin/admin) until interrupted.
# Running it again updates the addon instead of failing.
source "$(dirname "$0")/common.sh"

db_exists() {
    PGPASSWORD="$RP_DB_PASSWORD" psql -h 127.0.0.1 -p "$RP_PGPORT" -U "$RP_DB_USER" -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = '$1'" | grep -q 1
}
installed() {
    PGPASSWORD="$RP_DB_PASSWORD" psql -h 127.0.0.1 -p "$RP_PGPORT" -U "$RP_DB_USER" -d "$1" -tAc \
        "SELECT 1 FROM ir_module_module WHERE name = 'relation_pyramid' AND state = 'installed'" 2>/dev/null | grep -q 1
}

if db_exists "$RP_DEMO_DB" && installed "$RP_DEMO_DB"; then
    say "updating relation_pyramid in the existing $RP_DEMO_DB"
    # Dutch first: demo data is noupdate, its function that loads Dutch does
    # not run on an update, but new demo customers are Dutch.
    "$RP_ROOT/bin/odoo" -d "$RP_DEMO_DB" -u relation_pyramid --stop-after-init \
        --load-language=nl_NL --http-port=8169 --logfile="$RP_LOCAL/log/update-$RP_DEMO_DB.log" \
        || die "updating the addon failed (see .local/log/update-$RP_DEMO_DB.log)"
else
    "$RP_ROOT/scripts/create_db.sh" "$RP_DEMO_DB"
fi

"$RP_ROOT/bin/odoo" shell -d "$RP_DEMO_DB" --no-http --logfile="$RP_LOCAL/log/demo-summary.log" \
    < "$RP_ROOT/scripts/demo_summary.py"

say "Odoo serves $RP_DEMO_DB on http://127.0.0.1:$RP_HTTP_PORT (login admin / admin); Ctrl-C stops it"
exec "$RP_ROOT/bin/odoo" -d "$RP_DEMO_DB" --db-filter="^$RP_DEMO_DB\$" \
    --logfile="$RP_LOCAL/log/odoo-demo.log"
