"""The customer figures on each pyramid row (issue 18, item 3): first and
last confirmed order, orders in the period and the average order value,
worked out by hand from the orders below (DOMAIN.md: period
2025-07-01 .. 2026-06-30 at R = 2026-06-30)."""
from .pyramid_common import BEFORE_PREVIOUS, IN_PERIOD, IN_PREVIOUS, PyramidCase


class TestCustomerFigures(PyramidCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.regular = cls._customer("Regular")
        cls.contact = cls._customer(
            "Regular buyer", is_company=False, parent_id=cls.regular.id
        )
        # first ever 2023-05-01; in the period 400 + 200 (by a contact) and
        # a cancelled 999; a quotation of 500 that does not count; an order
        # after R that is not seen at R.
        cls._order(cls.regular, 100, BEFORE_PREVIOUS)
        cls._order(cls.regular, 300, IN_PREVIOUS)
        cls._order(cls.regular, 400, IN_PERIOD)
        cls._order(cls.contact, 200, "2026-06-30 21:00:00")
        cls._order(cls.regular, 999, "2026-04-01", state="cancel")
        cls._order(cls.regular, 500, "2026-05-01", state="draft")
        cls.lapsed = cls._customer("Lapsed")
        cls._order(cls.lapsed, 250, IN_PREVIOUS)
        cls.prospect = cls._customer("Quoted")
        cls._order(cls.prospect, 80, IN_PERIOD, state="sent")

    def _row(self, partner):
        return self.env["relation.pyramid.line"].sudo().search(
            [("company_id", "=", self.company.id), ("partner_id", "=", partner.id)]
        )

    def test_figures_of_an_active_customer(self):
        self._recompute()
        row = self._row(self.regular)
        self.assertEqual(row.first_order_date, "2023-05-01")
        # 21:00 UTC on 30 June: the company is in UTC, so 30 June
        self.assertEqual(row.last_order_date, "2026-06-30")
        # two confirmed orders in the period (400 + 200 = 600): 600 / 2 = 300
        self.assertEqual(row.order_count, 2)
        self.assertEqual(row.revenue, 600.0)
        self.assertEqual(row.average_order_value, 300.0)

    def test_last_order_is_the_local_day_of_the_company(self):
        # 21:00 UTC on 30 June is 00:00 on 1 July in Moscow (UTC+3): that
        # order falls after R there.
        self.company.partner_id.tz = "Europe/Moscow"
        self._recompute()
        row = self._row(self.regular)
        self.assertEqual(row.last_order_date, "2026-03-15")
        self.assertEqual(row.order_count, 1)
        self.assertEqual(row.average_order_value, 400.0)

    def test_inactive_and_prospect_have_no_period_orders(self):
        self._recompute()
        lapsed = self._row(self.lapsed)
        self.assertEqual(lapsed.lifecycle, "inactive")
        self.assertEqual(
            (lapsed.first_order_date, lapsed.last_order_date), ("2025-01-15",) * 2
        )
        self.assertEqual(lapsed.order_count, 0)
        self.assertFalse(lapsed.average_order_value)
        quoted = self._row(self.prospect)
        self.assertEqual(quoted.lifecycle, "prospect")
        self.assertFalse(quoted.first_order_date)
        self.assertFalse(quoted.last_order_date)
        self.assertEqual(quoted.order_count, 0)

    def test_confirming_an_order_moves_the_figures_at_once(self):
        self._recompute()
        order = self._order(self.lapsed, 90, IN_PERIOD, state="draft")
        order.action_confirm()
        row = self._row(self.lapsed)
        # confirmed today, after R: the refresh reads the period at today
        self.assertEqual(row.lifecycle, "active")
        self.assertEqual(row.order_count, 1)
        self.assertEqual(row.average_order_value, 90.0)
        self.assertEqual(row.first_order_date, "2025-01-15")
