#!/usr/bin/env bash
# Runs the whole test suite on a fresh database: drop it, install
# sale_management and relation_pyramid without demo data and with Dutch
# loaded (tests/test_translation.py reads the UI in nl_NL; about 10 s more),
# then pytest-odoo. Extra arguments go to pytest (e.g. scripts/test.sh -k levels).
# The first language of --load-language becomes every partner's (so the
# users') language: en_US first keeps the database English, Dutch installed.
source "$(dirname "$0")/common.sh"

# CRM too: the bridge relation_pyramid_crm installs itself with it (merging
# customers, tests/test_partner_merge.py). Point of Sale too: the bridge
# relation_pyramid_pos installs itself with it (tests/test_pos.py).
RP_ADDONS=sale_management,crm,point_of_sale,relation_pyramid \
    "$RP_ROOT/scripts/create_db.sh" "$RP_TEST_DB" --without-demo=all --load-language=en_US,nl_NL

say "running the tests on $RP_TEST_DB"
cd "$RP_ROOT"
status=0
ODOO_RC="$RP_CONF" "$RP_VENV/bin/python" -m pytest \
    --odoo-database="$RP_TEST_DB" --odoo-config="$RP_CONF" "${@:-tests}" || status=$?

# No test may depend on today's date: the same tests once more with the
# clock of Odoo's Python process at a far date (faketime; PostgreSQL's now()
# is not faked, the addon takes today from Python), about 1 minute. With the
# whole suite: 1 January 00:30 of four years ahead (past a year end, a few
# minutes after midnight). RP_FAKETIME='2030-01-01 00:30:00' runs it at that
# date (also with arguments), RP_FAKETIME=0 skips it.
fake_date="${RP_FAKETIME:-$([ $# -eq 0 ] && echo "$(( $(date +%Y) + 4 ))-01-01 00:30:00" || echo 0)}"
if [ "$fake_date" != 0 ]; then
    say "running the tests again on $RP_TEST_DB with the clock at $fake_date (faketime)"
    ODOO_RC="$RP_CONF" faketime "$fake_date" "$RP_VENV/bin/python" -m pytest \
        --odoo-database="$RP_TEST_DB" --odoo-config="$RP_CONF" "${@:-tests}" || status=$?
fi

# The addon uninstalls cleanly from the test database (whole suite only).
if [ $# -eq 0 ]; then
    "$RP_ROOT/scripts/uninstall_check.sh" "$RP_TEST_DB" || status=1
fi

# Odoo's own sale and sale_management tests pass with the addon installed
# (scripts/odoo_suites.sh, a database of its own, about 3 minutes): with the
# whole suite (no arguments) or RP_ODOO_SUITES=1; RP_ODOO_SUITES=0 skips it.
if [ "${RP_ODOO_SUITES:-$([ $# -eq 0 ] && echo 1 || echo 0)}" = 1 ]; then
    "$RP_ROOT/scripts/odoo_suites.sh" || status=1
fi

# Checked in a real browser (scripts/live_test.sh, tests/live/): with the
# whole suite (no arguments) or RP_LIVE=1; RP_LIVE=0 skips it. It runs even
# when pytest failed; the exit code is non-zero if either failed.
if [ "${RP_LIVE:-$([ $# -eq 0 ] && echo 1 || echo 0)}" = 1 ]; then
    "$RP_ROOT/scripts/live_test.sh" || status=1
fi
exit "$status"
