"""Relation plans and the last / next contact of each customer (issue 18,
items 4-5), worked out by hand. Levels by fixed thresholds (top >= 1000,
big >= 500, medium >= 100, small below) at R = 2026-06-30 (period
2025-07-01 .. 2026-06-30); plans: top 30, big 60, medium 90, small 180,
prospect 90, win-back 60 days. Dates that follow a contact made during the
test are counted from the company's today, never from a fixed "now"."""
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, ValidationError

from .pyramid_common import IN_PERIOD, IN_PREVIOUS, REFERENCE, PyramidCase


class PlanCase(PyramidCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.profile.write(
            {
                "level_mode": "threshold",
                "top_min_revenue": 1000,
                "big_min_revenue": 500,
                "medium_min_revenue": 100,
            }
        )
        users = cls.env["res.users"].with_context(no_reset_password=True)

        def user(login, group):
            return users.create(
                {
                    "name": login.title(),
                    "login": login,
                    "email": "%s@example.com" % login,
                    "company_id": cls.company.id,
                    "company_ids": [(6, 0, [cls.company.id])],
                    "groups_id": [(6, 0, [cls.env.ref(group).id])],
                }
            )

        cls.seller = user("plan_seller", "sales_team.group_sale_salesman")
        cls.manager = user("plan_manager", "sales_team.group_sale_manager")

    def _row(self, partner, company=None):
        return (
            self.env["relation.pyramid.line"]
            .sudo()
            .search(
                [
                    ("company_id", "=", (company or self.company).id),
                    ("partner_id", "=", partner.id),
                ]
            )
        )

    def _dates(self, partner):
        row = self._row(partner)
        return row.last_contact_date, row.next_contact_date, row.contact_due

    def _today(self):
        return self.profile._reference_date()

    @staticmethod
    def _day(day):
        return fields.Date.to_string(day)


class TestRelationPlans(PlanCase):
    def test_every_company_gets_the_default_plans(self):
        company = self.env["res.company"].create({"name": "Plans Inc"})
        profile = self.env["relation.pyramid.profile"]._ensure_profiles().filtered(
            lambda p: p.company_id == company
        )
        self.assertEqual(
            {plan.level: plan.interval_days for plan in profile.plan_ids},
            {
                "top": 30,
                "big": 60,
                "medium": 90,
                "small": 180,
                "prospect": 90,
                "win_back": 60,
            },
        )

    def test_existing_profiles_get_missing_plans_on_update(self):
        self.profile.plan_ids.filtered(lambda p: p.level == "big").unlink()
        self.assertNotIn("big", self.profile.plan_ids.mapped("level"))
        # what data/relation_pyramid_plan_data.xml runs on every update
        self.env["relation.pyramid.profile"]._ensure_all_plans()
        self.profile.invalidate_cache()
        big = self.profile.plan_ids.filtered(lambda p: p.level == "big")
        self.assertEqual(big.interval_days, 60)
        self.assertEqual(len(self.profile.plan_ids), 6)

    def test_a_salesperson_reads_but_cannot_edit_plans(self):
        plan = self.profile.plan_ids[:1]
        self.assertTrue(plan.sudo(self.seller).interval_days)
        with self.assertRaises(AccessError):
            plan.sudo(self.seller).write({"interval_days": 7})
        with self.assertRaises(AccessError):
            self.env["relation.pyramid.plan"].sudo(self.seller).create(
                {"profile_id": self.profile.id, "level": "top", "interval_days": 7}
            )
        plan.sudo(self.manager).write({"interval_days": 7})
        self.assertEqual(plan.interval_days, 7)

    def test_interval_must_be_positive(self):
        with self.assertRaises(ValidationError):
            self.profile.plan_ids[:1].write({"interval_days": 0})
        with self.assertRaises(ValidationError):
            self._customer("Negative", relation_contact_interval_days=-5)
        later = self._today() + timedelta(days=2)
        with self.assertRaises(ValidationError):
            self._customer("Future", relation_last_contact_manual=self._day(later))

    def test_next_contact_follows_the_level_and_the_last_order(self):
        top = self._customer("Top")
        big = self._customer("Big")
        medium = self._customer("Medium")
        small = self._customer("Small")
        for partner, amount in ((top, 1000), (big, 500), (medium, 100), (small, 50)):
            self._order(partner, amount, IN_PERIOD)
        self._recompute()
        # last order 2026-03-15:
        # top + 30 = 2026-04-14; big + 60 = 2026-05-14 (16 + 30 + 14);
        # medium + 90 = 2026-06-13 (16 + 30 + 31 + 13);
        # small + 180 = 2026-09-11 (16 + 30 + 31 + 30 + 31 + 31 + 11).
        # All before today (R is in the past, today later than 2026-12-01).
        self.assertEqual(self._dates(top), ("2026-03-15", "2026-04-14", True))
        self.assertEqual(self._dates(big), ("2026-03-15", "2026-05-14", True))
        self.assertEqual(self._dates(medium), ("2026-03-15", "2026-06-13", True))
        self.assertEqual(self._dates(small), ("2026-03-15", "2026-09-11", True))
        self.assertEqual(
            [self._row(p).level for p in (top, big, medium, small)],
            ["top", "big", "medium", "small"],
        )

    def test_own_interval_overrides_the_levels(self):
        small = self._customer("Own pace")
        self._order(small, 50, IN_PERIOD)
        self._recompute()
        self.assertEqual(self._row(small).next_contact_date, "2026-09-11")
        # 2026-03-15 + 14 = 2026-03-29, at once, set by the salesperson
        small.sudo(self.seller).write({"relation_contact_interval_days": 14})
        self.assertEqual(self._row(small).next_contact_date, "2026-03-29")
        # kept by the next recompute
        self._recompute()
        self.assertEqual(self._row(small).next_contact_date, "2026-03-29")
        # 0: the level's again
        small.sudo(self.seller).write({"relation_contact_interval_days": 0})
        self.assertEqual(self._row(small).next_contact_date, "2026-09-11")

    def test_changed_plan_interval_applies_at_the_next_recompute(self):
        top = self._customer("Top")
        self._order(top, 1000, IN_PERIOD)
        self.profile.plan_ids.filtered(lambda p: p.level == "top").interval_days = 10
        self._recompute()
        # 2026-03-15 + 10
        self.assertEqual(self._row(top).next_contact_date, "2026-03-25")

    def test_manual_date_counts_when_it_is_the_latest(self):
        medium = self._customer("Visited")
        self._order(medium, 100, IN_PERIOD)
        self._recompute()
        # a visit on 2026-05-01 set by the salesperson (on a contact of the
        # company: it is the company's date): 2026-05-01 + 90 = 2026-07-30
        contact = self._customer(
            "Visited person", is_company=False, parent_id=medium.id
        )
        contact.sudo(self.seller).write({"relation_last_contact_manual": "2026-05-01"})
        self.assertEqual(medium.relation_last_contact_manual, "2026-05-01")
        self.assertEqual(self._dates(medium)[:2], ("2026-05-01", "2026-07-30"))
        # an earlier manual date does not hide the later order
        medium.sudo(self.seller).write({"relation_last_contact_manual": "2026-01-01"})
        self.assertEqual(self._dates(medium)[:2], ("2026-03-15", "2026-06-13"))

    def test_a_salespersons_note_moves_the_last_contact_at_once(self):
        customer = self._customer("Noted", user_id=self.seller.id)
        contact = self._customer(
            "Noted person", is_company=False, parent_id=customer.id
        )
        self._order(customer, 1000, IN_PERIOD)
        self._recompute()
        self.assertEqual(self._dates(customer)[:2], ("2026-03-15", "2026-04-14"))
        # a tracking-like notification is no contact
        customer.sudo(self.seller).message_post(
            body="Automatic notice", message_type="notification"
        )
        self.assertEqual(self._row(customer).last_contact_date, "2026-03-15")
        # a note logged by the salesperson on a contact person is
        today = self._today()
        contact.sudo(self.seller).message_post(
            body="Called, all fine", message_type="comment", subtype="mail.mt_note"
        )
        self.assertEqual(
            self._dates(customer),
            (self._day(today), self._day(today + timedelta(days=30)), False),
        )
        # the salesperson still cannot write the rows themselves
        with self.assertRaises(AccessError):
            self._row(customer).sudo(self.seller).write({"contact_due": True})

    def test_messages_made_before_count_after_the_update(self):
        customer = self._customer("Old chatter")
        contact = self._customer(
            "Old chatter person", is_company=False, parent_id=customer.id
        )
        self._order(customer, 1000, IN_PERIOD)
        # notes written before the addon was installed (straight into the
        # table, as a merge or an import leaves them): not seen yet
        for day, kind in (("2026-05-02 09:00:00", "comment"),
                          ("2026-05-20 09:00:00", "notification")):
            self.env.cr.execute(
                "INSERT INTO mail_message (model, res_id, message_type, date) "
                "VALUES ('res.partner', %s, %s, %s)",
                (contact.id, kind, day),
            )
        self._recompute()
        self.assertEqual(self._dates(customer)[:2], ("2026-03-15", "2026-04-14"))
        # what data/relation_pyramid_plan_data.xml runs on install and update:
        # the note of 2026-05-02 (not the notification) + 30 = 2026-06-01
        self.env["res.partner"]._init_relation_last_message_dates()
        self._recompute()
        self.assertEqual(self._dates(customer)[:2], ("2026-05-02", "2026-06-01"))

    def test_an_email_counts_as_a_contact(self):
        customer = self._customer("Mailed")
        self._order(customer, 500, IN_PERIOD)
        self._recompute()
        customer.message_post(body="Offer attached", message_type="email")
        today = self._today()
        # big: today + 60
        self.assertEqual(
            self._dates(customer)[:2],
            (self._day(today), self._day(today + timedelta(days=60))),
        )

    def test_prospect_never_contacted_is_due_from_the_day_they_entered(self):
        prospect = self._customer("Brochure", relation_qualification="prospect")
        self._recompute()
        row = self._row(prospect)
        # first seen as a prospect at R (no earlier snapshot): due from R
        self.assertEqual(row.level, "prospect")
        self.assertEqual(row.level_since, REFERENCE)
        self.assertEqual(self._dates(prospect), (False, REFERENCE, True))

    def test_no_plan_for_suspects_inactive_other_and_archived(self):
        suspect = self._customer("Target", relation_qualification="suspect")
        lapsed = self._customer("Lapsed small")
        self._order(lapsed, 50, IN_PREVIOUS)
        never = self._customer(
            "Never",
            relation_qualification="other",
            relation_qualification_reason="Competitor",
        )
        # qualified other, yet buying: still never planned
        self._order(never, 1000, IN_PERIOD)
        archived = self._customer("Gone")
        self._order(archived, 1000, IN_PERIOD)
        archived.active = False
        self._recompute()
        for partner in (suspect, lapsed, never, archived):
            row = self._row(partner)
            self.assertFalse(row.next_contact_date, partner.name)
            self.assertFalse(row.contact_due, partner.name)
        self.assertFalse(self._row(lapsed).win_back)
        # the last contact itself is known all the same
        self.assertEqual(self._row(never).last_contact_date, "2026-03-15")

    def test_newly_at_risk_is_due_that_day_then_the_interval_again(self):
        falling = self._customer("Falling")
        self._order(falling, 1000, IN_PREVIOUS)
        self._order(falling, 100, IN_PERIOD)
        falling.relation_last_contact_manual = "2026-06-01"
        self._recompute()
        row = self._row(falling)
        # revenue 1000 -> 100: -90 % <= -30 %: at risk since R; medium
        # (100 >= 100): 2026-06-01 + 90 = 2026-08-30, but at risk since
        # 2026-06-30 after the last contact: due on 2026-06-30
        self.assertTrue(row.risk)
        self.assertEqual(row.risk_since, REFERENCE)
        self.assertEqual(self._dates(falling), ("2026-06-01", REFERENCE, True))
        # contacted after the risk began: 2026-07-01 + 90 = 2026-09-29
        falling.sudo(self.seller).write({"relation_last_contact_manual": "2026-07-01"})
        self.assertEqual(self._dates(falling)[:2], ("2026-07-01", "2026-09-29"))

    def test_win_back_candidate_follows_the_win_back_plan(self):
        lost = self._customer("Lost top")
        self._order(lost, 5000, IN_PREVIOUS)
        # top at 2025-06-30 (5000 in its period), inactive at R
        self._recompute(reference="2025-06-30")
        self._recompute()
        row = self._row(lost)
        self.assertTrue(row.win_back)
        # last order 2025-01-15 + 60 (win-back plan) = 2025-03-16
        # (16 + 28 + 16)
        self.assertEqual(self._dates(lost), ("2025-01-15", "2025-03-16", True))

    def test_confirmed_order_moves_the_last_contact_at_once(self):
        customer = self._customer("Reorders")
        self._order(customer, 1000, IN_PERIOD)
        self._recompute()
        order = self._order(customer, 1000, IN_PERIOD, state="draft")
        order.action_confirm()
        today = self._today()
        # confirmed today: the row is refreshed at today, where the order
        # alone (1000, whether the one of 2026-03-15 still falls in today's
        # period or not) makes the customer top: + 30
        self.assertEqual(
            self._dates(customer),
            (self._day(today), self._day(today + timedelta(days=30)), False),
        )

    def test_partner_shows_its_companys_dates(self):
        customer = self._customer("Shown", user_id=self.seller.id)
        contact = self._customer(
            "Shown person", is_company=False, parent_id=customer.id
        )
        self._order(customer, 1000, IN_PERIOD)
        self._recompute()
        seen = contact.sudo(self.seller)
        self.assertEqual(seen.pyramid_last_contact_date, "2026-03-15")
        self.assertEqual(seen.pyramid_next_contact_date, "2026-04-14")
        self.assertTrue(seen.pyramid_contact_due)
        self.assertIn(
            customer,
            self.env["res.partner"].search([("pyramid_contact_due", "=", True)]),
        )
