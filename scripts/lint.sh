#!/usr/bin/env bash
# OCA-style lint: flake8 (.flake8) on the Python sources and pylint with the
# pylint_odoo plugin (.pylintrc) on the addon. Exit code non-zero on any finding.
# The tools live in their own venv, .local/lintvenv, built with the system
# python3 (>= 3.10) from requirements/lint.txt; the Odoo 11 venv is not used.
# A second run takes the fast path (the venv is keyed on requirements/lint.txt).
# Set RP_LINT_PYTHON=/path/to/python3 to build the venv with another interpreter.

# Pick the interpreter before common.sh puts the Odoo venv (3.7) on PATH:
# the first Python >= 3.10 of $RP_LINT_PYTHON, python3, python3.1x, /usr/bin/python3.
find_lint_python() {
    local candidate
    for candidate in "${RP_LINT_PYTHON:-}" python3 python3.11 python3.12 python3.13 \
        python3.10 /usr/bin/python3; do
        [ -n "$candidate" ] || continue
        candidate="$(command -v "$candidate" 2>/dev/null)" || continue
        if "$candidate" -c 'import sys, venv; sys.exit(sys.version_info < (3, 10))' \
            >/dev/null 2>&1; then
            echo "$candidate"
            return 0
        fi
    done
}
LINT_PYTHON="$(find_lint_python)"
source "$(dirname "$0")/common.sh"

LINT_VENV="$RP_LOCAL/lintvenv"
LINT_REQ="$RP_ROOT/requirements/lint.txt"
LINT_STAMP="$RP_LOCAL/lintvenv.stamp"

lint_venv() {
    local want
    want="$(sha256sum "$LINT_REQ" | cut -d' ' -f1)"
    if [ -x "$LINT_VENV/bin/python" ] && [ "$(cat "$LINT_STAMP" 2>/dev/null)" = "$want" ]; then
        return 0
    fi
    [ -n "$LINT_PYTHON" ] \
        || die "no Python >= 3.10 with venv found (pylint-odoo needs it): set RP_LINT_PYTHON"
    say "building the lint venv in .local/lintvenv with $LINT_PYTHON"
    rm -rf "$LINT_VENV" "$LINT_STAMP"
    "$LINT_PYTHON" -m venv "$LINT_VENV"
    "$LINT_VENV/bin/pip" install --quiet --disable-pip-version-check -r "$LINT_REQ"
    echo "$want" > "$LINT_STAMP"
}

# One builder at a time when several lint runs start together.
exec 9>"$RP_LOCAL/lintvenv.lock"
flock 9
lint_venv
flock -u 9

cd "$RP_ROOT"
targets=()
for path in relation_pyramid tests bench scripts setup.py; do
    [ -e "$path" ] && targets+=("$path")
done

status=0
say "flake8 ${targets[*]}"
"$LINT_VENV/bin/flake8" "${targets[@]}" || status=1
say "pylint (pylint_odoo) relation_pyramid"
"$LINT_VENV/bin/pylint" --rcfile="$RP_ROOT/.pylintrc" relation_pyramid || status=1

if [ "$status" -eq 0 ]; then say "lint: clean"; else say "lint: findings above"; fi
exit "$status"
