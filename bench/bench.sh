#!/usr/bin/env bash
# `make bench [SIZE="S M"]`: generate (or reuse) the bench databases and
# measure the pyramid engine; see bench/README.md. Extra options go to run.py
# through BENCH_ARGS, e.g. BENCH_ARGS="--regenerate --drop".
source "$(dirname "$0")/../scripts/common.sh"
"$RP_ROOT/scripts/pg.sh" start
# shellcheck disable=SC2086
exec "$RP_VENV/bin/python" "$RP_ROOT/bench/run.py" ${BENCH_ARGS:-} "$@"
