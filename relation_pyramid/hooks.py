# Copyright 2026 relation_pyramid authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import SUPERUSER_ID, api


def post_init_hook(cr, registry):
    """A profile for every company, and the pyramid computed right away from
    the orders the database already has."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["relation.pyramid.profile"]._ensure_profiles().action_recompute()
