"""Where sales people work: the customer's level and lifecycle on the
quotation / sales order form, in the customer dropdown (read_pyramid_badges)
and on the Contacts kanban, each empty where the user may not see the
customer's pyramid row (own documents only, another salesperson's customer)."""
from lxml import etree

from .pyramid_common import IN_PERIOD, REFERENCE, PyramidCase


class BadgeCase(PyramidCase):
    """Mine (1000) is the own-documents seller's customer, Theirs (500)
    another seller's, Nobodys (100) has no salesperson; Prospect has a
    quotation only. Recomputed at REFERENCE (period 2025-07-01 .. 2026-06-30).

    N = 3 active: top if rank <= ceil(3 * 1 %) = 1, big if rank <=
    ceil(3 * 5 %) = 1, medium if rank <= ceil(3 * 20 %) = 1, else small.

    | customer | revenue | rank | lifecycle | level    |
    | Mine     | 1000    | 1    | active    | top      |
    | Theirs   | 500     | 2    | active    | small    |
    | Nobodys  | 100     | 3    | active    | small    |
    | Prospect | 0       |      | prospect  | prospect |
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, no_reset_password=True))
        groups = {
            "own": "sales_team.group_sale_salesman",
            "own2": "sales_team.group_sale_salesman",
            "all": "sales_team.group_sale_salesman_all_leads",
            "employee": "base.group_user",
        }
        cls.users = {
            key: cls.env["res.users"].create(
                {
                    "name": "Badge %s" % key,
                    "login": "rp_badge_%s" % key,
                    "groups_id": [(6, 0, [cls.env.ref(group).id])],
                }
            )
            for key, group in groups.items()
        }
        cls.mine = cls._customer("Mine", user_id=cls.users["own"].id)
        cls.theirs = cls._customer("Theirs", user_id=cls.users["own2"].id)
        cls.nobodys = cls._customer("Nobodys")
        cls.prospect = cls._customer("Prospect", user_id=cls.users["own"].id)
        cls.buyer = cls.env["res.partner"].create(
            {"name": "Mine's buyer", "parent_id": cls.mine.id}
        )
        cls._order(cls.mine, 1000, IN_PERIOD)
        cls._order(cls.theirs, 500, IN_PERIOD)
        cls._order(cls.nobodys, 100, IN_PERIOD)
        cls._order(cls.prospect, 50, IN_PERIOD, state="draft")
        cls.profile.action_recompute(reference_date=REFERENCE)

    def _quotation(self, user, partner):
        """A new quotation as the user makes it in the form."""
        orders = self.env["sale.order"].sudo(user)
        return orders.create({"partner_id": partner.id, "user_id": user.id})

    def _badge(self, order):
        return order.partner_pyramid_level, order.partner_relation_lifecycle


class TestSaleOrderBadge(BadgeCase):

    def test_the_order_shows_its_customers_level_and_lifecycle(self):
        seller = self.users["all"]
        expected = {
            self.mine: ("top", "active"),
            self.theirs: ("small", "active"),
            self.nobodys: ("small", "active"),
            self.prospect: ("prospect", "prospect"),
            # a contact's order shows their company's level
            self.buyer: ("top", "active"),
        }
        for partner, badge in expected.items():
            self.assertEqual(
                self._badge(self._quotation(seller, partner)), badge, partner.name
            )

    def _onchange_badge(self, user, partner):
        """What the form shows once the customer is picked in a new
        quotation, before it is saved: the onchange the web client calls."""
        orders = self.env["sale.order"].sudo(user)
        spec = orders._onchange_spec()
        # the web client sends every field of the form, empty or defaulted
        view_fields = orders.fields_view_get(view_type="form")["fields"]
        values = dict.fromkeys(view_fields, False)
        values.update(orders.default_get(list(view_fields)))
        values.update(partner_id=partner.id)
        result = orders.onchange(values, "partner_id", spec)["value"]
        return (
            result.get("partner_pyramid_level", False),
            result.get("partner_relation_lifecycle", False),
        )

    def test_the_badge_follows_the_customer_picked_in_the_form(self):
        user = self.users["own"]
        self.assertEqual(self._onchange_badge(user, self.mine), ("top", "active"))
        self.assertEqual(self._onchange_badge(user, self.nobodys), ("small", "active"))
        self.assertEqual(
            self._onchange_badge(user, self.prospect), ("prospect", "prospect")
        )

    def test_own_documents_seller_sees_no_level_of_another_sellers_customer(self):
        own = self.users["own"]
        # a quotation of their own for a customer of another salesperson
        theirs = self._quotation(own, self.theirs)
        self.assertEqual(self._badge(theirs), (False, False))
        self.assertEqual(self._onchange_badge(own, self.theirs), (False, False))
        # their own customers and the unassigned ones they do see
        self.assertEqual(
            self._badge(self._quotation(own, self.mine)), ("top", "active")
        )
        self.assertEqual(
            self._badge(self._quotation(own, self.nobodys)), ("small", "active")
        )

    def test_dropdown_badges_follow_the_sales_rules(self):
        """What the customer dropdown shows beside each name found by
        name_search: nothing for customers whose row the user may not read,
        nothing at all for a user who is no sales user."""
        partners = self.mine | self.theirs | self.nobodys | self.prospect | self.buyer

        def badges(user):
            found = self.env["res.partner"].sudo(user).read_pyramid_badges(
                partners.ids
            )
            return {
                row["id"]: (row["level"], row["level_label"], row["lifecycle_label"])
                for row in found
            }

        top = ("top", "Top", "Active")
        small = ("small", "Small", "Active")
        prospect = ("prospect", "Prospect", "Prospect")
        self.assertEqual(
            badges(self.users["all"]),
            {
                self.mine.id: top,
                self.buyer.id: top,
                self.theirs.id: small,
                self.nobodys.id: small,
                self.prospect.id: prospect,
            },
        )
        self.assertEqual(
            badges(self.users["own"]),
            {
                self.mine.id: top,
                self.buyer.id: top,
                self.nobodys.id: small,
                self.prospect.id: prospect,
            },
        )
        self.assertEqual(
            badges(self.users["own2"]),
            {self.theirs.id: small, self.nobodys.id: small},
        )
        self.assertEqual(badges(self.users["employee"]), {})
        # the dropdown's own search finds the customer, the badge stays empty
        found = self.env["res.partner"].sudo(self.users["own"]).name_search("Theirs")
        self.assertIn(self.theirs.id, [partner_id for partner_id, _name in found])

    def test_contacts_kanban_reads_no_level_of_another_sellers_customer(self):
        """The kanban card's fields as the web client reads them."""
        partners = self.env["res.partner"].sudo(self.users["own"])
        rows = partners.search_read(
            [("id", "in", (self.mine | self.theirs | self.buyer).ids)],
            ["name", "pyramid_level", "relation_lifecycle"],
        )
        self.assertEqual(
            {
                row["name"]: (row["pyramid_level"], row["relation_lifecycle"])
                for row in rows
            },
            {
                "Mine": ("top", "active"),
                "Mine's buyer": ("top", "active"),
                "Theirs": (False, False),
            },
        )


class TestBadgeViews(BadgeCase):
    """The views carry the badge for sales users only."""

    def _arch(self, user, model, view_type, view=None):
        view_id = self.env.ref(view).id if view else None
        return etree.fromstring(
            self.env[model]
            .sudo(user)
            .fields_view_get(view_id=view_id, view_type=view_type)["arch"]
        )

    def test_order_form_has_the_badge_and_the_dropdown_widget(self):
        arch = self._arch(self.users["own"], "sale.order", "form")
        customer = arch.xpath("//field[@name='partner_id']")[0]
        self.assertEqual(customer.get("widget"), "relation_pyramid_partner")
        level = arch.xpath("//field[@name='partner_pyramid_level']")
        self.assertEqual(len(level), 1)
        self.assertEqual(level[0].get("widget"), "label_selection")
        self.assertIn("rp-top", level[0].get("options"))
        self.assertTrue(arch.xpath("//field[@name='partner_relation_lifecycle']"))
        # right after the customer, in the same group
        self.assertEqual(customer.getnext().get("for"), "partner_pyramid_level")

    def test_contacts_kanban_has_the_badge_for_sales_users_only(self):
        view = "base.res_partner_kanban_view"
        arch = self._arch(self.users["own"], "res.partner", "kanban", view)
        self.assertTrue(arch.xpath("//field[@name='pyramid_level']"))
        badge = arch.xpath("//div[@class='o_relation_pyramid_kanban_badge']")
        self.assertEqual(len(badge), 1)
        # the level's colour class, as on the partner form
        self.assertIn(
            "label-rp-#{record.pyramid_level.raw_value}",
            etree.tostring(badge[0]).decode(),
        )
        arch = self._arch(self.users["employee"], "res.partner", "kanban", view)
        self.assertFalse(arch.xpath("//field[@name='pyramid_level']"))
        # Odoo 11 keeps a node of other groups in the arch (invisible="1",
        # which a kanban template ignores): the card shows it only when the
        # level was read, and without the field there is no record.pyramid_level
        for badge in arch.xpath("//div[@class='o_relation_pyramid_kanban_badge']"):
            self.assertEqual(badge.get("invisible"), "1")
            self.assertTrue(badge.get("t-if").startswith("record.pyramid_level and "))
