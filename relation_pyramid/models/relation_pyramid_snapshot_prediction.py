# Copyright 2026 relation_pyramid authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
# pylint: disable=consider-merging-classes-inherited
from odoo import api, fields, models

from .relation_pyramid_engine_prediction import SNAPSHOT_FIT_FIELDS


# The predictions' fields in a file of their own, beside the model's.
class RelationPyramidSnapshot(models.Model):
    """The parameters of the prediction models behind a snapshot's figures
    (``relation.pyramid.engine.prediction``)."""

    _inherit = "relation.pyramid.snapshot"

    bgnbd_r = fields.Float(
        string="BG/NBD r",
        readonly=True,
        group_operator=False,
        help="Shape of the spread of purchase rates across customers.",
    )
    bgnbd_alpha = fields.Float(
        string="BG/NBD alpha (days)",
        readonly=True,
        group_operator=False,
        help="Scale of the spread of purchase rates, in days: the mean "
        "purchase rate while active is r / alpha orders per day.",
    )
    bgnbd_a = fields.Float(
        string="BG/NBD a",
        readonly=True,
        group_operator=False,
        help="With b, the spread of the chance of leaving after an order: on "
        "average a / (a + b).",
    )
    bgnbd_b = fields.Float(string="BG/NBD b", readonly=True, group_operator=False)
    bgnbd_log_likelihood = fields.Float(
        string="BG/NBD Log-likelihood", readonly=True, group_operator=False
    )
    gg_p = fields.Float(
        string="Gamma-Gamma p",
        readonly=True,
        group_operator=False,
        help="Shape of the spread of one customer's order values.",
    )
    gg_q = fields.Float(
        string="Gamma-Gamma q",
        readonly=True,
        group_operator=False,
        help="Shape of the spread of the customers' mean order values.",
    )
    gg_gamma = fields.Float(
        string="Gamma-Gamma gamma",
        readonly=True,
        group_operator=False,
        help="Scale of the spread of the customers' mean order values: the "
        "mean order value of a customer of whom nothing is known is "
        "p * gamma / (q - 1).",
    )
    gg_log_likelihood = fields.Float(
        string="Gamma-Gamma Log-likelihood", readonly=True, group_operator=False
    )
    prediction_fit_date = fields.Date(
        string="Prediction Fitted At",
        readonly=True,
        help="The reference date of the fit whose parameters gave this "
        "snapshot's predictions (earlier than the snapshot when the profile "
        "refits weekly or the last fit did not converge).",
    )
    prediction_customer_count = fields.Integer(
        string="Customers Fitted", readonly=True, group_operator=False
    )
    prediction_repeat_count = fields.Integer(
        string="Repeat Customers Fitted",
        readonly=True,
        group_operator=False,
        help="Customers who bought on more than one day; the model needs at "
        "least 50.",
    )
    prediction_note = fields.Char(
        readonly=True,
        help="Why there is no prediction, or why older parameters were used.",
    )
    prediction_population_value = fields.Monetary(
        string="Mean Order Value (Model)",
        compute="_compute_prediction_population_value",
        currency_field="prediction_currency_id",
        help="The expected value of an order of a customer who never ordered "
        "twice: p * gamma / (q - 1).",
    )
    prediction_currency_id = fields.Many2one(
        related="company_id.currency_id", readonly=True
    )

    @api.depends("gg_p", "gg_q", "gg_gamma")
    def _compute_prediction_population_value(self):
        for snapshot in self:
            if snapshot.gg_q > 1:
                snapshot.prediction_population_value = (
                    snapshot.gg_p * snapshot.gg_gamma / (snapshot.gg_q - 1)
                )

    @api.multi
    def _prediction_fit_values(self):
        """The fit's parameters, as ``relation.pyramid.engine.prediction``
        applies and keeps them."""
        self.ensure_one()
        return {name: self[name] for name in SNAPSHOT_FIT_FIELDS}
