# Copyright 2026 relation_pyramid authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Where the revenue comes from: one step per source (issue 19).

``_gather_revenue`` (``relation.pyramid.engine``) adds up, per commercial
partner, what the sources of the company's *revenue basis* give
(``_revenue_sources``): each ``_revenue_source_<name>(params)`` returns one
``SELECT`` over its documents grouped by the document's partner, with the
columns

``partner_id`` (the document's partner), ``revenue``, ``previous_revenue``,
``margin``, ``previous_margin`` (company currency, not yet rounded; margin
null where the source knows no cost), ``bought_before``, ``has_order``
(booleans), ``first_order_date``, ``last_order_date`` (the company's local
days), ``order_count``.

A company's own source (a subscription model, another shop) is one such
method and one name added to ``_revenue_sources``; the other steps stay as
they are. ``params`` are ``_revenue_params``'.
"""
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .relation_pyramid_engine import SALE_ORDER_DAY_SQL

REVENUE_BASES = [
    ("sale_order", "Confirmed sale orders"),
    ("invoice", "Posted invoices net of credit notes"),
]
LEVEL_MEASURES = [("revenue", "Revenue"), ("margin", "Margin")]


class RelationPyramidEngineSources(models.AbstractModel):
    """The revenue sources, mixed into ``relation.pyramid.profile``
    (``relation_pyramid_basis.py``, where the profile picks them)."""

    _name = "relation.pyramid.engine.sources"
    _description = "Customer pyramid revenue sources"

    revenue_basis = fields.Selection(
        REVENUE_BASES,
        default="sale_order",
        required=True,
        help="Confirmed sale orders: the untaxed amount of the orders "
        "confirmed in the period, dated by their confirmation, as sales "
        "sees it the day an order is won. Posted invoices net of credit "
        "notes: the untaxed amount of the customer invoices (open or paid) "
        "dated in the period minus the credit notes dated in it, in the "
        "company currency as posted: the figures the accounting reports "
        "show. A credit note lowers the period it is dated in, even below "
        "zero. Draft and cancelled invoices and vendor bills never count. "
        "Recompute after a change.",
    )
    level_measure = fields.Selection(
        LEVEL_MEASURES,
        string="Levels Follow",
        default="revenue",
        required=True,
        help="Revenue: the active customers are ranked, cut and shared by "
        "their period revenue. Margin: by their period margin (sale price "
        "minus cost of the confirmed orders, Odoo's Sales Margin); the "
        "thresholds and shares then apply to margin and loss-making "
        "customers rank last. Active still means revenue above zero. Margin "
        "needs the sale order basis: invoices carry no cost per line.",
    )

    @api.constrains("revenue_basis", "level_measure")
    def _check_level_measure(self):
        for profile in self:
            if (
                profile.level_measure == "margin"
                and profile.revenue_basis != "sale_order"
            ):
                raise ValidationError(
                    _(
                        "Levels by margin need the confirmed sale orders as revenue "
                        "basis: Odoo's invoices carry no cost per line, so their "
                        "margin is not known. Choose Revenue, or the sale order "
                        "basis."
                    )
                )

    @api.multi
    def _revenue_source_sale_order(self, params):
        """Confirmed sale orders (DOMAIN.md's revenue): untaxed amount and
        Sales Margin's margin, converted by the day's factor
        (``FACTOR_TABLE``), dated by the confirmation as the company sees
        it. Quotations make a relation (``has_order``). One pass over the
        company's orders up to the reference date, grouped by the order's
        partner; the day is compared with the period's bounds as timestamps
        (the index-friendly way), turned into the local day only for the
        first and the last order.

        Each order's day, period and converted amounts are worked out once
        (``orders``, kept from being merged into the aggregate by
        ``OFFSET 0``), not once per figure: 10-15 % less time at M."""
        day = SALE_ORDER_DAY_SQL
        # an amount in the company currency: most orders are in it already
        # (no factor), the others converted by the day's factor
        converted = (
            "CASE WHEN factor.factor IS NULL THEN {0} ELSE {0} * factor.factor END"
        )
        return """
                SELECT orders.partner_id,
                       SUM(orders.amount) FILTER (WHERE orders.period = 2)
                           AS revenue,
                       SUM(orders.amount) FILTER (WHERE orders.period = 1)
                           AS previous_revenue,
                       COALESCE(SUM(orders.margin)
                           FILTER (WHERE orders.period = 2), 0) AS margin,
                       COALESCE(SUM(orders.margin)
                           FILTER (WHERE orders.period = 1), 0) AS previous_margin,
                       COALESCE(BOOL_OR(orders.period < 2), FALSE) AS bought_before,
                       TRUE AS has_order,
                       {first_day} AS first_order_date,
                       {last_day} AS last_order_date,
                       COUNT(*) FILTER (WHERE orders.period = 2) AS order_count
                  FROM (SELECT so.partner_id, {day} AS day,
                               -- null: a quotation; 2: confirmed in the
                               -- period, 1: in the previous one, 0: before
                               CASE WHEN so.state NOT IN ('sale', 'done') THEN NULL
                                    WHEN {day} >= %(start)s THEN 2
                                    WHEN {day} >= %(previous_start)s THEN 1
                                    ELSE 0 END AS period,
                               {amount_untaxed} AS amount,
                               {margin} AS margin
                          FROM sale_order so
                          {factor_join}
                         WHERE so.company_id = %(company_id)s
                           AND so.state IN ('draft', 'sent', 'sale', 'done')
                           AND {day} < %(end)s
                           AND (%(all_partners)s OR so.partner_id IN %(contact_ids)s)
                        OFFSET 0) orders
                 GROUP BY orders.partner_id""".format(
            day=day,
            amount_untaxed=converted.format("so.amount_untaxed"),
            margin=converted.format("so.margin"),
            factor_join=self._factor_join_sql("so", day),
            first_day=self._local_day_sql(
                "MIN(orders.day) FILTER (WHERE orders.period IS NOT NULL)"
            ),
            last_day=self._local_day_sql(
                "MAX(orders.day) FILTER (WHERE orders.period IS NOT NULL)"
            ),
        )

    @api.multi
    def _factor_days_sale_order(self, params):
        """The (``currency_id``, ``day``) pairs ``_revenue_source_sale_order``
        converts with a refresh's customers (``contact_ids``): the local
        days of their confirmed orders of the two periods in another
        currency (see ``_factor_calendar_sql``)."""
        day = SALE_ORDER_DAY_SQL
        return """
                SELECT pricelist.currency_id, {local_day} AS day
                  FROM sale_order so
                  JOIN product_pricelist pricelist
                    ON pricelist.id = so.pricelist_id
                 WHERE so.company_id = %(company_id)s
                   AND so.state IN ('sale', 'done')
                   AND pricelist.currency_id <> %(currency_id)s
                   AND {day} >= %(previous_start)s
                   AND {day} < %(end)s
                   AND so.partner_id IN %(contact_ids)s""".format(
            day=day, local_day=self._local_day_sql(day)
        )

    @api.multi
    def _revenue_source_invoice(self, params):
        """Posted customer invoices net of credit notes (open or paid; draft
        and cancelled ones and vendor bills never count), the untaxed amount
        in the company currency as Odoo posted it
        (``amount_untaxed_signed``: converted at the invoice date's rate,
        negative for a credit note, the figure of the accounting reports),
        dated by the invoice date (a date as the company wrote it, no time
        zone). A credit note lowers the period it is dated in, even below
        zero. No margin: an invoice line has no cost in Odoo 11.

        On this basis an *order* is a customer invoice: ``order_count`` the
        invoices dated in the period (credit notes lower the revenue, they
        are not purchases), ``first_order_date`` / ``last_order_date`` the
        first and last invoice date up to the reference date. A customer
        invoiced before the period, or in it but credited in full, bought
        (``bought_before``, inactive rather than prospect when the period's
        net revenue is not above zero). Quotations, orders and draft
        invoices make a relation (``has_order``): a customer with those
        only is a prospect, as on the order basis."""
        posted = "inv.state IN ('open', 'paid')"
        invoice = posted + " AND inv.type = 'out_invoice'"
        return """
                SELECT inv.partner_id,
                       SUM(inv.amount_untaxed_signed)
                           FILTER (WHERE {posted}
                                     AND inv.date_invoice >= %(start_day)s)
                           AS revenue,
                       SUM(inv.amount_untaxed_signed)
                           FILTER (WHERE {posted}
                                     AND inv.date_invoice >= %(previous_start_day)s
                                     AND inv.date_invoice < %(start_day)s)
                           AS previous_revenue,
                       NULL::numeric AS margin,
                       NULL::numeric AS previous_margin,
                       COALESCE(BOOL_OR({invoice}), FALSE) AS bought_before,
                       TRUE AS has_order,
                       MIN(inv.date_invoice) FILTER (WHERE {invoice})
                           AS first_order_date,
                       MAX(inv.date_invoice) FILTER (WHERE {invoice})
                           AS last_order_date,
                       COUNT(*) FILTER (WHERE {invoice}
                                          AND inv.date_invoice >= %(start_day)s)
                           AS order_count
                  FROM account_invoice inv
                 WHERE inv.company_id = %(company_id)s
                   AND inv.type IN ('out_invoice', 'out_refund')
                   AND inv.state IN ('draft', 'open', 'paid')
                   AND COALESCE(inv.date_invoice, %(end_day)s) <= %(end_day)s
                   AND (%(all_partners)s OR inv.partner_id IN %(contact_ids)s)
                 GROUP BY inv.partner_id
              UNION ALL
                SELECT so.partner_id, NULL, NULL, NULL, NULL, FALSE, TRUE,
                       NULL, NULL, 0
                  FROM sale_order so
                 WHERE so.company_id = %(company_id)s
                   AND so.state IN ('draft', 'sent', 'sale', 'done')
                   AND {order_day} < %(end)s
                   AND (%(all_partners)s OR so.partner_id IN %(contact_ids)s)
                 GROUP BY so.partner_id""".format(
            posted=posted, invoice=invoice, order_day=SALE_ORDER_DAY_SQL
        )

    @api.model
    def _factor_days_invoice(self, params):
        """``_revenue_source_invoice`` converts nothing: an invoice's amount
        is posted in the company currency (no days, see
        ``_factor_calendar_sql``)."""
        return "SELECT NULL::integer AS currency_id, NULL::date AS day WHERE FALSE"
