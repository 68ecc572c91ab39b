# Copyright 2026 relation_pyramid authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import SUPERUSER_ID, _, api
from odoo.exceptions import UserError

# The engine compares with numeric 'Infinity' (PostgreSQL 14), uses CTEs
# "AS MATERIALIZED" (12) and "SET LOCAL jit" (11).
MIN_POSTGRES_VERSION = 140000


def check_postgres_version(version_num):
    """Refuse a PostgreSQL server older than 14; ``version_num`` is the
    server's ``server_version_num`` (140000 for 14.0, 90624 for 9.6.24)."""
    version_num = int(version_num)
    if version_num >= MIN_POSTGRES_VERSION:
        return
    if version_num >= 100000:  # 10 and later: major * 10000 + minor
        version = "%d.%d" % divmod(version_num, 10000)
    else:  # before 10: major * 10000 + minor * 100 + patch
        version = "%d.%d.%d" % (
            version_num // 10000, version_num // 100 % 100, version_num % 100
        )
    raise UserError(
        _("Relation Pyramid needs PostgreSQL 14 or newer; this server runs %s.")
        % version
    )


def pre_init_hook(cr):
    """Stop the installation on a PostgreSQL server older than 14."""
    cr.execute("SELECT current_setting('server_version_num')::integer")
    check_postgres_version(cr.fetchone()[0])


def post_init_hook(cr, registry):
    """A profile for every company, and the pyramid computed right away from
    the orders the database already has. For a company with confirmed
    orders also the snapshots of the last four quarter ends and a migration
    matrix from the oldest snapshot to today's, so that the history and the
    matrix have content from the first login. Odoo loads a module's data,
    then its demo data, then runs this hook: the demo orders are there."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    profiles = env["relation.pyramid.profile"]._ensure_profiles()
    profiles.action_recompute()
    for profile in profiles:
        company = profile.company_id
        has_orders = env["sale.order"].search(
            [("company_id", "=", company.id), ("state", "in", ("sale", "done"))],
            limit=1,
        )
        if not has_orders:
            continue
        profile.action_backfill_quarter_ends()
        snapshots = env["relation.pyramid.snapshot"].search(
            [("company_id", "=", company.id)], order="date"
        )
        if len(snapshots) > 1:
            env["relation.pyramid.migration"].create(
                {
                    "company_id": company.id,
                    "snapshot_from_id": snapshots[0].id,
                    "snapshot_to_id": snapshots[-1].id,
                }
            )


def uninstall_hook(cr, registry):
    """Drop the function of the triggers that keep the pyramid's totals
    (``relation.pyramid.line.total``): Odoo drops the tables, and the
    triggers with them, not functions."""
    cr.execute("DROP FUNCTION IF EXISTS relation_pyramid_line_total_change() CASCADE")
