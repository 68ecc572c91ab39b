# Copyright 2026 relation_pyramid authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models


class RelationMotive(models.Model):
    """A reason why a customer buys from us (brand, price, a personal tie...)."""

    _name = "relation.motive"
    _inherit = "relation.configuration.list"
    _description = "Relation motive"
