#!/usr/bin/env bash
# "Checked in a real browser": a fresh database WITH demo data, Odoo serving
# it on its own port, then tests/live/ in the browser venv: headless Chromium
# (Debian's /usr/bin/chromium, driven by Playwright) through the web client
# and the reports, plus XML-RPC checks as a sales manager and a salesman.
# Screenshots go to .local/live/screenshots/ (RP_LIVE_SCREENSHOTS=docs/screenshots
# refreshes the README's). Exit code non-zero on any failure, on
# a JavaScript error or error dialog in the browser, or on an ERROR/CRITICAL
# line or a traceback in the server's log during the run.
# Extra arguments go to pytest (e.g. scripts/live_test.sh -k kanban).
#   RP_LIVE_DB (relation_pyramid_ui), RP_LIVE_PORT (8269),
#   RP_LIVE_KEEP_DB=1: reuse an existing RP_LIVE_DB instead of recreating it,
#   RP_BROWSER_PYTHON: the interpreter for the browser venv (>= 3.9),
#   RP_CHROMIUM: the browser binary (/usr/bin/chromium).

source "$(dirname "$0")/common.sh"

RP_LIVE_DB="${RP_LIVE_DB:-relation_pyramid_ui}"
RP_LIVE_PORT="${RP_LIVE_PORT:-8269}"
RP_CHROMIUM="${RP_CHROMIUM:-/usr/bin/chromium}"
BROWSER_VENV="$RP_LOCAL/browservenv"
LIVE_LOG="$RP_LOCAL/log/live.log"

case "$RP_LIVE_DB" in
    relation_pyramid_ui*) ;;
    *) die "RP_LIVE_DB must start with relation_pyramid_ui (it is dropped and recreated)" ;;
esac

browser_venv() {
    local python
    python="$(find_python 9 "${RP_BROWSER_PYTHON:-}")" \
        || die "no Python >= 3.9 with venv found (Playwright needs it): set RP_BROWSER_PYTHON"
    tool_venv "$BROWSER_VENV" "$RP_ROOT/requirements/browser.txt" "$python"
}

port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

server_pid=""
stop_server() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null || true
        for _ in $(seq 1 40); do
            kill -0 "$server_pid" 2>/dev/null || break
            sleep 0.25
        done
        kill -9 "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    server_pid=""
}
trap stop_server EXIT
trap 'exit 130' INT TERM

[ -x "$RP_CHROMIUM" ] || die "$RP_CHROMIUM not found: run 'make setup' (installs Debian's chromium)"
exec 9>"$RP_LOCAL/browservenv.lock"
flock 9
browser_venv
flock -u 9

start=$(date +%s)
if [ "${RP_LIVE_KEEP_DB:-0}" != 1 ]; then
    "$RP_ROOT/scripts/create_db.sh" "$RP_LIVE_DB"
fi

# Reports are rendered by wkhtmltopdf, which fetches their styles from
# web.base.url with the user's session: the server of this run, not the
# default http://localhost:8069 (nothing, or another server of the machine).
PGPASSWORD="$RP_DB_PASSWORD" psql -q -h 127.0.0.1 -p "$RP_PGPORT" -U "$RP_DB_USER" \
    -d "$RP_LIVE_DB" -v url="http://127.0.0.1:$RP_LIVE_PORT" <<'SQL'
INSERT INTO ir_config_parameter (key, value, create_date, write_date)
VALUES ('web.base.url', :'url', now(), now()),
       ('web.base.url.freeze', 'True', now(), now())
ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, write_date = now();
SQL

port_taken "$RP_LIVE_PORT" && die "port $RP_LIVE_PORT is taken: set RP_LIVE_PORT to a free port"
mkdir -p "$(dirname "$LIVE_LOG")"
: > "$LIVE_LOG"
say "starting Odoo on http://127.0.0.1:$RP_LIVE_PORT for $RP_LIVE_DB (log: ${LIVE_LOG#$RP_ROOT/})"
# No cron thread: the nightly recompute must not move the figures mid-run.
"$RP_ROOT/bin/odoo" -d "$RP_LIVE_DB" --db-filter="^$RP_LIVE_DB\$" \
    --http-port="$RP_LIVE_PORT" --max-cron-threads=0 --logfile="$LIVE_LOG" \
    --log-level=info &
server_pid=$!
ready=0
for _ in $(seq 1 240); do
    kill -0 "$server_pid" 2>/dev/null || break
    # No request before the server has loaded the registry itself: a request
    # during that load builds a second registry at the same time, and Odoo 11
    # can fail both (seen once: KeyError 'res.partner' in a fresh clone's run).
    if ! grep -q "Modules loaded" "$LIVE_LOG" 2>/dev/null; then
        sleep 0.5
        continue
    fi
    if curl -fs -o /dev/null --max-time 5 "http://127.0.0.1:$RP_LIVE_PORT/web/login"; then
        ready=1
        break
    fi
    sleep 0.5
done
if [ "$ready" != 1 ]; then
    tail -n 40 "$LIVE_LOG" >&2
    die "Odoo did not answer on /web/login (see ${LIVE_LOG#$RP_ROOT/})"
fi

say "checking the web client, the reports and XML-RPC in headless Chromium"
status=0
cd "$RP_ROOT"
RP_LIVE_URL="http://127.0.0.1:$RP_LIVE_PORT" RP_LIVE_DB="$RP_LIVE_DB" \
    RP_CHROMIUM="$RP_CHROMIUM" RP_LIVE_LOCAL="$RP_LOCAL" \
    RP_LIVE_SCREENSHOTS="${RP_LIVE_SCREENSHOTS:-$RP_LOCAL/live/screenshots}" \
    "$BROWSER_VENV/bin/python" -m pytest --rootdir="$RP_ROOT" "${@:-tests/live}" \
    || status=1
stop_server

# The server must have logged no error while it served the checks.
if grep -nE ' (ERROR|CRITICAL) |Traceback' "$LIVE_LOG" >&2; then
    say "the server logged errors during the live run (see ${LIVE_LOG#$RP_ROOT/})"
    status=1
fi
say "live check $([ "$status" = 0 ] && echo passed || echo FAILED) in $(( $(date +%s) - start )) s"
exit "$status"
