# Copyright 2026 relation_pyramid authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

from .relation_pyramid_engine import LEVELS, LIFECYCLES

# Order fields whose change can move a customer's revenue or lifecycle.
PYRAMID_ORDER_FIELDS = {
    "state",
    "partner_id",
    "company_id",
    "confirmation_date",
    "date_order",
    "pricelist_id",
    "order_line",
}
# Order line fields whose change can move the order's untaxed amount.
PYRAMID_LINE_FIELDS = {
    "order_id",
    "product_id",
    "product_uom",
    "product_uom_qty",
    "price_unit",
    "discount",
}


class SaleOrder(models.Model):
    _inherit = "sale.order"

    # The customer's place in the pyramid of the order's company, shown as a
    # badge next to the customer. Read as the user: a salesperson who sees
    # own documents only gets nothing for another's customer (record rules
    # on the pyramid rows), like the partner's own fields.
    partner_pyramid_level = fields.Selection(
        LEVELS,
        string="Customer Level",
        compute="_compute_partner_pyramid",
        groups="sales_team.group_sale_salesman",
    )
    partner_relation_lifecycle = fields.Selection(
        LIFECYCLES,
        string="Customer Lifecycle",
        compute="_compute_partner_pyramid",
        groups="sales_team.group_sale_salesman",
    )

    @api.depends("partner_id", "company_id")
    def _compute_partner_pyramid(self):
        commercial = self.mapped("partner_id.commercial_partner_id")
        lines = self.env["relation.pyramid.line"].search(
            [
                ("company_id", "in", self.mapped("company_id").ids),
                ("partner_id", "in", commercial.ids),
            ]
        )
        line_by_key = {(line.company_id.id, line.partner_id.id): line for line in lines}
        for order in self:
            line = line_by_key.get(
                (order.company_id.id, order.partner_id.commercial_partner_id.id)
            )
            order.partner_pyramid_level = line.level if line else False
            order.partner_relation_lifecycle = line.lifecycle if line else False

    @api.multi
    def _pyramid_customers(self):
        """{company id: commercial partner ids} of the confirmed orders."""
        customers = {}
        for order in self.filtered(lambda order: order.state in ("sale", "done")):
            customers.setdefault(order.company_id.id, set()).add(
                order.partner_id.commercial_partner_id.id
            )
        return customers

    @api.multi
    def _refresh_pyramid(self, customers_before=None):
        """Bring the pyramid rows of the customers of these orders (and of
        ``customers_before``, as they were before a change) up to date."""
        self.recompute()
        customers = dict(customers_before or {})
        for company_id, partner_ids in self._pyramid_customers().items():
            customers[company_id] = customers.get(company_id, set()) | partner_ids
        if customers:
            self.env["relation.pyramid.profile"]._refresh_partners(customers)

    @api.multi
    def write(self, vals):
        """Confirming, cancelling, moving an order to another customer,
        company or date, or changing its lines refreshes the customers
        concerned at once."""
        if not PYRAMID_ORDER_FIELDS & set(vals):
            return super().write(vals)
        customers_before = self._pyramid_customers()
        orders = self
        if "order_line" in vals:
            # the lines' own hooks leave the refresh to this write: once,
            # after all the lines' commands
            refreshing = self._refreshing_orders() | set(self.ids)
            orders = self.with_context(relation_pyramid_refreshing_orders=refreshing)
        result = super(SaleOrder, orders).write(vals)
        self._refresh_pyramid(customers_before)
        return result

    @api.model
    def _refreshing_orders(self):
        """The orders whose write refreshes their customers once done (their
        lines' changes do not refresh on their own)."""
        return set(self.env.context.get("relation_pyramid_refreshing_orders", ()))


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    @api.model
    def create(self, vals):
        line = super().create(vals)
        if line.order_id.state in ("sale", "done") and not line._refreshed_by_order():
            line.order_id._refresh_pyramid()
        return line

    @api.multi
    def write(self, vals):
        if not PYRAMID_LINE_FIELDS & set(vals) or self._refreshed_by_order(vals):
            return super().write(vals)
        orders_before = self.mapped("order_id")
        result = super().write(vals)
        orders = orders_before | self.mapped("order_id")
        if any(order.state in ("sale", "done") for order in orders):
            orders._refresh_pyramid(orders_before._pyramid_customers())
        return result

    @api.multi
    def unlink(self):
        if self._refreshed_by_order():
            return super().unlink()
        orders = self.mapped("order_id")
        customers = orders._pyramid_customers()
        result = super().unlink()
        if customers:
            orders.exists()._refresh_pyramid(customers)
        return result

    @api.multi
    def _refreshed_by_order(self, vals=None):
        """Whether the write of these lines' orders (and of the order a
        line moves to) refreshes their customers once it is done."""
        order_ids = set(self.mapped("order_id").ids)
        if vals and vals.get("order_id"):
            order_ids.add(vals["order_id"])
        refreshing = self.env["sale.order"]._refreshing_orders()
        return bool(order_ids) and order_ids <= refreshing
