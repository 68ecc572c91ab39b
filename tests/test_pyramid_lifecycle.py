"""Lifecycle and revenue as DOMAIN.md defines them: commercial-partner
roll-up, confirmed orders only, company currency, the period's whole days,
qualification overridden by orders, one pyramid per company."""
from .pyramid_common import (
    BEFORE_PREVIOUS,
    IN_PERIOD,
    IN_PREVIOUS,
    REFERENCE,
    PyramidCase,
)


class TestLifecycle(PyramidCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.active = cls._customer("Active")
        cls._order(cls.active, 300, IN_PERIOD)
        cls._order(cls.active, 100, IN_PREVIOUS)
        cls.lapsed = cls._customer("Lapsed")
        cls._order(cls.lapsed, 500, IN_PREVIOUS)
        cls.long_gone = cls._customer("Long gone")
        cls._order(cls.long_gone, 800, BEFORE_PREVIOUS)
        cls.quoted = cls._customer("Quoted")
        cls._order(cls.quoted, 999, IN_PERIOD, state="draft")
        cls.sent = cls._customer("Sent")
        cls._order(cls.sent, 999, IN_PERIOD, state="sent")
        cls.cancelled = cls._customer("Cancelled")
        cls._order(cls.cancelled, 999, IN_PERIOD, state="cancel")
        cls.done = cls._customer("Done")
        cls._order(cls.done, 50, IN_PERIOD, state="done")
        cls.suspect = cls._customer("Target", relation_qualification="suspect")
        cls.never = cls._customer(
            "Never", relation_qualification="other", relation_qualification_reason="x"
        )
        cls.converted = cls._customer(
            "Converted",
            relation_qualification="other",
            relation_qualification_reason="said no in 2024",
        )
        cls._order(cls.converted, 40, IN_PERIOD)
        cls.prospect_mark = cls._customer(
            "Brochure sent", relation_qualification="prospect"
        )
        cls.suspect_quoted = cls._customer(
            "Quoted target", relation_qualification="suspect"
        )
        cls._order(cls.suspect_quoted, 10, IN_PERIOD, state="draft")
        cls.unqualified = cls._customer("Nobody")

    def test_lifecycle_table(self):
        self._recompute()
        self.assertEqual(
            self._table(),
            {
                # name: (lifecycle, level, period revenue, rank)
                "Active": ("active", "top", 300.0, 1),
                "Done": ("active", "small", 50.0, 2),
                "Converted": ("active", "small", 40.0, 3),
                "Lapsed": ("inactive", "inactive", 0.0, 0),
                "Long gone": ("inactive", "inactive", 0.0, 0),
                "Quoted": ("prospect", "prospect", 0.0, 0),
                "Sent": ("prospect", "prospect", 0.0, 0),
                "Quoted target": ("prospect", "prospect", 0.0, 0),
                "Brochure sent": ("prospect", "prospect", 0.0, 0),
                "Target": ("suspect", "suspect", 0.0, 0),
                "Never": ("other", "other", 0.0, 0),
            },
        )

    def test_confirmed_order_without_confirmation_date_counts_by_order_date(self):
        # e.g. imported orders: the day of a confirmed order is its
        # confirmation date, else its order date.
        imported = self._customer("Imported")
        order = self._order(imported, 70, IN_PERIOD)
        order.write({"confirmation_date": False})
        older = self._order(imported, 30, IN_PREVIOUS)
        older.write({"confirmation_date": False})
        self._recompute()
        line = self._lines().filtered(lambda line: line.partner_id == imported)
        self.assertEqual(
            (line.lifecycle, line.revenue, line.previous_revenue),
            ("active", 70.0, 30.0),
        )

    def test_previous_period_revenue(self):
        self._recompute()
        previous = {
            line.partner_id.name: line.previous_revenue for line in self._lines()
        }
        self.assertEqual(previous["Active"], 100.0)
        self.assertEqual(previous["Lapsed"], 500.0)
        self.assertEqual(previous["Long gone"], 0.0)

    def test_partner_fields_and_search(self):
        self._recompute()
        self.assertEqual(self.active.pyramid_level, "top")
        self.assertEqual(self.active.relation_lifecycle, "active")
        self.assertEqual(self.active.pyramid_revenue, 300.0)
        self.assertEqual(self.lapsed.pyramid_level, "inactive")
        self.assertFalse(self.unqualified.pyramid_level)
        partners = self.env["res.partner"]
        self.assertEqual(partners.search([("pyramid_level", "=", "top")]), self.active)
        self.assertEqual(
            partners.search([("relation_lifecycle", "=", "inactive")]),
            self.lapsed | self.long_gone,
        )
        self.assertEqual(
            partners.search(
                [("pyramid_level", "in", ["small"]), ("is_company", "=", True)]
            ),
            self.done | self.converted,
        )
        self.assertIn(
            self.unqualified, partners.search([("pyramid_level", "=", False)])
        )
        self.assertNotIn(self.active, partners.search([("pyramid_level", "=", False)]))
        not_top = partners.search([("pyramid_level", "!=", "top")])
        self.assertNotIn(self.active, not_top)
        self.assertIn(self.unqualified, not_top)
        self.assertEqual(
            partners.search([("pyramid_revenue", ">", 45)]), self.active | self.done
        )


class TestPeriodBoundaries(PyramidCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.first_day = cls._customer("First day")
        cls._order(cls.first_day, 10, "2025-07-01 00:00:00")
        cls.last_day = cls._customer("Last day")
        cls._order(cls.last_day, 20, "2026-06-30 23:59:59")
        cls.day_before = cls._customer("Day before")
        cls._order(cls.day_before, 30, "2025-06-30 23:59:59")
        cls.day_after = cls._customer("Day after")
        cls._order(cls.day_after, 40, "2026-07-01 00:00:00")
        cls.previous_first = cls._customer("Previous first day")
        cls._order(cls.previous_first, 50, "2024-07-01 00:00:00")
        cls.before_previous = cls._customer("Before previous")
        cls._order(cls.before_previous, 60, "2024-06-30 23:59:59")

    def test_period_is_whole_days_up_to_the_reference_date(self):
        self._recompute()
        rows = {
            line.partner_id.name: (line.lifecycle, line.revenue, line.previous_revenue)
            for line in self._lines()
        }
        self.assertEqual(
            rows,
            {
                "First day": ("active", 10.0, 0.0),
                "Last day": ("active", 20.0, 0.0),
                "Day before": ("inactive", 0.0, 30.0),
                "Previous first day": ("inactive", 0.0, 50.0),
                "Before previous": ("inactive", 0.0, 0.0),
                # ordered after the reference date: not yet a customer then
            },
        )

    def test_period_bounds(self):
        self.assertEqual(
            self.profile._period_bounds(self.profile._reference_date(REFERENCE)),
            {
                "start": self.profile._reference_date("2025-07-01"),
                "end": self.profile._reference_date("2026-06-30"),
                "previous_start": self.profile._reference_date("2024-07-01"),
                "previous_end": self.profile._reference_date("2025-06-30"),
            },
        )

    def test_shorter_period(self):
        # 3 months, literally R - 3 months + 1 day: 2026-06-30 - 3 months is
        # 2026-03-30, so the period is 2026-03-31 .. 2026-06-30 and the
        # previous one 2025-12-31 .. 2026-03-30.
        self.profile.period_months = 3
        bounds = self.profile._period_bounds(self.profile._reference_date(REFERENCE))
        self.assertEqual(str(bounds["start"]), "2026-03-31")
        self.assertEqual(str(bounds["previous_start"]), "2025-12-31")
        self.assertEqual(str(bounds["previous_end"]), "2026-03-30")
        self._recompute()
        self.assertEqual(self._levels()["Last day"], "top")
        self.assertEqual(self._levels()["First day"], "inactive")


class TestCommercialPartnerRollUp(PyramidCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bakery = cls._customer("Bakkerij Jansen")
        cls.piet = cls._customer("Piet", is_company=False, parent_id=cls.bakery.id)
        cls.anna = cls._customer("Anna", is_company=False, parent_id=cls.bakery.id)
        cls._order(cls.piet, 100, IN_PERIOD)
        cls._order(cls.anna, 250, IN_PERIOD)
        cls._order(cls.bakery, 50, IN_PERIOD)
        cls._order(cls._customer("Smaller"), 300, IN_PERIOD)

    def test_contact_orders_count_for_the_company(self):
        self._recompute()
        self.assertEqual(
            self._table(),
            {
                "Bakkerij Jansen": ("active", "top", 400.0, 1),
                "Smaller": ("active", "small", 300.0, 2),
            },
        )

    def test_contacts_show_their_company_level(self):
        self._recompute()
        self.assertEqual(self.piet.pyramid_level, "top")
        self.assertEqual(self.anna.pyramid_revenue, 400.0)
        found = self.env["res.partner"].search([("pyramid_level", "=", "top")])
        self.assertEqual(found, self.bakery | self.piet | self.anna)


class TestCompaniesAndCurrencies(PyramidCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_us = cls.env["res.company"].create(
            {"name": "Pyramid US", "currency_id": cls.usd.id}
        )
        cls.profile_us = cls.env["relation.pyramid.profile"].search(
            [("company_id", "=", cls.company_us.id)]
        )
        rates = cls.env["res.currency.rate"]
        rates.search([("currency_id", "in", [cls.usd.id, cls.eur.id])]).unlink()
        # 1 EUR = 1.25 USD from 2024 on, 1 EUR = 2 USD from 2026-03-01 on.
        rates.create({"currency_id": cls.eur.id, "rate": 1.0, "name": "2024-01-01"})
        rates.create({"currency_id": cls.usd.id, "rate": 1.25, "name": "2024-01-01"})
        rates.create({"currency_id": cls.usd.id, "rate": 2.0, "name": "2026-03-01"})
        cls.pricelist_usd = cls.env["product.pricelist"].create(
            {"name": "USD test", "currency_id": cls.usd.id}
        )
        cls.both = cls._customer("Both companies")
        cls.eu_only = cls._customer("EU only")
        cls._order(cls.both, 100, IN_PERIOD)
        cls._order(cls.both, 125, "2026-02-01", pricelist=cls.pricelist_usd)  # 100 EUR
        cls._order(cls.both, 300, "2026-04-01", pricelist=cls.pricelist_usd)  # 150 EUR
        cls._order(cls.eu_only, 360, IN_PERIOD)
        cls._order(cls.both, 500, IN_PERIOD, company=cls.company_us,
                   pricelist=cls.pricelist_usd)
        cls._order(cls._customer("US bigger"), 900, IN_PERIOD, company=cls.company_us,
                   pricelist=cls.pricelist_usd)

    def test_order_currency_converted_at_the_order_date(self):
        # Both: 100 EUR + 125 USD / 1.25 + 300 USD / 2 = 100 + 100 + 150 = 350.
        self._recompute()
        self.assertEqual(
            self._table(),
            {
                "EU only": ("active", "top", 360.0, 1),
                "Both companies": ("active", "small", 350.0, 2),
            },
        )

    def test_a_rate_of_the_company_comes_before_a_newer_general_one(self):
        """Odoo's rule (``res.currency._compute_current_rate``): a rate of the
        company on or before the day is taken before any rate of no company,
        even a newer one. The class's rates are the company's (a rate's
        default company); a general 1 EUR = 8 USD from 2026-04-01 changes
        nothing: Both = 100 EUR + 125 USD / 1.25 + 300 USD / 2 = 350 (with
        the general rate, 300 USD would be 37.50 EUR: 237.50)."""
        self.env["res.currency.rate"].create(
            {
                "currency_id": self.usd.id,
                "rate": 8.0,
                "name": "2026-04-01",
                "company_id": False,
            }
        )
        usd = self.usd.with_context(company_id=self.company.id)
        self.assertEqual(
            100
            + usd.with_context(date="2026-02-01").compute(125, self.eur, round=False)
            + usd.with_context(date="2026-04-01").compute(300, self.eur, round=False),
            350.0,
        )
        self._recompute()
        self.assertEqual(self._table()["Both companies"], ("active", "small", 350.0, 2))

    def test_previous_period_converted_at_the_order_date(self):
        # 250 USD on 2025-03-01, at 1 EUR = 1.25 USD: 200 EUR, previous period;
        # 50 USD before the previous period: bought before, not converted.
        earlier = self._customer("Earlier in USD")
        self._order(earlier, 250, "2025-03-01", pricelist=self.pricelist_usd)
        self._order(earlier, 50, BEFORE_PREVIOUS, pricelist=self.pricelist_usd)
        self._order(self.eu_only, 100, IN_PREVIOUS, pricelist=self.pricelist_usd)
        self._recompute()
        lines = {line.partner_id.name: line for line in self._lines()}
        self.assertEqual(
            (lines["Earlier in USD"].lifecycle, lines["Earlier in USD"].revenue),
            ("inactive", 0.0),
        )
        self.assertEqual(lines["Earlier in USD"].previous_revenue, 200.0)
        self.assertEqual(lines["EU only"].previous_revenue, 80.0)
        self.assertEqual(lines["EU only"].revenue_change_pct, 350.0)

    def test_only_order_in_another_currency_long_ago_is_inactive(self):
        # One USD order before the previous period, a day no currency factor
        # is computed for (the factors cover the two periods only): bought
        # before all the same, so inactive, with no revenue in either period;
        # a USD draft of the period alone makes a prospect. Fails if the
        # orders were joined to the factors by an inner join.
        gone = self._customer("Gone in USD")
        self._order(gone, 50, BEFORE_PREVIOUS, pricelist=self.pricelist_usd)
        quoted = self._customer("Quoted in USD")
        self._order(quoted, 70, IN_PERIOD, state="draft", pricelist=self.pricelist_usd)
        self._recompute()
        table = self._table()
        self.assertEqual(table["Gone in USD"], ("inactive", "inactive", 0.0, 0))
        self.assertEqual(table["Quoted in USD"], ("prospect", "prospect", 0.0, 0))

    def test_one_pyramid_per_company(self):
        eur_rows = self._table()
        eur_date = self.profile.last_reference_date
        self._recompute(self.profile_us)
        self.assertEqual(
            self._table(self.company_us),
            {
                "US bigger": ("active", "top", 900.0, 1),
                "Both companies": ("active", "small", 500.0, 2),
            },
        )
        self.assertEqual(self._table(), eur_rows, "the EUR company was not recomputed")
        self.assertEqual(self.profile.last_reference_date, eur_date)
        self._recompute()
        self.assertEqual(self._table()["Both companies"][2], 350.0)
        self.assertEqual(self._table(self.company_us)["Both companies"][2], 500.0)

    def test_user_sees_current_company_figures_only(self):
        self._recompute()
        self._recompute(self.profile_us)
        user = self.env["res.users"].create(
            {
                "name": "US seller",
                "login": "us_seller",
                "company_id": self.company_us.id,
                "company_ids": [(6, 0, [self.company_us.id, self.company.id])],
                "groups_id": [
                    (6, 0, [self.env.ref("sales_team.group_sale_salesman").id])
                ],
            }
        )
        as_user = self.env["relation.pyramid.line"].sudo(user)
        self.assertEqual(
            set(as_user.search([]).mapped("company_id").ids), {self.company_us.id}
        )
        self.assertEqual(self.both.sudo(user).pyramid_revenue, 500.0)
        user.company_id = self.company
        self.both.invalidate_cache()
        self.assertEqual(self.both.sudo(user).pyramid_revenue, 350.0)
        self.assertEqual(
            set(as_user.search([]).mapped("company_id").ids), {self.company.id}
        )
