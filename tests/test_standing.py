"""A refresh places its customers from the company's standing (the figures
of the active customers at the last recompute, in buckets, and the changes
since): after every change of an order, the refreshed customer's rank,
shares and RFM scores and everybody's level are those that counting the
company's current rows gives (``relation.pyramid.engine``'s refresh,
``relation_pyramid_standing.py``).

The recompute builds the standing in buckets of 3 customers here, so that
the figures of the 26 customers fall in several buckets and the changes land
inside buckets, between them and past both ends."""
import math
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from odoo import fields

from .pyramid_common import PyramidCase

BUCKETS_OF_THREE = {"relation_pyramid_standing_bucket_size": 3}
# 26 customers, ties included (2 500.55 three times, 900.10 twice, 300
# twice); cents that no float holds exactly (PostgreSQL keeps them exact)
AMOUNTS = [
    9000, 7000, 5200.35, 4000, 3100, 2500.55, 2500.55, 2500.55, 2000, 1800.2,
    1500, 1200, 1100, 900.1, 900.1, 800, 700, 650, 600, 500, 450, 400, 300,
    300, 200, 100,
]


class TestStanding(PyramidCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # orders of yesterday, recomputed at today, whatever today is: the
        # refreshes read today's period too
        cls.today = cls.profile._reference_date()
        cls.yesterday = fields.Date.to_string(cls.today - timedelta(days=1))
        cls.customers = {}
        for index, amount in enumerate(AMOUNTS, 1):
            name = "S%02d" % index
            cls.customers[name] = cls._customer(name)
            cls._order(cls.customers[name], amount, cls.yesterday)
        cls.profile.with_context(**BUCKETS_OF_THREE).action_recompute()

    # -- what counting the current rows gives ----------------------------
    def _active_rows(self):
        return self._lines().filtered(lambda line: line.lifecycle == "active")

    def _expected_standing(self, partner):
        """Rank, revenue share and cumulative share of ``partner`` among the
        company's current rows, counted one by one."""
        rows = self._active_rows()
        mine = rows.filtered(lambda line: line.partner_id == partner).revenue
        above = rows.filtered(lambda line: line.revenue > mine)
        peers = rows.filtered(lambda line: line.revenue == mine)

        def exact(records):  # as PostgreSQL sums and rounds numerics
            return sum(Decimal(str(value)) for value in records.mapped("revenue"))

        def percent(part):
            share = 100 * part / exact(rows)
            return float(share.quantize(Decimal("0.0001"), ROUND_HALF_UP))

        return (
            1 + len(above),
            percent(Decimal(str(mine))),
            percent(exact(above) + exact(peers)),
        )

    def _expected_levels(self):
        """Every active customer's level by the count of customers with more
        revenue now: rank <= ceil(N * cut-off)."""
        rows = self._active_rows()
        count = len(rows)
        cut_offs = [
            ("top", math.ceil(count * self.profile.top_count_pct / 100.0)),
            ("big", math.ceil(count * self.profile.big_count_pct / 100.0)),
            ("medium", math.ceil(count * self.profile.medium_count_pct / 100.0)),
        ]
        levels = {}
        for row in rows:
            rank = 1 + len(rows.filtered(lambda other: other.revenue > row.revenue))
            levels[row.partner_id.name] = next(
                (level for level, position in cut_offs if rank <= position), "small"
            )
        return levels

    def _expected_rfm(self, partner):
        rows = self._active_rows()
        row = rows.filtered(lambda line: line.partner_id == partner)

        def score(field):
            worse = len(rows.filtered(lambda other: other[field] < row[field]))
            return 1 + (5 * worse) // len(rows)

        return (score("last_order_date"), score("order_count"), score("revenue"))

    def _assert_placed_as_counted(self, *partners):
        for partner in partners:
            row = self._lines().filtered(lambda line: line.partner_id == partner)
            self.assertEqual(
                (row.rank, row.revenue_share, row.cumulative_share),
                self._expected_standing(partner),
                partner.name,
            )
            self.assertEqual(
                (row.rfm_recency, row.rfm_frequency, row.rfm_monetary),
                self._expected_rfm(partner),
                partner.name,
            )
        levels = self._levels()
        self.assertEqual(
            {name: levels[name] for name in self._expected_levels()},
            self._expected_levels(),
        )

    def _standing_rows(self):
        self.env.cr.execute(
            """
            SELECT dimension, low, high, count FROM relation_pyramid_standing
             WHERE company_id = %s AND low IS NOT NULL
            """,
            (self.company.id,),
        )
        return self.env.cr.fetchall()

    # -- the tests ------------------------------------------------------
    def test_the_recompute_keeps_the_figures_in_buckets(self):
        rows = [row for row in self._standing_rows() if row[0] == "row.revenue"]
        # 26 figures, ranks in threes, ties together: 9 buckets at most
        self.assertEqual(sum(count for _dim, _low, _high, count in rows), 26)
        self.assertGreaterEqual(len(rows), 8)
        self.assertEqual(min(low for _dim, low, _high, _count in rows), 100)
        self.assertEqual(max(high for _dim, _low, high, _count in rows), 9000)
        # the three 2 500.55 share one bucket
        holding = [row for row in rows if row[1] <= 2500.55 <= row[2]]
        self.assertEqual(len(holding), 1)
        self.assertGreaterEqual(holding[0][3], 3)

    def test_changes_inside_between_and_past_the_buckets(self):
        newcomer = self._customer("Newcomer")
        # equal to the three 2 500.55: rank 6, shared
        self._order(newcomer, 2500.55, self.yesterday, state="draft").action_confirm()
        self._assert_placed_as_counted(newcomer)
        # past the top: 9 000 + 2 600 = 11 600 > 9 000
        second = self._order(self.customers["S13"], 10500, self.yesterday,
                             state="draft")
        second.action_confirm()
        self._assert_placed_as_counted(self.customers["S13"])
        # past the bottom: 50
        tiny = self._customer("Tiny")
        self._order(tiny, 50, self.yesterday, state="draft").action_confirm()
        self._assert_placed_as_counted(tiny)
        # the new top customer cancels: back to 1 100, inside a bucket
        second.action_cancel()
        self._assert_placed_as_counted(self.customers["S13"])
        # an order moved from S02 (7 000) to the newcomer: 2 500.55 + 7 000
        order = self.env["sale.order"].search(
            [("partner_id", "=", self.customers["S02"].id)]
        )
        order.write({"partner_id": newcomer.id})
        self._assert_placed_as_counted(newcomer)
        # S02 has no order left: no row (a refresh removed it)
        self.assertFalse(self._row_of(self.customers["S02"]))
        # an amount changed in the order form: S20 500 -> 2 000, a tie with S09
        order = self.env["sale.order"].search(
            [("partner_id", "=", self.customers["S20"].id)]
        )
        order.write(
            {"order_line": [(1, order.order_line.id, {"price_unit": 2000})]}
        )
        self._assert_placed_as_counted(self.customers["S20"])
        # and a recompute places everybody as the refreshes did
        levels = self._levels()
        self.profile.action_recompute()
        self.assertEqual(self._levels(), levels)

    def _row_of(self, partner):
        return self._lines().filtered(lambda line: line.partner_id == partner)

    def test_values_at_positions_follow_the_changes(self):
        newcomer = self._customer("Newcomer")
        self._order(newcomer, 900.1, self.yesterday, state="draft").action_confirm()
        order = self.env["sale.order"].search(
            [("partner_id", "=", self.customers["S01"].id)]
        )
        order.action_cancel()
        self.profile._gather_standing_changes()
        positions = range(0, 30)
        found = self.profile._standing_values_at("row.revenue", positions)
        revenues = sorted(self._active_rows().mapped("revenue"), reverse=True)
        self.assertEqual(len(revenues), 26)
        self.assertEqual(
            {position: float(value) for position, value in found.items()},
            {position: revenues[position - 1] for position in range(1, 27)},
        )

    def test_a_company_without_standing_builds_it_at_the_first_refresh(self):
        # as after an upgrade from a version without it
        self.env.cr.execute(
            "DELETE FROM relation_pyramid_standing WHERE company_id = %s",
            (self.company.id,),
        )
        newcomer = self._customer("Newcomer")
        self._order(newcomer, 2500.55, self.yesterday, state="draft").action_confirm()
        self._assert_placed_as_counted(newcomer)
        self.assertTrue(self._standing_rows())

    def test_a_merge_keeps_the_count(self):
        # CRM's merge wizard (relation_pyramid_crm)
        self.env["base.partner.merge.automatic.wizard"]._merge(
            [self.customers["S04"].id, self.customers["S05"].id],
            self.customers["S04"],
        )
        # 25 customers now; S04 has 4 000 + 3 100 = 7 100
        self.assertEqual(len(self._active_rows()), 25)
        self._assert_placed_as_counted(self.customers["S04"])

    def test_a_standing_that_does_not_match_the_rows_is_built_again(self):
        # a noted figure that no bucket holds (it cannot happen through the
        # addon; a hand-made change of the rows could do it)
        newcomer = self._customer("Newcomer")
        self._order(newcomer, 900.1, self.yesterday, state="draft").action_confirm()
        self.env.cr.execute(
            """
            UPDATE relation_pyramid_standing_change SET base_value = 1234.56
             WHERE partner_id = %s AND dimension = 'row.revenue'
            """,
            (self.customers["S01"].id,),
        )
        self.env.cr.execute(
            """
            UPDATE relation_pyramid_standing_change SET base_value = 1234.56
             WHERE partner_id = %s AND dimension = 'row.revenue'
            """,
            (newcomer.id,),
        )
        # noted as active at 1 234.56: not in any bucket's figures
        self.env.cr.execute(
            """
            INSERT INTO relation_pyramid_standing_change
                   (company_id, partner_id, dimension, base_value)
            VALUES (%s, %s, 'row.revenue', 1234.56)
            ON CONFLICT (company_id, partner_id, dimension)
            DO UPDATE SET base_value = 1234.56
            """,
            (self.company.id, self.customers["S12"].id),
        )
        order = self.env["sale.order"].search(
            [("partner_id", "=", self.customers["S12"].id)]
        )
        logger = "odoo.addons.relation_pyramid.models.relation_pyramid_standing"
        with self.assertLogs(logger, "WARNING") as logs:
            order.action_cancel()
        self.assertIn("built again from the rows", logs.output[0])
        # everybody's level as counted, from the standing built again
        self._assert_placed_as_counted()
        # built again from the rows before the cancel: only S12 noted since
        self.env.cr.execute(
            "SELECT DISTINCT partner_id FROM relation_pyramid_standing_change"
            " WHERE company_id = %s",
            (self.company.id,),
        )
        self.assertEqual(self.env.cr.fetchall(), [(self.customers["S12"].id,)])
