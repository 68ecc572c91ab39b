"""Checked in a real browser: run by scripts/live_test.sh against a running Odoo.

Stdlib only at import time (the Odoo venv's pytest loads this package's
conftest too, and skips its tests)."""
