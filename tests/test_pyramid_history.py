"""Recompute entry points, snapshots, backfill and idempotence."""
import logging
from datetime import date, timedelta

import psycopg2

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError

from .pyramid_common import IN_PERIOD, IN_PREVIOUS, REFERENCE, PyramidCase


class TestRecomputeAndSnapshots(PyramidCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Big bought in both years; Grower only this year; Faded only last year.
        cls.big = cls._customer("Big")
        cls._order(cls.big, 1000, IN_PERIOD)
        cls._order(cls.big, 200, IN_PREVIOUS)
        cls.grower = cls._customer("Grower")
        cls._order(cls.grower, 100, IN_PERIOD)
        cls.faded = cls._customer("Faded")
        cls._order(cls.faded, 5000, IN_PREVIOUS)

    def _snapshot(self, date):
        return self.env["relation.pyramid.snapshot"].search(
            [("company_id", "=", self.company.id), ("date", "=", date)]
        )

    def _snapshot_rows(self, date):
        """The snapshot's customers: the rows that hold at its date."""
        return self.env["relation.pyramid.snapshot.line"].search(
            [("snapshot_ids", "=", self._snapshot(date).id)]
        )

    def _snapshot_levels(self, date):
        return {line.partner_id.name: line.level for line in self._snapshot_rows(date)}

    def test_recompute_keeps_a_snapshot_of_its_date(self):
        self._recompute()
        self.assertEqual(
            self._snapshot_levels(REFERENCE),
            {"Big": "top", "Grower": "small", "Faded": "inactive"},
        )
        self.assertEqual(self.profile.last_reference_date, REFERENCE)

    def _row_versions(self, table):
        """Each row's physical address: an UPDATE, even one that changes
        nothing, writes a new row version at a new address."""
        self.env.cr.execute("SELECT id, ctid::text FROM %s ORDER BY id" % table)
        return self.env.cr.fetchall()

    def test_recompute_twice_is_idempotent(self):
        self._recompute()
        lines_before = self._lines().read(["partner_id", "level", "revenue", "rank"])
        versions_before = self._row_versions("relation_pyramid_line")
        snapshot_versions = self._row_versions("relation_pyramid_snapshot_line")
        snapshot_lines = self._snapshot(REFERENCE).line_ids
        snapshots = self.env["relation.pyramid.snapshot"].search([])
        counts = self.profile._recompute(self.profile._reference_date(REFERENCE))
        self.assertEqual(counts["written"], 0, "unchanged rows are not rewritten")
        self.assertEqual(counts["removed"], 0)
        self.assertEqual(
            self._lines().read(["partner_id", "level", "revenue", "rank"]),
            lines_before,
        )
        self.assertEqual(self._row_versions("relation_pyramid_line"), versions_before)
        self.assertEqual(
            self._row_versions("relation_pyramid_snapshot_line"), snapshot_versions
        )
        self.assertEqual(self._snapshot(REFERENCE).line_ids, snapshot_lines)
        self.assertEqual(self.env["relation.pyramid.snapshot"].search([]), snapshots)

    def test_recompute_same_date_replaces_the_snapshot(self):
        self._recompute()
        self._order(self.grower, 5000, IN_PERIOD)
        self._recompute()
        self.assertEqual(
            self._snapshot_levels(REFERENCE),
            {"Grower": "top", "Big": "small", "Faded": "inactive"},
        )

    def test_backfill_past_snapshots_leaves_current_levels(self):
        self._recompute()
        current = self._table()
        # At 2025-06-30 the period is 2024-07-01 .. 2025-06-30: Faded (5000)
        # top, Big (200) small; Grower had not bought yet.
        self.profile.action_backfill_snapshots(["2025-06-30", "2024-06-30"])
        self.assertEqual(
            self._snapshot_levels("2025-06-30"), {"Faded": "top", "Big": "small"}
        )
        self.assertEqual(self._snapshot_levels("2024-06-30"), {})
        self.assertEqual(self._table(), current)
        self.assertEqual(self.profile.last_reference_date, REFERENCE)

    def test_quarter_ends_before(self):
        days = self.profile._quarter_ends_before(
            self.profile._reference_date("2026-11-23"), 4
        )
        self.assertEqual(
            [str(day) for day in days],
            ["2025-12-31", "2026-03-31", "2026-06-30", "2026-09-30"],
        )

    def test_partner_level_history(self):
        self.profile.action_backfill_snapshots(["2025-06-30"])
        self._recompute()
        history = self.big.pyramid_snapshot_line_ids
        self.assertEqual(
            [(line.date, line.level) for line in history],
            [(REFERENCE, "top"), ("2025-06-30", "small")],
        )

    def test_lost_customer_leaves_the_pyramid_rows(self):
        self._recompute()
        self.assertIn("Grower", self._table())
        # Grower's only order cancelled: no order left, no row, at once.
        self.env["sale.order"].search(
            [("partner_id", "=", self.grower.id)]
        ).action_cancel()
        self.assertNotIn("Grower", self._table())
        counts = self.profile._recompute(self.profile._reference_date(REFERENCE))
        self.assertEqual(counts["removed"], 0)
        self.assertNotIn("Grower", self._table())

    def test_first_confirmed_order_makes_active_at_once(self):
        self._recompute()
        newcomer = self._customer("Newcomer")
        order = self._order(newcomer, 2000, "2026-06-01", state="draft")
        self.profile._refresh_customers(order)
        self.assertEqual(newcomer.relation_lifecycle, "prospect")
        order.action_confirm()
        newcomer.invalidate_cache()
        # Confirmed today (after the reference date): counted at today's date.
        self.assertEqual(newcomer.relation_lifecycle, "active")
        # 2000 reaches the lowest current top revenue (Big, 1000).
        self.assertEqual(newcomer.pyramid_level, "top")
        # N = 3 (Newcomer, Big, Grower): every cut-off at position 1, so Big,
        # second now, is small, as a recompute would place it; its rank (1)
        # waits for the next recompute.
        self.assertEqual(self._table()["Big"][1:], ("small", 1000.0, 1))

    def test_recompute_and_backfill_log_their_progress_with_counts(self):
        logger = "odoo.addons.relation_pyramid.models.relation_pyramid_engine"
        # The company's first recompute: no rows yet (the orders' refreshes
        # placed them at today's date; the counts below are those of a
        # recompute on empty rows).
        self._lines().unlink()
        # logging.INFO, not "INFO": Odoo names its level 25 "INFO" as well.
        with self.assertLogs(logger, logging.INFO) as logs:
            self._recompute()
            self.profile.action_backfill_snapshots(["2025-06-30"])
        prefix = "INFO:%s:Customer pyramid of %s at " % (logger, self.company.name)
        snapshots = {
            day: self._snapshot(day).id for day in (REFERENCE, "2025-06-30")
        }
        self.assertEqual(
            logs.output,
            [
                prefix + REFERENCE + ": recompute starts",
                # Big 1000 and Grower 100 active (N = 2: top 1, then small),
                # Faded inactive.
                prefix + REFERENCE + ": levels placed: 3 customers, 2 active "
                "(top 1, big 0, medium 0, small 1)",
                prefix + REFERENCE + ": 3 rows written, 0 removed",
                prefix + REFERENCE + ": snapshot %d written (3 changes), done"
                % snapshots[REFERENCE],
                prefix + "2025-06-30: backfill starts",
                # Faded 5000 and Big 200 then; Grower had not bought yet.
                # Both differ from their rows at REFERENCE: 2 changes.
                prefix + "2025-06-30: snapshot %d backfilled (2 changes): 2 customers, "
                "2 active (top 1, big 0, medium 0, small 1)" % snapshots["2025-06-30"],
            ],
        )

    def test_cron_recomputes_every_company(self):
        other = self.env["res.company"].create({"name": "Second"})
        self.env["relation.pyramid.profile"]._cron_recompute()
        profiles = self.env["relation.pyramid.profile"].search(
            [("company_id", "in", [self.company.id, other.id])]
        )
        self.assertEqual(len(profiles), 2)
        self.assertTrue(all(profiles.mapped("last_recompute_date")))

    def test_cron_failure_of_one_company_keeps_its_levels_and_the_others_go_on(self):
        # The cron recomputes at today's date: the orders of this test are
        # dated yesterday, in the period whatever today is.
        today = self.profile._reference_date()
        yesterday = fields.Date.to_string(today - timedelta(days=1))
        other = self.env["res.company"].create({"name": "Failing"})
        other_customer = self._customer("Other", company_id=other.id)
        self._order(other_customer, 300, yesterday, company=other)
        profiles = self.env["relation.pyramid.profile"]._ensure_profiles()
        other_profile = profiles.filtered(lambda p: p.company_id == other)
        self._recompute(other_profile, reference=fields.Date.to_string(today))
        other_row = self._lines(other)
        self.assertEqual(other_row.revenue, 300)
        # A second order changes the failing company's row at once (1000);
        # the nightly snapshot would keep that change, but the database
        # refuses any snapshot row of that company (a lock timeout, a bug).
        self._order(other_customer, 700, yesterday, company=other)
        self.assertEqual(other_row.revenue, 1000)
        # The main company: Recent bought 10000 yesterday, more than anybody
        # else (Big 1000 + 200): top at today's date whatever today is.
        self._order(self._customer("Recent"), 10000, yesterday)
        self.env.cr.execute(
            """
            CREATE FUNCTION relation_pyramid_test_refuse() RETURNS trigger AS $$
            BEGIN
                IF (SELECT company_id FROM relation_pyramid_snapshot
                     WHERE id = NEW.snapshot_id) = %s THEN
                    RAISE EXCEPTION 'refused for the test';
                END IF;
                RETURN NEW;
            END $$ LANGUAGE plpgsql;
            CREATE TRIGGER relation_pyramid_test_refuse
                BEFORE INSERT OR UPDATE ON relation_pyramid_snapshot_line
                FOR EACH ROW EXECUTE PROCEDURE relation_pyramid_test_refuse();
            """
            % other.id
        )
        before_cron = fields.Datetime.now()
        with self.assertLogs(
            "odoo.addons.relation_pyramid.models.relation_pyramid_profile", "ERROR"
        ) as logs:
            self.env["relation.pyramid.profile"]._cron_recompute()
        self.assertIn("Customer pyramid of Failing: recompute failed", logs.output[0])
        self.assertEqual(len(logs.output), 1)
        # The failing company keeps its row, its snapshot and its last date.
        today = fields.Date.to_string(today)
        self.assertEqual(self._lines(other), other_row)
        self.assertEqual(other_row.revenue, 1000)
        self.assertEqual(other_profile.last_reference_date, today)
        snapshots = self.env["relation.pyramid.snapshot"].search(
            [("company_id", "=", other.id)]
        )
        self.assertEqual(snapshots.mapped("date"), [today])
        # The main company was recomputed at today's date all the same: its
        # snapshot of today holds Recent, top.
        self.assertEqual(self.profile.last_reference_date, today)
        self.assertGreaterEqual(self.profile.last_recompute_date, before_cron)
        self.assertEqual(self._snapshot_levels(today)["Recent"], "top")


class TestRecomputeApi(PyramidCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        group = cls.env.ref
        cls.manager = cls.env["res.users"].create(
            {
                "name": "Manager",
                "login": "pyramid_manager",
                "groups_id": [(6, 0, [group("sales_team.group_sale_manager").id])],
            }
        )
        cls.seller = cls.env["res.users"].create(
            {
                "name": "Seller",
                "login": "pyramid_seller",
                "groups_id": [(6, 0, [group("sales_team.group_sale_salesman").id])],
            }
        )
        cls._order(cls._customer("Customer"), 10, IN_PERIOD)

    def test_manager_recomputes_with_an_iso_date(self):
        self.profile.sudo(self.manager).action_recompute(reference_date=REFERENCE)
        self.assertEqual(self._levels(), {"Customer": "top"})

    def test_salesperson_reads_but_cannot_recompute(self):
        profile = self.profile.sudo(self.seller)
        last_date = self.profile.last_reference_date
        self.assertEqual(profile.period_months, 12)
        with self.assertRaises(AccessError):
            profile.action_recompute()
        with self.assertRaises(AccessError):
            profile.action_recompute_now()
        with self.assertRaises(AccessError):
            profile.write({"period_months": 6})
        self.assertEqual(self.profile.last_reference_date, last_date)

    def test_invalid_reference_date_is_refused(self):
        last_date = self.profile.last_reference_date
        with self.assertRaises(UserError) as caught:
            self.profile.action_recompute(reference_date="30-06-2026")
        self.assertIn("YYYY-MM-DD", caught.exception.name)
        self.assertEqual(self.profile.last_reference_date, last_date)

    def test_new_company_gets_a_profile(self):
        company = self.env["res.company"].create({"name": "Newco"})
        profile = self.env["relation.pyramid.profile"].search(
            [("company_id", "=", company.id)]
        )
        self.assertEqual(
            (profile.period_months, profile.level_mode, profile.top_count_pct,
             profile.big_count_pct, profile.medium_count_pct, profile.risk_drop_pct),
            (12, "count", 1.0, 5.0, 20.0, 30.0),
        )


class TestProfileValidation(PyramidCase):
    def _refused(self, vals, fragment):
        with self.assertRaises(ValidationError) as caught:
            with self.env.cr.savepoint():
                self.profile.write(vals)
        self.assertIn(fragment, caught.exception.name)

    def test_period_below_one_month(self):
        self._refused({"period_months": 0}, "from 1 to 120 months")

    def test_period_above_ten_years(self):
        self._refused({"period_months": 121}, "from 1 to 120 months (now 121)")

    def test_risk_drop_outside_0_to_100(self):
        self._refused({"risk_drop_pct": 0}, "at most 100 %")
        self._refused({"risk_drop_pct": 100.5}, "at most 100 %")

    def test_unknown_level_mode(self):
        # Odoo itself refuses a value outside the selection, naming it.
        with self.assertRaisesRegex(ValueError, "level_mode: 'magic'"):
            self.profile.write({"level_mode": "magic"})

    def test_cut_offs_not_increasing(self):
        self._refused({"big_count_pct": 0.5}, "increase strictly")
        self._refused({"medium_count_pct": 100}, "between 0 and 100")
        self._refused({"top_share_pct": 90}, "increase strictly")

    def test_thresholds_not_decreasing_or_negative(self):
        self._refused(
            {"level_mode": "threshold", "top_min_revenue": 100,
             "big_min_revenue": 200, "medium_min_revenue": 50},
            "decrease",
        )
        self._refused({"medium_min_revenue": -1}, "negative")

    def test_refused_settings_keep_the_old_values(self):
        self._refused({"period_months": -3, "top_count_pct": 2}, "from 1 to 120")
        self.profile.invalidate_cache()
        self.assertEqual((self.profile.period_months, self.profile.top_count_pct),
                         (12, 1.0))


class TestInstallAndInterruption(PyramidCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        last_month = fields.Date.to_string(date.today() - timedelta(days=30))
        cls._order(cls._customer("Existing"), 75, last_month)

    def test_post_init_hook_computes_the_pyramid_of_existing_orders(self):
        from odoo.addons.relation_pyramid.hooks import post_init_hook

        # The orders were there before the addon: no rows yet.
        self._lines().unlink()
        post_init_hook(self.env.cr, self.env.registry)
        # Computed at today's date, which includes last month's order.
        self.assertEqual(self._levels(), {"Existing": "top"})

    def test_interrupted_recompute_keeps_the_previous_levels(self):
        self._recompute()
        self._order(self._customer("Newer and bigger"), 500, IN_PERIOD)
        before = self._table()
        # A real failure in PostgreSQL after the rows were written and before
        # the snapshot: a trigger that refuses any change of snapshot rows.
        with self.assertRaises(psycopg2.Error) as caught:
            with self.env.cr.savepoint():
                self.env.cr.execute(
                    """
                    CREATE FUNCTION relation_pyramid_test_fail() RETURNS trigger
                    AS $$ BEGIN RAISE EXCEPTION 'interrupted midway'; END $$
                    LANGUAGE plpgsql;
                    CREATE TRIGGER relation_pyramid_test_fail
                    BEFORE INSERT OR UPDATE OR DELETE
                    ON relation_pyramid_snapshot_line
                    FOR EACH STATEMENT EXECUTE FUNCTION relation_pyramid_test_fail();
                    """
                )
                self._recompute()
        self.assertIn("interrupted midway", str(caught.exception))
        self.env["relation.pyramid.line"].invalidate_cache()
        self.assertEqual(self._table(), before)
        self._recompute()
        self.assertEqual(self._levels()["Newer and bigger"], "top")
