"""Risk customers and win-back candidates (issue 18, items 1-2), worked out
by hand. R = 2026-06-30: period 2025-07-01 .. 2026-06-30, previous period
2024-07-01 .. 2025-06-30; risk drop 30 % (the default). Fixed thresholds:
top >= 10 000, big >= 5 000, medium >= 1 000, else small."""
from .pyramid_common import IN_PERIOD, IN_PREVIOUS, REFERENCE, PyramidCase


class SignalsCase(PyramidCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, no_reset_password=True))
        cls.profile.write(
            {
                "level_mode": "threshold",
                "top_min_revenue": 10000,
                "big_min_revenue": 5000,
                "medium_min_revenue": 1000,
            }
        )
        cls.manager = cls._user("manager", "sales_team.group_sale_manager")

    @classmethod
    def _user(cls, key, group):
        return cls.env["res.users"].create(
            {
                "name": "Signals %s" % key,
                "login": "signals_%s" % key,
                "groups_id": [(6, 0, [cls.env.ref(group).id])],
            }
        )

    def _recompute(self, profile=None, reference=REFERENCE):
        (profile or self.profile).sudo(self.manager).action_recompute(
            reference_date=reference
        )

    def _backfill(self, *days):
        self.profile.sudo(self.manager).action_backfill_snapshots(list(days))

    def _row(self, partner):
        return self.env["relation.pyramid.line"].search(
            [("company_id", "=", self.company.id), ("partner_id", "=", partner.id)]
        )


class TestRisk(SignalsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.own = cls._user("own", "sales_team.group_sale_salesman")
        cls.own2 = cls._user("own2", "sales_team.group_sale_salesman")
        # 1000 -> 700: 700 * 100 = 70 000 <= 1000 * (100 - 30) = 70 000, at
        # risk exactly at the threshold (-30 %)
        cls.threshold = cls._customer("Threshold", user_id=cls.own.id)
        cls._order(cls.threshold, 1000, IN_PREVIOUS)
        cls._order(cls.threshold, 700, IN_PERIOD)
        # 1000 -> 701: 70 100 > 70 000, a drop of 29.9 %: not at risk
        cls.near = cls._customer("Near", user_id=cls.own2.id)
        cls._order(cls.near, 1000, IN_PREVIOUS)
        cls._order(cls.near, 701, IN_PERIOD)
        # previous revenue 0: no revenue risk, whatever the period's
        cls.newcomer = cls._customer("Newcomer")
        cls._order(cls.newcomer, 500, IN_PERIOD)
        # a level drop without a revenue drop: 5 000 on 2025-03-01 makes them
        # big at 2025-12-31 (period 2025-01-01 .. 2025-12-31); at R 4 000 in
        # the period (medium) against 5 000 before: -20 %, above -30 %
        cls.slipping = cls._customer("Slipping", user_id=cls.own2.id)
        cls._order(cls.slipping, 5000, "2025-03-01")
        cls._order(cls.slipping, 4000, IN_PERIOD)
        cls.buyer = cls._customer(
            "Threshold buyer", is_company=False, parent_id=cls.threshold.id
        )

    def test_exactly_at_the_threshold_is_at_risk(self):
        self._recompute()
        row = self._row(self.threshold)
        self.assertEqual((row.lifecycle, row.level), ("active", "small"))
        self.assertTrue(row.risk)
        self.assertEqual(row.risk_since, REFERENCE)
        self.assertEqual(
            row.risk_reason, "Revenue \u221230 % against the previous 12 months"
        )
        self.assertFalse(self._row(self.near).risk)
        self.assertFalse(self._row(self.near).risk_since)

    def test_previous_revenue_zero_is_no_revenue_risk(self):
        self._recompute()
        row = self._row(self.newcomer)
        self.assertEqual(row.lifecycle, "active")
        self.assertFalse(row.risk)
        self.assertFalse(row.risk_reason)

    def test_level_drop_without_revenue_drop(self):
        self._recompute(reference="2025-12-31")
        self.assertEqual(self._row(self.slipping).level, "big")
        # no snapshot before 2025-12-31: nothing to drop from
        self.assertFalse(self._row(self.slipping).risk)
        self._recompute()
        row = self._row(self.slipping)
        self.assertEqual((row.level, row.revenue_change_pct), ("medium", -20.0))
        self.assertTrue(row.risk)
        self.assertFalse(row.risk_revenue_drop)
        self.assertEqual(
            (row.previous_level, row.previous_snapshot_date), ("big", "2025-12-31")
        )
        self.assertEqual(row.risk_reason, "Big \u2192 Medium since 12/31/2025")
        # the reader's date format: Dutch writes 31-12-2025
        dutch = row.with_context(lang="nl_NL")
        self.assertIn("31-12-2025", dutch.risk_reason)

    def test_risk_since_is_kept_while_at_risk(self):
        # 2025-12-31: 1 000 in the period, 0 before: not at risk
        self._recompute(reference="2025-12-31")
        self.assertFalse(self._row(self.threshold).risk)
        self.assertFalse(self._row(self.threshold).risk_since)
        self._recompute()
        self.assertEqual(self._row(self.threshold).risk_since, REFERENCE)
        # R2 = 2026-07-31: period 2025-08-01 .. 2026-07-31 (700), previous
        # 2024-08-01 .. 2025-07-31 (1 000): still -30 %, at risk since R
        self._recompute(reference="2026-07-31")
        row = self._row(self.threshold)
        self.assertTrue(row.risk)
        self.assertEqual(row.risk_since, REFERENCE)

    def test_partner_fields_follow_the_visibility_rules(self):
        self._recompute(reference="2025-12-31")
        self._recompute()
        # the own-documents salesperson reads their own customer's risk, and
        # on a contact their company's: Threshold had 1 000 in 2025-01-01 ..
        # 2025-12-31 (medium at 2025-12-31), 700 at R (small): both reasons
        for partner in (self.threshold, self.buyer):
            mine = partner.sudo(self.own)
            self.assertTrue(mine.pyramid_risk)
            self.assertEqual(
                mine.pyramid_risk_reason,
                "Revenue \u221230 % against the previous 12 months; "
                "Medium \u2192 Small since 12/31/2025",
            )
        # ... and nothing of another salesperson's customer at risk
        self.assertTrue(self._row(self.slipping).risk)
        theirs = self.slipping.sudo(self.own)
        self.assertFalse(theirs.pyramid_risk)
        self.assertFalse(theirs.pyramid_risk_reason)
        self.assertTrue(self.slipping.sudo(self.own2).pyramid_risk)

    def test_printed_pyramid_shows_the_risk_customers(self):
        self._recompute(reference="2025-12-31")
        self._recompute()
        # at risk: Threshold (1 000 -> 700, lost 300), Slipping (big ->
        # medium, 5 000 -> 4 000, lost 1 000) and Near (medium at 2025-12-31
        # with 1 000, small at R with 701: lost 299): 3 customers, 1 599.00
        snapshot = self.env["relation.pyramid.snapshot"].search(
            [("company_id", "=", self.company.id), ("date", "=", REFERENCE)]
        )
        report = self.env.ref("relation_pyramid.action_report_pyramid")
        html = report.sudo(self.manager).render_qweb_html(snapshot.ids)[0].decode()
        self.assertRegex(html, r"Risk customers:</span>\s*<strong[^>]*>3</strong>")
        self.assertRegex(
            html, r"revenue at risk[^<]*</span>\s*<strong[^>]*><span[^>]*>1,599\.00"
        )
        # an older snapshot: the rows no longer hold its signals
        older = snapshot.search(
            [("company_id", "=", self.company.id), ("date", "=", "2025-12-31")]
        )
        html = report.sudo(self.manager).render_qweb_html(older.ids)[0].decode()
        self.assertNotIn("Risk customers", html)


class TestWinBack(SignalsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # 6 000 on 2024-03-01: big at the backfilled 2024-06-30 (period
        # 2023-07-01 .. 2024-06-30) and 2024-12-31 (2024-01-01 ..
        # 2024-12-31), inactive at 2025-06-30 and at R
        cls.lapsed_big = cls._customer("Lapsed big")
        cls._order(cls.lapsed_big, 6000, "2024-03-01")
        # 2 000 on 2024-03-01: medium, then inactive: not a candidate
        cls.lapsed_medium = cls._customer("Lapsed medium")
        cls._order(cls.lapsed_medium, 2000, "2024-03-01")
        # big now (5 000 in the period): active, not a candidate
        cls.big_now = cls._customer("Big now")
        cls._order(cls.big_now, 5000, IN_PERIOD)

    def test_best_level_only_in_a_backfilled_snapshot(self):
        self._backfill("2024-06-30", "2024-12-31", "2025-06-30")
        self._recompute()
        row = self._row(self.lapsed_big)
        self.assertEqual(row.lifecycle, "inactive")
        self.assertTrue(row.win_back)
        # big from 2024-06-30 until the 2025-06-30 snapshot: the last
        # snapshot at which they held it is 2024-12-31
        self.assertEqual((row.best_level, row.best_level_date), ("big", "2024-12-31"))
        self.assertEqual(row.last_order_date, "2024-03-01")
        medium = self._row(self.lapsed_medium)
        self.assertFalse(medium.win_back)
        self.assertEqual(medium.best_level, "medium")
        big_now = self._row(self.big_now)
        self.assertFalse(big_now.win_back)
        # held now: the best level at R
        self.assertEqual(
            (big_now.best_level, big_now.best_level_date), ("big", REFERENCE)
        )

    def test_no_history_no_candidate(self):
        self._recompute()
        row = self._row(self.lapsed_big)
        self.assertEqual(row.lifecycle, "inactive")
        self.assertFalse(row.win_back)
        self.assertFalse(row.best_level)

    def test_win_back_filter_finds_the_candidates(self):
        self._backfill("2024-06-30", "2025-06-30")
        self._recompute()
        lines = self.env["relation.pyramid.line"].sudo(self.manager)
        found = lines.search([("win_back", "=", True)]).mapped("partner_id")
        self.assertEqual(found, self.lapsed_big)

    def test_candidate_ordering_again_is_no_longer_one(self):
        self._backfill("2024-06-30", "2024-12-31", "2025-06-30")
        self._recompute()
        order = self._order(self.lapsed_big, 100, IN_PERIOD, state="draft")
        # the refresh on confirmation (at today, or R if later)
        order.action_confirm()
        row = self._row(self.lapsed_big)
        self.assertEqual((row.lifecycle, row.level), ("active", "small"))
        self.assertFalse(row.win_back)
        self.assertEqual((row.best_level, row.best_level_date), ("big", "2024-12-31"))
