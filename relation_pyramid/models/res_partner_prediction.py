# Copyright 2026 relation_pyramid authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
# pylint: disable=consider-merging-classes-inherited
from odoo import api, fields, models

from .relation_pyramid_line_prediction import SINGLE_ORDER_HELP


# The predictions' fields in a file of their own, beside the model's.
class ResPartner(models.Model):
    """The customer's predictions in the user's current company, read from
    the commercial partner's pyramid row (as ``pyramid_revenue``)."""

    _inherit = "res.partner"

    pyramid_p_alive = fields.Float(
        string="Probability Alive",
        digits=(16, 2),
        compute="_compute_pyramid_prediction",
        search="_search_pyramid_p_alive",
        groups="sales_team.group_sale_salesman",
        help="Probability (0 to 1) that the customer still buys from us, from "
        "the rhythm of their past orders." + SINGLE_ORDER_HELP,
    )
    pyramid_expected_orders = fields.Float(
        string="Expected Orders",
        digits=(16, 2),
        compute="_compute_pyramid_prediction",
        search="_search_pyramid_expected_orders",
        groups="sales_team.group_sale_salesman",
        help="Order days expected in the next period of the pyramid's length."
        + SINGLE_ORDER_HELP,
    )
    pyramid_predicted_value = fields.Monetary(
        string="Predicted Value",
        compute="_compute_pyramid_prediction",
        search="_search_pyramid_predicted_value",
        currency_field="pyramid_currency_id",
        groups="sales_team.group_sale_salesman",
        help="Expected orders times the expected value of an order, in the "
        "company currency." + SINGLE_ORDER_HELP,
    )

    @api.multi
    def _compute_pyramid_prediction(self):
        line_of = self._pyramid_lines()
        for partner in self:
            line = line_of.get(partner)
            if line:
                partner.pyramid_p_alive = line.p_alive
                partner.pyramid_expected_orders = line.expected_orders
                partner.pyramid_predicted_value = line.predicted_value

    def _search_pyramid_p_alive(self, operator, value):
        return self._search_pyramid_line("p_alive", operator, value)

    def _search_pyramid_expected_orders(self, operator, value):
        return self._search_pyramid_line("expected_orders", operator, value)

    def _search_pyramid_predicted_value(self, operator, value):
        return self._search_pyramid_line("predicted_value", operator, value)
