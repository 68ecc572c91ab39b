"""Who sees which figures: Odoo's sales rules (own documents, all
documents, manager), plain employees and portal users, and companies
(a parent company sees its subsidiaries, nobody another company)."""
from odoo.exceptions import AccessError

from .pyramid_common import IN_PERIOD, PyramidCase


class TestVisibility(PyramidCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, no_reset_password=True))
        groups = {
            "own": "sales_team.group_sale_salesman",
            "own2": "sales_team.group_sale_salesman",
            "all": "sales_team.group_sale_salesman_all_leads",
            "manager": "sales_team.group_sale_manager",
            "employee": "base.group_user",
            "portal": "base.group_portal",
        }
        cls.users = {
            key: cls.env["res.users"].create(
                {
                    "name": "Visibility %s" % key,
                    "login": "visibility_%s" % key,
                    "groups_id": [(6, 0, [cls.env.ref(group).id])],
                }
            )
            for key, group in groups.items()
        }
        # Mine (1000) is the own-documents seller's customer, Theirs (500)
        # another seller's, Nobodys (100) has no salesperson.
        cls.mine = cls._customer("Mine", user_id=cls.users["own"].id)
        cls.theirs = cls._customer("Theirs", user_id=cls.users["own2"].id)
        cls.nobodys = cls._customer("Nobodys")
        cls._order(cls.mine, 1000, IN_PERIOD)
        cls._order(cls.theirs, 500, IN_PERIOD)
        cls._order(cls.nobodys, 100, IN_PERIOD)
        cls.profile.action_recompute(reference_date="2026-06-30")

    def _visible(self, user, model="relation.pyramid.line"):
        records = self.env[model].sudo(user).search([])
        return set(records.mapped("partner_id.name")) & {"Mine", "Theirs", "Nobodys"}

    def test_own_documents_seller_sees_rows_of_own_customers_and_unassigned(self):
        self.assertEqual(self._visible(self.users["own"]), {"Mine", "Nobodys"})
        self.assertEqual(self._visible(self.users["own2"]), {"Theirs", "Nobodys"})

    def test_all_documents_and_managers_see_every_row(self):
        everyone = {"Mine", "Theirs", "Nobodys"}
        self.assertEqual(self._visible(self.users["all"]), everyone)
        self.assertEqual(self._visible(self.users["manager"]), everyone)

    def test_snapshot_rows_follow_the_same_rules(self):
        model = "relation.pyramid.snapshot.line"
        self.assertEqual(self._visible(self.users["own"], model), {"Mine", "Nobodys"})
        self.assertEqual(
            self._visible(self.users["all"], model), {"Mine", "Theirs", "Nobodys"}
        )

    def test_partner_figures_are_empty_for_customers_of_others(self):
        theirs = self.theirs.sudo(self.users["own"])
        self.assertFalse(theirs.pyramid_revenue)
        self.assertFalse(theirs.pyramid_level)
        self.assertFalse(theirs.pyramid_rank)
        mine = self.mine.sudo(self.users["own"])
        # N = 3: rank 1 <= ceil(3 * 1 %) = 1: top.
        self.assertEqual((mine.pyramid_revenue, mine.pyramid_level), (1000, "top"))

    def test_search_on_figures_never_finds_customers_of_others(self):
        partners = self.env["res.partner"].sudo(self.users["own"])
        names = {"Mine", "Theirs", "Nobodys"}

        def found(domain):
            return set(partners.search(domain).mapped("name")) & names

        self.assertEqual(found([("pyramid_revenue", ">", 0)]), {"Mine", "Nobodys"})
        self.assertEqual(found([("pyramid_revenue", "=", 500)]), set())
        self.assertEqual(found([("pyramid_level", "!=", "top")]), {"Nobodys"})
        self.assertEqual(found([("pyramid_level", "=", False)]), set())
        self.assertEqual(
            found([("relation_lifecycle", "=", "active")]), {"Mine", "Nobodys"}
        )
        # The all-documents seller finds them all.
        everyone = self.env["res.partner"].sudo(self.users["all"])
        self.assertEqual(
            set(everyone.search([("pyramid_revenue", ">", 0)]).mapped("name")) & names,
            names,
        )

    def test_employee_and_portal_user_cannot_search_by_revenue(self):
        for key in ("employee", "portal"):
            partners = self.env["res.partner"].sudo(self.users[key])
            self.assertFalse(
                partners.search([("pyramid_revenue", ">", 0)]), "%s found some" % key
            )
            self.assertFalse(partners.search([("pyramid_level", "=", "top")]))
            with self.assertRaises(AccessError):
                self.env["relation.pyramid.line"].sudo(self.users[key]).search([])


class TestCompanyVisibility(PyramidCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, no_reset_password=True))
        Company = cls.env["res.company"]
        cls.parent = Company.create({"name": "Holding", "currency_id": cls.eur.id})
        cls.child = Company.create(
            {"name": "Daughter", "parent_id": cls.parent.id, "currency_id": cls.eur.id}
        )
        cls.stranger = Company.create({"name": "Stranger", "currency_id": cls.eur.id})
        group = cls.env.ref("sales_team.group_sale_manager")

        def user(login, company, companies):
            return cls.env["res.users"].create(
                {
                    "name": login,
                    "login": login,
                    "company_id": company.id,
                    "company_ids": [(6, 0, companies.ids)],
                    "groups_id": [(6, 0, [group.id])],
                }
            )

        cls.holding_user = user("holding_user", cls.parent, cls.parent | cls.child)
        cls.daughter_user = user("daughter_user", cls.child, cls.child)
        cls.stranger_user = user("stranger_user", cls.stranger, cls.stranger)
        for company, name, amount in (
            (cls.parent, "Holding customer", 300),
            (cls.child, "Daughter customer", 200),
            (cls.stranger, "Stranger customer", 100),
        ):
            pricelist = cls.env["product.pricelist"].create(
                {"name": name, "currency_id": cls.eur.id, "company_id": company.id}
            )
            customer = cls._customer(name)
            cls._order(
                customer, amount, IN_PERIOD, company=company, pricelist=pricelist
            )
        profiles = cls.env["relation.pyramid.profile"]._ensure_profiles()
        for company in (cls.parent, cls.child, cls.stranger):
            profiles.filtered(lambda p, c=company: p.company_id == c).action_recompute(
                reference_date="2026-06-30"
            )

    def _companies_seen(self, user):
        lines = self.env["relation.pyramid.line"].sudo(user).search([])
        snapshots = self.env["relation.pyramid.snapshot"].sudo(user).search([])
        profiles = self.env["relation.pyramid.profile"].sudo(user).search([])
        names = {"Holding", "Daughter", "Stranger"}
        return (
            set(lines.mapped("company_id.name")) & names,
            set(snapshots.mapped("company_id.name")) & names,
            set(profiles.mapped("company_id.name")) & names,
        )

    def test_parent_company_user_sees_its_subsidiary(self):
        seen = {"Holding", "Daughter"}
        self.assertEqual(self._companies_seen(self.holding_user), (seen, seen, seen))

    def test_subsidiary_user_sees_only_its_own_company(self):
        seen = {"Daughter"}
        self.assertEqual(self._companies_seen(self.daughter_user), (seen, seen, seen))

    def test_no_user_sees_another_companys_figures(self):
        seen = {"Stranger"}
        self.assertEqual(self._companies_seen(self.stranger_user), (seen, seen, seen))
        self.assertFalse(
            self.env["res.partner"]
            .sudo(self.stranger_user)
            .search([("name", "=", "Holding customer"), ("pyramid_revenue", ">", 0)])
        )
