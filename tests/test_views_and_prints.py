"""What the sales manager sees: group headers and folded kanban columns of
the pyramid rows, the level badge on the customer's form, the printed pyramid
(with or without its customers) reached from the pyramid screen, its file
name and paper in the user's language and the company's format."""
import json
import time

from lxml import etree

from odoo.exceptions import UserError
from odoo.tools.safe_eval import safe_eval

from .pyramid_common import IN_PERIOD, IN_PREVIOUS, REFERENCE, PyramidCase


class ViewsAndPrintsCase(PyramidCase):
    """Five active customers, one inactive, one prospect, recomputed at
    REFERENCE (period 2025-07-01 .. 2026-06-30).

    N = 5 active: top if rank <= ceil(5 * 1 %) = 1, big if rank <=
    ceil(5 * 5 %) = 1, medium if rank <= ceil(5 * 20 %) = 1, else small.

    | customer | revenue | rank | level    | share of 2000 |
    | A        | 1000    | 1    | top      | 50 %          |
    | B        | 400     | 2    | small    | 20 %          |
    | C        | 300     | 3    | small    | 15 %          |
    | D        | 200     | 4    | small    | 10 %          |
    | E        | 100     | 5    | small    | 5 %           |
    | F        | 0       |      | inactive | (bought in the previous period) |
    | G        | 0       |      | prospect | (a quotation only) |
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customers = {}
        for name, amount in [("A", 1000), ("B", 400), ("C", 300), ("D", 200),
                             ("E", 100)]:
            cls.customers[name] = cls._customer(name)
            cls._order(cls.customers[name], amount, IN_PERIOD)
        cls.customers["F"] = cls._customer("F")
        cls._order(cls.customers["F"], 700, IN_PREVIOUS)
        cls.customers["G"] = cls._customer("G")
        cls._order(cls.customers["G"], 50, IN_PERIOD, state="draft")
        cls.profile.action_recompute(reference_date=REFERENCE)
        cls.snapshot = cls.env["relation.pyramid.snapshot"].search(
            [("company_id", "=", cls.company.id), ("date", "=", REFERENCE)]
        )
        sale_manager = cls.env.ref("sales_team.group_sale_manager")
        salesman = cls.env.ref("sales_team.group_sale_salesman_all_leads")
        cls.manager = cls._user("rp_views_manager", sale_manager)
        cls.seller = cls._user("rp_views_seller", salesman)
        cls.employee = cls._user("rp_views_employee", cls.env.ref("base.group_user"))

    @classmethod
    def _user(cls, login, group, company=None):
        company = company or cls.company
        return cls.env["res.users"].create(
            {
                "name": login,
                "login": login,
                "company_id": company.id,
                "company_ids": [(6, 0, [company.id])],
                "groups_id": [(6, 0, [group.id])],
            }
        )


class TestPyramidLists(ViewsAndPrintsCase):
    def test_group_headers_add_revenue_and_shares_not_ranks_or_gaps(self):
        lines = self.env["relation.pyramid.line"].sudo(self.manager)
        groups = lines.read_group(
            [("company_id", "=", self.company.id)],
            ["level", "rank", "revenue", "revenue_share", "upsell_gap"],
            ["level"],
        )
        small = [group for group in groups if group["level"] == "small"][0]
        # small: B C D E = 400 + 300 + 200 + 100 = 1000, 20 + 15 + 10 + 5 = 50 %
        self.assertEqual(small["level_count"], 4)
        self.assertAlmostEqual(small["revenue"], 1000.0)
        self.assertAlmostEqual(small["revenue_share"], 50.0)
        # a sum of ranks (2+3+4+5) or of up-sell gaps is no figure at all
        for group in groups:
            self.assertNotIn("rank", group)
            self.assertNotIn("upsell_gap", group)

    def test_shares_show_one_decimal_and_keep_their_precision(self):
        fields = self.env["relation.pyramid.line"].sudo(self.manager).fields_get(
            ["revenue_share", "cumulative_share", "revenue_change_pct"]
        )
        for name in fields:
            self.assertEqual(tuple(fields[name]["digits"]), (16, 1), name)
        # Stored as computed: 1000 / 3000 of the period would be 33.3333.
        line = self.env["relation.pyramid.line"].search(
            [("partner_id", "=", self.customers["B"].id)]
        )
        self.assertEqual((line.rank, line.revenue_share), (2, 20.0))

    def test_list_and_form_leave_rank_shares_and_gap_empty_when_not_active(self):
        lines = self.env["relation.pyramid.line"].sudo(self.manager)
        hidden = {"invisible": [["lifecycle", "!=", "active"]]}
        for view_type in ("tree", "form"):
            arch = etree.fromstring(lines.fields_view_get(view_type=view_type)["arch"])
            for name in ("rank", "revenue_share", "cumulative_share"):
                node = arch.xpath("//field[@name='%s']" % name)[0]
                modifiers = json.loads(node.get("modifiers"))
                self.assertEqual(modifiers["invisible"], hidden["invisible"], name)
            gap = json.loads(
                arch.xpath("//field[@name='upsell_gap']")[0].get("modifiers")
            )
            # hidden for the others and for the top (nothing above it)
            self.assertEqual(
                gap["invisible"],
                ["|", ["lifecycle", "!=", "active"], ["upsell_gap", "=", 0]],
            )

    def test_kanban_folds_the_empty_levels(self):
        groups = self.env["relation.pyramid.line"].sudo(self.manager).read_group(
            [("company_id", "=", self.company.id)], ["level"], ["level"], lazy=True
        )
        folded = {group["level"]: group["__fold"] for group in groups}
        # with customers: top (A), small (B-E), inactive (F), prospect (G)
        self.assertEqual(
            folded,
            {
                "top": False,
                "big": True,
                "medium": True,
                "small": False,
                "inactive": False,
                "prospect": False,
                "suspect": True,
                "other": True,
            },
        )


class TestPartnerHeader(ViewsAndPrintsCase):
    def _form(self, user):
        partner = self.env["res.partner"].sudo(user)
        return etree.fromstring(partner.fields_view_get(view_type="form")["arch"])

    def test_sales_users_see_level_and_lifecycle_in_the_header(self):
        arch = self._form(self.seller)
        box = arch.xpath("//div[@name='button_box']")[0]
        level = box.xpath(".//button[.//field[@name='pyramid_level']]")
        self.assertEqual(len(level), 1)
        self.assertTrue(level[0].xpath(".//field[@name='relation_lifecycle']"))
        self.assertEqual(
            level[0].xpath(".//field[@name='pyramid_level']")[0].get("widget"),
            "label_selection",
        )
        history = self.env.ref(
            "relation_pyramid.relation_pyramid_snapshot_line_action_partner"
        )
        self.assertTrue(box.xpath(".//button[@name='%d']" % history.id))
        # The buttons open the commercial partner's row and history (other
        # apps' buttons, CRM's opportunities say, are theirs).
        row = self.env.ref("relation_pyramid.relation_pyramid_line_action_partner")
        for action in (row, history):
            button = box.xpath(".//button[@name='%d']" % action.id)[0]
            self.assertIn(
                "'search_default_partner_id': commercial_partner_id",
                button.get("context"),
            )

    def test_other_employees_see_no_pyramid_in_the_header(self):
        arch = self._form(self.employee)
        self.assertFalse(arch.xpath("//field[@name='pyramid_level']"))
        history = self.env.ref(
            "relation_pyramid.relation_pyramid_snapshot_line_action_partner"
        )
        # Odoo 11 keeps a button of other groups in the arch, always invisible
        for button in arch.xpath("//button[@name='%d']" % history.id):
            self.assertIs(json.loads(button.get("modifiers"))["invisible"], True)

    def test_the_buttons_open_the_customers_row_and_history(self):
        """As the web client does: the action with the button's context,
        searched with the search default it sets (contact of A -> A)."""
        contact = self.env["res.partner"].create(
            {"name": "A's buyer", "parent_id": self.customers["A"].id}
        )
        contact = contact.sudo(self.seller)
        self.assertEqual((contact.pyramid_level, contact.relation_lifecycle),
                         ("top", "active"))
        domain = [("partner_id", "=", contact.commercial_partner_id.id)]
        rows = self.env["relation.pyramid.line"].sudo(self.seller).search(domain)
        self.assertEqual(rows.mapped("partner_id.name"), ["A"])
        history = self.env["relation.pyramid.snapshot.line"].sudo(self.seller).search(
            domain
        )
        self.assertEqual(history.mapped("level"), ["top"])


class TestPrints(ViewsAndPrintsCase):
    def test_print_from_the_pyramid_screen_prints_the_last_recompute(self):
        # a backfill before and a snapshot after (the install's, today) do
        # not move it: the screen's rows are those of the last recompute
        self.profile.action_backfill_snapshots(["2025-12-31"])
        self.assertEqual(self.profile.last_reference_date, REFERENCE)
        action = self.env.ref("relation_pyramid.relation_pyramid_line_action_print")
        self.assertEqual(action.binding_model_id.model, "relation.pyramid.line")
        result = action.sudo(self.seller).with_context(
            active_model="relation.pyramid.line"
        ).run()
        self.assertEqual(result["type"], "ir.actions.report")
        self.assertEqual(result["report_name"], "relation_pyramid.report_pyramid")
        self.assertEqual(result["context"]["active_ids"], self.snapshot.ids)
        with_customers = self.env.ref(
            "relation_pyramid.relation_pyramid_line_action_print_customers"
        ).sudo(self.seller).run()
        self.assertEqual(
            (with_customers["report_name"], with_customers["context"]["active_ids"]),
            ("relation_pyramid.report_pyramid_customers", self.snapshot.ids),
        )

    def test_print_before_any_recompute_says_to_recompute(self):
        company = self.env["res.company"].create({"name": "No Orders Yet"})
        seller = self._user(
            "rp_views_other_seller",
            self.env.ref("sales_team.group_sale_salesman_all_leads"),
            company,
        )
        action = self.env.ref("relation_pyramid.relation_pyramid_line_action_print")
        with self.assertRaisesRegex(UserError, "has not been computed yet"):
            action.sudo(seller).run()

    def _html(self, report, lang="en_US"):
        report = self.env.ref(report).sudo(self.manager).with_context(lang=lang)
        return report.render_qweb_html(self.snapshot.ids)[0].decode()

    def test_pyramid_with_customers_lists_each_level_best_first(self):
        html = self._html("relation_pyramid.action_report_pyramid_customers")
        root = etree.fromstring(html, etree.HTMLParser())

        def names(level):
            table = root.xpath(
                "//table[contains(@class, 'o_relation_pyramid_customers_%s')]" % level
            )
            return [
                " ".join(cell.itertext()).strip()
                for cell in table[0].xpath("./tbody/tr/td[1]")
            ] if table else []

        self.assertEqual(names("top"), ["A"])
        self.assertEqual(names("small"), ["B", "C", "D", "E"])
        self.assertEqual(names("inactive"), ["F"])
        self.assertEqual(names("prospect"), ["G"])
        self.assertEqual(names("big"), [])  # no table for an empty level
        self.assertIn("1,000.00", html)
        plain = self._html("relation_pyramid.action_report_pyramid")
        self.assertNotIn("o_relation_pyramid_customers", plain)

    def test_print_in_dutch_formats_dates_and_amounts(self):
        lang = self.env["res.lang"]._lang_get("nl_NL")
        # Odoo 11's nl_NL has no thousands separator; a Dutch company sets
        # it as the demo does. Dates as %d-%m-%Y, decimals ",".
        lang.write({"thousands_sep": ".", "grouping": "[3,0]"})
        self.assertEqual((lang.date_format, lang.decimal_point), ("%d-%m-%Y", ","))
        html = self._html("relation_pyramid.action_report_pyramid_customers", "nl_NL")
        self.assertIn("30-06-2026", html)  # the reference date
        self.assertIn("01-07-2025", html)  # the period's first day
        self.assertIn("2.000,00", html)  # total revenue 1000+400+300+200+100
        self.assertIn("1.000,00", html)  # A's revenue in the customer list

    def test_file_name_in_the_users_language(self):
        for xmlid, dutch in [
            ("relation_pyramid.action_report_pyramid", "Klantenpiramide"),
            ("relation_pyramid.action_report_pyramid_customers", None),
        ]:
            report = self.env.ref(xmlid)
            for lang in ("en_US", "nl_NL"):
                snapshot = self.snapshot.sudo(self.seller).with_context(lang=lang)
                name = safe_eval(
                    report.print_report_name, {"object": snapshot, "time": time}
                )
                label = report.with_context(lang=lang).name
                self.assertEqual(name, "%s %s" % (label, REFERENCE))
            if dutch:
                self.assertEqual(report.with_context(lang="nl_NL").name, dutch)

    def test_prints_on_the_companys_paper(self):
        euro = self.env.ref("base.paperformat_euro")
        self.company.paperformat_id = euro
        for xmlid in ("relation_pyramid.action_report_pyramid",
                      "relation_pyramid.action_report_pyramid_customers"):
            report = self.env.ref(xmlid)
            # none of its own: Odoo prints on the user's company's paper
            self.assertFalse(report.paperformat_id)
        self.assertEqual(self.manager.company_id.paperformat_id.format, "A4")
