# Copyright 2026 relation_pyramid authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models, tools


class RelationPyramidLine(models.Model):
    """A customer's place in their company's pyramid, written by the engine
    (``relation.pyramid.profile``), one row per company and customer."""

    _name = "relation.pyramid.line"
    _inherit = "relation.pyramid.level.mixin"
    _description = "Customer pyramid row"
    # The record rule keeps one company: ordering by company_id would join
    # res_company and sort every row of the company at each list opening.
    _order = "rank, revenue desc, id"
    # Written in bulk by the engine only: no create/write stamps, whose two
    # foreign keys to res_users would be checked for every row written.
    _log_access = False

    company_id = fields.Many2one(required=True, ondelete="cascade")
    level = fields.Selection(index=True)
    rank = fields.Integer(readonly=True, group_operator="min")
    previous_revenue = fields.Monetary(string="Previous Period Revenue", readonly=True)
    revenue_share = fields.Float(
        string="Share of Revenue (%)",
        digits=(16, 4),
        readonly=True,
        group_operator="sum",
    )
    cumulative_share = fields.Float(
        string="Cumulative Share (%)",
        digits=(16, 4),
        readonly=True,
        group_operator="max",
    )
    revenue_change_pct = fields.Float(
        string="Change (%)",
        digits=(16, 2),
        readonly=True,
        group_operator=False,
        help="Revenue change against the previous period.",
    )
    upsell_gap = fields.Monetary(
        string="Up-sell Gap",
        readonly=True,
        help="Revenue still missing to reach the lowest revenue of the next "
        "level up.",
    )
    user_id = fields.Many2one(
        related="partner_id.user_id", string="Salesperson", store=True, readonly=True
    )
    country_id = fields.Many2one(
        related="partner_id.country_id", string="Country", store=True, readonly=True
    )
    relation_motive_id = fields.Many2one(
        "relation.motive",
        string="Main Motive",
        readonly=True,
        ondelete="set null",
        help="The customer's first relation motive at the last recompute.",
    )
    partner_image = fields.Binary(related="partner_id.image_small", readonly=True)
    preferred_service_preference_id = fields.Many2one(
        related="partner_id.preferred_service_preference_id", readonly=True
    )

    _sql_constraints = [
        (
            "company_partner_uniq",
            "unique(company_id, partner_id)",
            "A customer has one row per company in the pyramid.",
        )
    ]

    @api.model_cr
    def init(self):
        # The list of a company's rows in ``_order``: its first page is read
        # from the index instead of sorting all the company's rows.
        tools.create_index(
            self._cr,
            "relation_pyramid_line_company_order_index",
            self._table,
            ["company_id", "rank", "revenue DESC", "id"],
        )
