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

mkdir -p "$RP_LOCAL" "$HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
