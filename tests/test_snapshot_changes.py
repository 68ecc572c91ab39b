"""Snapshots keep only what changed: a row holds from its snapshot until the
first later snapshot at which the customer's lifecycle, level or revenue
changed, and a snapshot's customers are the rows that hold at its date."""
from odoo.exceptions import AccessError, UserError

from .pyramid_common import PyramidCase

D1 = "2025-06-30"  # period 2024-07-01 .. 2025-06-30
D2 = "2025-12-31"  # period 2025-01-01 .. 2025-12-31
D2_LATE = "2026-03-31"  # period 2025-04-01 .. 2026-03-31
D3 = "2026-06-30"  # period 2025-07-01 .. 2026-06-30
NEXT_DAY = "2026-07-01"  # period 2025-07-02 .. 2026-07-01


class TestSnapshotChanges(PyramidCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # No snapshot of the database's own (the install computes one today).
        cls.env["relation.pyramid.snapshot"].search([]).unlink()
        # Big: 200 in January 2025, 1000 in March 2026.
        cls.big = cls._customer("Big")
        cls._order(cls.big, 200, "2025-01-15")
        cls._order(cls.big, 1000, "2026-03-15")
        # Grower: first order in March 2026.
        cls.grower = cls._customer("Grower")
        cls._order(cls.grower, 100, "2026-03-15")
        # Faded: one order in January 2025.
        cls.faded = cls._customer("Faded")
        cls._order(cls.faded, 5000, "2025-01-15")
        # Steady: 300 in September 2024 and 300 in March 2026, so 300 in the
        # periods of D1 and D3, nothing in the period of D2.
        cls.steady = cls._customer("Steady")
        cls._order(cls.steady, 300, "2024-09-15")
        cls._order(cls.steady, 300, "2026-03-15")

    # By hand (N active customers, top = ceil(N * 1 %) = 1, the rest small):
    # D1: Faded 5000, Steady 300, Big 200 active (N = 3); Grower no order yet.
    AT_D1 = {
        "Faded": ("top", 5000),
        "Steady": ("small", 300),
        "Big": ("small", 200),
    }
    # D2: Faded 5000, Big 200 active (N = 2); Steady bought before: inactive.
    AT_D2 = {
        "Faded": ("top", 5000),
        "Big": ("small", 200),
        "Steady": ("inactive", 0),
    }
    # D3 and D2_LATE: Big 1000, Steady 300, Grower 100 active; Faded inactive.
    AT_D3 = {
        "Big": ("top", 1000),
        "Steady": ("small", 300),
        "Grower": ("small", 100),
        "Faded": ("inactive", 0),
    }

    def _snapshot(self, date):
        return self.env["relation.pyramid.snapshot"].search(
            [("company_id", "=", self.company.id), ("date", "=", date)]
        )

    def _customers(self, date):
        """{name: (level, revenue)} of the snapshot's customers."""
        rows = self.env["relation.pyramid.snapshot.line"].search(
            [("snapshot_ids", "=", self._snapshot(date).id)]
        )
        self.assertEqual(len(rows), len(rows.mapped("partner_id")))
        return {row.partner_id.name: (row.level, row.revenue) for row in rows}

    def _changes(self, date):
        """{name: (level, revenue)} of the rows the snapshot wrote."""
        return {
            row.partner_id.name: (row.level, row.revenue)
            for row in self._snapshot(date).line_ids
        }

    def _history(self, partner):
        return [
            (row.date, row.date_to or None, row.level, row.revenue)
            for row in partner.pyramid_snapshot_line_ids.sorted("date")
        ]

    def test_next_day_writes_only_the_customers_that_changed(self):
        self._recompute(reference=D3)
        self._order(self.grower, 50, NEXT_DAY)
        self._recompute(reference=NEXT_DAY)
        # Only Grower's revenue changed (150, still small).
        self.assertEqual(self._changes(NEXT_DAY), {"Grower": ("small", 150)})
        self.assertEqual(
            self._customers(NEXT_DAY), dict(self.AT_D3, Grower=("small", 150))
        )
        self.assertEqual(self._customers(D3), self.AT_D3)
        snapshot = self._snapshot(NEXT_DAY)
        self.assertEqual((snapshot.customer_count, snapshot.change_count), (4, 1))
        self.assertEqual(
            self._history(self.grower),
            [(D3, NEXT_DAY, "small", 100), (NEXT_DAY, None, "small", 150)],
        )

    def test_a_customer_who_leaves_is_in_no_later_snapshot_and_shows_as_lost(self):
        self._recompute(reference=D3)
        self.env["sale.order"].search([("partner_id", "=", self.grower.id)]).write(
            {"state": "cancel"}
        )
        self._recompute(reference=NEXT_DAY)
        expected = dict(self.AT_D3)
        del expected["Grower"]
        self.assertEqual(self._customers(NEXT_DAY), expected)
        self.assertEqual(self._changes(NEXT_DAY), {})
        self.assertEqual(self._customers(D3), self.AT_D3)
        snapshots = self._snapshot(D3) | self._snapshot(NEXT_DAY)
        self.assertEqual(snapshots.mapped("customer_count"), [4, 3])
        self.assertEqual(snapshots.mapped("change_count"), [4, 0])
        migration = self.env["relation.pyramid.migration"].create(
            {
                "snapshot_from_id": self._snapshot(D3).id,
                "snapshot_to_id": self._snapshot(NEXT_DAY).id,
            }
        )
        self.assertEqual(
            {
                line.partner_id.name: (line.from_level, line.to_level)
                for line in migration.line_ids
            },
            {
                "Big": ("top", "top"),
                "Steady": ("small", "small"),
                "Grower": ("small", "lost"),
                "Faded": ("inactive", "inactive"),
            },
        )

    def test_backfill_between_two_snapshots_leaves_the_later_one_as_it_was(self):
        self.profile.action_backfill_snapshots([D1])
        self._recompute(reference=D3)
        # Steady is small with 300 at D1 and at D3: one row from D1 on.
        self.assertEqual(self._history(self.steady), [(D1, None, "small", 300)])
        self.profile.action_backfill_snapshots([D2])
        self.assertEqual(self._customers(D1), self.AT_D1)
        self.assertEqual(self._customers(D2), self.AT_D2)
        self.assertEqual(self._customers(D3), self.AT_D3)
        # Steady's row is cut at D2 and what held at D3 holds there again.
        self.assertEqual(
            self._history(self.steady),
            [(D1, D2, "small", 300), (D2, D3, "inactive", 0), (D3, None, "small", 300)],
        )
        # Faded and Big are the same at D2 as at D1: only Steady changed.
        self.assertEqual(self._changes(D2), {"Steady": ("inactive", 0)})

    def test_backfill_equal_to_the_next_snapshot_moves_its_rows_back(self):
        self._recompute(reference=D3)
        self.profile.action_backfill_snapshots([D2_LATE])
        self.assertEqual(self._customers(D2_LATE), self.AT_D3)
        self.assertEqual(self._customers(D3), self.AT_D3)
        # Nobody changed from D2_LATE to D3: the rows start at D2_LATE.
        self.assertEqual(self._changes(D2_LATE), self.AT_D3)
        self.assertEqual(self._changes(D3), {})
        self.assertEqual(self._history(self.big), [(D2_LATE, None, "top", 1000)])

    def test_printed_pyramid_counts_the_customers_not_the_changes(self):
        self._recompute(reference=D3)
        self._order(self.grower, 50, NEXT_DAY)
        self._recompute(reference=NEXT_DAY)
        data = self._snapshot(NEXT_DAY)._report_data()
        by_level = {row["key"]: (row["count"], row["revenue"]) for row in data["rows"]}
        self.assertEqual(by_level["top"], (1, 1000))
        self.assertEqual(by_level["small"], (2, 450))
        self.assertEqual(by_level["inactive"], (1, 0))
        self.assertEqual(data["active_count"], 3)
        # The best 20 % of 3 active customers: ceil(0.6) = 1, Big: 1000 / 1450.
        self.assertAlmostEqual(data["pareto_pct"], 100.0 * 1000 / 1450)

    def test_snapshot_buttons_open_its_customers_and_its_changes(self):
        self._recompute(reference=D3)
        self._order(self.grower, 50, NEXT_DAY)
        self._recompute(reference=NEXT_DAY)
        snapshot = self._snapshot(NEXT_DAY)

        def names(action):
            rows = self.env[action["res_model"]].search(action["domain"])
            return sorted(rows.mapped("partner_id.name"))

        customers = snapshot.action_view_customers()
        self.assertEqual(names(customers), ["Big", "Faded", "Grower", "Steady"])
        self.assertEqual(customers["display_name"], "Customers at 07/01/2026")
        self.assertEqual(names(snapshot.action_view_changes()), ["Grower"])

    def test_snapshot_rows_are_searched_by_snapshot_only(self):
        self._recompute(reference=D3)
        rows = self.env["relation.pyramid.snapshot.line"]
        with self.assertRaises(UserError):
            rows.search([("snapshot_ids", "!=", self._snapshot(D3).id)])
        self.assertFalse(rows.search([("snapshot_ids", "in", [])]))
        self.assertEqual(
            len(rows.search([("snapshot_ids", "in", self._snapshot(D3).ids)])), 4
        )

    def test_deleting_a_snapshot_leaves_the_others_as_they_were(self):
        self.profile.action_backfill_snapshots([D1, D2])
        self._recompute(reference=D3)
        # Faded's and Big's rows of D1 hold at D2 as well (same level and
        # revenue): they must start at D2 once D1 is gone.
        self._snapshot(D1).unlink()
        self.assertFalse(self._snapshot(D1))
        self.assertEqual(self._customers(D2), self.AT_D2)
        self.assertEqual(self._customers(D3), self.AT_D3)
        self._snapshot(D2).unlink()
        self.assertEqual(self._customers(D3), self.AT_D3)
        self.assertEqual(self._changes(D3), self.AT_D3)

    def test_a_salesperson_cannot_delete_a_snapshot_a_sales_manager_can(self):
        self.profile.action_backfill_snapshots([D1])
        self._recompute(reference=D3)
        users = {
            key: self.env["res.users"].create(
                {
                    "name": "Pyramid %s" % key,
                    "login": "pyramid_%s_snapshot" % key,
                    "groups_id": [(6, 0, [self.env.ref(group).id])],
                }
            )
            for key, group in (
                ("seller", "sales_team.group_sale_salesman_all_leads"),
                ("manager", "sales_team.group_sale_manager"),
            )
        }
        # Refused before anything moves: Steady's row of D1 holds at D3 too.
        with self.assertRaises(AccessError):
            self._snapshot(D1).sudo(users["seller"]).unlink()
        self.assertEqual(self._customers(D1), self.AT_D1)
        self.assertEqual(self._customers(D3), self.AT_D3)
        # The manager deletes it; the later snapshot keeps its customers.
        self._snapshot(D1).sudo(users["manager"]).unlink()
        self.assertFalse(self._snapshot(D1))
        self.assertEqual(self._customers(D3), self.AT_D3)

    def test_a_snapshot_is_found_by_its_date_as_the_user_writes_it(self):
        self.profile.action_backfill_snapshots([D1])
        snapshot = self._snapshot(D1)
        year, month, day = D1.split("-")
        snapshots = self.env["relation.pyramid.snapshot"]
        for lang, typed in (
            ("nl_NL", "%s-%s-%s" % (day, month, year)),
            ("en_US", "%s/%s/%s" % (month, day, year)),
            ("en_US", "%s-%s" % (year, month)),  # part of the ISO date
        ):
            found = snapshots.with_context(lang=lang).name_search(typed)
            self.assertIn(snapshot.id, [row[0] for row in found], (lang, typed))
        shown = snapshots.with_context(lang="nl_NL").browse(snapshot.id).name_get()
        self.assertEqual(shown, [(snapshot.id, "%s-%s-%s" % (day, month, year))])
