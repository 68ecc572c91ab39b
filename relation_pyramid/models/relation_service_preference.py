# Copyright 2026 relation_pyramid authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class RelationServicePreference(models.Model):
    """A way a customer wants to be served and contacted (bedieningswens)."""

    _name = "relation.service.preference"
    _inherit = "relation.configuration.list"
    _description = "Service preference"

    activity_type_id = fields.Many2one(
        "mail.activity.type",
        ondelete="set null",
        help="Activity planned when a customer who prefers this is due for contact.",
    )
