# Copyright 2026 relation_pyramid authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import SUPERUSER_ID, api


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
