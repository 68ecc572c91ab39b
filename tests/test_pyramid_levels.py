"""Pyramid levels by rank of period revenue (DOMAIN.md, 'Pyramid level'):
top if rank <= ceil(N*1%), big if <= ceil(N*5%), medium if <= ceil(N*20%),
else small; equal revenue shares the better rank."""
from datetime import timedelta

from odoo import fields

from .pyramid_common import IN_PERIOD, PyramidCase


class TestLevelsByCustomerCount(PyramidCase):
    def _make(self, revenues):
        for index, revenue in enumerate(revenues, start=1):
            self._order(self._customer("C%03d" % index), revenue, IN_PERIOD)
        self._recompute()

    def test_one_active_customer_is_top(self):
        # N = 1: ceil(0.01) = 1, so rank 1 is top.
        self._make([250.0])
        self.assertEqual(self._table(), {"C001": ("active", "top", 250.0, 1)})

    def test_seven_customers(self):
        # N = 7: ceil(0.07) = 1 (top), ceil(0.35) = 1 (big: nobody left),
        # ceil(1.4) = 2 (medium: rank 2), ranks 3-7 small.
        self._make([700, 600, 500, 400, 300, 200, 100])
        self.assertEqual(
            self._levels(),
            {
                "C001": "top",
                "C002": "medium",
                "C003": "small",
                "C004": "small",
                "C005": "small",
                "C006": "small",
                "C007": "small",
            },
        )

    def test_hundred_customers_split_1_4_15_80(self):
        # Revenues 100..1: ranks 1..100, N = 100: 1 top, 4 big, 15 medium.
        self._make([float(101 - index) for index in range(1, 101)])
        lines = self._lines()
        counts = {level: 0 for level in ("top", "big", "medium", "small")}
        for line in lines:
            counts[line.level] += 1
        self.assertEqual(counts, {"top": 1, "big": 4, "medium": 15, "small": 80})
        by_rank = {line.rank: line.level for line in lines}
        self.assertEqual(
            [by_rank[rank] for rank in (1, 2, 5, 6, 20, 21, 100)],
            ["top", "big", "big", "medium", "medium", "small", "small"],
        )

    def test_tie_on_boundary_shares_the_better_rank(self):
        # N = 7, medium ends at rank 2; C002 and C003 tie at 600: both rank 2,
        # both medium; the next customer is rank 4.
        self._make([700, 600, 600, 500, 400, 300, 200])
        table = self._table()
        self.assertEqual(table["C002"][1:], ("medium", 600.0, 2))
        self.assertEqual(table["C003"][1:], ("medium", 600.0, 2))
        self.assertEqual(table["C004"][1:], ("small", 500.0, 4))

    def test_tie_at_the_top_makes_both_top(self):
        self._make([900, 900, 100])
        self.assertEqual(
            self._levels(), {"C001": "top", "C002": "top", "C003": "small"}
        )

    def test_shares_and_cumulative_shares(self):
        # Total 1000: shares 50 %, 30 %, 20 %; cumulative 50, 80, 100.
        self._make([500, 300, 200])
        shares = {
            line.partner_id.name: (line.revenue_share, line.cumulative_share)
            for line in self._lines()
        }
        self.assertEqual(
            shares,
            {"C001": (50.0, 50.0), "C002": (30.0, 80.0), "C003": (20.0, 100.0)},
        )

    def test_ties_share_their_cumulative_share_and_revenue_before(self):
        # Total 1000; C002-C004 tie at 200: 400 comes before each of them
        # (40 %), together they reach 100 %. By cumulative share of revenue
        # (cut-offs 50/80/95) all four are top: 0 % and 40 % are below 50 %.
        self.profile.write({"level_mode": "share"})
        self._make([400, 200, 200, 200])
        self.assertEqual(
            {
                line.partner_id.name: (line.level, line.rank, line.cumulative_share)
                for line in self._lines()
            },
            {
                "C001": ("top", 1, 40.0),
                "C002": ("top", 2, 100.0),
                "C003": ("top", 2, 100.0),
                "C004": ("top", 2, 100.0),
            },
        )

    def test_configured_cut_offs(self):
        # Cut-offs 10/30/60 %, N = 10: top ranks 1, big 2-3, medium 4-6.
        self.profile.write(
            {"top_count_pct": 10, "big_count_pct": 30, "medium_count_pct": 60}
        )
        self._make([float(11 - index) for index in range(1, 11)])
        levels = [self._levels()["C%03d" % index] for index in range(1, 11)]
        self.assertEqual(
            levels, ["top", "big", "big", "medium", "medium", "medium"] + ["small"] * 4
        )


class TestOtherLevelModes(PyramidCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Total revenue 1000.
        revenues = [("A", 450), ("B", 250), ("C", 150), ("D", 100), ("E", 50)]
        for name, revenue in revenues:
            cls._order(cls._customer(name), revenue, IN_PERIOD)

    def test_fixed_revenue_thresholds(self):
        self.profile.write(
            {
                "level_mode": "threshold",
                "top_min_revenue": 400,
                "big_min_revenue": 150,
                "medium_min_revenue": 100,
            }
        )
        self._recompute()
        self.assertEqual(
            self._levels(),
            {"A": "top", "B": "big", "C": "big", "D": "medium", "E": "small"},
        )

    def test_cumulative_revenue_share(self):
        # Share before each: A 0 %, B 45 %, C 70 %, D 85 %, E 95 %.
        # Cut-offs 50/80/95: A, B top (B crosses 50); C big (crosses 80);
        # D medium (crosses 95); E small (95 is not below 95).
        self.profile.write({"level_mode": "share"})
        self._recompute()
        self.assertEqual(
            self._levels(),
            {"A": "top", "B": "top", "C": "big", "D": "medium", "E": "small"},
        )


class TestUpsellGap(PyramidCase):
    def _recompute_ten_customers(self):
        """C01 .. C10 with 1000, 900, ..., 100 in the period (total 5500)."""
        revenues = [1000, 900, 800, 700, 600, 500, 400, 300, 200, 100]
        for index, revenue in enumerate(revenues, start=1):
            self._order(self._customer("C%02d" % index), revenue, IN_PERIOD)
        self._recompute()

    def test_gap_to_the_lowest_revenue_of_the_next_level_up(self):
        # N = 10 with 1/5/20 %: top rank 1, big none (ceil(0.5) = 1),
        # medium ranks 2 (ceil(2.0) = 2), small ranks 3-10.
        # Small customers need medium's lowest (900); medium needs top's (1000).
        self._recompute_ten_customers()
        gaps = {
            line.partner_id.name: (line.level, line.upsell_gap)
            for line in self._lines()
        }
        self.assertEqual(gaps["C01"], ("top", 0.0))
        self.assertEqual(gaps["C02"], ("medium", 100.0))
        self.assertEqual(gaps["C03"], ("small", 100.0))
        self.assertEqual(gaps["C10"], ("small", 800.0))

    def test_gap_of_a_customer_refreshed_between_recomputes(self):
        # As above, N = 10: current floors top 1000, medium 900. A new
        # customer confirming 850 is placed as a recompute would place them:
        # N = 11, rank 3 (1000, 900 above) <= ceil(11 * 20 %) = ceil(2.2) = 3:
        # medium (it was small against the old floors); 150 short of top's
        # lowest (1000), big being empty (ceil(11 * 5 %) = 1 = top's cut).
        self._recompute_ten_customers()
        newcomer = self._customer("Newcomer")
        order = self._order(newcomer, 850, "2026-06-01", state="draft")
        order.action_confirm()
        line = self._lines().filtered(lambda line: line.partner_id == newcomer)
        self.assertEqual((line.level, line.upsell_gap), ("medium", 150.0))

    def test_rank_and_shares_of_customers_refreshed_between_recomputes(self):
        # As above (total 5500). Two customers' orders are confirmed in one
        # go (refreshed together), 850 and 900, ranked among the current rows:
        # 900 ties C02 with only 1000 above, rank 2; 850 has three customers
        # above (1000, 900, 900), rank 4.
        # Total 5500 + 850 + 900 = 7250. Shares: 850 / 7250 = 11.7241 %,
        # 900 / 7250 = 12.4138 %. Cumulative, peers included: 850 reaches
        # 1000 + 900 + 900 + 850 = 3650 -> 50.3448 %; 900 reaches
        # 1000 + 900 + 900 = 2800 -> 38.6207 %.
        self._recompute_ten_customers()
        first = self._customer("Newcomer 850")
        second = self._customer("Newcomer 900")
        # The refresh places them at today's date: orders of yesterday are in
        # its period whatever today is.
        yesterday = fields.Date.to_string(
            self.profile._reference_date() - timedelta(days=1)
        )
        orders = self._order(first, 850, yesterday)
        orders |= self._order(second, 900, yesterday)
        self.env["relation.pyramid.profile"]._refresh_customers(orders)
        lines = self._lines()
        figures = {
            line.partner_id.name: (line.rank, line.revenue_share, line.cumulative_share)
            for line in lines.filtered(lambda line: line.partner_id in first | second)
        }
        self.assertEqual(
            figures,
            {
                "Newcomer 850": (4, 11.7241, 50.3448),
                "Newcomer 900": (2, 12.4138, 38.6207),
            },
        )
        # The other customers keep their figures until the next recompute.
        top = lines.filtered(lambda line: line.partner_id.name == "C01")
        self.assertEqual((top.rank, top.revenue_share), (1, 18.1818))
        # The list follows revenue, not the stored ranks (C03 still has 3):
        # ties by creation (C02 before the newcomer with 900).
        self.assertEqual(
            lines.mapped("partner_id.name")[:6],
            ["C01", "C02", "Newcomer 900", "Newcomer 850", "C03", "C04"],
        )
