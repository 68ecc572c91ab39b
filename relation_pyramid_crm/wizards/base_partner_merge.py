# Copyright 2026 relation_pyramid authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models


class MergePartnerAutomatic(models.TransientModel):
    _inherit = "base.partner.merge.automatic.wizard"

    @api.model
    def _update_foreign_keys(self, src_partners, dst_partner):
        """The merged customers' pyramid rows and history become the
        destination's before Odoo moves what refers to them (it would keep a
        second history row per snapshot, or drop them all); the destination
        is refreshed once its orders are all there."""
        profiles = self.env["relation.pyramid.profile"]
        profiles._merge_customers(src_partners, dst_partner)
        result = super()._update_foreign_keys(src_partners, dst_partner)
        profiles._refresh_merged_customer(dst_partner)
        return result
