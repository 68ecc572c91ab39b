#!/usr/bin/env bash
# Runs the whole test suite on a fresh database: drop it, install
# sale_management and relation_pyramid without demo data, then pytest-odoo.
# Extra arguments go to pytest (e.g. scripts/test.sh -k levels).
source "$(dirname "$0")/common.sh"

"$RP_ROOT/scripts/create_db.sh" "$RP_TEST_DB" --without-demo=all

say "running the tests on $RP_TEST_DB"
cd "$RP_ROOT"
ODOO_RC="$RP_CONF" "$RP_VENV/bin/python" -m pytest \
    --odoo-database="$RP_TEST_DB" --odoo-config="$RP_CONF" "${@:-tests}"
