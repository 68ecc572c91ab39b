"""Levels right at once after every change of an order or a partner: the
customer's level is the one a recompute at that moment would give them,
in every mode. Orders are confirmed through ``action_confirm()``, cancelled
through ``action_cancel()``, changed through ``write`` as the web client does."""
from datetime import timedelta
from unittest.mock import patch

from odoo import fields

from .pyramid_common import IN_PERIOD, PyramidCase


class TestRefresh(PyramidCase):
    def _row(self, partner, company=None):
        return self._table(company).get(partner.name)

    def _recompute_now(self, profile=None):
        """A recompute at today, as Recompute Now (the orders confirmed by the
        tests are confirmed today: they fall in today's period)."""
        (profile or self.profile).action_recompute()

    def _confirmed_today(self, partner, amount, company=None, pricelist=None):
        order = self._order(
            partner, amount, IN_PERIOD, state="draft", company=company,
            pricelist=pricelist,
        )
        order.action_confirm()
        return order

    def test_first_customer_of_a_company_never_recomputed_is_top(self):
        company = self.env["res.company"].create(
            {"name": "Brand new", "currency_id": self.eur.id}
        )
        pricelist = self.env["product.pricelist"].create(
            {"name": "Brand new", "currency_id": self.eur.id, "company_id": company.id}
        )
        first = self._customer("First")
        self._confirmed_today(first, 250, company=company, pricelist=pricelist)
        # N = 1: rank 1 <= ceil(1 * 1 %) = 1: top.
        self.assertEqual(self._row(first, company), ("active", "top", 250.0, 1))

    def test_first_customer_after_an_empty_recompute_is_top(self):
        company = self.env["res.company"].create(
            {"name": "Empty at first", "currency_id": self.eur.id}
        )
        pricelist = self.env["product.pricelist"].create(
            {"name": "Empty", "currency_id": self.eur.id, "company_id": company.id}
        )
        profile = self.env["relation.pyramid.profile"].search(
            [("company_id", "=", company.id)]
        )
        self._recompute_now(profile)
        self.assertFalse(self._lines(company))
        first = self._customer("First")
        self._confirmed_today(first, 250, company=company, pricelist=pricelist)
        self.assertEqual(self._row(first, company), ("active", "top", 250.0, 1))

    def _five_customers(self):
        """A 1000, B 450, C 300, D 120, E 50 confirmed today."""
        customers = {}
        amounts = (("A", 1000), ("B", 450), ("C", 300), ("D", 120), ("E", 50))
        for name, amount in amounts:
            customers[name] = self._customer(name)
            self._confirmed_today(customers[name], amount)
        return customers

    def test_threshold_mode_customer_crossing_a_threshold_moves_up(self):
        self.profile.write(
            {
                "level_mode": "threshold",
                "top_min_revenue": 900,
                "big_min_revenue": 400,
                "medium_min_revenue": 100,
            }
        )
        customers = self._five_customers()
        self._recompute_now()
        self.assertEqual(self._levels()["C"], "medium")
        # C: 300 + 150 = 450 >= 400: big, as a recompute would say.
        self._confirmed_today(customers["C"], 150)
        self.assertEqual(self._row(customers["C"])[1:3], ("big", 450.0))
        # E: 50 + 900 = 950 >= 900: top.
        self._confirmed_today(customers["E"], 900)
        self.assertEqual(self._row(customers["E"])[1:3], ("top", 950.0))
        levels = self._levels()
        self._recompute_now()
        self.assertEqual(self._levels()["C"], levels["C"])
        self.assertEqual(self._levels()["E"], levels["E"])

    def test_share_mode_customer_placed_by_cumulative_share(self):
        # Default ABC cut-offs 50 / 80 / 95 %.
        self.profile.write({"level_mode": "share"})
        customers = self._five_customers()
        self._recompute_now()
        # Total 1920; before D: 1750 = 91.1 % < 95: medium; before E: 1870 =
        # 97.4 %: small.
        self.assertEqual(self._levels()["E"], "small")
        # E: 50 + 550 = 600; ranked second: before E only A (1000) of total
        # 2470 = 40.5 % < 50 %: top.
        self._confirmed_today(customers["E"], 550)
        self.assertEqual(self._row(customers["E"])[1:4], ("top", 600.0, 2))
        level = self._levels()["E"]
        self._recompute_now()
        self.assertEqual(self._levels()["E"], level)

    def test_count_mode_matches_a_recompute(self):
        customers = self._five_customers()
        self._recompute_now()
        # N = 5: top rank 1, big none (ceil(0.25) = 1), medium rank 1 too
        # (ceil(1.0) = 1): B..E small. D: 120 + 900 = 1020 > A: rank 1, top.
        self._confirmed_today(customers["D"], 900)
        self.assertEqual(self._row(customers["D"])[1:4], ("top", 1020.0, 1))
        self._recompute_now()
        self.assertEqual(self._levels()["D"], "top")

    def test_cancelling_a_confirmed_order_refreshes_at_once(self):
        customers = self._five_customers()
        order = self._confirmed_today(customers["B"], 2000)
        self.assertEqual(self._row(customers["B"])[1:3], ("top", 2450.0))
        order.action_cancel()
        self.assertEqual(self._row(customers["B"])[2], 450.0)

    def test_changing_the_amount_of_a_confirmed_order_refreshes(self):
        customer = self._customer("Amount")
        order = self._confirmed_today(customer, 100)
        order.order_line.write({"product_uom_qty": 3})
        self.assertEqual(self._row(customer)[2], 300.0)
        order.order_line.write({"price_unit": 50})
        self.assertEqual(self._row(customer)[2], 150.0)

    def test_editing_the_lines_in_the_order_form_refreshes_once(self):
        """The form saves line changes as ``order_line`` commands of the
        order's write: one refresh after all of them, not one per line."""
        customer = self._customer("Form")
        order = self._confirmed_today(customer, 100)
        profile_class = type(self.env["relation.pyramid.profile"])
        refresh = profile_class._refresh_partners
        with patch.object(
            profile_class, "_refresh_partners", autospec=True, side_effect=refresh
        ) as spy:
            order.write(
                {
                    "order_line": [
                        (1, order.order_line.id, {"price_unit": 250}),
                        (0, 0, {"product_id": self.product.id, "price_unit": 40,
                                "product_uom_qty": 2, "tax_id": [(6, 0, [])]}),
                    ]
                }
            )
        self.assertEqual(spy.call_count, 1)
        # 250 + 2 * 40 = 330
        self.assertEqual(self._row(customer)[2], 330.0)
        # a line's own write (not through the order) still refreshes
        order.order_line[0].write({"price_unit": 300})
        self.assertEqual(self._row(customer)[2], 380.0)

    def test_moving_a_confirmed_order_to_another_customer_refreshes_both(self):
        first, second = self._customer("First"), self._customer("Second")
        order = self._confirmed_today(first, 400)
        self._confirmed_today(second, 100)
        order.write({"partner_id": second.id})
        self.assertIsNone(self._row(first), "no order left: no row")
        self.assertEqual(self._row(second)[2], 500.0)

    def test_moving_a_confirmed_order_to_another_company_refreshes_both(self):
        other = self.env["res.company"].create(
            {"name": "Other", "currency_id": self.eur.id}
        )
        customer = self._customer("Mover")
        order = self._confirmed_today(customer, 400)
        order.write({"company_id": other.id})
        self.assertIsNone(self._row(customer))
        self.assertEqual(self._row(customer, other)[:3], ("active", "top", 400.0))

    def test_moving_a_contact_to_another_company_partner_refreshes_both(self):
        old, new = self._customer("Old employer"), self._customer("New employer")
        person = self._customer("Person", is_company=False, parent_id=old.id)
        self._confirmed_today(person, 300)
        self._confirmed_today(new, 100)
        self.assertEqual(self._row(old)[2], 300.0)
        person.write({"parent_id": new.id})
        # The contact's orders count for their company: now New employer's.
        self.assertIsNone(self._row(old))
        self.assertEqual(self._row(new)[2], 400.0)

    def test_an_archived_contacts_order_counts_for_their_company(self):
        company = self._customer("Employer")
        person = self._customer("Former buyer", is_company=False, parent_id=company.id)
        self._confirmed_today(company, 300)
        person.active = False
        self._confirmed_today(person, 200)
        # DOMAIN.md: a contact's orders count for their commercial partner,
        # archived or not: 300 + 200.
        self.assertEqual(self._row(company)[2], 500.0)
        self.assertIsNone(self._row(person))

    def test_qualifying_a_relation_shows_at_once(self):
        target = self._customer("Target")
        target.write({"relation_qualification": "suspect"})
        self.assertEqual(self._row(target)[:2], ("suspect", "suspect"))


class TestRefreshInAnotherCurrency(PyramidCase):
    """A refresh converts each order in another currency at the rate of its
    own day, as a recompute does, reading the factors of those days only.
    Dates and rates are counted back from today, whatever today is:
    1 EUR = 1.25 USD from 400 days ago, 1 EUR = 2 USD from 50 days ago."""

    def _days_ago(self, days):
        return fields.Date.to_string(self.today - timedelta(days=days))

    def setUp(self):
        super().setUp()
        self.today = self.profile._reference_date()
        rates = self.env["res.currency.rate"]
        rates.search([("currency_id", "in", [self.usd.id, self.eur.id])]).unlink()
        for currency, rate, day in (
            (self.eur, 1.0, 400),
            (self.usd, 1.25, 400),
            (self.usd, 2.0, 50),
        ):
            rates.create(
                {"currency_id": currency.id, "rate": rate, "name": self._days_ago(day)}
            )
        self.pricelist_usd = self.env["product.pricelist"].create(
            {"name": "USD refresh", "currency_id": self.usd.id}
        )

    def _factor_days(self):
        self.env.cr.execute(
            "SELECT currency_id, day FROM pg_temp.relation_pyramid_factor "
            "ORDER BY day"
        )
        return self.env.cr.fetchall()

    def test_every_order_converted_at_its_own_day(self):
        # 125 USD 100 days ago (at 1.25: 100 EUR), 300 USD 20 days ago (at
        # 2: 150 EUR), 60 EUR 10 days ago, then 100 USD confirmed today (at
        # 2: 50 EUR): 360 EUR. Each refresh converts the earlier orders too:
        # left unconverted they would make 585.
        # the last order confirmed by a salesperson who sees their own
        # documents only (the refresh reads every day all the same)
        seller = self.env["res.users"].create(
            {
                "name": "Dollar seller",
                "login": "rp_dollar_seller",
                "company_id": self.company.id,
                "company_ids": [(6, 0, self.company.ids)],
                "groups_id": [
                    (6, 0, [self.env.ref("sales_team.group_sale_salesman").id])
                ],
            }
        )
        customer = self._customer("Pays in dollars", user_id=seller.id)
        self._order(customer, 125, self._days_ago(100), pricelist=self.pricelist_usd)
        self._order(customer, 300, self._days_ago(20), pricelist=self.pricelist_usd)
        self._order(customer, 60, self._days_ago(10))
        self.assertEqual(self._table()["Pays in dollars"][2], 310.0)
        order = self._order(
            customer, 100, self._days_ago(0), state="draft",
            pricelist=self.pricelist_usd,
        )
        order.user_id = seller
        order.sudo(seller).action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertEqual(self._table()["Pays in dollars"][:3], ("active", "top", 360.0))
        # The refresh read the factors of the customer's three days in
        # dollars, not of every day of the two periods.
        self.assertEqual(
            self._factor_days(),
            [(self.usd.id, self._days_ago(days)) for days in (100, 20, 0)],
        )
        self.profile.action_recompute()
        self.assertEqual(self._table()["Pays in dollars"][:3], ("active", "top", 360.0))
        self.assertGreater(len(self._factor_days()), 700)


class TestRefreshMovesTheOthersLevels(PyramidCase):
    def test_a_newcomer_moves_the_customers_at_the_cut_offs(self):
        # C01 .. C11 with 1100, 1000, ..., 100. N = 11: top and big end at
        # position ceil(0.11) = ceil(0.55) = 1, medium at ceil(2.2) = 3:
        # C01 top, C02 and C03 medium, the others small.
        # The refresh and the last recompute place them at today's date:
        # orders of yesterday, recomputed at today, whatever today is.
        today = self.profile._reference_date()
        yesterday = fields.Date.to_string(today - timedelta(days=1))
        for index in range(11):
            self._order(self._customer("C%02d" % (index + 1)), 1100 - 100 * index,
                        yesterday)
        self._recompute(reference=fields.Date.to_string(today))
        levels = self._levels()
        self.assertEqual(
            [levels["C01"], levels["C02"], levels["C03"], levels["C04"]],
            ["top", "medium", "medium", "small"],
        )
        # A newcomer of 2000 confirmed: N = 12, top and big end at position
        # ceil(0.12) = ceil(0.6) = 1, medium at ceil(2.4) = 3: the newcomer is
        # top, C01 (now second) and C02 (third) medium, C03 (fourth) small.
        newcomer = self._customer("Newcomer")
        order = self._order(newcomer, 2000, yesterday, state="draft")
        order.action_confirm()
        levels = self._levels()
        self.assertEqual(
            [levels[name] for name in ("Newcomer", "C01", "C02", "C03", "C04")],
            ["top", "medium", "medium", "small", "small"],
        )
        # as a recompute at that moment places them
        self.profile.action_recompute()
        self.assertEqual(self._levels(), levels)
