#!/usr/bin/env bash
# Uninstalls relation_pyramid from a database and checks it leaves nothing:
# module state 'uninstalled', no relation_pyramid tables, none of its
# res_partner columns, no functions (the totals' triggers), no ERROR/WARNING in the log. Usage: uninstall_check.sh DB
source "$(dirname "$0")/common.sh"
db="${1:?database name}"
log="$RP_LOCAL/log/uninstall-$db.log"
: > "$log"
say "uninstalling relation_pyramid from $db (log: ${log#$RP_ROOT/})"
"$RP_ROOT/bin/odoo" shell -d "$db" --no-http --logfile="$log" >/dev/null <<'PY'
env["ir.module.module"].search([("name", "=", "relation_pyramid")]).button_immediate_uninstall()
env.cr.commit()
PY
left=$(PGPASSWORD="$RP_DB_PASSWORD" psql -h 127.0.0.1 -p "$RP_PGPORT" -U "$RP_DB_USER" -d "$db" -tA <<'SQL'
SELECT (SELECT state FROM ir_module_module WHERE name = 'relation_pyramid')
    || ' ' || (SELECT COUNT(*) FROM information_schema.tables
                WHERE table_name LIKE 'relation\_pyramid%' OR table_name LIKE 'relation\_motive%'
                   OR table_name LIKE 'relation\_service%')
    || ' ' || (SELECT COUNT(*) FROM information_schema.columns
                WHERE table_name = 'res_partner'
                  AND column_name IN ('service_preference_ids', 'preferred_service_preference_id',
                                      'relation_qualification', 'relation_main_motive_id'))
    || ' ' || (SELECT COUNT(*) FROM pg_proc WHERE proname LIKE 'relation\_pyramid%');
SQL
)
[ "$left" = "uninstalled 0 0 0" ] || die "uninstall left state/tables/columns/functions: $left"
if grep -E ' (ERROR|CRITICAL|WARNING) ' "$log" >&2; then
    die "uninstalling logged errors or warnings (see $log)"
fi
say "uninstalled cleanly"
