"""RFM figures and the level's start (issue 18, item 3), worked out by hand.
R = 2026-06-30 (period 2025-07-01 .. 2026-06-30). Scores among the N
active customers: 1 + floor(5 * W / N), W = active customers with a strictly
worse value (earlier last order, fewer orders, less revenue)."""
from .pyramid_common import IN_PREVIOUS, REFERENCE
from .test_risk_winback import SignalsCase


class TestRfmScores(SignalsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # name: (orders as (amount, day)) -> revenue, orders, last order
        orders = {
            # 600, 3 orders, last 2026-06-01
            "A": [(200, "2026-01-01"), (200, "2026-02-01"), (200, "2026-06-01")],
            # 500, 1 order, last 2026-05-01
            "B": [(500, "2026-05-01")],
            # 500, 2 orders, last 2026-05-01
            "C": [(250, "2026-02-01"), (250, "2026-05-01")],
            # 300, 1 order, last 2026-04-01
            "D": [(300, "2026-04-01")],
            # 200, 2 orders, last 2026-03-01
            "E": [(100, "2025-09-01"), (100, "2026-03-01")],
            # 100, 1 order, last 2025-08-01
            "F": [(100, "2025-08-01")],
        }
        cls.customers = {}
        for name, amounts in orders.items():
            cls.customers[name] = cls._customer("RFM %s" % name)
            for amount, day in amounts:
                cls._order(cls.customers[name], amount, day)
        # inactive (bought only in the previous period): no scores
        cls.gone = cls._customer("RFM Gone")
        cls._order(cls.gone, 1000, IN_PREVIOUS)

    def _scores(self):
        return {
            name: (
                self._row(partner).rfm_recency,
                self._row(partner).rfm_frequency,
                self._row(partner).rfm_monetary,
            )
            for name, partner in self.customers.items()
        }

    def test_quintiles_with_ties(self):
        self._recompute()
        # N = 6.
        # R, by last order: F (W 0) 1; E (W 1) 1 + floor(5/6) = 1;
        #   D (W 2) 1 + floor(10/6) = 2; B, C tie (W 3) 1 + floor(15/6) = 3;
        #   A (W 5) 1 + floor(25/6) = 5.
        # F, by orders: B, D, F one order (W 0) 1; C, E two (W 3) 3;
        #   A three (W 5) 5.
        # M, by revenue: F 100 (W 0) 1; E 200 (W 1) 1; D 300 (W 2) 2;
        #   B, C 500 (W 3) 3; A 600 (W 5) 5.
        self.assertEqual(
            self._scores(),
            {
                "A": (5, 5, 5),
                "B": (3, 1, 3),
                "C": (3, 3, 3),
                "D": (2, 1, 2),
                "E": (1, 3, 1),
                "F": (1, 1, 1),
            },
        )
        gone = self._row(self.gone)
        self.assertEqual(gone.lifecycle, "inactive")
        self.assertEqual(
            (gone.rfm_recency, gone.rfm_frequency, gone.rfm_monetary), (0, 0, 0)
        )

    def test_scores_group_in_the_pivot(self):
        self._recompute()
        groups = self.env["relation.pyramid.line"].sudo(self.manager).read_group(
            [("rfm_monetary", "!=", 0)], ["rfm_monetary"], ["rfm_monetary"]
        )
        counts = {
            group["rfm_monetary"]: group["rfm_monetary_count"] for group in groups
        }
        self.assertEqual(counts, {1: 2, 2: 1, 3: 2, 5: 1})

    def test_refresh_scores_among_the_current_rows(self):
        self._recompute()
        order = self._order(self.gone, 1000, REFERENCE, state="draft")
        # confirmed now: the refresh reads the period at today (or R if
        # later), where Gone has this one order of 1 000 (their 2025 order is
        # before any such period) and the latest last order
        order.action_confirm()
        row = self._row(self.gone)
        self.assertEqual(
            (row.lifecycle, row.order_count, row.revenue), ("active", 1, 1000)
        )
        # among the 6 other rows and themselves, N = 7: latest order W 6,
        # 1 + floor(30/7) = 5; one order, nobody fewer: W 0, 1; most revenue
        # W 6: 5
        self.assertEqual(
            (row.rfm_recency, row.rfm_frequency, row.rfm_monetary), (5, 1, 5)
        )
        # the others keep theirs until the next recompute
        self.assertEqual(self._scores()["A"], (5, 5, 5))


class TestLevelSince(SignalsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # medium at 2025-12-31 (1 500, period 2025-01-01 .. 2025-12-31),
        # medium at 2026-03-31 (3 000: a new row, same level), medium at R
        # (1 500): medium since 2025-12-31
        cls.steady = cls._customer("Steady")
        cls._order(cls.steady, 1500, "2025-06-01")
        cls._order(cls.steady, 1500, "2026-03-15")
        # small at 2025-12-31 (500), medium at 2026-03-31 (1 300), small at R
        # (800): small since R (and at risk: medium -> small)
        cls.back = cls._customer("Back")
        cls._order(cls.back, 500, "2025-06-01")
        cls._order(cls.back, 800, "2026-03-15")
        # see test_a_break_starts_the_level_again
        cls.again = cls._customer("Again")
        cls._order(cls.again, 1200, "2024-10-01")
        cls._order(cls.again, 1000, "2026-02-01")

    def test_level_since_across_snapshots(self):
        for day in ("2025-12-31", "2026-03-31"):
            self._recompute(reference=day)
        self._recompute()
        steady = self._row(self.steady)
        self.assertEqual((steady.level, steady.level_since), ("medium", "2025-12-31"))
        back = self._row(self.back)
        self.assertEqual((back.level, back.level_since), ("small", REFERENCE))
        self.assertTrue(back.risk)
        self.assertEqual(back.risk_reason, "Medium \u2192 Small since 03/31/2026")

    def test_a_break_starts_the_level_again(self):
        # Again: medium at 2025-06-30 (1 200 on 2024-10-01, period
        # 2024-07-01 .. 2025-06-30), inactive at 2025-12-31 (2025-01-01 ..
        # 2025-12-31 has no order), medium at 2026-03-31 (1 000 on
        # 2026-02-01) and at R: medium since 2026-03-31
        self._backfill("2025-06-30", "2025-12-31")
        self._recompute(reference="2026-03-31")
        self._recompute()
        again = self._row(self.again)
        self.assertEqual((again.level, again.level_since), ("medium", "2026-03-31"))
        # Steady: medium at 2025-06-30 (1 500 on 2025-06-01), unchanged at
        # 2025-12-31 (no row written), 3 000 at 2026-03-31, medium at R
        steady = self._row(self.steady)
        self.assertEqual(steady.level_since, "2025-06-30")


class TestRelationPage(SignalsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.own = cls._user("own", "sales_team.group_sale_salesman")
        cls.own2 = cls._user("own2", "sales_team.group_sale_salesman")
        # 300 + 500 in the period (2 orders, last 2026-05-01), first ever
        # 2024-02-01: active alone, so R = F = M = 1 + floor(5 * 0 / 1) = 1
        cls.mine = cls._customer("Page mine", user_id=cls.own.id)
        cls._order(cls.mine, 900, "2024-02-01")
        cls._order(cls.mine, 300, "2026-01-10")
        cls._order(cls.mine, 500, "2026-05-01")

    def test_relation_page_figures_follow_the_row(self):
        self._recompute()
        partner = self.mine.sudo(self.own)
        self.assertEqual(partner.pyramid_first_order_date, "2024-02-01")
        self.assertEqual(partner.pyramid_last_order_date, "2026-05-01")
        # 800 / 2 orders = 400
        self.assertEqual(
            (partner.pyramid_order_count, partner.pyramid_average_order_value),
            (2, 400.0),
        )
        self.assertEqual(partner.pyramid_level_since, REFERENCE)
        self.assertEqual(
            (
                partner.pyramid_rfm_recency,
                partner.pyramid_rfm_frequency,
                partner.pyramid_rfm_monetary,
            ),
            (1, 1, 1),
        )
        # 800 < 1 000: small at R, the best level they held (now)
        self.assertEqual(
            (partner.pyramid_best_level, partner.pyramid_best_level_date),
            ("small", REFERENCE),
        )
        # another own-documents salesperson reads none of it
        theirs = self.mine.sudo(self.own2)
        self.assertFalse(theirs.pyramid_last_order_date)
        self.assertFalse(theirs.pyramid_order_count)
        self.assertFalse(theirs.pyramid_best_level)
