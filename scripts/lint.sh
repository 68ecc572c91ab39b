#!/usr/bin/env bash
# OCA-style lint: flake8 (.flake8) on the Python sources and pylint with the
# pylint_odoo plugin (.pylintrc) on the addon. Exit code non-zero on any finding.
# The tools live in their own venv, .local/lintvenv, built with the system
# python3 (>= 3.10) from requirements/lint.txt; the Odoo 11 venv is not used.
# A second run takes the fast path (the venv is keyed on requirements/lint.txt).
# Set RP_LINT_PYTHON=/path/to/python3 to build the venv with another interpreter.

source "$(dirname "$0")/common.sh"

LINT_VENV="$RP_LOCAL/lintvenv"

lint_venv() {
    local python
    python="$(find_python 10 "${RP_LINT_PYTHON:-}")" \
        || die "no Python >= 3.10 with venv found (pylint-odoo needs it): set RP_LINT_PYTHON"
    tool_venv "$LINT_VENV" "$RP_ROOT/requirements/lint.txt" "$python"
}

# One builder at a time when several lint runs start together.
exec 9>"$RP_LOCAL/lintvenv.lock"
flock 9
lint_venv
flock -u 9

cd "$RP_ROOT"
targets=()
for path in relation_pyramid relation_pyramid_crm relation_pyramid_pos tests bench scripts examples setup.py; do
    [ -e "$path" ] && targets+=("$path")
done

status=0
say "flake8 ${targets[*]}"
"$LINT_VENV/bin/flake8" "${targets[@]}" || status=1
say "pylint (pylint_odoo) relation_pyramid relation_pyramid_crm relation_pyramid_pos"
"$LINT_VENV/bin/pylint" --rcfile="$RP_ROOT/.pylintrc" relation_pyramid relation_pyramid_crm \
    relation_pyramid_pos || status=1

if [ "$status" -eq 0 ]; then say "lint: clean"; else say "lint: findings above"; fi
exit "$status"
