# Copyright 2026 relation_pyramid authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
# pylint: disable=consider-merging-classes-inherited
from odoo import _, api, fields, models

SINGLE_ORDER_HELP = (
    " A customer who bought on one day only has shown no rhythm and no "
    "repeat value of their own: they get what the model expects of such a "
    "customer, given how long ago that day was."
)


# The predictions' fields in a file of their own, beside the model's.
class RelationPyramidLine(models.Model):
    """Each customer's predictions (``relation.pyramid.engine.prediction``),
    empty for customers without orders or when the company has too few
    repeat customers for the model."""

    _inherit = "relation.pyramid.line"

    p_alive = fields.Float(
        string="Probability Alive",
        digits=(16, 2),
        readonly=True,
        group_operator="avg",
        help="Probability (0 to 1) that the customer still buys from us, "
        "from the rhythm of their past orders (BG/NBD model): a customer "
        "who used to order every month and has not ordered for a year is "
        "probably lost; one who orders twice a year, not yet."
        + SINGLE_ORDER_HELP,
    )
    expected_orders = fields.Float(
        digits=(16, 2),
        readonly=True,
        group_operator="sum",
        help="Order days expected from the customer in the next period of the "
        "pyramid's length (BG/NBD model)." + SINGLE_ORDER_HELP,
    )
    predicted_value = fields.Monetary(
        readonly=True,
        group_operator="sum",
        help="Expected orders times the expected value of an order (Gamma-Gamma "
        "model: the customer's own mean value of their repeat orders, pulled "
        "towards the mean of all customers the fewer orders they have), in "
        "the company currency." + SINGLE_ORDER_HELP,
    )
    risk_p_alive = fields.Boolean(
        string="Probably Lost",
        readonly=True,
        help="At risk because the probability that the customer still buys "
        "from us fell below the profile's threshold (active customers and "
        "those who bought in the previous period).",
    )

    @api.multi
    def _risk_reason_fields(self):
        return super()._risk_reason_fields() + ["risk_p_alive", "p_alive"]

    @api.multi
    @api.depends("risk_p_alive", "p_alive")
    def _compute_risk_reason(self):
        """'Probably lost: 32 % chance still active' after the signals'
        reasons."""
        result = super()._compute_risk_reason()
        for line in self:
            if line.risk and line.risk_p_alive:
                reason = _("Probably lost: %d %% chance still active") % round(
                    line.p_alive * 100
                )
                line.risk_reason = "; ".join(
                    part for part in (line.risk_reason, reason) if part
                )
        return result
