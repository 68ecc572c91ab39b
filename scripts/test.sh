#!/usr/bin/env bash
# Runs the whole test suite on a fresh database: drop it, install
# sale_management and relation_pyramid without demo data and with Dutch
# loaded (tests/test_translation.py reads the UI in nl_NL; about 10 s more),
# then pytest-odoo. Extra arguments go to pytest (e.g. scripts/test.sh -k levels).
# The first language of --load-language becomes every partner's (so the
# users') language: en_US first keeps the database English, Dutch installed.
source "$(dirname "$0")/common.sh"

"$RP_ROOT/scripts/create_db.sh" "$RP_TEST_DB" --without-demo=all --load-language=en_US,nl_NL

say "running the tests on $RP_TEST_DB"
cd "$RP_ROOT"
status=0
ODOO_RC="$RP_CONF" "$RP_VENV/bin/python" -m pytest \
    --odoo-database="$RP_TEST_DB" --odoo-config="$RP_CONF" "${@:-tests}" || status=$?

# The addon uninstalls cleanly from the test database (whole suite only).
if [ $# -eq 0 ]; then
    "$RP_ROOT/scripts/uninstall_check.sh" "$RP_TEST_DB" || status=1
fi

# Checked in a real browser (scripts/live_test.sh, tests/live/): with the
# whole suite (no arguments) or RP_LIVE=1; RP_LIVE=0 skips it. It runs even
# when pytest failed; the exit code is non-zero if either failed.
if [ "${RP_LIVE:-$([ $# -eq 0 ] && echo 1 || echo 0)}" = 1 ]; then
    "$RP_ROOT/scripts/live_test.sh" || status=1
fi
exit "$status"
