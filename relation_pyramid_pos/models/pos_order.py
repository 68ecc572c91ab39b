# Copyright 2026 relation_pyramid authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

# The states of a point of sale order that count as a sale.
COUNTED_STATES = ("paid", "done", "invoiced")
# Order fields whose change can move a customer's revenue or lifecycle.
PYRAMID_POS_FIELDS = {
    "state",
    "partner_id",
    "company_id",
    "date_order",
    "pricelist_id",
    "invoice_id",
}


class PosOrder(models.Model):
    _inherit = "pos.order"

    # Odoo 11 computes a POS order's amounts without storing them; the
    # pyramid reads them in SQL, so the untaxed amount is kept here.
    pyramid_amount_untaxed = fields.Float(
        string="Untaxed Amount (Pyramid)",
        compute="_compute_pyramid_amount_untaxed",
        store=True,
        digits=0,
        help="The order's untaxed amount in its pricelist's currency, as the "
        "customer pyramid counts it.",
    )

    @api.depends(
        "lines.price_subtotal",
        "lines.qty",
        "lines.price_unit",
        "lines.discount",
        "lines.tax_ids",
    )
    def _compute_pyramid_amount_untaxed(self):
        for order in self:
            currency = order.pricelist_id.currency_id
            amount = sum(order.lines.mapped("price_subtotal"))
            if currency:
                amount = currency.round(amount)
            order.pyramid_amount_untaxed = amount

    @api.multi
    def _pyramid_customers(self):
        """{company id: commercial partner ids} of the counted orders."""
        customers = {}
        for order in self.filtered(
            lambda order: order.partner_id and order.state in COUNTED_STATES
        ):
            customers.setdefault(order.company_id.id, set()).add(
                order.partner_id.commercial_partner_id.id
            )
        return customers

    @api.multi
    def write(self, vals):
        """Paying, invoicing or cancelling an order, or moving it to another
        customer, company or date, refreshes the customers concerned."""
        if not PYRAMID_POS_FIELDS & set(vals):
            return super().write(vals)
        customers = self._pyramid_customers()
        result = super().write(vals)
        for company_id, partner_ids in self._pyramid_customers().items():
            customers[company_id] = customers.get(company_id, set()) | partner_ids
        if customers:
            self.env["relation.pyramid.profile"]._refresh_partners(customers)
        return result
