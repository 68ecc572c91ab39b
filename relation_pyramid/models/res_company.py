# Copyright 2026 relation_pyramid authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models


class ResCompany(models.Model):
    _inherit = "res.company"

    @api.model
    def create(self, vals):
        company = super().create(vals)
        self.env["relation.pyramid.profile"].sudo().create({"company_id": company.id})
        return company
