# Shared settings for the project's scripts. Source it; do not run it.
# Everything a run writes lives under $RP_LOCAL (ignored by git), except
# system packages and package caches.
set -euo pipefail

RP_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RP_LOCAL="${RP_LOCAL:-$RP_ROOT/.local}"
RP_VENV="$RP_LOCAL/venv"
RP_CONF="$RP_LOCAL/odoo.conf"
RP_PGDATA="$RP_LOCAL/pg/data"
RP_PGRUN="$RP_LOCAL/pg/run"
RP_PGLOG="$RP_LOCAL/pg/postgresql.log"
RP_PGPORT="${RP_PGPORT:-54329}"
RP_DB_USER="odoo"
RP_DB_PASSWORD="odoo"
RP_HTTP_PORT="${RP_HTTP_PORT:-8069}"
RP_TEST_DB="${RP_TEST_DB:-relation_pyramid_test}"
RP_DEMO_DB="${RP_DEMO_DB:-relation_pyramid_demo}"
RP_PG_BIN="${RP_PG_BIN:-/usr/lib/postgresql/15/bin}"

# The caller's PATH, before the Odoo venv (Python 3.7) goes on it.
export RP_USER_PATH="${RP_USER_PATH:-$PATH}"
# Package caches stay where the machine keeps them (the caller's HOME).
export RP_USER_HOME="${RP_USER_HOME:-$HOME}"
export PIP_CACHE_DIR="${PIP_CACHE_DIR:-$RP_USER_HOME/.cache/pip}"
export npm_config_cache="${npm_config_cache:-$RP_USER_HOME/.npm}"
# Odoo, wkhtmltopdf and the shell write under HOME: keep it inside the repo.
export HOME="$RP_LOCAL/home"
export XDG_RUNTIME_DIR="$RP_LOCAL/home/run"
export XDG_CACHE_HOME="$RP_LOCAL/home/.cache"
export PATH="$RP_LOCAL/node/node_modules/.bin:$RP_VENV/bin:$PATH"
export PGHOST="$RP_PGRUN" PGPORT="$RP_PGPORT"

say() { printf '\033[1m[relation_pyramid]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[31m[relation_pyramid] error:\033[0m %s\n' "$*" >&2; exit 1; }

# Run a command as root: directly when we are root, else through sudo.
as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"
    elif command -v sudo >/dev/null 2>&1; then sudo "$@"
    else die "root rights are needed to run: $* (run as root or install sudo)"
    fi
}

# Run a PostgreSQL server binary as the cluster's owner (initdb refuses root).
as_pg_owner() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"
    else "$@"
    fi
}

# find_python MINOR [CANDIDATE...]: the first of the candidates, then python3,
# python3.1x, /usr/bin/python3 on the caller's PATH, that is Python >= 3.MINOR
# with venv. The tools' venvs (lint, browser) need a newer Python than Odoo's.
find_python() {
    local minor="$1" candidate; shift
    for candidate in "$@" python3 python3.13 python3.12 python3.11 python3.10 \
        /usr/bin/python3; do
        [ -n "$candidate" ] || continue
        candidate="$(PATH="$RP_USER_PATH"; command -v "$candidate" 2>/dev/null)" || continue
        if "$candidate" -c "import sys, venv; sys.exit(sys.version_info < (3, $minor))" \
            >/dev/null 2>&1; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

# tool_venv DIR REQUIREMENTS PYTHON: a venv of a tool's own, rebuilt only when
# the requirements or the interpreter change (stamp DIR.stamp).
tool_venv() {
    local dir="$1" requirements="$2" python="$3" want
    want="$( (cat "$requirements"; "$python" -VV) | sha256sum | cut -d' ' -f1)"
    if [ -x "$dir/bin/python" ] && [ "$(cat "$dir.stamp" 2>/dev/null)" = "$want" ]; then
        return 0
    fi
    say "building ${dir#$RP_ROOT/} with $python"
    rm -rf "$dir" "$dir.stamp"
    "$python" -m venv "$dir"
    # Python packages only: Playwright's browser download is never run.
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 "$dir/bin/pip" install --quiet \
        --disable-pip-version-check -r "$requirements"
    echo "$want" > "$dir.stamp"
}

mkdir -p "$RP_LOCAL" "$HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
