"""The migration matrix, computed when read from the snapshots as they are
now: lost business, cells that open their customers, the pivot, who may
change a matrix and who sees which customers, the upgrade to the view."""
import importlib.util
import os
import re

from lxml import etree
from psycopg2 import sql

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests.common import TransactionCase
from odoo.tools.safe_eval import safe_eval

import odoo.addons.relation_pyramid as addon
from odoo.addons.relation_pyramid.models.level_totals import decode_level_totals
from odoo.addons.relation_pyramid.models.relation_pyramid_migration import (
    FROM_LEVELS,
    LINE_ID_FACTOR,
    TO_LEVELS,
)

from .pyramid_common import PyramidCase

FROM = "2025-06-30"  # period 2024-07-01 .. 2025-06-30
MIDDLE = "2025-12-31"  # period 2025-01-01 .. 2025-12-31
TO = "2026-06-30"  # period 2025-07-01 .. 2026-06-30


class MatrixCase(PyramidCase):
    """Seven customers, two salespeople, the levels worked out by hand.

    Orders: A 1000 (2025-01-15) and 500 (2026-01-15); B 100 and 2000; C 50,
    D 30 and H 20 on 2025-01-15 (H's cancelled after FROM); E 10 on
    2026-01-15; F a draft quotation.
    - FROM (N = 5 active: A B C D H): top = ceil(5 * 1 %) = 1: A; big and
      medium take nobody more (ceil(5 * 5 %) = ceil(5 * 20 %) = 1); small: B
      100, C 50, D 30, H 20.
    - TO (N = 3 active: B 2000, A 500, E 10): top B; small A, E; C and D
      bought before the period only: inactive; F prospect; H has no
      confirmed order left: not in the pyramid.
    Matrix FROM -> TO:
      A top -> small (down, 500)      B small -> top (up, 2000)
      C small -> inactive (lost, 50)  D small -> inactive (lost, 30)
      H small -> lost (lost, 20)      E new -> small (new, 10)
      F new -> prospect (new, 0)
    Salespeople: seller_own_1 has A and C, seller_own_2 has B; the others
    have none."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # No snapshot but the test's own (the install computes one today).
        cls.env["relation.pyramid.snapshot"].search([]).unlink()
        ref = cls.env.ref
        salesman = ref("sales_team.group_sale_salesman")
        all_leads = ref("sales_team.group_sale_salesman_all_leads")
        manager = ref("sales_team.group_sale_manager")
        partner_manager = ref("base.group_partner_manager")
        cls.seller_own_1 = cls._user("rp_mx_own_1", [salesman])
        cls.seller_own_2 = cls._user("rp_mx_own_2", [salesman])
        cls.seller_all = cls._user("rp_mx_all", [all_leads])
        cls.manager = cls._user("rp_mx_manager", [manager, partner_manager])
        owners = {"A": cls.seller_own_1, "C": cls.seller_own_1, "B": cls.seller_own_2}
        cls.customers = {
            name: cls._customer(
                name, user_id=owners[name].id if name in owners else False
            )
            for name in "ABCDEFH"
        }
        for name, revenue in [("A", 1000), ("B", 100), ("C", 50), ("D", 30)]:
            cls._order(cls.customers[name], revenue, "2025-01-15")
        cls.lost_order = cls._order(cls.customers["H"], 20, "2025-01-15")
        for name, revenue in [("B", 2000), ("A", 500), ("E", 10)]:
            cls._order(cls.customers[name], revenue, "2026-01-15")
        cls._order(cls.customers["F"], 99, "2026-01-15", state="draft")
        cls.profile.action_backfill_snapshots([FROM])
        cls.lost_order.action_cancel()
        cls.profile.action_recompute(reference_date=TO)
        cls.snapshot_from = cls._snapshot(FROM)
        cls.snapshot_to = cls._snapshot(TO)
        cls.migration = (
            cls.env["relation.pyramid.migration"]
            .sudo(cls.seller_own_1)
            .create(
                {
                    "snapshot_from_id": cls.snapshot_from.id,
                    "snapshot_to_id": cls.snapshot_to.id,
                }
            )
            .sudo()
        )

    @classmethod
    def _user(cls, login, groups, company=None):
        company = company or cls.company
        return cls.env["res.users"].create(
            {
                "name": login,
                "login": login,
                "company_id": company.id,
                "company_ids": [(6, 0, [company.id])],
                "groups_id": [(6, 0, [group.id for group in groups])],
            }
        )

    @classmethod
    def _snapshot(cls, date, company=None):
        return cls.env["relation.pyramid.snapshot"].search(
            [("company_id", "=", (company or cls.company).id), ("date", "=", date)]
        )

    def _moves(self, migration=None, user=None):
        """{customer: (from level, to level, movement, revenue)}"""
        lines = self.env["relation.pyramid.migration.line"]
        if user:
            lines = lines.sudo(user)
        return {
            line.partner_id.name: (
                line.from_level,
                line.to_level,
                line.movement,
                line.revenue,
            )
            for line in lines.search(
                [("migration_id", "=", (migration or self.migration).id)]
            )
        }

    @staticmethod
    def _filled(matrix):
        return {
            (cell["from"], cell["to"]): (cell["count"], cell["revenue"])
            for row in matrix["rows"]
            for cell in row["cells"]
            if cell["count"]
        }


class TestMatrixIsCurrent(MatrixCase):
    def test_a_saved_matrix_follows_its_recomputed_snapshot(self):
        self.assertNotIn("G", self._moves())
        # An order of G in the period of TO, the TO snapshot recomputed:
        # active B 2000, A 500, G 300, E 10 (N = 4): top B (ceil(4 * 1 %) =
        # 1), big and medium nobody more (ceil(0.2) = ceil(0.8) = 1), small
        # A, G, E.
        customer_g = self._customer("G")
        self._order(customer_g, 300, "2026-02-01")
        self.profile.action_recompute(reference_date=TO)
        self.assertEqual(self._moves()["G"], ("new", "small", "new", 300.0))
        matrix = self.migration.sudo(self.seller_all)._matrix()
        self.assertEqual(matrix["customer_count"], 8)
        self.assertEqual(self._filled(matrix)[("new", "small")], (2, 310.0))

    def test_a_saved_matrix_follows_a_backfill_of_its_from_date(self):
        # A late order of C (400 on 2025-03-01), FROM backfilled again: at
        # FROM A 1000, C 450, B 100, D 30 active, H's order is cancelled by
        # now (N = 4): top A, small C B D. C small -> inactive, lost with
        # 450; H is in neither snapshot any more.
        self._order(self.customers["C"], 400, "2025-03-01")
        self.profile.action_backfill_snapshots([FROM])
        moves = self._moves()
        self.assertEqual(moves["C"], ("small", "inactive", "lost", 450.0))
        self.assertNotIn("H", moves)
        matrix = self.migration._matrix()
        self.assertEqual(matrix["totals"]["lost"], 2)
        # lost: C 450 + D 30
        self.assertEqual(matrix["revenue_totals"]["lost"], 480.0)

    def test_deleting_a_customer_of_a_saved_matrix(self):
        customer_h = self.customers["H"]
        self.assertEqual(self._moves()["H"], ("small", "lost", "lost", 20.0))
        self.lost_order.sudo(self.manager).unlink()
        customer_h.sudo(self.manager).unlink()
        self.assertFalse(customer_h.exists())
        self.assertNotIn("H", self._moves())
        # FROM counts its totals again, without H (TO never had H)
        self.assertFalse(self.snapshot_from.level_totals)
        self.assertTrue(self.snapshot_to.level_totals)
        self.assertEqual(
            self._filled(self.migration._matrix()),
            {
                ("top", "small"): (1, 500.0),
                ("small", "top"): (1, 2000.0),
                ("small", "inactive"): (2, 80.0),
                ("new", "small"): (1, 10.0),
                ("new", "prospect"): (1, 0.0),
            },
        )
        self.assertEqual(self.migration._matrix()["totals"]["lost"], 2)


class TestLostBusiness(MatrixCase):
    def test_customers_who_leave_or_stop_buying_are_lost_with_their_revenue(self):
        self.assertEqual(
            self._moves(),
            {
                "A": ("top", "small", "down", 500.0),
                "B": ("small", "top", "up", 2000.0),
                "C": ("small", "inactive", "lost", 50.0),
                "D": ("small", "inactive", "lost", 30.0),
                "H": ("small", "lost", "lost", 20.0),
                "E": ("new", "small", "new", 10.0),
                "F": ("new", "prospect", "new", 0.0),
            },
        )
        line_c = self.migration.line_ids.filtered(
            lambda line: line.partner_id.name == "C"
        )
        self.assertEqual((line_c.revenue_from, line_c.revenue_to), (50.0, 0.0))
        matrix = self.migration._matrix()
        self.assertEqual(
            matrix["totals"], {"up": 1, "same": 0, "down": 1, "new": 2, "lost": 3}
        )
        # lost: H 20 + C 50 + D 30
        self.assertEqual(matrix["revenue_totals"]["lost"], 100.0)
        self.assertEqual(self._filled(matrix)[("small", "inactive")], (2, 80.0))
        html = self.migration.matrix_html
        legend = re.search(r'o_relation_pyramid_move_lost">(.*?)</span>', html, re.S)
        self.assertIn("Lost: 3</a>", legend.group(1))
        self.assertIn("100.00", legend.group(1))

    def test_the_view_and_the_cells_apply_one_rule(self):
        migration_model = self.env["relation.pyramid.migration"]
        self.env.cr.execute(
            sql.SQL("SELECT * FROM ({}) AS cell").format(migration_model._cells_sql())
        )
        in_sql = {(f, t): movement for f, t, movement in self.env.cr.fetchall()}
        # every cell but new -> lost (nobody is in neither snapshot)
        self.assertEqual(len(in_sql), len(FROM_LEVELS) * len(TO_LEVELS) - 1)
        # the rule, by hand: active then and inactive now, or gone, is lost
        for level in ("top", "big", "medium", "small"):
            self.assertEqual(in_sql[(level, "inactive")], "lost", level)
            self.assertEqual(in_sql[(level, "lost")], "lost", level)
        self.assertEqual(in_sql[("inactive", "inactive")], "same")
        self.assertEqual(in_sql[("inactive", "small")], "up")
        self.assertEqual(in_sql[("inactive", "lost")], "lost")
        self.assertEqual(in_sql[("prospect", "lost")], "lost")
        self.assertEqual(in_sql[("new", "inactive")], "new")
        self.assertEqual(in_sql[("medium", "small")], "down")
        self.assertEqual(in_sql[("small", "prospect")], "down")
        self.assertEqual(in_sql[("big", "top")], "up")


class TestMatrixForm(MatrixCase):
    def _domain(self, field, **values):
        """The snapshots the form offers for ``field``, its domain evaluated
        as the web client does with the form's values."""
        domain = self.env["relation.pyramid.migration"].fields_get([field])[field][
            "domain"
        ]
        values = dict({"company_id": self.company.id, "date_from": False,
                       "date_to": False}, **values)
        return self.env["relation.pyramid.snapshot"].sudo(self.seller_all).search(
            safe_eval(domain, values)
        )

    def test_the_form_offers_no_snapshot_twice_nor_in_the_wrong_order(self):
        self.profile.action_backfill_snapshots([MIDDLE])
        middle = self._snapshot(MIDDLE)
        everything = self.snapshot_from | middle | self.snapshot_to
        self.assertEqual(self._domain("snapshot_from_id"), everything)
        self.assertEqual(self._domain("snapshot_to_id"), everything)
        self.assertEqual(
            self._domain("snapshot_to_id", date_from=MIDDLE), self.snapshot_to
        )
        self.assertEqual(
            self._domain("snapshot_from_id", date_to=MIDDLE), self.snapshot_from
        )
        self.assertEqual(
            self._domain("snapshot_to_id", date_from=FROM), middle | self.snapshot_to
        )
        other = self.env["res.company"].create({"name": "Oost BV"})
        self.assertFalse(self._domain("snapshot_to_id", company_id=other.id))
        # the form holds the values the domains read
        arch = etree.fromstring(
            self.env["relation.pyramid.migration"].fields_view_get(view_type="form")[
                "arch"
            ]
        )
        for field in ("company_id", "date_from", "date_to"):
            self.assertTrue(arch.xpath("//field[@name='%s']" % field), field)

    def test_the_same_snapshot_twice_is_refused(self):
        migrations = self.env["relation.pyramid.migration"].sudo(self.seller_own_2)
        for snapshot_from, snapshot_to in [
            (self.snapshot_to, self.snapshot_to),
            (self.snapshot_to, self.snapshot_from),
        ]:
            with self.assertRaises(ValidationError):
                with self.env.cr.savepoint():
                    migrations.create(
                        {
                            "snapshot_from_id": snapshot_from.id,
                            "snapshot_to_id": snapshot_to.id,
                        }
                    )

    def test_every_cell_and_movement_is_a_link_to_its_customers(self):
        html = self.migration.sudo(self.seller_all).matrix_html
        self.assertIn(
            '<a href="#" class="o_relation_pyramid_cell" data-from="small" '
            'data-to="inactive">',
            html,
        )
        self.assertIn('class="o_relation_pyramid_cell" data-movement="lost"', html)
        # 6 filled cells and 4 movements with customers (none stayed)
        self.assertEqual(html.count('class="o_relation_pyramid_cell"'), 10)
        printed = self.env.ref(
            "relation_pyramid.action_report_migration"
        ).render_qweb_html(self.migration.ids)[0].decode()
        self.assertNotIn("o_relation_pyramid_cell", printed)
        self.assertIn("Lost: 3", printed)

    def _open(self, user=None, **context):
        migration = self.migration.sudo(user or self.seller_all)
        keys = {"migration_" + key: value for key, value in context.items()}
        action = migration.with_context(**keys).action_open_customers()
        lines = self.env[action["res_model"]].sudo(user or self.seller_all).search(
            action["domain"]
        )
        return action, sorted(lines.mapped("partner_id.name"))

    def test_a_cell_opens_its_customers(self):
        action, names = self._open(from_level="small", to_level="inactive")
        self.assertEqual(names, ["C", "D"])
        self.assertEqual(action["views"][0][1], "tree")
        self.assertIn("Small → Inactive", action["name"])
        self.assertEqual(self._open(movement="lost")[1], ["C", "D", "H"])
        self.assertEqual(self._open(to_level="lost")[1], ["H"])
        self.assertEqual(self._open(from_level="new")[1], ["E", "F"])
        # the whole matrix: the pivot
        action, names = self._open()
        self.assertEqual(names, list("ABCDEFH"))
        self.assertEqual(action["views"][0][1], "pivot")
        # as the salesperson of A and C, only theirs and those of nobody
        self.assertEqual(self._open(self.seller_own_1, movement="lost")[1],
                         ["C", "D", "H"])
        self.assertEqual(self._open(self.seller_own_2, movement="lost")[1],
                         ["D", "H"])
        with self.assertRaises(UserError):
            self._open(from_level="nonsense")

    def test_the_pivot_shows_counts_and_revenue_lost_included(self):
        lines = self.env["relation.pyramid.migration.line"].sudo(self.seller_all)
        arch = etree.fromstring(lines.fields_view_get(view_type="pivot")["arch"])
        self.assertEqual(arch.get("display_quantity"), "true")
        self.assertTrue(arch.xpath("//field[@name='revenue'][@type='measure']"))
        groups = lines.read_group(
            [("migration_id", "=", self.migration.id)],
            ["to_level", "revenue"],
            ["to_level"],
        )
        by_column = {
            group["to_level"]: (group["to_level_count"], group["revenue"])
            for group in groups
        }
        # inactive: C and D, lost, with their revenue at FROM (50 + 30)
        self.assertEqual(by_column["inactive"], (2, 80.0))
        self.assertEqual(by_column["lost"], (1, 20.0))
        self.assertEqual([group["to_level"] for group in groups][-1], "lost")
        groups = lines.read_group(
            [("migration_id", "=", self.migration.id)],
            ["movement", "revenue"],
            ["movement"],
        )
        by_movement = {
            group["movement"]: (group["movement_count"], group["revenue"])
            for group in groups
        }
        self.assertEqual(by_movement["lost"], (3, 100.0))


class TestMatrixRights(MatrixCase):
    def test_salespeople_change_only_their_own_matrices_managers_all(self):
        theirs = self.migration.sudo(self.seller_own_2)
        # dates in the user's format (English: month/day/year)
        self.assertEqual(theirs.name, "06/30/2025 → 06/30/2026")
        dutch = self.migration.with_context(lang="nl_NL")
        self.assertEqual(dutch.name, "30-06-2025 → 30-06-2026")
        self.assertEqual(
            dutch.snapshot_from_id.name_get(), [(self.snapshot_from.id, "30-06-2025")]
        )
        self.assertTrue(theirs.matrix_html)
        for attempt in (
            lambda: theirs.write({"snapshot_from_id": self.snapshot_from.id}),
            theirs.unlink,
        ):
            with self.assertRaises(AccessError):
                with self.env.cr.savepoint():
                    attempt()
        own = (
            self.env["relation.pyramid.migration"]
            .sudo(self.seller_own_2)
            .create(
                {
                    "snapshot_from_id": self.snapshot_from.id,
                    "snapshot_to_id": self.snapshot_to.id,
                }
            )
        )
        own.write({"snapshot_from_id": self.snapshot_from.id})
        own.unlink()
        self.assertFalse(own.exists())
        mine = self.migration.sudo(self.seller_own_1)
        mine.write({"snapshot_from_id": self.snapshot_from.id})
        managed = self.migration.sudo(self.manager)
        managed.write({"snapshot_from_id": self.snapshot_from.id})
        managed.unlink()
        self.assertFalse(self.migration.exists())

    def test_own_documents_salespeople_see_their_customers_and_nobodys(self):
        self.assertEqual(sorted(self._moves(user=self.seller_own_1)), list("ACDEFH"))
        self.assertEqual(sorted(self._moves(user=self.seller_own_2)), list("BDEFH"))
        self.assertEqual(sorted(self._moves(user=self.seller_all)), list("ABCDEFH"))
        self.assertEqual(sorted(self._moves(user=self.manager)), list("ABCDEFH"))
        # their matrix counts what they see: A down, C lost, D lost, H lost,
        # E and F new
        matrix = self.migration.sudo(self.seller_own_1)._matrix()
        self.assertEqual(matrix["customer_count"], 6)
        self.assertEqual(
            matrix["totals"], {"up": 0, "same": 0, "down": 1, "new": 2, "lost": 3}
        )

    def test_companies_see_their_own_and_their_subsidiaries_matrices(self):
        parent = self.company
        child = self.env["res.company"].create(
            {"name": "Dochter BV", "parent_id": parent.id}
        )
        profile = self.env["relation.pyramid.profile"].search(
            [("company_id", "=", child.id)]
        )
        profile.action_backfill_snapshots([FROM])
        profile.action_recompute(reference_date=TO)
        child_matrix = self.env["relation.pyramid.migration"].create(
            {
                "company_id": child.id,
                "snapshot_from_id": self._snapshot(FROM, child).id,
                "snapshot_to_id": self._snapshot(TO, child).id,
            }
        )
        self.seller_all.write({"company_ids": [(4, child.id)]})
        child_seller = self._user(
            "rp_mx_child", [self.env.ref("sales_team.group_sale_salesman")], child
        )
        matrices = self.env["relation.pyramid.migration"]
        self.assertEqual(
            matrices.sudo(self.seller_all).search([]), self.migration | child_matrix
        )
        self.assertEqual(matrices.sudo(child_seller).search([]), child_matrix)
        lines = self.env["relation.pyramid.migration.line"]
        self.assertFalse(lines.sudo(child_seller).search([]))
        self.assertEqual(len(lines.sudo(self.seller_all).search([])), 7)


class TestMatrixFromTotals(MatrixCase):
    """Who sees every customer gets the matrix from the *from* snapshot's
    totals per level and the customers whose row changed between the
    dates; the figures are those of the rows, as anyone else gets them."""

    def _from_rows(self, migration):
        """The cells as the rows give them (the way without the totals)."""
        return {
            (group["from_level"], group["to_level"]): (
                group["__count"],
                group["revenue"],
            )
            for group in self.env["relation.pyramid.migration.line"].read_group(
                [("migration_id", "=", migration.id)],
                ["from_level", "to_level", "revenue"],
                ["from_level", "to_level"],
                lazy=False,
            )
        }

    def test_who_sees_every_customer(self):
        migration = self.migration
        self.assertTrue(migration._sees_every_customer())
        self.assertTrue(migration.sudo(self.manager)._sees_every_customer())
        self.assertTrue(migration.sudo(self.seller_all)._sees_every_customer())
        self.assertFalse(migration.sudo(self.seller_own_1)._sees_every_customer())
        # a rule an integrator adds for all-documents salespeople: the rows
        self.env["ir.rule"].create(
            {
                "name": "Customers of Belgium only",
                "model_id": self.env.ref(
                    "relation_pyramid.model_relation_pyramid_migration_line"
                ).id,
                "domain_force": "[('partner_id.country_id.code', '=', 'BE')]",
            }
        )
        self.assertFalse(migration.sudo(self.seller_all)._sees_every_customer())
        self.assertEqual(migration.sudo(self.seller_all)._matrix()["customer_count"], 0)

    def test_the_snapshot_keeps_its_totals_per_level(self):
        # TO: B top 2000; A 500 and E 10 small; C and D inactive; F prospect
        self.assertEqual(
            decode_level_totals(self.snapshot_to.level_totals),
            {
                "top": (1, 2000),
                "small": (2, 510),
                "inactive": (2, 0),
                "prospect": (1, 0),
            },
        )

    def test_customers_who_stayed_come_from_the_totals(self):
        self.profile.action_backfill_snapshots([MIDDLE])
        # MIDDLE: A top 1000; B 100, C 50, D 30 small, each as at FROM (the
        # same rows hold); H's order is cancelled: H left.
        middle = self._snapshot(MIDDLE)
        steady = self.env["relation.pyramid.migration"].create(
            {"snapshot_from_id": self.snapshot_from.id, "snapshot_to_id": middle.id}
        )
        expected = {
            ("top", "top"): (1, 1000.0),
            ("small", "small"): (3, 180.0),
            ("small", "lost"): (1, 20.0),
        }
        # across MIDDLE: the rows of A, B, C and D end at TO, H's at MIDDLE
        across = {
            ("top", "small"): (1, 500.0),
            ("small", "top"): (1, 2000.0),
            ("small", "inactive"): (2, 80.0),
            ("small", "lost"): (1, 20.0),
            ("new", "small"): (1, 10.0),
            ("new", "prospect"): (1, 0.0),
        }
        after = self.env["relation.pyramid.migration"].create(
            {"snapshot_from_id": middle.id, "snapshot_to_id": self.snapshot_to.id}
        )
        later = {
            ("top", "small"): (1, 500.0),
            ("small", "top"): (1, 2000.0),
            ("small", "inactive"): (2, 80.0),
            ("new", "small"): (1, 10.0),
            ("new", "prospect"): (1, 0.0),
        }
        for migration, cells in [
            (steady, expected),
            (self.migration, across),
            (after, later),
        ]:
            self.assertEqual(self._from_rows(migration), cells)
            for user in (None, self.manager, self.seller_all):
                matrix = (migration.sudo(user) if user else migration)._matrix()
                self.assertEqual(self._filled(matrix), cells, (migration.name, user))
        # the diagonal's customers who stayed are found in the rows too
        lines = self.env["relation.pyramid.migration.line"]
        stayed = lines.search(
            [
                ("migration_id", "=", steady.id),
                ("from_level", "=", "small"),
                ("to_level", "=", "small"),
            ]
        )
        self.assertEqual(
            sorted(stayed.mapped("partner_id.name")), ["B", "C", "D"]
        )
        self.assertEqual(set(stayed.mapped("movement")), {"same"})

    def test_a_lists_count_comes_from_the_cells(self):
        # FROM -> TO (see test_customers_who_stayed_come_from_the_totals):
        # top -> small 1, small -> top 1, small -> inactive 2, small ->
        # lost 1, new -> small 1, new -> prospect 1
        cells = {
            ("top", "small"): 1,
            ("small", "top"): 1,
            ("small", "inactive"): 2,
            ("small", "lost"): 1,
            ("new", "small"): 1,
            ("new", "prospect"): 1,
            ("small", "small"): 0,
        }
        movements = {"up": 1, "same": 0, "down": 1, "new": 2, "lost": 3}
        lines = self.env["relation.pyramid.migration.line"]
        matrix = [("migration_id", "=", self.migration.id)]
        for user in (self.manager, self.seller_all):
            mine = lines.sudo(user)
            for (from_level, to_level), count in cells.items():
                domain = matrix + [
                    ("from_level", "=", from_level),
                    ("to_level", "=", to_level),
                ]
                self.assertEqual(mine._kept_count(domain), count)
                self.assertEqual(mine.search_count(domain), count)
                rows = mine.with_context(relation_pyramid_count_rows=True)
                self.assertEqual(rows.search_count(domain), count)
            for movement, count in movements.items():
                domain = matrix + [("movement", "=", movement)]
                self.assertEqual(mine._kept_count(domain), count)
                self.assertEqual(mine.search_count(domain), count)
            self.assertEqual(mine._kept_count(matrix), 7)
            self.assertEqual(
                mine._kept_count(matrix + [("from_level", "=", "small")]), 4
            )
        # anything else than a matrix and its levels: the rows
        self.assertIsNone(lines._kept_count([]))
        self.assertIsNone(
            lines._kept_count(matrix + [("revenue", ">", 0)])
        )
        # a salesperson who sees their own customers only: the rows
        own = lines.sudo(self.seller_own_1)
        self.assertIsNone(own._kept_count(matrix))
        self.assertEqual(
            own.search_count(matrix),
            own.with_context(relation_pyramid_count_rows=True).search_count(matrix),
        )

    def test_totals_of_an_earlier_version_are_counted_when_needed(self):
        # an update from 11.0.1.5.0 leaves the snapshots without totals
        self.env.cr.execute("UPDATE relation_pyramid_snapshot SET level_totals = NULL")
        self.env["relation.pyramid.snapshot"].invalidate_cache()
        self.assertEqual(
            self._filled(self.migration.sudo(self.manager)._matrix()),
            self._from_rows(self.migration),
        )
        self.assertEqual(
            decode_level_totals(self.snapshot_from.level_totals),
            {"top": (1, 1000), "small": (4, 200)},
        )
        self.assertFalse(self.snapshot_to.level_totals)


class TestCellPage(MatrixCase):
    """A page of a list opened from a matrix comes from each part of the
    matrix's customers in the list's order (``_cell_page``): the customers
    who stayed and those who moved, merged by revenue, then customer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.profile.action_backfill_snapshots([MIDDLE])
        # FROM -> MIDDLE: A top 1000; B 100, C 50, D 30 stayed at small (their
        # rows hold at both dates); H small -> lost 20 (its row ended).
        cls.steady = cls.env["relation.pyramid.migration"].create(
            {
                "snapshot_from_id": cls.snapshot_from.id,
                "snapshot_to_id": cls._snapshot(MIDDLE).id,
            }
        )

    def _page(self, user, domain, offset=0, limit=80):
        lines = self.env["relation.pyramid.migration.line"].sudo(user)
        return lines.search(domain, offset=offset, limit=limit).mapped(
            "partner_id.name"
        )

    def test_a_page_merges_who_stayed_and_who_moved(self):
        matrix = [("migration_id", "=", self.steady.id)]
        small = matrix + [("from_level", "=", "small")]
        lines = self.env["relation.pyramid.migration.line"]
        for user in (self.manager, self.seller_all):
            self.assertIsNotNone(lines.sudo(user)._cell_page(small, 0, 80))
            self.assertEqual(self._page(user, matrix), ["A", "B", "C", "D", "H"])
            self.assertEqual(self._page(user, small), ["B", "C", "D", "H"])
            # as the web client asks for a list's page: order=False
            self.assertEqual(
                [
                    row["partner_id"][1]
                    for row in lines.sudo(user).search_read(
                        small, ["partner_id"], offset=1, limit=2, order=False
                    )
                ],
                ["C", "D"],
            )
            self.assertEqual(self._page(user, small, offset=1, limit=2), ["C", "D"])
            self.assertEqual(self._page(user, small, offset=2, limit=2), ["D", "H"])
            self.assertEqual(self._page(user, small, offset=4, limit=2), [])
            self.assertEqual(
                self._page(
                    user, small + [("to_level", "=", "small")], offset=1, limit=1
                ),
                ["C"],
            )
            self.assertEqual(
                self._page(user, matrix + [("movement", "=", "lost")]), ["H"]
            )
            self.assertEqual(
                self._page(user, matrix + [("movement", "=", "same")]),
                ["A", "B", "C", "D"],
            )
            # the rows read back are the page's, with their figures
            page = lines.sudo(user).search(small, limit=2)
            self.assertEqual(
                page.read(["from_level", "to_level", "movement", "revenue"]),
                [
                    {
                        "id": page[0].id,
                        "from_level": "small",
                        "to_level": "small",
                        "movement": "same",
                        "revenue": 100.0,
                    },
                    {
                        "id": page[1].id,
                        "from_level": "small",
                        "to_level": "small",
                        "movement": "same",
                        "revenue": 50.0,
                    },
                ],
            )

    def test_a_page_is_the_page_of_the_rows(self):
        # FROM -> TO: every customer moved; the same pages as the rows give
        # in another spelling of the list's order (no page of its own)
        lines = self.env["relation.pyramid.migration.line"].sudo(self.manager)
        for migration in (self.migration, self.steady):
            for extra in (
                [],
                [("from_level", "=", "small")],
                [("to_level", "=", "lost")],
            ):
                domain = [("migration_id", "=", migration.id)] + extra
                for offset in range(0, 6):
                    self.assertEqual(
                        lines.search(domain, offset=offset, limit=2).ids,
                        lines.search(
                            domain, offset=offset, limit=2, order="revenue desc, id"
                        ).ids,
                        (migration.name, extra, offset),
                    )
        self.assertEqual(
            self._page(self.manager, [("migration_id", "=", self.migration.id)]),
            ["B", "A", "C", "D", "H", "E", "F"],
        )

    def test_others_get_the_page_from_the_rows(self):
        lines = self.env["relation.pyramid.migration.line"]
        matrix = [("migration_id", "=", self.steady.id)]
        # own documents: their customers A and C, and those of nobody (D, H)
        own = lines.sudo(self.seller_own_1)
        self.assertIsNone(own._cell_page(matrix, 0, 80))
        self.assertEqual(self._page(self.seller_own_1, matrix), ["A", "C", "D", "H"])
        # anything else than a matrix and its levels: the rows
        self.assertIsNone(
            lines.sudo(self.manager)._cell_page(matrix + [("revenue", ">", 40)], 0, 80)
        )
        self.assertEqual(
            self._page(self.manager, matrix + [("revenue", ">", 40)]), ["A", "B", "C"]
        )
        # no sales rights: no page at all
        employee = self._user("rp_mx_employee", [self.env.ref("base.group_user")])
        with self.assertRaises(AccessError):
            lines.sudo(employee).search(matrix, limit=80)


class TestRowsById(MatrixCase):
    def test_rows_of_two_matrices_read_by_id(self):
        self.profile.action_backfill_snapshots([MIDDLE])
        # MIDDLE (period 2025-01-01 .. 2025-12-31): A 1000, B 100, C 50,
        # D 30 active (N = 4): top A, small B C D; H cancelled: not there.
        second = self.env["relation.pyramid.migration"].create(
            {
                "snapshot_from_id": self._snapshot(MIDDLE).id,
                "snapshot_to_id": self.snapshot_to.id,
            }
        )
        lines = self.env["relation.pyramid.migration.line"]
        found = lines.search([("migration_id", "in", (self.migration | second).ids)])
        self.assertEqual(len(found), 7 + 6)
        for record_id in found.ids:
            self.assertLess(record_id, 2 ** 53)
        # read back by id alone, in a fresh cache, as superuser and as the
        # seller of A and C (who sees the rows of A, C and of nobody's)
        for user in (None, self.seller_own_1):
            user_lines = lines.sudo(user) if user else lines
            ids = user_lines.search(
                [("migration_id", "in", (self.migration | second).ids)]
            ).ids
            self.assertEqual(len(ids), 13 if user is None else 11)
            rows = user_lines.browse(ids)
            rows.invalidate_cache()
            values = {
                (row.migration_id.id, row.partner_id.name): (
                    row.from_level,
                    row.movement,
                )
                for row in rows
            }
            self.assertEqual(values[(self.migration.id, "C")], ("small", "lost"))
            self.assertEqual(values[(second.id, "A")], ("top", "down"))
            self.assertEqual(values[(second.id, "E")], ("new", "new"))
            for (migration_id, name), _value in values.items():
                row = rows.filtered(
                    lambda r: r.migration_id.id == migration_id
                    and r.partner_id.name == name
                )
                self.assertEqual(row.id // LINE_ID_FACTOR, migration_id)


def load_script(version, name):
    script = os.path.join(
        os.path.dirname(addon.__file__), "migrations", version, name + ".py"
    )
    spec = importlib.util.spec_from_file_location(
        "rp_%s_%s" % (name.replace("-", "_"), version.replace(".", "_")), script
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class TestUpgradeToTheView(TransactionCase):
    TABLE = "relation_pyramid_migration_line"

    def _relkind(self):
        self.env.cr.execute("SELECT relkind FROM pg_class WHERE relname = %s",
                            (self.TABLE,))
        row = self.env.cr.fetchone()
        return row and row[0]

    def _old_table(self):
        """The table of 11.0.1.3.0, with its foreign keys."""
        cr = self.env.cr
        cr.execute("DROP VIEW %s" % self.TABLE)
        cr.execute(
            "CREATE TABLE %s (id serial PRIMARY KEY, "
            "migration_id integer NOT NULL REFERENCES relation_pyramid_migration "
            "ON DELETE CASCADE, partner_id integer NOT NULL REFERENCES res_partner, "
            "from_level varchar, to_level varchar, movement varchar, "
            "revenue_from numeric, revenue_to numeric, revenue numeric)" % self.TABLE
        )

    def _rules(self):
        self.env.cr.execute(
            "SELECT name FROM ir_model_data WHERE module = 'relation_pyramid' "
            "AND model = 'ir.rule'"
        )
        return {row[0] for row in self.env.cr.fetchall()}

    def test_upgrade_drops_the_table_and_renews_the_company_rules(self):
        self._old_table()
        self.assertEqual(self._relkind(), "r")
        rules = self._rules()
        renewed = {
            "relation_pyramid_profile_rule_company",
            "relation_pyramid_line_rule_company",
            "relation_pyramid_snapshot_rule_company",
            "relation_pyramid_snapshot_line_rule_company",
            "relation_pyramid_migration_rule_company",
            "relation_pyramid_migration_line_rule_company",
        }
        self.assertTrue(renewed <= rules)
        load_script("11.0.1.4.0", "pre-migration").migrate(self.env.cr, "11.0.1.3.0")
        self.assertIsNone(self._relkind())
        self.assertEqual(self._rules(), rules - renewed)
        self.env.cr.execute(
            "SELECT COUNT(*) FROM ir_rule WHERE name LIKE 'Customer migration%%: "
            "current company'"
        )
        self.assertEqual(self.env.cr.fetchone()[0], 0)
        # the model then makes its view
        self.env["relation.pyramid.migration.line"].init()
        self.assertEqual(self._relkind(), "v")

    def test_upgrade_leaves_a_view_and_fresh_installs_alone(self):
        script = load_script("11.0.1.4.0", "pre-migration")
        script.migrate(self.env.cr, "11.0.1.4.0")
        self.assertEqual(self._relkind(), "v")
        self._old_table()
        rules = self._rules()
        script.migrate(self.env.cr, None)
        self.assertEqual(self._relkind(), "r")
        self.assertEqual(self._rules(), rules)

    def test_earlier_upgrades_leave_the_view_alone(self):
        for version, previous in [("11.0.1.2.0", "11.0.1.1.0"),
                                  ("11.0.1.3.0", "11.0.1.2.0")]:
            load_script(version, "post-migration").migrate(self.env.cr, previous)
            self.assertEqual(self._relkind(), "v", version)
