"""The pyramid's totals per company and level, kept by PostgreSQL triggers
(``relation.pyramid.line.total``), and the counts and groups the web client
reads from them (``relation.pyramid.line._totals_for_domain``): always the
sums of the rows, whoever writes them, and the same answers as counting
the rows, for each kind of user."""
from odoo import fields
from odoo.exceptions import AccessError

from odoo.addons.relation_pyramid.models.record_rules import companies_seen
from odoo.addons.relation_pyramid.models.relation_pyramid_level_mixin import (
    COUNT_ROWS_KEY,
)
from odoo.addons.relation_pyramid.models.relation_pyramid_line_total import MEASURES

from .pyramid_common import IN_PERIOD, IN_PREVIOUS, REFERENCE, PyramidCase


class LineTotalsCase(PyramidCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, no_reset_password=True))
        groups = {
            "own": "sales_team.group_sale_salesman",
            "all": "sales_team.group_sale_salesman_all_leads",
            "manager": "sales_team.group_sale_manager",
            "employee": "base.group_user",
        }
        cls.users = {
            key: cls.env["res.users"].create(
                {
                    "name": "Totals %s" % key,
                    "login": "totals_%s" % key,
                    "groups_id": [(6, 0, [cls.env.ref(group).id])],
                }
            )
            for key, group in groups.items()
        }
        # Big 1000, Middle 500 (the own-documents seller's), Lapsed 250
        # before the period only.
        cls.big = cls._customer("Totals Big")
        cls.middle = cls._customer("Totals Middle", user_id=cls.users["own"].id)
        cls.lapsed = cls._customer("Totals Lapsed")
        cls.newcomer = cls._customer("Totals Newcomer")
        cls.big_order = cls._order(cls.big, 1000, IN_PERIOD)
        cls._order(cls.middle, 500, IN_PERIOD)
        cls._order(cls.lapsed, 250, IN_PREVIOUS)
        cls.profile.action_recompute(reference_date=REFERENCE)

    def _kept(self, every_figure=False):
        """{(company id, level): (customers, revenue)} as the changes add up
        (with ``every_figure``: each measure's sum and rows that have it)."""
        figures = ", ".join(
            "SUM({0}), SUM({0}_count)".format(measure) for measure in MEASURES
        )
        self.env.cr.execute(
            """SELECT company_id, level, SUM(customer_count), {figures}
                 FROM relation_pyramid_line_total GROUP BY company_id, level
               HAVING SUM(customer_count) <> 0 OR SUM(revenue) <> 0""".format(
                figures=figures
            )
        )
        return {
            (row[0], row[1]): tuple(row[2:] if every_figure else row[2:4])
            for row in self.env.cr.fetchall()
        }

    def _counted(self):
        """The same counted from the rows."""
        figures = ", ".join(
            "COALESCE(SUM({0}), 0), COUNT({0})".format(measure) for measure in MEASURES
        )
        self.env.cr.execute(
            """SELECT company_id, level, COUNT(*), {figures}
                 FROM relation_pyramid_line GROUP BY company_id, level""".format(
                figures=figures
            )
        )
        return {(row[0], row[1]): tuple(row[2:]) for row in self.env.cr.fetchall()}

    def _changes(self):
        self.env.cr.execute("SELECT COUNT(*) FROM relation_pyramid_line_total")
        return self.env.cr.fetchone()[0]

    def assertKeptAsCounted(self):
        self.assertEqual(self._kept(every_figure=True), self._counted())


class TestTotalsFollowTheRows(LineTotalsCase):
    def test_a_recompute_leaves_one_change_per_level(self):
        self.assertKeptAsCounted()
        self.env.cr.execute(
            """SELECT level, COUNT(*) FROM relation_pyramid_line_total
                WHERE company_id = %s GROUP BY level HAVING COUNT(*) > 1""",
            (self.company.id,),
        )
        self.assertEqual(self.env.cr.fetchall(), [])

    def test_only_statements_that_move_a_figure_add_changes(self):
        changes = self._changes()
        # ranks, shares, contact dates: nothing the totals hold
        self.env.cr.execute("UPDATE relation_pyramid_line SET rank = rank + 1")
        self.assertEqual(self._changes(), changes)
        # the predicted value of one customer: one change, at their level
        self.env.cr.execute(
            """UPDATE relation_pyramid_line
                  SET predicted_value = COALESCE(predicted_value, 0) + 7
                WHERE partner_id = %s""",
            (self.big.id,),
        )
        self.assertEqual(self._changes(), changes + 1)
        self.assertKeptAsCounted()

    def test_confirming_and_cancelling_an_order_moves_the_totals(self):
        before = self._kept()
        # the refresh places the customer at today (after the recompute's
        # reference date): an order of today counts, whatever today is
        order = self._order(self.lapsed, 300, fields.Date.today())
        after = self._kept()
        self.assertKeptAsCounted()
        # Lapsed was inactive with no period revenue; the refresh makes them
        # active with 300: one customer fewer at inactive, 300 more revenue
        # in all (other customers may change level, not revenue).
        key = (self.company.id, "inactive")
        self.assertEqual(after.get(key, (0, 0))[0], before[key][0] - 1)
        self.assertEqual(
            sum(revenue for _n, revenue in after.values()),
            sum(revenue for _n, revenue in before.values()) + 300,
        )
        order.action_cancel()
        self.assertEqual(self._kept(), before)
        self.assertKeptAsCounted()

    def test_a_deleted_customer_leaves_the_totals(self):
        # a prospect (a quotation, no order) goes with their row
        self._order(self.newcomer, 80, IN_PERIOD, state="draft")
        self._recompute()
        self.env.cr.execute(
            "SELECT level, revenue FROM relation_pyramid_line WHERE partner_id = %s",
            (self.newcomer.id,),
        )
        self.assertEqual(self.env.cr.fetchone(), ("prospect", 0))
        before = self._kept()
        self.newcomer.sale_order_ids.unlink()
        self.newcomer.unlink()
        self.assertKeptAsCounted()
        key = (self.company.id, "prospect")
        expected = dict(before)
        expected[key] = (before[key][0] - 1, before[key][1])
        if expected[key] == (0, 0):
            del expected[key]
        self.assertEqual(self._kept(), expected)

    def test_a_merge_keeps_the_totals(self):
        if "base.partner.merge.automatic.wizard" not in self.env:
            self.skipTest("the merge wizard comes with CRM")
        self.env["base.partner.merge.automatic.wizard"]._merge(
            [self.big.id, self.lapsed.id], self.big
        )
        self.assertKeptAsCounted()

    def test_an_update_counts_the_rows_once(self):
        # as before 11.0.1.7.0: no triggers, no totals
        self.env.cr.execute(
            """DROP TRIGGER relation_pyramid_line_total_insert ON relation_pyramid_line;
               DROP TRIGGER relation_pyramid_line_total_delete ON relation_pyramid_line;
               DROP TRIGGER relation_pyramid_line_total_update ON relation_pyramid_line;
               DELETE FROM relation_pyramid_line_total"""
        )
        self.env["relation.pyramid.line"].init()
        self.assertKeptAsCounted()
        self._order(self.lapsed, 300, IN_PERIOD)
        self.assertKeptAsCounted()

    def test_counts_are_read_from_the_totals(self):
        lines = self.env["relation.pyramid.line"].sudo(self.users["manager"])
        count = lines.search_count([])
        # a change the rows do not have: the count follows the totals
        self.env.cr.execute(
            """INSERT INTO relation_pyramid_line_total
                      (company_id, level, customer_count, revenue,
                       revenue_count, margin, margin_count, predicted_value,
                       predicted_value_count)
               VALUES (%s, 'small', 2, 0, 2, 0, 0, 0, 0)""",
            (self.company.id,),
        )
        self.assertEqual(lines.search_count([]), count + 2)
        self.assertEqual(
            lines.with_context(**{COUNT_ROWS_KEY: True}).search_count([]), count
        )


class TestAnswersAsFromTheRows(LineTotalsCase):
    """Every call the totals answer gives what counting the rows gives."""

    DOMAINS = (
        [],
        [("level", "=", "small")],
        [("level", "in", ["top", "big", "inactive"])],
        ["&", ("level", "in", ["top", "big"]), ("level", "=", "big")],
        [("level", "=", "suspect")],
        [("level", "=", False)],
        [("level", "in", [])],
    )

    def _both(self, user, call):
        lines = self.env["relation.pyramid.line"].sudo(user)
        return call(lines), call(lines.with_context(**{COUNT_ROWS_KEY: True}))

    def _assert_same_answers(self, user):
        for domain in self.DOMAINS:
            with self.subTest(domain=domain):
                fast, rows = self._both(user, lambda m: m.search_count(domain))
                self.assertEqual(fast, rows)
                for lazy in (True, False):
                    fast, rows = self._both(
                        user,
                        lambda m: m.read_group(
                            domain,
                            ["level", "rank"] + list(MEASURES),
                            ["level"],
                            lazy=lazy,
                        ),
                    )
                    self.assertEqual(fast, rows)
                fast, rows = self._both(
                    user,
                    lambda m: m.read_group(
                        domain, list(MEASURES), [], lazy=False
                    ),
                )
                for group in fast + rows:
                    group.pop("id", None)
                self.assertEqual(fast, rows)

    def test_manager_and_all_documents_seller_read_the_totals(self):
        for key in ("manager", "all"):
            lines = self.env["relation.pyramid.line"].sudo(self.users[key])
            self.assertIsNotNone(lines._totals_for_domain([]), key)
            self._assert_same_answers(self.users[key])

    def test_own_documents_seller_counts_their_rows(self):
        lines = self.env["relation.pyramid.line"].sudo(self.users["own"])
        self.assertIsNone(lines._totals_for_domain([]))
        self._assert_same_answers(self.users["own"])

    def test_a_plain_employee_reads_nothing(self):
        lines = self.env["relation.pyramid.line"].sudo(self.users["employee"])
        with self.assertRaises(AccessError):
            lines.search_count([])
        with self.assertRaises(AccessError):
            lines.read_group([], ["level", "revenue"], ["level"])

    def test_other_domains_and_measures_count_the_rows(self):
        lines = self.env["relation.pyramid.line"].sudo(self.users["manager"])
        self.assertIsNone(lines._totals_for_domain([("risk", "=", True)]))
        self.assertIsNone(
            lines._totals_for_domain(
                ["|", ("level", "=", "top"), ("level", "=", "big")]
            )
        )
        self.assertIsNone(
            lines._read_group_from_totals(
                [], ["level", "previous_revenue"], ["level"], False, True
            )
        )
        self.assertIsNone(
            lines._read_group_from_totals([], ["lifecycle"], ["lifecycle"], False, True)
        )

    def test_the_kanban_columns_in_pyramid_order_with_empty_ones_folded(self):
        lines = self.env["relation.pyramid.line"].sudo(self.users["manager"])
        groups = lines.read_group([], ["level", "revenue"], ["level"])
        self.assertEqual(
            [group["level"] for group in groups],
            [
                "top",
                "big",
                "medium",
                "small",
                "inactive",
                "prospect",
                "suspect",
                "other",
            ],
        )
        for group in groups:
            self.assertEqual(group["__fold"], not group["level_count"])

    def test_an_integrators_rule_counts_the_rows(self):
        self.env["ir.rule"].create(
            {
                "name": "Only companies",
                "model_id": self.env.ref(
                    "relation_pyramid.model_relation_pyramid_line"
                ).id,
                "domain_force": "[('partner_id.is_company', '=', True)]",
            }
        )
        lines = self.env["relation.pyramid.line"].sudo(self.users["manager"])
        self.assertIsNone(lines._totals_for_domain([]))
        self._assert_same_answers(self.users["manager"])


class TestTotalsPerCompany(LineTotalsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Company = cls.env["res.company"]
        cls.parent = Company.create(
            {"name": "Totals Holding", "currency_id": cls.eur.id}
        )
        cls.child = Company.create(
            {
                "name": "Totals Daughter",
                "parent_id": cls.parent.id,
                "currency_id": cls.eur.id,
            }
        )
        manager = cls.env.ref("sales_team.group_sale_manager")
        cls.holding_user = cls.env["res.users"].create(
            {
                "name": "Totals holding",
                "login": "totals_holding",
                "company_id": cls.parent.id,
                "company_ids": [(6, 0, (cls.parent | cls.child).ids)],
                "groups_id": [(6, 0, [manager.id])],
            }
        )
        cls.daughter_user = cls.env["res.users"].create(
            {
                "name": "Totals daughter",
                "login": "totals_daughter",
                "company_id": cls.child.id,
                "company_ids": [(6, 0, cls.child.ids)],
                "groups_id": [(6, 0, [manager.id])],
            }
        )
        # nothing computed yet in the daughter: its first day
        pricelist = cls.env["product.pricelist"].create(
            {
                "name": "Totals holding",
                "currency_id": cls.eur.id,
                "company_id": cls.parent.id,
            }
        )
        cls._order(
            cls._customer("Totals Holding customer"),
            300,
            IN_PERIOD,
            company=cls.parent,
            pricelist=pricelist,
        )
        cls.env["relation.pyramid.profile"].search(
            [("company_id", "=", cls.parent.id)]
        ).action_recompute(reference_date=REFERENCE)

    def test_which_companies_each_user_sees_whole(self):
        companies = [self.company.id, self.parent.id, self.child.id]
        model = "relation.pyramid.line"

        def seen(user):
            return companies_seen(self.env(user=user.id), model, companies)

        self.assertEqual(
            seen(self.holding_user),
            {self.company.id: False, self.parent.id: True, self.child.id: True},
        )
        self.assertEqual(
            seen(self.daughter_user),
            {self.company.id: False, self.parent.id: False, self.child.id: True},
        )
        own = seen(self.users["own"])
        self.assertIsNone(own[self.company.id])
        self.assertFalse(own[self.parent.id])
        self.assertTrue(all(seen(self.env.ref("base.user_root")).values()))

    def test_each_user_counts_the_companies_they_see(self):
        for user in (self.holding_user, self.daughter_user, self.users["manager"]):
            lines = self.env["relation.pyramid.line"].sudo(user)
            self.assertIsNotNone(lines._totals_for_domain([]))
            fast = lines.search_count([])
            rows = lines.with_context(**{COUNT_ROWS_KEY: True}).search_count([])
            self.assertEqual(fast, rows, user.login)
            groups = lines.read_group([], ["level", "revenue"], ["level"])
            self.assertEqual(
                groups,
                lines.with_context(**{COUNT_ROWS_KEY: True}).read_group(
                    [], ["level", "revenue"], ["level"]
                ),
            )
        # the holding's customer of 300: the one row the holding user sees;
        # the daughter has none
        holding = self.env["relation.pyramid.line"].sudo(self.holding_user)
        self.assertEqual(
            holding.read_group([], ["revenue"], [], lazy=False),
            [{"__count": 1, "revenue": 300.0}],
        )
        daughter = self.env["relation.pyramid.line"].sudo(self.daughter_user)
        self.assertEqual(
            daughter.read_group([], ["revenue"], [], lazy=False),
            [{"__count": 0, "revenue": None}],
        )
        self.assertEqual(
            [g["level_count"] for g in daughter.read_group([], ["level"], ["level"])],
            [0] * 8,
        )
