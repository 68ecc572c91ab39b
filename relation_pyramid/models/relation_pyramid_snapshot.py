# Copyright 2026 relation_pyramid authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

from .relation_pyramid_profile import LEVELS, LIFECYCLES


class RelationPyramidSnapshot(models.Model):
    """The levels of one company's customers as computed at a date."""

    _name = "relation.pyramid.snapshot"
    _description = "Customer pyramid snapshot"
    _order = "company_id, date desc"
    _rec_name = "date"

    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True, ondelete="cascade"
    )
    date = fields.Date(string="Reference Date", required=True, readonly=True)
    line_ids = fields.One2many(
        "relation.pyramid.snapshot.line", "snapshot_id", string="Customers", readonly=True
    )
    customer_count = fields.Integer(compute="_compute_customer_count")

    _sql_constraints = [
        (
            "company_date_uniq",
            "unique(company_id, date)",
            "A company has one pyramid snapshot per date.",
        )
    ]

    @api.multi
    def _compute_customer_count(self):
        counts = self.env["relation.pyramid.snapshot.line"].read_group(
            [("snapshot_id", "in", self.ids)], ["snapshot_id"], ["snapshot_id"]
        )
        by_snapshot = {
            group["snapshot_id"][0]: group["snapshot_id_count"] for group in counts
        }
        for snapshot in self:
            snapshot.customer_count = by_snapshot.get(snapshot.id, 0)


class RelationPyramidSnapshotLine(models.Model):
    _name = "relation.pyramid.snapshot.line"
    _description = "Customer pyramid snapshot row"
    _order = "date desc, rank, revenue desc, id"
    _rec_name = "partner_id"

    snapshot_id = fields.Many2one(
        "relation.pyramid.snapshot", required=True, readonly=True, ondelete="cascade"
    )
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True, ondelete="cascade"
    )
    date = fields.Date(related="snapshot_id.date", store=True, readonly=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    currency_id = fields.Many2one(related="company_id.currency_id", readonly=True)
    lifecycle = fields.Selection(LIFECYCLES, required=True, readonly=True)
    level = fields.Selection(LEVELS, required=True, readonly=True)
    revenue = fields.Monetary(string="Period Revenue", readonly=True)
    rank = fields.Integer(readonly=True)

    _sql_constraints = [
        (
            "snapshot_partner_uniq",
            "unique(snapshot_id, partner_id)",
            "A customer appears once per snapshot.",
        )
    ]
