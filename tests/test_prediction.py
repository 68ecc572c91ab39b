"""Predictions through the engine's own path: the CDNOW 1/10 sample loaded
as confirmed sale orders of a company, recomputed by a sales manager at the
end of the paper's calibration period, must give the published parameters;
the rows get the figures of the formulas; a refresh uses the last fit; too
few repeat customers give no prediction and say why."""
import datetime
import math

from odoo.addons.relation_pyramid.models import bgnbd
from odoo.addons.relation_pyramid.models.relation_pyramid_engine_prediction import (
    PREDICTION_TABLE,
)

from . import bulk, cdnow
from .pyramid_common import REFERENCE, PyramidCase

CALIBRATION_END = "1997-09-30"
# The purchases from this day on are confirmed through action_confirm();
# the others (6,919 in all) are bulk-inserted as confirmed orders.
ORM_FROM = datetime.date(1997, 9, 20)


class TestPredictionCdnow(PyramidCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cdnow = cls.env["res.company"].create(
            {"name": "CDNOW (test)", "currency_id": cls.usd.id}
        )
        cls.usd_pricelist = cls.env["product.pricelist"].create(
            {"name": "USD CDNOW", "currency_id": cls.usd.id}
        )
        cls.manager = cls.env["res.users"].create(
            {
                "name": "CDNOW manager",
                "login": "cdnow_manager",
                "company_id": cls.cdnow.id,
                "company_ids": [(6, 0, [cls.cdnow.id])],
                "groups_id": [
                    (6, 0, [cls.env.ref("sales_team.group_sale_manager").id])
                ],
            }
        )
        cls.cdnow_profile = (
            cls.env["relation.pyramid.profile"]
            ._ensure_profiles()
            .filtered(lambda profile: profile.company_id == cls.cdnow)
        )
        cls.purchases = [
            row for row in cdnow.purchases() if row.day <= cdnow.CALIBRATION_END
        ]
        cls.partner_by_customer = cls._load_purchases(cls.purchases)
        cls.cdnow_profile.sudo(cls.manager).action_recompute(
            reference_date=CALIBRATION_END
        )
        cls.snapshot = cls.env["relation.pyramid.snapshot"].search(
            [("company_id", "=", cls.cdnow.id), ("date", "=", CALIBRATION_END)]
        )

    @classmethod
    def _load_purchases(cls, purchases):
        """A customer per CDNOW id and an order per purchase line, dated by
        its day at noon UTC (the company's zone). Bulk SQL for the orders
        before ``ORM_FROM`` (creating 6,919 orders one by one through the ORM
        takes minutes), ``action_confirm()`` for the last ones."""
        cr = cls.env.cr
        customers = sorted({row.customer for row in purchases})
        # the first customer and a quotation of theirs through the ORM: the
        # templates of the rows inserted in bulk (tests/bulk.py)
        template = cls._customer("CDNOW %05d" % customers[0])
        names = ["CDNOW %05d" % customer for customer in customers[1:]]
        new_ids = bulk.insert_like(
            cr,
            "res_partner",
            template.id,
            ["name", "display_name"],
            """SELECT name, name AS display_name, ordinal
                 FROM UNNEST(%(names)s::varchar[]) WITH ORDINALITY
                      AS new(name, ordinal)""",
            {"names": names},
        )
        partners = dict(zip(customers, [template.id] + new_ids))
        cr.execute(
            "UPDATE res_partner SET commercial_partner_id = id WHERE id IN %s",
            (tuple(new_ids),),
        )
        template_order = cls._order(
            template, 1.0, "1997-01-01", state="draft", company=cls.cdnow,
            pricelist=cls.usd_pricelist,
        )
        rows = [row for row in purchases if row.day < ORM_FROM]
        bulk.insert_like(
            cr,
            "sale_order",
            template_order.id,
            [
                "name", "partner_id", "partner_invoice_id", "partner_shipping_id",
                "date_order", "confirmation_date", "state", "amount_untaxed",
                "amount_tax", "amount_total",
            ],
            """SELECT 'CDNOW/' || n, p, p, p, d + TIME '12:00',
                      d + TIME '12:00', 'sale', v, 0, v, n AS ordinal
                 FROM UNNEST(%(partners)s, %(days)s::date[],
                             %(values)s::numeric[])
                      WITH ORDINALITY AS purchase(p, d, v, n)""",
            {
                "partners": [partners[row.customer] for row in rows],
                "days": [row.day.isoformat() for row in rows],
                "values": [row.value for row in rows],
            },
        )
        template_order.unlink()
        cls.env["res.partner"].invalidate_cache()
        partner_model = cls.env["res.partner"]
        cls.orm_orders = cls.env["sale.order"]
        for row in purchases:
            if row.day >= ORM_FROM:
                cls.orm_orders |= cls._order(
                    partner_model.browse(partners[row.customer]),
                    row.value,
                    row.day.isoformat() + " 12:00:00",
                    company=cls.cdnow,
                    pricelist=cls.usd_pricelist,
                )
        return partners

    def _line(self, customer):
        return self.env["relation.pyramid.line"].search(
            [
                ("company_id", "=", self.cdnow.id),
                ("partner_id", "=", self.partner_by_customer[customer]),
            ]
        )

    def _order_after_calibration(self, partner, user=None):
        """A confirmed order of 40.00 of ``partner`` on the calibration's
        last day, after the recompute (its customer refreshed with the last
        fit), by ``user`` if given; the refresh's reference date (today) and
        horizon (the days of the period at that date)."""
        self._order(
            partner,
            40.0,
            CALIBRATION_END + " 15:00:00",
            company=self.cdnow,
            pricelist=self.usd_pricelist,
            user=user,
        )
        today = self.cdnow_profile._reference_date()
        bounds = self.cdnow_profile._period_bounds(today)
        return today, (bounds["end"] - bounds["start"]).days + 1

    def _params(self):
        snapshot = self.snapshot
        return (
            (
                snapshot.bgnbd_r,
                snapshot.bgnbd_alpha,
                snapshot.bgnbd_a,
                snapshot.bgnbd_b,
            ),
            (snapshot.gg_p, snapshot.gg_q, snapshot.gg_gamma),
        )

    def assertClose(self, value, expected, relative):
        self.assertLessEqual(
            abs(value - expected),
            abs(expected) * relative,
            "%r is not within %s %% of %r" % (value, relative * 100, expected),
        )

    def test_fixture(self):
        # 6,919 purchase lines up to June 1998, those of the 39 weeks loaded;
        # some confirmed through the ORM
        self.assertEqual(len(self.partner_by_customer), 2357)
        self.assertTrue(self.orm_orders)
        self.assertEqual(set(self.orm_orders.mapped("state")), {"sale"})

    def test_cdnow_fit_matches_published(self):
        """The paper's fit (weeks) r 0.243, alpha 4.414, a 0.793, b 2.426, LL
        -9582.4: in days alpha = 4.414 * 7 = 30.898 and LL = -9582.4 - 2457
        log 7 = -14363.5 (2,457 repeat transactions); Gamma-Gamma p 6.25,
        q 3.74, gamma 15.44."""
        snapshot = self.snapshot
        self.assertFalse(snapshot.prediction_note)
        self.assertEqual(str(snapshot.prediction_fit_date), CALIBRATION_END)
        self.assertEqual(snapshot.prediction_customer_count, 2357)
        self.assertEqual(snapshot.prediction_repeat_count, 946)
        self.assertClose(snapshot.bgnbd_r, 0.243, 0.01)
        self.assertClose(snapshot.bgnbd_alpha, 4.414 * 7, 0.01)
        self.assertClose(snapshot.bgnbd_a, 0.793, 0.01)
        self.assertClose(snapshot.bgnbd_b, 2.426, 0.01)
        self.assertAlmostEqual(
            snapshot.bgnbd_log_likelihood + 2457 * math.log(7), -9582.4, delta=0.1
        )
        self.assertClose(snapshot.gg_p, 6.25, 0.02)
        self.assertClose(snapshot.gg_q, 3.74, 0.02)
        self.assertClose(snapshot.gg_gamma, 15.44, 0.02)
        # the settings show the last recompute's parameters
        profile = self.cdnow_profile.sudo(self.manager)
        self.assertEqual(profile.prediction_snapshot_id, snapshot)
        self.assertEqual(profile.bgnbd_alpha, snapshot.bgnbd_alpha)
        self.assertEqual(profile.gg_gamma, snapshot.gg_gamma)

    def test_rows_follow_the_formulas(self):
        """Customer 1 bought on 1997-01-01, 01-18 and 08-02 (29.33, 29.73,
        14.96 dollars): x = 2, t_x = 213 days, T = 272 days, repeat mean
        (29.73 + 14.96) / 2 = 22.345. Customer 3 bought once, on 1997-01-01
        (x = 0, T = 272). Horizon: the period of 12 months at R, 365 days."""
        params, value_params = self._params()
        r, alpha, a, b = params
        line = self._line(1)
        expected_p_alive = 1 / (
            1 + a / (b + 2 - 1) * ((alpha + 272) / (alpha + 213)) ** (r + 2)
        )
        self.assertAlmostEqual(line.p_alive, expected_p_alive, places=4)
        expected_orders = float(
            bgnbd.bgnbd_expected_transactions(params, 365, 2, 213, 272)
        )
        self.assertAlmostEqual(line.expected_orders, expected_orders, places=3)
        p, q, gamma = value_params
        order_value = p * (gamma + 2 * 22.345) / (p * 2 + q - 1)
        self.assertAlmostEqual(
            line.predicted_value, expected_orders * order_value, places=1
        )
        # one order only: alive for the model (it only lets a customer leave
        # after a repeat order), the model's mean order value p gamma / (q - 1)
        single = self._line(3)
        self.assertEqual(single.p_alive, 1.0)
        single_orders = float(
            bgnbd.bgnbd_expected_transactions(params, 365, 0, 0, 272)
        )
        self.assertAlmostEqual(single.expected_orders, single_orders, places=3)
        self.assertAlmostEqual(
            single.predicted_value, single_orders * p * gamma / (q - 1), places=1
        )
        self.assertAlmostEqual(
            self.snapshot.prediction_population_value, p * gamma / (q - 1), places=2
        )
        # a salesperson sees the figures on the customer
        partner = self.env["res.partner"].sudo(self.manager).browse(
            self.partner_by_customer[1]
        )
        # shown with two decimals
        self.assertAlmostEqual(partner.pyramid_p_alive, line.p_alive, places=2)
        found = (
            self.env["res.partner"]
            .sudo(self.manager)
            .search([("pyramid_p_alive", "<", 0.5)])
        )
        lost = self.env["relation.pyramid.line"].search(
            [("company_id", "=", self.cdnow.id), ("p_alive", "<", 0.5)]
        )
        self.assertTrue(lost)
        self.assertEqual(sorted(found.ids), sorted(lost.mapped("partner_id").ids))

    def test_figures_read_in_chunks(self):
        """The customers' figures are read and written a chunk at a time: in
        chunks of 100 (24 for 2,357 customers, the last one of 57) the fit
        and every row's figures are those of one chunk."""
        fields_read = ["partner_id", "p_alive", "expected_orders", "predicted_value"]
        lines = self.env["relation.pyramid.line"].search(
            [("company_id", "=", self.cdnow.id)]
        )
        one_chunk = {row["partner_id"][0]: row for row in lines.read(fields_read)}
        # every customer has a probability (one rounds to 0.0000)
        self.env.cr.execute(
            "SELECT COUNT(p_alive) FROM relation_pyramid_line WHERE company_id = %s",
            (self.cdnow.id,),
        )
        self.assertEqual(self.env.cr.fetchone()[0], 2357)
        params = self._params()
        self.cdnow_profile.sudo(self.manager).with_context(
            relation_pyramid_prediction_chunk_size=100
        ).action_recompute(reference_date=CALIBRATION_END)
        lines.invalidate_cache()
        self.assertEqual(self._params(), params)
        chunked = {row["partner_id"][0]: row for row in lines.read(fields_read)}
        self.assertEqual(chunked, one_chunk)

    def _planner_rows(self, table):
        """The rows the planner counts on for a temporary table of this
        transaction: -1 until it is analysed."""
        self.env.cr.execute(
            "SELECT reltuples FROM pg_class WHERE oid = to_regclass(%s)", (table,)
        )
        return self.env.cr.fetchone()[0]

    def test_predictions_analysed_before_a_full_update(self):
        """A full computation analyses its 2,357 customers' predictions
        before it sets them on the result, so that the planner joins the
        result's rows in their own order; a refresh (one customer) does
        not spend a statement on it."""
        table = PREDICTION_TABLE
        self.cdnow_profile.sudo(self.manager).action_recompute(
            reference_date=CALIBRATION_END
        )
        self.assertEqual(self._planner_rows(table), 2357)
        self._order(
            self.env["res.partner"].browse(self.partner_by_customer[3]),
            40.0,
            CALIBRATION_END + " 15:00:00",
            company=self.cdnow,
            pricelist=self.usd_pricelist,
        )
        self.assertTrue(self._line(3).p_alive)
        self.assertEqual(self._planner_rows(table), -1)

    def test_probably_lost_are_risk_customers(self):
        """At R every CDNOW customer who paid is active (first orders in
        1997) and none bought in the previous period, so no revenue drop and no level
        history: the risk customers are exactly those with p_alive < 0.5
        (the default threshold), with the reason in words. Customer 1
        (p_alive 0.7266, see above) is not at risk."""
        lines = self.env["relation.pyramid.line"].search(
            [("company_id", "=", self.cdnow.id)]
        )
        # (the 8 customers whose one purchase was of $0.00 are not active)
        customers = lines.filtered(lambda line: line.lifecycle == "active")
        self.assertEqual(len(customers), 2357 - 8)
        lost = customers.filtered(lambda line: line.p_alive < 0.5)
        self.assertTrue(lost)
        self.assertEqual(lines.filtered("risk"), lost)
        self.assertEqual(lines.filtered("risk_p_alive"), lost)
        self.assertEqual(set(lost.mapped("risk_since")), {CALIBRATION_END})
        line = lost[0]
        self.assertEqual(
            line.risk_reason,
            "Probably lost: %d %% chance still active" % round(line.p_alive * 100),
        )
        self.assertFalse(self._line(1).risk)
        # a stricter threshold: fewer risk customers, at the next recompute
        profile = self.cdnow_profile.sudo(self.manager)
        profile.p_alive_risk_threshold = 0.2
        profile.action_recompute(reference_date=CALIBRATION_END)
        lines.invalidate_cache()
        self.assertEqual(
            lines.filtered("risk"),
            customers.filtered(lambda line: line.p_alive < 0.2),
        )
        self.assertLess(len(lines.filtered("risk")), len(lost))

    def test_probably_lost_at_risk_since_their_first_day(self):
        """A customer still probably lost at the next recompute (1997-10-10,
        refitted) keeps the day it was first put at risk (the recompute at
        R); one probably lost only now is at risk since today."""
        lines = self.env["relation.pyramid.line"].search(
            [("company_id", "=", self.cdnow.id)]
        )
        lost_before = lines.filtered("risk_p_alive")
        self.assertEqual(set(lost_before.mapped("risk_since")), {CALIBRATION_END})
        self.cdnow_profile.sudo(self.manager).action_recompute(
            reference_date="1997-10-10"
        )
        lines.invalidate_cache()
        lost_now = lines.filtered("risk_p_alive")
        still, new = lost_now & lost_before, lost_now - lost_before
        self.assertTrue(still and new)
        self.assertEqual(set(still.mapped("risk_since")), {CALIBRATION_END})
        self.assertEqual(set(new.mapped("risk_since")), {"1997-10-10"})

    def test_refresh_uses_the_last_fit(self):
        """An order confirmed after the recompute refreshes its customer
        with the last fit's parameters, no refit: customer 3 (one order on
        1997-01-01) orders again on 1997-09-30: x = 1, t_x = 272 days, T from
        1997-01-01 to the refresh's reference date (today), the horizon the
        period at that date."""
        snapshots = self.env["relation.pyramid.snapshot"].search(
            [("company_id", "=", self.cdnow.id)]
        )
        params_before = self._params()
        partner = self.env["res.partner"].browse(self.partner_by_customer[3])
        today, horizon = self._order_after_calibration(partner)
        first = datetime.date(1997, 1, 1)
        t_x = (datetime.date(1997, 9, 30) - first).days
        age = (today - first).days
        params, (p, q, gamma) = self._params()
        self.assertEqual(self._params(), params_before)
        self.assertEqual(
            self.env["relation.pyramid.snapshot"].search(
                [("company_id", "=", self.cdnow.id)]
            ),
            snapshots,
        )
        line = self._line(3)
        self.assertAlmostEqual(
            line.p_alive, float(bgnbd.bgnbd_p_alive(params, 1, t_x, age)), places=4
        )
        expected = float(
            bgnbd.bgnbd_expected_transactions(params, horizon, 1, t_x, age)
        )
        self.assertAlmostEqual(line.expected_orders, expected, places=3)
        # the repeat mean is the new order's 40.00
        self.assertAlmostEqual(
            line.predicted_value,
            expected * p * (gamma + 40.0) / (p + q - 1),
            places=1,
        )

    def test_figure_the_formulas_cannot_give_stays_empty(self):
        """A last fit with q below 1 has no mean order value (p γ / (q − 1)
        is negative): a new customer's first order then gets p_alive 1 and
        expected orders from BG/NBD, and no predicted value, null in the
        database rather than a number. The order is made and confirmed by a
        CDNOW salesperson who sees their own documents only."""
        fit = self.cdnow_profile._last_prediction_fit(CALIBRATION_END)
        self.assertEqual(fit, self.snapshot)
        fit.sudo().write({"gg_q": 0.5})
        salesperson = self.env["res.users"].create(
            {
                "name": "CDNOW salesperson",
                "login": "cdnow_salesperson",
                "company_id": self.cdnow.id,
                "company_ids": [(6, 0, [self.cdnow.id])],
                "groups_id": [
                    (6, 0, [self.env.ref("sales_team.group_sale_salesman").id])
                ],
            }
        )
        partner = self._customer("CDNOW new customer")
        today, horizon = self._order_after_calibration(partner, user=salesperson)
        line = self.env["relation.pyramid.line"].search(
            [("company_id", "=", self.cdnow.id), ("partner_id", "=", partner.id)]
        )
        params, _value_params = self._params()
        age = (today - datetime.date(1997, 9, 30)).days
        self.assertEqual(line.p_alive, 1.0)
        self.assertAlmostEqual(
            line.expected_orders,
            float(bgnbd.bgnbd_expected_transactions(params, horizon, 0, 0, age)),
            places=3,
        )
        self.env.cr.execute(
            "SELECT predicted_value IS NULL, p_alive IS NULL "
            "FROM relation_pyramid_line WHERE id = %s",
            (line.id,),
        )
        self.assertEqual(self.env.cr.fetchone(), (True, False))

    def test_weekly_refit(self):
        """Refit weekly: a recompute three days after the fit takes its
        parameters; ten days after, it fits again."""
        profile = self.cdnow_profile.sudo(self.manager)
        profile.prediction_refit = "weekly"
        profile.action_recompute(reference_date="1997-10-03")
        later = self.env["relation.pyramid.snapshot"].search(
            [("company_id", "=", self.cdnow.id), ("date", "=", "1997-10-03")]
        )
        self.assertEqual(str(later.prediction_fit_date), CALIBRATION_END)
        self.assertEqual(later.bgnbd_r, self.snapshot.bgnbd_r)
        self.assertIn("refit weekly", later.prediction_note)
        profile.action_recompute(reference_date="1997-10-10")
        refit = self.env["relation.pyramid.snapshot"].search(
            [("company_id", "=", self.cdnow.id), ("date", "=", "1997-10-10")]
        )
        self.assertEqual(str(refit.prediction_fit_date), "1997-10-10")
        self.assertNotEqual(refit.bgnbd_r, self.snapshot.bgnbd_r)


class TestPredictionTooFewCustomers(PyramidCase):
    def test_too_few_repeat_customers(self):
        """Three customers bought on two days, two on one: 3 < 50 repeat
        customers, no prediction, and the settings say why."""
        manager = self.env["res.users"].create(
            {
                "name": "Few manager",
                "login": "few_manager",
                "company_id": self.company.id,
                "company_ids": [(6, 0, [self.company.id])],
                "groups_id": [
                    (6, 0, [self.env.ref("sales_team.group_sale_manager").id])
                ],
            }
        )
        for index in range(5):
            customer = self._customer("Few %d" % index)
            self._order(customer, 100.0, "2026-01-10")
            if index < 3:
                self._order(customer, 50.0, "2026-03-10")
        self.profile.sudo(manager).action_recompute(reference_date="2026-06-30")
        lines = self.env["relation.pyramid.line"].search(
            [("company_id", "=", self.company.id), ("partner_id.name", "like", "Few ")]
        )
        self.assertEqual(len(lines), 5)
        self.assertEqual(set(lines.mapped("p_alive")), {0.0})
        self.assertEqual(
            self.env["relation.pyramid.line"].search_count(
                [("id", "in", lines.ids), ("p_alive", "=", False)]
            ),
            5,
        )
        profile = self.profile.sudo(manager)
        self.assertIn(
            "3 customers bought on more than one day", profile.prediction_note
        )
        self.assertIn("at least 50", profile.prediction_note)
        self.assertFalse(profile.prediction_fit_date)
        self.assertFalse(profile.bgnbd_r)
        # an order confirmed afterwards gives no prediction either, though
        # an older fit exists (the last recompute says there is none)
        self.env["relation.pyramid.snapshot"].create(
            {
                "company_id": self.company.id,
                "date": "2026-03-31",
                "prediction_fit_date": "2026-03-31",
                "bgnbd_r": 0.25,
                "bgnbd_alpha": 30.0,
                "bgnbd_a": 0.8,
                "bgnbd_b": 2.5,
                "gg_p": 6.0,
                "gg_q": 4.0,
                "gg_gamma": 15.0,
            }
        )
        self._order(lines[0].partner_id, 70.0, "2026-06-20")
        # refreshed (at today's date: the order is its last one whatever
        # today is; its order count in today's period depends on the day)
        self.assertEqual(lines[0].last_order_date, "2026-06-20")
        self.assertFalse(
            self.env["relation.pyramid.line"].search_count(
                [("id", "in", lines.ids), ("p_alive", "!=", False)]
            )
        )


class TestPredictionNotConverging(PyramidCase):
    def test_fit_not_converging_keeps_previous_parameters(self):
        """Sixty customers who all ordered every 10 days from 2026-03-22 to
        R = 2026-06-30 (x = 10, t_x = T = 100 days): the BG/NBD fit runs
        away (no spread, nobody leaves). The previous fit (at 2026-03-31)
        is kept: the snapshot at R carries its parameters and date and says
        why, the warning is logged, the rows get their figures from it:
        p_alive = 1 / (1 + a / (b + 9) * ((alpha + 100) / (alpha + 100))^(r
        + 10)) = 1 / (1 + a / (b + 9)) = 1 / (1 + 0.8 / 11.5)."""
        manager = self.env["res.users"].create(
            {
                "name": "Regular manager",
                "login": "regular_manager",
                "company_id": self.company.id,
                "company_ids": [(6, 0, [self.company.id])],
                "groups_id": [
                    (6, 0, [self.env.ref("sales_team.group_sale_manager").id])
                ],
            }
        )
        previous = {
            "bgnbd_r": 0.25,
            "bgnbd_alpha": 30.0,
            "bgnbd_a": 0.8,
            "bgnbd_b": 2.5,
            "bgnbd_log_likelihood": -1000.0,
            "gg_p": 6.0,
            "gg_q": 4.0,
            "gg_gamma": 15.0,
            "prediction_fit_date": "2026-03-31",
        }
        # the snapshot a recompute at 2026-03-31 kept (its fit's parameters)
        self.env["relation.pyramid.snapshot"].create(
            dict(previous, company_id=self.company.id, date="2026-03-31")
        )
        customers = self.env["res.partner"]
        for index in range(60):
            customers |= self._customer("Regular %02d" % index)
        template_order = self._order(customers[0], 1.0, "2026-03-22", state="draft")
        bulk.insert_like(
            self.env.cr,
            "sale_order",
            template_order.id,
            [
                "name", "partner_id", "partner_invoice_id", "partner_shipping_id",
                "date_order", "confirmation_date", "state", "amount_untaxed",
                "amount_tax", "amount_total",
            ],
            """SELECT 'REG/' || customer.id || '/' || step, customer.id,
                      customer.id, customer.id, day + TIME '12:00',
                      day + TIME '12:00', 'sale', 50, 0, 50,
                      ROW_NUMBER() OVER (ORDER BY customer.id, step) AS ordinal
                 FROM UNNEST(%(customers)s) AS customer(id)
                CROSS JOIN generate_series(0, 10) AS step
                CROSS JOIN LATERAL (SELECT DATE '2026-03-22' + 10 * step AS day) d""",
            {"customers": customers.ids},
        )
        template_order.unlink()
        with self.assertLogs(
            "odoo.addons.relation_pyramid.models.relation_pyramid_engine_prediction",
            "WARNING",
        ) as logs:
            self.profile.sudo(manager).action_recompute(reference_date=REFERENCE)
        self.assertIn("did not converge", logs.output[0])
        self.assertIn("the parameters fitted at 2026-03-31 are kept", logs.output[0])
        snapshot = self.env["relation.pyramid.snapshot"].search(
            [("company_id", "=", self.company.id), ("date", "=", REFERENCE)]
        )
        for name, value in previous.items():
            self.assertEqual(str(snapshot[name]), str(value), name)
        self.assertIn("did not converge", snapshot.prediction_note)
        self.assertEqual(
            self.profile.sudo(manager).prediction_note, snapshot.prediction_note
        )
        line = self.env["relation.pyramid.line"].search(
            [
                ("company_id", "=", self.company.id),
                ("partner_id", "=", customers[0].id),
            ]
        )
        self.assertAlmostEqual(line.p_alive, 1 / (1 + 0.8 / 11.5), places=4)


class TestPredictionCurrency(PyramidCase):
    def test_refresh_converts_other_currencies(self):
        """A customer of the EUR company orders 100 EUR on 2026-01-10 and
        200 USD on 2026-03-10 (1 EUR = 1.25 USD from 2026-01-01: 160 EUR).
        Refreshed with the last fit's parameters (kept at 2026-03-31): x =
        1, t_x = 59 days, T from 2026-01-10 to the refresh's reference date
        (today), repeat mean 160 EUR: predicted value = expected orders *
        p (gamma + 160) / (p + q - 1)."""
        params = {
            "bgnbd_r": 0.25,
            "bgnbd_alpha": 30.0,
            "bgnbd_a": 0.8,
            "bgnbd_b": 2.5,
            "gg_p": 6.0,
            "gg_q": 4.0,
            "gg_gamma": 15.0,
            "prediction_fit_date": "2026-03-31",
        }
        self.env["relation.pyramid.snapshot"].create(
            dict(params, company_id=self.company.id, date="2026-03-31")
        )
        # as the recompute at 2026-03-31 that kept them leaves the settings
        self.profile.last_reference_date = "2026-03-31"
        for currency, rate in ((self.eur, 1.0), (self.usd, 1.25)):
            self.env["res.currency.rate"].create(
                {
                    "currency_id": currency.id,
                    "company_id": self.company.id,
                    "name": "2026-01-01",
                    "rate": rate,
                }
            )
        usd_pricelist = self.env["product.pricelist"].create(
            {"name": "USD test", "currency_id": self.usd.id}
        )
        customer = self._customer("Two currencies")
        self._order(customer, 100.0, "2026-01-10")
        self._order(customer, 200.0, "2026-03-10", pricelist=usd_pricelist)
        today = self.profile._reference_date()
        bounds = self.profile._period_bounds(today)
        horizon = (bounds["end"] - bounds["start"]).days + 1
        age = (today - datetime.date(2026, 1, 10)).days
        bgnbd_params = (0.25, 30.0, 0.8, 2.5)
        expected = float(
            bgnbd.bgnbd_expected_transactions(bgnbd_params, horizon, 1, 59, age)
        )
        line = self.env["relation.pyramid.line"].search(
            [("company_id", "=", self.company.id), ("partner_id", "=", customer.id)]
        )
        self.assertAlmostEqual(
            line.p_alive,
            float(bgnbd.bgnbd_p_alive(bgnbd_params, 1, 59, age)),
            places=4,
        )
        self.assertAlmostEqual(line.expected_orders, expected, places=3)
        self.assertAlmostEqual(
            line.predicted_value, expected * 6.0 * (15.0 + 160.0) / (6.0 + 4.0 - 1),
            places=1,
        )
