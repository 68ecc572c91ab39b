# Copyright 2026 relation_pyramid authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from psycopg2 import sql

from odoo import api, fields, models, tools


# Share of each page that new rows fill (see ``_set_fillfactor``).
HOT_FILLFACTOR = 70


class RelationPyramidLine(models.Model):
    """A customer's place in their company's pyramid, written by the engine
    (``relation.pyramid.profile``), one row per company and customer."""

    _name = "relation.pyramid.line"
    _inherit = "relation.pyramid.level.mixin"
    _description = "Customer pyramid row"
    # Active customers first, by rank: an active customer has revenue > 0
    # in the period, every other customer 0 or less. Not by the stored rank,
    # which every recompute rewrites for most rows (see ``init``) and which a
    # customer refreshed between recomputes shares with a stale one. Not by
    # company: the record rule keeps one, and a many2one order joins
    # res_company.
    _order = "revenue desc, id"
    # Written in bulk by the engine only: no create/write stamps, whose two
    # foreign keys to res_users would be checked for every row written.
    _log_access = False

    company_id = fields.Many2one(required=True, ondelete="cascade")
    level = fields.Selection(index=True)
    # No aggregate in group headers: a sum (or minimum) of ranks or of
    # up-sell gaps means nothing to a reader.
    rank = fields.Integer(readonly=True, group_operator=False)
    previous_revenue = fields.Monetary(string="Previous Period Revenue", readonly=True)
    revenue_share = fields.Float(
        string="Share of Revenue (%)",
        # Shown with one decimal; the engine stores four (read unrounded).
        digits=(16, 1),
        readonly=True,
        group_operator="sum",
    )
    cumulative_share = fields.Float(
        string="Cumulative Share (%)",
        digits=(16, 1),
        readonly=True,
        group_operator="max",
    )
    revenue_change_pct = fields.Float(
        string="Change (%)",
        digits=(16, 1),
        readonly=True,
        group_operator=False,
        help="Revenue change against the previous period.",
    )
    upsell_gap = fields.Monetary(
        string="Up-sell Gap",
        readonly=True,
        group_operator=False,
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
    first_order_date = fields.Date(
        readonly=True, help="The day of the customer's first confirmed order."
    )
    last_order_date = fields.Date(
        readonly=True,
        help="The day of the customer's last confirmed order up to the "
        "reference date.",
    )
    order_count = fields.Integer(
        string="Orders", readonly=True, help="Confirmed orders in the period."
    )
    average_order_value = fields.Monetary(
        readonly=True,
        group_operator=False,
        help="Period revenue divided by the confirmed orders in the period.",
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
            "relation_pyramid_line_company_revenue_index",
            self._table,
            ["company_id", "revenue DESC", "id"],
        )
        self._set_fillfactor(HOT_FILLFACTOR)

    @api.model_cr
    def _set_fillfactor(self, fillfactor):
        """Leave room on each page for the new versions of its rows. A
        recompute rewrites the rank, shares and gap of most rows (those below
        any customer whose revenue moved); none of these is indexed, so with
        room on the page PostgreSQL updates the row in place (a HOT update)
        without touching the indexes."""
        self._cr.execute(
            "SELECT reloptions FROM pg_class WHERE relname = %s", (self._table,)
        )
        options = self._cr.fetchone()[0] or []
        if "fillfactor=%d" % fillfactor not in options:
            self._cr.execute(
                sql.SQL("ALTER TABLE {} SET (fillfactor = {})").format(
                    sql.Identifier(self._table), sql.Literal(fillfactor)
                )
            )
