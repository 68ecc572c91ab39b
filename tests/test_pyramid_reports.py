"""Migration matrix, printable pyramid and group order of the views."""
from odoo.exceptions import ValidationError

from .pyramid_common import PyramidCase

FROM = "2025-06-30"  # period 2024-07-01 .. 2025-06-30
TO = "2026-06-30"  # period 2025-07-01 .. 2026-06-30


class MigrationCase(PyramidCase):
    """Two snapshots of seven customers, worked out by hand."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        customers = {name: cls._customer(name) for name in "ABCDEFH"}
        for name, revenue in [("A", 1000), ("B", 100), ("C", 50), ("D", 30), ("H", 20)]:
            cls._order(customers[name], revenue, "2025-01-15")
        lost_order = cls.env["sale.order"].search(
            [("partner_id", "=", customers["H"].id)]
        )
        for name, revenue in [("B", 2000), ("A", 500), ("E", 10)]:
            cls._order(customers[name], revenue, "2026-01-15")
        cls._order(customers["F"], 99, "2026-01-15", state="draft")
        # At FROM (N = 5): A top, B C D H small.
        cls.profile.action_backfill_snapshots([FROM])
        # H's order is cancelled afterwards: H has no row at TO (lost).
        lost_order.action_cancel()
        # At TO (N = 3): B top, A E small; C D inactive; F prospect.
        cls.profile.action_recompute(reference_date=TO)
        snapshots = cls.env["relation.pyramid.snapshot"]
        cls.snapshot_from = snapshots.search([("date", "=", FROM)])
        cls.snapshot_to = snapshots.search([("date", "=", TO)])
        cls.migration = cls.env["relation.pyramid.migration"].create(
            {
                "snapshot_from_id": cls.snapshot_from.id,
                "snapshot_to_id": cls.snapshot_to.id,
            }
        )


class TestMigrationMatrix(MigrationCase):
    def test_one_row_per_customer_with_its_movement(self):
        moves = {
            line.partner_id.name: (line.from_level, line.to_level, line.movement)
            for line in self.migration.line_ids
        }
        self.assertEqual(
            moves,
            {
                "A": ("top", "small", "down"),
                "B": ("small", "top", "up"),
                # active then, inactive now: lost business
                "C": ("small", "inactive", "lost"),
                "D": ("small", "inactive", "lost"),
                "E": ("new", "small", "new"),
                "F": ("new", "prospect", "new"),
                "H": ("small", "lost", "lost"),
            },
        )

    def test_matrix_cells_and_totals(self):
        matrix = self.migration._matrix()
        self.assertEqual(
            [row["key"] for row in matrix["rows"]],
            ["top", "big", "medium", "small", "inactive", "prospect", "suspect",
             "other", "new"],
        )
        self.assertEqual(matrix["columns"][-1]["key"], "lost")
        filled = {
            (cell["from"], cell["to"]): (cell["count"], cell["revenue"])
            for row in matrix["rows"]
            for cell in row["cells"]
            if cell["count"]
        }
        self.assertEqual(
            filled,
            {
                ("top", "small"): (1, 500.0),
                ("small", "top"): (1, 2000.0),
                # lost: C and D with their revenue at FROM, 50 + 30
                ("small", "inactive"): (2, 80.0),
                ("new", "small"): (1, 10.0),
                ("new", "prospect"): (1, 0.0),
                ("small", "lost"): (1, 20.0),
            },
        )
        self.assertEqual(
            matrix["totals"], {"up": 1, "same": 0, "down": 1, "new": 2, "lost": 3}
        )
        # A to H but G (no order, no qualification): 7 customers.
        self.assertEqual(matrix["customer_count"], 7)
        cell_moves = {
            (cell["from"], cell["to"]): cell["movement"]
            for row in matrix["rows"]
            for cell in row["cells"]
        }
        self.assertEqual(cell_moves[("medium", "medium")], "same")
        self.assertEqual(cell_moves[("prospect", "small")], "up")

    def test_matrix_html_colours_the_movements(self):
        html = self.migration.matrix_html
        self.assertIn('data-from="small" data-to="top"', html)
        self.assertIn("o_relation_pyramid_move_up", html)
        self.assertIn("o_relation_pyramid_move_down", html)

    def test_matrix_of_snapshots_without_customers_says_so(self):
        company = self.env["res.company"].create({"name": "Empty BV"})
        profile = self.env["relation.pyramid.profile"].search(
            [("company_id", "=", company.id)]
        )
        profile.action_backfill_snapshots([FROM])
        profile.action_recompute(reference_date=TO)
        snapshots = self.env["relation.pyramid.snapshot"].search(
            [("company_id", "=", company.id)], order="date"
        )
        migration = self.env["relation.pyramid.migration"].create(
            {
                "company_id": company.id,
                "snapshot_from_id": snapshots[0].id,
                "snapshot_to_id": snapshots[1].id,
            }
        )
        self.assertIn("Neither snapshot has customers", migration.matrix_html)
        self.assertNotIn("Neither snapshot", self.migration.matrix_html)

    def test_cells_open_their_customers(self):
        action = self.migration.action_open_customers()
        self.assertEqual(action["res_model"], "relation.pyramid.migration.line")
        lines = self.env[action["res_model"]].search(
            action["domain"]
            + [("from_level", "=", "small"), ("to_level", "=", "inactive")]
        )
        self.assertEqual(sorted(lines.mapped("partner_id.name")), ["C", "D"])

    def test_rows_are_seen_by_the_matrix_company_only(self):
        other = self.env["res.company"].create({"name": "Zuid BV"})
        salesman = self.env.ref("sales_team.group_sale_salesman")
        users = {
            company: self.env["res.users"].create(
                {
                    "name": "Seller " + company.name,
                    "login": "seller_%d" % company.id,
                    "company_id": company.id,
                    "company_ids": [(6, 0, [company.id])],
                    "groups_id": [(6, 0, [salesman.id])],
                }
            )
            for company in (self.company, other)
        }
        lines = self.env["relation.pyramid.migration.line"]
        own = lines.sudo(users[self.company]).search([])
        self.assertEqual(len(own), 7)
        self.assertEqual(own.mapped("company_id"), self.company)
        self.assertFalse(lines.sudo(users[other]).search([]))
        groups = lines.sudo(users[other]).read_group(
            [], ["movement", "revenue"], ["movement"]
        )
        self.assertFalse(groups)

    def test_pivot_groups_in_pyramid_order(self):
        groups = self.env["relation.pyramid.migration.line"].read_group(
            [("migration_id", "=", self.migration.id)],
            ["from_level", "revenue"],
            ["from_level"],
        )
        self.assertEqual(
            [group["from_level"] for group in groups], ["top", "small", "new"]
        )

    def test_snapshots_must_be_in_order(self):
        with self.assertRaises(ValidationError):
            with self.env.cr.savepoint():
                self.env["relation.pyramid.migration"].create(
                    {
                        "snapshot_from_id": self.snapshot_to.id,
                        "snapshot_to_id": self.snapshot_from.id,
                    }
                )

    def test_printable_matrix(self):
        report = self.env.ref("relation_pyramid.action_report_migration")
        html = report.render_qweb_html(self.migration.ids)[0].decode()
        self.assertIn("Customer Migration Matrix", html)
        self.assertIn('data-from="small" data-to="lost"', html)


class TestPrintablePyramid(MigrationCase):
    def test_report_figures(self):
        # At TO: active B 2000, A 500, E 10 (total 2510); C, D inactive; F
        # prospect; the best ceil(3 * 20 %) = 1 customer brings 2000 / 2510.
        data = self.snapshot_to._report_data()
        rows = {row["key"]: row for row in data["rows"]}
        self.assertEqual(data["active_count"], 3)
        self.assertEqual(data["total_revenue"], 2510.0)
        self.assertEqual(
            (rows["top"]["count"], rows["top"]["revenue"]), (1, 2000.0)
        )
        self.assertAlmostEqual(rows["top"]["count_pct"], 100.0 / 3)
        self.assertAlmostEqual(rows["top"]["revenue_pct"], 200000.0 / 2510)
        self.assertEqual(
            (rows["small"]["count"], rows["small"]["average"]), (2, 255.0)
        )
        self.assertEqual(rows["inactive"]["count"], 2)
        self.assertIsNone(rows["inactive"]["count_pct"])
        self.assertEqual(rows["prospect"]["count"], 1)
        self.assertAlmostEqual(data["pareto_pct"], 200000.0 / 2510)
        self.assertEqual(
            data["period"], {"start": "2025-07-01", "end": TO,
                             "previous_start": "2024-07-01",
                             "previous_end": "2025-06-30"},
        )
        self.assertEqual(len(data["bands"]["items"]), 8)

    def test_report_renders_the_pyramid(self):
        report = self.env.ref("relation_pyramid.action_report_pyramid")
        html = report.render_qweb_html(self.snapshot_to.ids)[0].decode()
        self.assertIn("<svg", html)
        self.assertIn("79.7", html)  # the Pareto line, 2000 / 2510
        self.assertIn("2,510.00", html)

    def test_kanban_groups_every_level_in_pyramid_order(self):
        groups = self.env["relation.pyramid.line"].read_group(
            [], ["level", "revenue"], ["level"], lazy=True
        )
        self.assertEqual(
            [group["level"] for group in groups],
            ["top", "big", "medium", "small", "inactive", "prospect", "suspect",
             "other"],
        )
        counts = {group["level"]: group["level_count"] for group in groups}
        self.assertEqual((counts["top"], counts["small"], counts["big"]), (1, 2, 0))
