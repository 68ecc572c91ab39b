"""Relation profile of a customer: service preferences, relation motives and
qualification, the configurable lists behind them and who may change them.

Everything runs through the real ORM on a real database; the data is built
by hand in ``setUpClass`` (the database has no demo data).
"""

from odoo import api, fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests.common import SavepointCase

SERVICE_PREFERENCE_ACTIVITY_TYPES = {
    "service_preference_phone": "mail.mail_activity_data_call",
    "service_preference_email": "mail.mail_activity_data_email",
    "service_preference_post": "mail.mail_activity_data_todo",
    "service_preference_visit": "mail.mail_activity_data_meeting",
    "service_preference_event": "mail.mail_activity_data_meeting",
    "service_preference_portal": "mail.mail_activity_data_email",
    "service_preference_shop": "mail.mail_activity_data_todo",
}
RELATION_MOTIVES = [
    "relation_motive_brand",
    "relation_motive_price",
    "relation_motive_quality",
    "relation_motive_service",
    "relation_motive_personal",
    "relation_motive_location",
    "relation_motive_assortment",
    "relation_motive_delivery",
]


class RelationProfileCase(SavepointCase):
    """Two companies, three customers and four users, built by hand."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(
            context=dict(
                cls.env.context, tracking_disable=True, no_reset_password=True
            )
        )
        ref = cls.env.ref
        cls.Partner = cls.env["res.partner"]
        cls.Preference = cls.env["relation.service.preference"]
        cls.Motive = cls.env["relation.motive"]

        cls.phone = ref("relation_pyramid.service_preference_phone")
        cls.email = ref("relation_pyramid.service_preference_email")
        cls.visit = ref("relation_pyramid.service_preference_visit")
        cls.shop = ref("relation_pyramid.service_preference_shop")
        cls.price = ref("relation_pyramid.relation_motive_price")
        cls.quality = ref("relation_pyramid.relation_motive_quality")
        cls.personal = ref("relation_pyramid.relation_motive_personal")

        cls.company_a = ref("base.main_company")
        cls.company_b = cls.env["res.company"].create({"name": "Noord BV"})

        group_user = ref("base.group_user")
        partner_manager = ref("base.group_partner_manager")
        salesman = ref("sales_team.group_sale_salesman")
        sale_manager = ref("sales_team.group_sale_manager")
        cls.salesman_a = cls._create_user(
            "rp_salesman_a", [salesman, partner_manager], cls.company_a
        )
        cls.salesman_b = cls._create_user(
            "rp_salesman_b", [salesman, partner_manager], cls.company_b
        )
        cls.sale_manager = cls._create_user(
            "rp_sale_manager", [sale_manager, partner_manager], cls.company_a
        )
        cls.employee = cls._create_user(
            "rp_employee", [group_user, partner_manager], cls.company_a
        )

        cls.jansen = cls.Partner.create(
            {
                "name": "Bakkerij Jansen",
                "is_company": True,
                "company_id": cls.company_a.id,
            }
        )
        cls.piet = cls._create_contact("Piet Jansen", cls.jansen)
        cls.marie = cls._create_contact("Marie Jansen", cls.jansen)
        cls.deboer = cls.Partner.create(
            {
                "name": "Visserij De Boer",
                "is_company": True,
                "company_id": cls.company_b.id,
            }
        )
        cls.klaas = cls._create_contact("Klaas de Boer", cls.deboer)
        cls.anna = cls.Partner.create(
            {"name": "Anna Smit", "company_id": cls.company_a.id}
        )
        cls.jansen_family = cls.jansen | cls.piet | cls.marie
        cls.deboer_family = cls.deboer | cls.klaas
        cls.all_partners = cls.jansen_family | cls.deboer_family | cls.anna

    @classmethod
    def _create_user(cls, login, groups, company):
        return cls.env["res.users"].create(
            {
                "name": login.replace("_", " ").title(),
                "login": login,
                "email": login + "@example.com",
                "groups_id": [(6, 0, [group.id for group in groups])],
                "company_id": company.id,
                "company_ids": [(6, 0, [company.id])],
            }
        )

    @classmethod
    def _create_contact(cls, name, company):
        return cls.Partner.create(
            {
                "name": name,
                "parent_id": company.id,
                "company_id": company.company_id.id,
            }
        )

    def _profile(self, partner):
        """The relation profile of a partner as comparable plain values."""
        partner.invalidate_cache()
        return {
            "service_preference_ids": set(partner.service_preference_ids.ids),
            "preferred_service_preference_id": (
                partner.preferred_service_preference_id.id
            ),
            "relation_motive_ids": set(partner.relation_motive_ids.ids),
            "relation_motive_note": partner.relation_motive_note,
            "relation_qualification": partner.relation_qualification,
            "relation_qualification_reason": partner.relation_qualification_reason,
            "relation_qualification_user_id": (
                partner.relation_qualification_user_id.id
            ),
            "relation_qualification_date": partner.relation_qualification_date,
        }

    def _set_jansen_profile(self):
        """Give Bakkerij Jansen a complete profile, as its salesman."""
        self.jansen.sudo(self.salesman_a).write(
            {
                "service_preference_ids": [(6, 0, [self.phone.id, self.email.id])],
                "preferred_service_preference_id": self.phone.id,
                "relation_motive_ids": [(6, 0, [self.price.id])],
                "relation_motive_note": "Cheapest flour in town.",
                "relation_qualification": "prospect",
            }
        )


class TestConfigurationLists(RelationProfileCase):
    def test_shipped_service_preferences_have_their_activity_types(self):
        for xmlid, activity_xmlid in SERVICE_PREFERENCE_ACTIVITY_TYPES.items():
            preference = self.env.ref("relation_pyramid." + xmlid)
            self.assertEqual(preference._name, "relation.service.preference")
            self.assertTrue(preference.active, xmlid)
            self.assertTrue(preference.name.strip(), xmlid)
            self.assertEqual(
                preference.activity_type_id, self.env.ref(activity_xmlid), xmlid
            )

    def test_seven_service_preferences_and_eight_motives_are_shipped(self):
        data = self.env["ir.model.data"]
        shipped_preferences = data.search(
            [
                ("module", "=", "relation_pyramid"),
                ("model", "=", "relation.service.preference"),
            ]
        )
        shipped_motives = data.search(
            [("module", "=", "relation_pyramid"), ("model", "=", "relation.motive")]
        )
        self.assertEqual(
            set(shipped_preferences.mapped("name")),
            set(SERVICE_PREFERENCE_ACTIVITY_TYPES),
        )
        self.assertEqual(set(shipped_motives.mapped("name")), set(RELATION_MOTIVES))
        self.assertEqual(self.Preference.search_count([]), 7)
        self.assertEqual(self.Motive.search_count([]), 8)

    def test_shipped_motives_exist(self):
        for xmlid in RELATION_MOTIVES:
            motive = self.env.ref("relation_pyramid." + xmlid)
            self.assertEqual(motive._name, "relation.motive")
            self.assertTrue(motive.active, xmlid)
            self.assertTrue(motive.name.strip(), xmlid)
        self.assertEqual(self.price.name, "Low price")

    def test_lists_are_ordered_by_sequence(self):
        self.assertEqual(self.Preference.search([], limit=1), self.phone)
        self.assertEqual(
            self.Motive.search([], limit=1),
            self.env.ref("relation_pyramid.relation_motive_brand"),
        )

    def test_empty_service_preference_name_refused(self):
        for name in ("", "   ", " \t\n "):
            with self.assertRaises(ValidationError), self.env.cr.savepoint():
                self.Preference.create({"name": name})

    def test_empty_motive_name_refused(self):
        for name in ("", "   ", " \t\n "):
            with self.assertRaises(ValidationError), self.env.cr.savepoint():
                self.Motive.create({"name": name})

    def test_renaming_list_entries_to_spaces_refused(self):
        for record in (self.phone, self.price):
            with self.assertRaises(ValidationError), self.env.cr.savepoint():
                record.write({"name": "  "})
            record.invalidate_cache()
            self.assertTrue(record.name.strip())

    def test_employee_reads_lists(self):
        preferences = self.Preference.sudo(self.employee).search([])
        motives = self.Motive.sudo(self.employee).search([])
        self.assertIn(self.phone, preferences.sudo())
        self.assertIn(self.price, motives.sudo())
        self.assertEqual(
            preferences.read(["name", "activity_type_id"])[0]["activity_type_id"][0],
            self.env.ref("mail.mail_activity_data_call").id,
        )

    def test_salesman_cannot_create_motive(self):
        with self.assertRaises(AccessError):
            self.Motive.sudo(self.salesman_a).create({"name": "Friendly staff"})

    def test_salesman_cannot_create_service_preference(self):
        with self.assertRaises(AccessError):
            self.Preference.sudo(self.salesman_a).create({"name": "Fax"})

    def test_salesman_cannot_change_or_delete_list_entries(self):
        for record in (self.phone, self.price):
            with self.assertRaises(AccessError):
                record.sudo(self.salesman_a).write({"name": "Renamed"})
            with self.assertRaises(AccessError):
                record.sudo(self.salesman_a).unlink()

    def test_employee_cannot_create_list_entries(self):
        with self.assertRaises(AccessError):
            self.Motive.sudo(self.employee).create({"name": "Friendly staff"})
        with self.assertRaises(AccessError):
            self.Preference.sudo(self.employee).create({"name": "Fax"})

    def test_sale_manager_maintains_lists(self):
        Motive = self.Motive.sudo(self.sale_manager)
        Preference = self.Preference.sudo(self.sale_manager)
        motive = Motive.create({"name": "Friendly staff", "sequence": 90})
        preference = Preference.create(
            {
                "name": "Fax",
                "activity_type_id": self.env.ref("mail.mail_activity_data_todo").id,
            }
        )
        motive.write({"description": "They like our people."})
        preference.write({"active": False})
        self.assertFalse(preference.active)
        self.assertEqual(motive.description, "They like our people.")
        motive.unlink()
        preference.unlink()
        self.assertFalse(motive.exists())
        self.assertFalse(preference.exists())

    def test_lists_are_shared_between_companies(self):
        preferences = self.Preference.sudo(self.salesman_b).search([])
        self.assertEqual(len(preferences), 7)
        self.assertEqual(len(self.Motive.sudo(self.salesman_b).search([])), 8)


class TestPartnerProfile(RelationProfileCase):
    def test_salesman_sets_profile_on_company(self):
        self._set_jansen_profile()
        profile = self._profile(self.jansen)
        self.assertEqual(
            profile["service_preference_ids"], {self.phone.id, self.email.id}
        )
        self.assertEqual(profile["preferred_service_preference_id"], self.phone.id)
        self.assertEqual(profile["relation_motive_ids"], {self.price.id})
        self.assertEqual(profile["relation_motive_note"], "Cheapest flour in town.")
        self.assertEqual(profile["relation_qualification"], "prospect")

    def test_preferred_service_not_among_preferences_refused(self):
        self._set_jansen_profile()
        before = self._profile(self.jansen)
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            self.jansen.sudo(self.salesman_a).write(
                {"preferred_service_preference_id": self.visit.id}
            )
        self.assertEqual(self._profile(self.jansen), before)
        self.assertEqual(self._profile(self.piet), before)

    def test_removing_the_preferred_service_from_preferences_refused(self):
        self._set_jansen_profile()
        before = self._profile(self.jansen)
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            self.jansen.sudo(self.salesman_a).write(
                {"service_preference_ids": [(3, self.phone.id)]}
            )
        self.assertEqual(self._profile(self.jansen), before)

    def test_preferred_service_not_among_preferences_refused_on_create(self):
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            self.Partner.sudo(self.salesman_a).create(
                {
                    "name": "Slagerij Bos",
                    "service_preference_ids": [(6, 0, [self.email.id])],
                    "preferred_service_preference_id": self.phone.id,
                }
            )
        self.assertFalse(self.Partner.search([("name", "=", "Slagerij Bos")]))

    def test_unknown_qualification_refused_with_value_in_message(self):
        self._set_jansen_profile()
        before = self._profile(self.jansen)
        # No savepoint: the refusal must come before anything is written.
        with self.assertRaises(ValidationError) as caught:
            self.piet.sudo(self.salesman_a).write(
                {"relation_qualification": "customer", "phone": "+31 20 123 4567"}
            )
        message = caught.exception.name
        self.assertIn("customer", message)
        for key in ("prospect", "suspect", "other"):
            self.assertIn(key, message)
        self.assertEqual(self._profile(self.jansen), before)
        self.assertEqual(self._profile(self.piet), before)
        self.assertFalse(self.piet.phone)

    def test_unknown_qualification_refused_on_create(self):
        with self.assertRaises(ValidationError) as caught:
            self.Partner.sudo(self.salesman_a).create(
                {"name": "Slagerij Bos", "relation_qualification": "lead"}
            )
        self.assertIn("'lead'", caught.exception.name)
        self.assertFalse(self.Partner.search([("name", "=", "Slagerij Bos")]))

    def test_qualification_other_requires_reason(self):
        for reason in (False, "", "   "):
            with self.assertRaises(ValidationError), self.env.cr.savepoint():
                self.jansen.sudo(self.salesman_a).write(
                    {
                        "relation_qualification": "other",
                        "relation_qualification_reason": reason,
                    }
                )
        self.assertFalse(self._profile(self.jansen)["relation_qualification"])

    def test_qualification_other_with_reason_accepted(self):
        self.piet.sudo(self.salesman_a).write(
            {
                "relation_qualification": "other",
                "relation_qualification_reason": "Bakes its own bread.",
            }
        )
        for partner in self.jansen_family:
            self.assertEqual(partner.relation_qualification, "other")
            self.assertEqual(
                partner.relation_qualification_reason, "Bakes its own bread."
            )

    def test_qualification_prospect_and_suspect_need_no_reason(self):
        for qualification in ("prospect", "suspect"):
            self.jansen.sudo(self.salesman_a).write(
                {"relation_qualification": qualification}
            )
            self.assertEqual(self.jansen.relation_qualification, qualification)

    def test_qualification_stamps_user_and_date(self):
        before = fields.Datetime.now()
        self.piet.sudo(self.salesman_a).write({"relation_qualification": "suspect"})
        after = fields.Datetime.now()
        for partner in self.jansen_family:
            self.assertEqual(partner.relation_qualification_user_id, self.salesman_a)
            self.assertTrue(
                before <= partner.relation_qualification_date <= after,
                partner.relation_qualification_date,
            )

    def test_requalification_stamps_the_new_user(self):
        self.jansen.sudo(self.salesman_a).write({"relation_qualification": "suspect"})
        self.jansen.sudo(self.sale_manager).write(
            {"relation_qualification": "prospect"}
        )
        self.assertEqual(self.jansen.relation_qualification_user_id, self.sale_manager)
        self.assertEqual(self.marie.relation_qualification_user_id, self.sale_manager)

    def test_qualification_stamped_on_create(self):
        before = fields.Datetime.now()
        partner = self.Partner.sudo(self.salesman_a).create(
            {"name": "Slagerij Bos", "relation_qualification": "prospect"}
        )
        self.assertEqual(partner.relation_qualification_user_id, self.salesman_a)
        self.assertTrue(before <= partner.relation_qualification_date)

    def test_clearing_qualification_clears_stamp(self):
        self.piet.sudo(self.salesman_a).write({"relation_qualification": "prospect"})
        self.marie.sudo(self.salesman_a).write({"relation_qualification": False})
        for partner in self.jansen_family:
            profile = self._profile(partner)
            self.assertFalse(profile["relation_qualification"])
            self.assertFalse(profile["relation_qualification_user_id"])
            self.assertFalse(profile["relation_qualification_date"])

    def test_other_fields_do_not_touch_stamp(self):
        self.jansen.sudo(self.salesman_a).write({"relation_qualification": "prospect"})
        self.jansen.sudo(self.sale_manager).write(
            {"relation_motive_ids": [(4, self.quality.id)]}
        )
        self.assertEqual(self.jansen.relation_qualification_user_id, self.salesman_a)

    def test_onchange_preferred_service_adds_it_to_preferences(self):
        partner = self.Partner.new(
            {
                "name": "Slagerij Bos",
                "service_preference_ids": [(6, 0, [self.email.id])],
                "preferred_service_preference_id": self.phone.id,
            }
        )
        partner._onchange_preferred_service_preference_id()
        self.assertEqual(partner.service_preference_ids, self.email | self.phone)

    def test_onchange_preferred_service_on_empty_preferences(self):
        partner = self.Partner.new({"preferred_service_preference_id": self.shop.id})
        partner._onchange_preferred_service_preference_id()
        self.assertEqual(partner.service_preference_ids, self.shop)

    def test_onchange_through_client_onchange_call(self):
        """The web client's call: the values it gets back include the
        preferred service among the preferences."""
        partner = self.jansen.sudo(self.salesman_a)
        result = partner.onchange(
            {
                "name": "Bakkerij Jansen",
                "service_preference_ids": [(6, 0, [self.email.id])],
                "preferred_service_preference_id": self.phone.id,
            },
            "preferred_service_preference_id",
            {
                "name": "",
                "service_preference_ids": "1",
                "preferred_service_preference_id": "1",
            },
        )
        new_value = self.Partner.new(
            {"service_preference_ids": result["value"]["service_preference_ids"]}
        )
        self.assertEqual(new_value.service_preference_ids, self.email | self.phone)


class TestCommercialPartnerProfile(RelationProfileCase):
    def test_editing_on_contact_changes_company_and_other_contacts(self):
        self.piet.sudo(self.salesman_a).write(
            {
                "service_preference_ids": [(6, 0, [self.visit.id, self.email.id])],
                "preferred_service_preference_id": self.visit.id,
                "relation_motive_ids": [(6, 0, [self.personal.id])],
                "relation_motive_note": "The owner's son works with us.",
                "relation_qualification": "prospect",
            }
        )
        expected = self._profile(self.jansen)
        self.assertEqual(
            expected["service_preference_ids"], {self.visit.id, self.email.id}
        )
        self.assertEqual(expected["preferred_service_preference_id"], self.visit.id)
        self.assertEqual(expected["relation_motive_ids"], {self.personal.id})
        self.assertEqual(expected["relation_qualification"], "prospect")
        self.assertEqual(expected["relation_qualification_user_id"], self.salesman_a.id)
        self.assertEqual(self._profile(self.piet), expected)
        self.assertEqual(self._profile(self.marie), expected)

    def test_editing_on_company_changes_all_contacts(self):
        self._set_jansen_profile()
        expected = self._profile(self.jansen)
        self.assertEqual(self._profile(self.piet), expected)
        self.assertEqual(self._profile(self.marie), expected)

    def test_editing_one_company_leaves_other_company_alone(self):
        before = self._profile(self.klaas)
        self._set_jansen_profile()
        self.assertEqual(self._profile(self.deboer), before)
        self.assertEqual(self._profile(self.klaas), before)
        self.assertFalse(self._profile(self.anna)["relation_qualification"])

    def test_other_fields_stay_on_the_contact(self):
        self.piet.sudo(self.salesman_a).write(
            {"phone": "+31 20 123 4567", "relation_qualification": "suspect"}
        )
        self.assertEqual(self.piet.phone, "+31 20 123 4567")
        self.assertFalse(self.jansen.phone)
        self.assertFalse(self.marie.phone)
        self.assertEqual(self.jansen.relation_qualification, "suspect")
        self.assertEqual(self.marie.relation_qualification, "suspect")

    def test_profile_fields_are_commercial_fields(self):
        commercial = self.Partner._commercial_fields()
        for name in (
            "service_preference_ids",
            "preferred_service_preference_id",
            "relation_motive_ids",
            "relation_motive_note",
            "relation_qualification",
            "relation_qualification_reason",
            "relation_qualification_user_id",
            "relation_qualification_date",
        ):
            self.assertIn(name, commercial)

    def test_contact_created_later_inherits_company_profile(self):
        self._set_jansen_profile()
        expected = self._profile(self.jansen)
        joost = self.Partner.sudo(self.salesman_a).create(
            {"name": "Joost Jansen", "parent_id": self.jansen.id}
        )
        self.assertEqual(self._profile(joost), expected)

    def test_contact_created_by_employee_inherits_company_profile(self):
        self._set_jansen_profile()
        expected = self._profile(self.jansen)
        joost = self.Partner.sudo(self.employee).create(
            {"name": "Joost Jansen", "parent_id": self.jansen.id}
        )
        self.assertEqual(self._profile(joost), expected)

    def test_contact_moved_to_other_company_takes_its_profile(self):
        self._set_jansen_profile()
        self.deboer.sudo(self.salesman_b).write(
            {
                "service_preference_ids": [(6, 0, [self.shop.id])],
                "relation_qualification": "suspect",
            }
        )
        self.marie.sudo(self.employee).write({"parent_id": self.deboer.id})
        self.assertEqual(self._profile(self.marie), self._profile(self.deboer))
        self.assertEqual(self.marie.relation_qualification, "suspect")
        self.assertEqual(self.jansen.relation_qualification, "prospect")

    def test_salesman_of_second_company_qualifies_its_customer(self):
        self.klaas.sudo(self.salesman_b).write(
            {
                "service_preference_ids": [(6, 0, [self.shop.id])],
                "preferred_service_preference_id": self.shop.id,
                "relation_qualification": "suspect",
            }
        )
        for partner in self.deboer_family:
            self.assertEqual(partner.relation_qualification, "suspect")
            self.assertEqual(partner.preferred_service_preference_id, self.shop)
            self.assertEqual(partner.relation_qualification_user_id, self.salesman_b)
        self.assertFalse(self.jansen.relation_qualification)

    def test_external_client_write_with_raw_values(self):
        """write() as XML-RPC/JSON-RPC dispatches it: ids and plain lists."""
        api.call_kw(
            self.env["res.partner"].sudo(self.salesman_a),
            "write",
            [
                [self.marie.id],
                {
                    "service_preference_ids": [[6, 0, [self.phone.id, self.shop.id]]],
                    "preferred_service_preference_id": self.shop.id,
                    "relation_motive_ids": [
                        [6, 0, [self.price.id, self.quality.id]]
                    ],
                    "relation_qualification": "prospect",
                },
            ],
            {"context": {"lang": "en_US", "tz": "Europe/Amsterdam"}},
        )
        rows = api.call_kw(
            self.env["res.partner"].sudo(self.salesman_a),
            "read",
            [
                self.jansen_family.ids,
                [
                    "service_preference_ids",
                    "preferred_service_preference_id",
                    "relation_motive_ids",
                    "relation_qualification",
                    "relation_qualification_user_id",
                ],
            ],
            {},
        )
        self.assertEqual(len(rows), 3)
        for row in rows:
            self.assertEqual(
                sorted(row["service_preference_ids"]),
                sorted([self.phone.id, self.shop.id]),
            )
            self.assertEqual(row["preferred_service_preference_id"][0], self.shop.id)
            self.assertEqual(
                sorted(row["relation_motive_ids"]),
                sorted([self.price.id, self.quality.id]),
            )
            self.assertEqual(row["relation_qualification"], "prospect")
            self.assertEqual(
                row["relation_qualification_user_id"][0], self.salesman_a.id
            )

    def test_write_keeps_the_callers_values(self):
        """write() leaves the caller's dict as it was, so the same values
        written in a loop reach every partner."""
        vals = {"relation_qualification": "suspect"}
        for partner in (self.anna, self.deboer):
            partner.sudo(self.salesman_a).write(vals)
        self.assertEqual(vals, {"relation_qualification": "suspect"})
        self.assertEqual(self.deboer.relation_qualification, "suspect")

    def test_external_client_unknown_qualification_refused(self):
        with self.assertRaises(ValidationError) as caught:
            api.call_kw(
                self.env["res.partner"].sudo(self.salesman_a),
                "write",
                [[self.piet.id], {"relation_qualification": "Prospect"}],
                {},
            )
        self.assertIn("'Prospect'", caught.exception.name)
        self.assertFalse(self._profile(self.jansen)["relation_qualification"])


class TestProfileAccess(RelationProfileCase):
    def test_employee_can_write_other_partner_fields(self):
        self.piet.sudo(self.employee).write({"phone": "+31 20 123 4567"})
        self.assertEqual(self.piet.phone, "+31 20 123 4567")

    def test_employee_cannot_write_profile_fields(self):
        self._set_jansen_profile()
        before = self._profile(self.jansen)
        for vals in (
            {"relation_qualification": "suspect"},
            {"service_preference_ids": [(4, self.shop.id)]},
            {"preferred_service_preference_id": self.email.id},
            {"relation_motive_ids": [(5,)]},
            {"relation_motive_note": "Changed."},
            {
                "relation_qualification": "other",
                "relation_qualification_reason": "Not a baker.",
            },
        ):
            for partner in (self.jansen, self.piet):
                with self.assertRaises(AccessError):
                    partner.sudo(self.employee).write(vals)
        self.assertEqual(self._profile(self.jansen), before)
        self.assertEqual(self._profile(self.marie), before)

    def test_employee_write_mixed_values_writes_nothing(self):
        with self.assertRaises(AccessError):
            self.piet.sudo(self.employee).write(
                {"phone": "+31 20 123 4567", "relation_qualification": "suspect"}
            )
        self.piet.invalidate_cache()
        self.assertFalse(self.piet.phone)
        self.assertFalse(self.jansen.relation_qualification)

    def test_employee_cannot_create_partner_with_profile(self):
        with self.assertRaises(AccessError):
            self.Partner.sudo(self.employee).create(
                {"name": "Slagerij Bos", "relation_qualification": "prospect"}
            )
        self.assertFalse(self.Partner.search([("name", "=", "Slagerij Bos")]))

    def test_salesman_can_write_profile_fields(self):
        self.piet.sudo(self.salesman_a).write(
            {"relation_motive_ids": [(4, self.quality.id)]}
        )
        self.assertEqual(self.marie.relation_motive_ids, self.quality)

    def test_sale_manager_can_write_profile_fields(self):
        self.jansen.sudo(self.sale_manager).write(
            {"relation_motive_note": "Loyal since 1990."}
        )
        self.assertEqual(self.piet.relation_motive_note, "Loyal since 1990.")

    def test_superuser_can_write_profile_fields(self):
        self.jansen.write({"relation_qualification": "suspect"})
        self.assertEqual(self.jansen.relation_qualification, "suspect")
        self.assertEqual(self.jansen.relation_qualification_user_id.id, self.env.uid)

    def test_everyone_reads_the_profile(self):
        self._set_jansen_profile()
        row = self.marie.sudo(self.employee).read(
            ["relation_qualification", "preferred_service_preference_id"]
        )[0]
        self.assertEqual(row["relation_qualification"], "prospect")
        self.assertEqual(row["preferred_service_preference_id"][0], self.phone.id)

    def test_sync_context_key_does_not_bypass_access(self):
        """An external client sending the internal sync context key still
        cannot write the profile of a contact without being a sales user (and
        without the write being moved to the company)."""
        with self.assertRaises(AccessError):
            api.call_kw(
                self.env["res.partner"].sudo(self.employee),
                "write",
                [[self.piet.id], {"relation_qualification": "prospect"}],
                {"context": {"relation_profile_sync": True}},
            )

    def test_employee_creates_partner_with_empty_profile_values(self):
        """The web client's create sends every field of the form, the
        profile fields empty; a non-sales user may create such a partner."""
        partner = self.Partner.sudo(self.employee).create(
            {
                "name": "Slagerij Bos",
                "service_preference_ids": [(6, 0, [])],
                "preferred_service_preference_id": False,
                "relation_motive_ids": [(6, 0, [])],
                "relation_motive_note": False,
                "relation_qualification": False,
                "relation_qualification_reason": False,
            }
        )
        self.assertEqual(partner.name, "Slagerij Bos")

    def test_employee_duplicates_partner(self):
        """copy() does not copy the profile, so a non-sales user may
        duplicate a partner."""
        copy = self.anna.sudo(self.employee).copy()
        self.assertEqual(copy.name, "Anna Smit (copy)")


class TestProfileSearchAndGrouping(RelationProfileCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.jansen.sudo(cls.salesman_a).write(
            {
                "service_preference_ids": [(6, 0, [cls.phone.id, cls.email.id])],
                "preferred_service_preference_id": cls.phone.id,
                "relation_motive_ids": [(6, 0, [cls.price.id])],
                "relation_qualification": "prospect",
            }
        )
        cls.deboer.sudo(cls.salesman_b).write(
            {
                "service_preference_ids": [(6, 0, [cls.email.id, cls.shop.id])],
                "preferred_service_preference_id": cls.shop.id,
                "relation_motive_ids": [(6, 0, [cls.quality.id])],
                "relation_qualification": "suspect",
            }
        )

    def _search(self, domain):
        return self.Partner.search([("id", "in", self.all_partners.ids)] + domain)

    def _group_counts(self, groupby):
        groups = self.Partner.read_group(
            [("id", "in", self.all_partners.ids)], [groupby], [groupby]
        )
        counts = {}
        for group in groups:
            value = group[groupby]
            key = value[0] if isinstance(value, (list, tuple)) else value
            counts[key] = group[groupby + "_count"]
        return counts

    def test_filter_prospects(self):
        self.assertEqual(
            self._search([("relation_qualification", "=", "prospect")]),
            self.jansen_family,
        )

    def test_filter_suspects(self):
        self.assertEqual(
            self._search([("relation_qualification", "=", "suspect")]),
            self.deboer_family,
        )

    def test_filter_never_interested(self):
        self.assertFalse(self._search([("relation_qualification", "=", "other")]))
        self.anna.write(
            {
                "relation_qualification": "other",
                "relation_qualification_reason": "Moved abroad.",
            }
        )
        self.assertEqual(
            self._search([("relation_qualification", "=", "other")]), self.anna
        )

    def test_search_by_service_preference(self):
        self.assertEqual(
            self._search([("service_preference_ids", "in", [self.phone.id])]),
            self.jansen_family,
        )
        self.assertEqual(
            self._search([("service_preference_ids", "in", [self.email.id])]),
            self.jansen_family | self.deboer_family,
        )
        self.assertFalse(
            self._search([("service_preference_ids", "in", [self.visit.id])])
        )

    def test_search_by_service_preference_name(self):
        self.assertEqual(
            self._search([("service_preference_ids", "ilike", "in the shop")]),
            self.deboer_family,
        )

    def test_search_by_relation_motive(self):
        self.assertEqual(
            self._search([("relation_motive_ids", "in", [self.quality.id])]),
            self.deboer_family,
        )

    def test_group_by_qualification(self):
        self.assertEqual(
            self._group_counts("relation_qualification"),
            {"prospect": 3, "suspect": 2, False: 1},
        )

    def test_group_by_preferred_service(self):
        self.assertEqual(
            self._group_counts("preferred_service_preference_id"),
            {self.phone.id: 3, self.shop.id: 2, False: 1},
        )

    def test_search_view_has_relation_filters(self):
        arch = self.Partner.fields_view_get(view_type="search")["arch"]
        for name in (
            "qualification_prospect",
            "qualification_suspect",
            "qualification_other",
            "group_relation_qualification",
            "group_preferred_service",
        ):
            self.assertIn('name="%s"' % name, arch)
