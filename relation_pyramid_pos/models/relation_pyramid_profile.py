# Copyright 2026 relation_pyramid authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models


class RelationPyramidProfile(models.Model):
    _inherit = "relation.pyramid.profile"

    @api.multi
    def _revenue_sources(self):
        """Point of sale orders count on every basis."""
        return super()._revenue_sources() + ["pos_order"]

    @api.multi
    def _revenue_source_pos_order(self, params):
        """Paid, posted and invoiced point of sale orders of identified
        customers: the untaxed amount (``pyramid_amount_untaxed``) converted
        by the day's factor (``FACTOR_TABLE``), dated by the order date as
        the company sees it. On the invoice basis an invoiced order counts
        through its invoice (``_revenue_source_invoice``), so only the
        orders without an invoice are read here. No margin: a point of sale
        line has no cost in Odoo 11 (0, so the margin of sale orders is
        unchanged)."""
        counted = "po.state IN ('paid', 'done', 'invoiced')"
        if self.revenue_basis == "invoice":
            counted = "po.state IN ('paid', 'done') AND po.invoice_id IS NULL"
            # an invoice up to the reference date counts as bought before
            # on that basis (see _revenue_source_invoice)
            before = counted
        else:
            before = "{} AND po.date_order < %(start)s".format(counted)
        return """
                SELECT po.partner_id,
                       SUM(po.pyramid_amount_untaxed * COALESCE(factor.factor, 1.0))
                           FILTER (WHERE {counted} AND po.date_order >= %(start)s)
                           AS revenue,
                       SUM(po.pyramid_amount_untaxed * COALESCE(factor.factor, 1.0))
                           FILTER (WHERE {counted}
                                     AND po.date_order >= %(previous_start)s
                                     AND po.date_order < %(start)s)
                           AS previous_revenue,
                       0 AS margin,
                       0 AS previous_margin,
                       COALESCE(BOOL_OR({before}), FALSE) AS bought_before,
                       TRUE AS has_order,
                       {first_day} AS first_order_date,
                       {last_day} AS last_order_date,
                       COUNT(*) FILTER (WHERE {counted}
                                          AND po.date_order >= %(start)s)
                           AS order_count
                  FROM pos_order po
                  {factor_join}
                 WHERE po.company_id = %(company_id)s
                   AND po.partner_id IS NOT NULL
                   AND po.state IN ('paid', 'done', 'invoiced')
                   AND po.date_order < %(end)s
                   AND (%(all_partners)s OR po.partner_id IN %(contact_ids)s)
                 GROUP BY po.partner_id""".format(
            counted=counted,
            before=before,
            factor_join=self._factor_join_sql("po", "po.date_order"),
            first_day=self._local_day_sql(
                "MIN(po.date_order) FILTER (WHERE {})".format(counted)
            ),
            last_day=self._local_day_sql(
                "MAX(po.date_order) FILTER (WHERE {})".format(counted)
            ),
        )

    @api.multi
    def _factor_days_pos_order(self, params):
        """The (``currency_id``, ``day``) pairs ``_revenue_source_pos_order``
        converts with a refresh's customers (``contact_ids``): the local
        days of their counted orders of the two periods in another currency
        (see ``_factor_calendar_sql``)."""
        return """
                SELECT pricelist.currency_id, {local_day} AS day
                  FROM pos_order po
                  JOIN product_pricelist pricelist
                    ON pricelist.id = po.pricelist_id
                 WHERE po.company_id = %(company_id)s
                   AND po.state IN ('paid', 'done', 'invoiced')
                   AND pricelist.currency_id <> %(currency_id)s
                   AND po.date_order >= %(previous_start)s
                   AND po.date_order < %(end)s
                   AND po.partner_id IN %(contact_ids)s""".format(
            local_day=self._local_day_sql("po.date_order")
        )
