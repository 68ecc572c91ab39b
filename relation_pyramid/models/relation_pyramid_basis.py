# Copyright 2026 relation_pyramid authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Revenue basis and level measure (issue 19) on the rows, the snapshots,
the migration matrix and the settings; invoices refresh their customers on
the invoice basis. The sources themselves: ``relation.pyramid.engine.sources``."""
from psycopg2 import sql

from odoo import _, api, fields, models

from .relation_pyramid_engine import RESULT_TABLE
from .relation_pyramid_engine_sources import LEVEL_MEASURES, REVENUE_BASES


class RelationPyramidLine(models.Model):
    _inherit = "relation.pyramid.line"

    margin = fields.Monetary(
        readonly=True,
        help="Sale price minus cost of the orders confirmed in the period "
        "(Sales Margin), in the company currency; empty on the invoice basis.",
    )
    previous_margin = fields.Monetary(
        string="Previous Period Margin", readonly=True
    )
    loss_making = fields.Boolean(
        readonly=True,
        index=True,
        help="The customer's margin in the period is below zero: they cost "
        "money, whatever the levels follow.",
    )
    level_measure = fields.Selection(
        LEVEL_MEASURES,
        string="Levels Follow",
        compute="_compute_level_measure",
        help="What the levels of the customer's company follow: revenue or "
        "margin (the pyramid settings).",
    )

    @api.depends("company_id")
    def _compute_level_measure(self):
        profiles = (
            self.env["relation.pyramid.profile"]
            .sudo()
            .search([("company_id", "in", self.mapped("company_id").ids)])
        )
        measures = {
            profile.company_id.id: profile.level_measure for profile in profiles
        }
        for line in self:
            line.level_measure = measures.get(line.company_id.id, "revenue")


class RelationPyramidSnapshot(models.Model):
    _inherit = "relation.pyramid.snapshot"

    revenue_basis = fields.Selection(
        REVENUE_BASES,
        readonly=True,
        help="The revenue basis the snapshot was computed on.",
    )
    level_measure = fields.Selection(
        LEVEL_MEASURES,
        string="Levels Follow",
        readonly=True,
        help="What the levels of the snapshot follow.",
    )
    loss_making_count = fields.Integer(
        string="Loss-making Customers",
        readonly=True,
        help="Customers whose margin in the period was below zero at the "
        "snapshot's date (sale order basis).",
    )
    loss_total = fields.Monetary(
        string="Total Loss",
        currency_field="currency_id",
        readonly=True,
        help="The sum of the negative margins of the loss-making customers.",
    )
    currency_id = fields.Many2one(related="company_id.currency_id", readonly=True)

    @api.multi
    def _report_data(self):
        """The printable pyramid also says what it was computed on and how
        many customers made a loss."""
        data = super()._report_data()
        labels = {
            name: dict(self._fields[name]._description_selection(self.env))
            for name in ("revenue_basis", "level_measure")
        }
        data.update(
            revenue_basis=labels["revenue_basis"].get(self.revenue_basis),
            level_measure=labels["level_measure"].get(self.level_measure),
            loss_making_count=self.loss_making_count,
            loss_total=self.loss_total,
        )
        return data


class RelationPyramidMigration(models.Model):
    _inherit = "relation.pyramid.migration"

    basis_notice = fields.Char(
        compute="_compute_basis_notice",
        help="Set when the two snapshots were computed on another revenue "
        "basis or measure: their levels are not comparable one to one.",
    )

    @api.depends(
        "snapshot_from_id.revenue_basis",
        "snapshot_to_id.revenue_basis",
        "snapshot_from_id.level_measure",
        "snapshot_to_id.level_measure",
    )
    def _compute_basis_notice(self):
        for matrix in self:
            snapshots = matrix.snapshot_from_id | matrix.snapshot_to_id
            if len(snapshots) < 2:
                matrix.basis_notice = False
                continue
            notices = []
            for field_name in ("revenue_basis", "level_measure"):
                field = snapshots._fields[field_name]
                labels = dict(field._description_selection(self.env))
                before = matrix.snapshot_from_id[field_name]
                after = matrix.snapshot_to_id[field_name]
                if before and after and before != after:
                    notices.append(
                        _("%(what)s: %(before)s, then %(after)s")
                        % {
                            "what": field._description_string(self.env),
                            "before": labels[before],
                            "after": labels[after],
                        }
                    )
            matrix.basis_notice = (
                _("The two snapshots were computed differently (%s): moves between "
                  "levels partly reflect that change.")
                % "; ".join(notices)
                if notices
                else False
            )


class RelationPyramidProfile(models.Model):
    """The profile reads its sources (``relation.pyramid.engine.sources``)
    by its basis; the levels follow its measure."""

    _name = "relation.pyramid.profile"
    _inherit = ["relation.pyramid.profile", "relation.pyramid.engine.sources"]

    @api.multi
    def _revenue_sources(self):
        """The sources of the profile's basis: confirmed sale orders, or
        posted invoices net of credit notes (``_revenue_source_<name>``)."""
        if self.revenue_basis == "invoice":
            return ["invoice"]
        return super()._revenue_sources()

    @api.model
    def _result_columns(self):
        return super()._result_columns() + ["margin", "previous_margin", "loss_making"]

    @api.multi
    def _level_measure_sql(self, revenue_sql):
        """The margin column where the levels follow the margin."""
        if self.level_measure == "margin":
            # no margin known (a source without cost) counts as 0
            return "COALESCE({}margin, 0)".format(revenue_sql[: -len("revenue")])
        return super()._level_measure_sql(revenue_sql)

    @api.multi
    def _settings_signature(self):
        """The basis and the measure are settings the levels follow."""
        return "%s %s %s" % (
            super()._settings_signature(),
            self.revenue_basis,
            self.level_measure,
        )

    @api.depends("revenue_basis", "level_measure")
    def _compute_summary(self):
        return super()._compute_summary()

    @api.multi
    def _write_snapshot(self, reference_date):
        """The snapshot records the basis and the measure it was computed on."""
        snapshot = super()._write_snapshot(reference_date)
        self.env.cr.execute(
            sql.SQL(
                "SELECT COUNT(*), COALESCE(-SUM(margin), 0) FROM {} WHERE loss_making"
            ).format(sql.SQL(RESULT_TABLE))
        )
        loss_count, loss_total = self.env.cr.fetchone()
        values = {
            "revenue_basis": self.revenue_basis,
            "level_measure": self.level_measure,
            "loss_making_count": loss_count,
            "loss_total": float(loss_total),
        }
        if any(snapshot[name] != value for name, value in values.items()):
            snapshot.write(values)
        return snapshot

    @api.model
    def _refresh_invoice_customers(self, customers):
        """``{company id: customer ids}`` of posted or cancelled customer
        invoices: refreshed in the companies whose pyramid reads invoices."""
        companies = (
            self.sudo()
            .search([("revenue_basis", "=", "invoice")])
            .mapped("company_id")
            .ids
        )
        customers = {
            company_id: partner_ids
            for company_id, partner_ids in customers.items()
            if company_id in companies and partner_ids
        }
        if customers:
            self._refresh_partners(customers)


# Invoice fields whose change can move a customer's invoiced revenue.
PYRAMID_INVOICE_FIELDS = {"state", "partner_id", "company_id", "date_invoice", "type"}


class AccountInvoice(models.Model):
    _inherit = "account.invoice"

    @api.multi
    def _pyramid_customers(self):
        """{company id: commercial partner ids} of the customer invoices and
        credit notes."""
        customers = {}
        for invoice in self.filtered(
            lambda inv: inv.type in ("out_invoice", "out_refund")
        ):
            customers.setdefault(invoice.company_id.id, set()).add(
                invoice.partner_id.commercial_partner_id.id
            )
        return customers

    @api.multi
    def write(self, vals):
        """Posting, paying or cancelling a customer invoice or credit note
        (or moving it to another customer, company or date) refreshes its
        customer at once where the pyramid reads invoices."""
        if not PYRAMID_INVOICE_FIELDS & set(vals):
            return super().write(vals)
        customers = self._pyramid_customers()
        result = super().write(vals)
        for company_id, partner_ids in self._pyramid_customers().items():
            customers[company_id] = customers.get(company_id, set()) | partner_ids
        if customers:
            self.env["relation.pyramid.profile"]._refresh_invoice_customers(customers)
        return result
