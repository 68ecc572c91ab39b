"""The edges of daily use: time zones at the period's ends, reference
dates and settings that make no sense, two recomputes of one company at
once, and tables of the same names outside the engine's own schema."""
import datetime
import logging

from odoo import SUPERUSER_ID, api, fields
from odoo.exceptions import UserError

from .pyramid_common import IN_PERIOD, REFERENCE, PyramidCase

PROFILE_LOGGER = "odoo.addons.relation_pyramid.models.relation_pyramid_profile"


class TestTimeZones(PyramidCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.partner_id.tz = "America/New_York"
        # New York is UTC-4 in summer. Period 2025-07-01 .. 2026-06-30.
        # Late: 30 June 2026, 22:30 in New York = 1 July 2026, 02:30 UTC:
        # the reference day itself, in the period.
        cls.late = cls._customer("Late on the last day")
        cls._order(cls.late, 100, "2026-07-01 02:30:00")
        # Early: 30 June 2025, 23:30 in New York = 1 July 2025, 03:30 UTC:
        # the day before the period, so bought before it, not in it.
        cls.early = cls._customer("Late on the day before")
        cls._order(cls.early, 200, "2025-07-01 03:30:00")

    def test_an_order_counts_on_the_company_local_day(self):
        self._recompute()
        table = self._table()
        self.assertEqual(table["Late on the last day"][:3], ("active", "top", 100.0))
        self.assertEqual(
            table["Late on the day before"][:3], ("inactive", "inactive", 0.0)
        )

    def test_utc_company_reads_the_same_orders_by_utc_day(self):
        self.company.partner_id.tz = False
        self._recompute()
        table = self._table()
        # In UTC, 1 July 2026 lies after the reference date and 1 July 2025
        # is the period's first day.
        self.assertNotIn("Late on the last day", table)
        self.assertEqual(table["Late on the day before"][:3], ("active", "top", 200.0))


class TestReferenceDates(PyramidCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._order(cls._customer("Customer"), 10, IN_PERIOD)

    def _snapshot_count(self):
        return self.env["relation.pyramid.snapshot"].search_count(
            [("company_id", "=", self.company.id)]
        )

    def _refused(self, call, value, fragment):
        before = (self._snapshot_count(), self.profile.last_reference_date)
        with self.assertRaises(UserError) as caught:
            call(value)
        self.assertIn(fragment, caught.exception.name, repr(value))
        self.assertEqual(
            (self._snapshot_count(), self.profile.last_reference_date), before
        )

    def test_a_date_after_today_is_refused_for_recompute_and_backfill(self):
        # today in the company's time zone, whatever day the tests run
        tomorrow = fields.Date.to_string(
            self.profile._reference_date() + datetime.timedelta(days=1)
        )
        for value in (tomorrow, "2099-12-31"):
            self._refused(
                lambda day: self.profile.action_recompute(reference_date=day),
                value,
                "lies after today",
            )
            self._refused(
                lambda day: self.profile.action_backfill_snapshots([day]),
                value,
                "lies after today",
            )

    def test_values_that_are_no_date_are_refused_clearly(self):
        for value, fragment in (
            (20260630, "is not a date"),
            (["2026-06-30"], "is not a date"),
            ({"lang": "nl_NL"}, "is not a date"),
            ("2026-06-30garbage", "is not a date"),
            ("30-06-2026", "is not a date"),
            ("2026-02-30", "is not a date"),
            ("9999-12-31", "lies after today"),
            ("0001-01-01", "lies before 1900-01-01"),
        ):
            self._refused(
                lambda day: self.profile.action_recompute(reference_date=day),
                value,
                fragment,
            )
            self._refused(
                lambda day: self.profile.action_backfill_snapshots([day]),
                value,
                fragment,
            )

    def test_backfill_needs_a_list(self):
        self._refused(
            self.profile.action_backfill_snapshots, "2026-06-30", "as a list of dates"
        )

    def test_recompute_now_button_takes_the_web_clients_context(self):
        # The web client calls a button as method(ids, context).
        self.env["relation.pyramid.profile"].browse(self.profile.id).with_context(
            lang="en_US"
        ).action_recompute_now()
        self.assertEqual(
            self.profile.last_reference_date,
            fields.Date.to_string(self.profile._reference_date()),
        )
        self.assertTrue(
            self.profile.recompute_summary.startswith("Pyramid recomputed at")
        )


class TestOneRecomputeAtATime(PyramidCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._order(cls._customer("Customer"), 10, IN_PERIOD)

    def setUp(self):
        super().setUp()
        # A second user's transaction holds the company's recompute lock, as a
        # running recompute does.
        self.other_cr = self.registry.cursor()
        self.addCleanup(self.other_cr.close)
        self.addCleanup(self.other_cr.rollback)
        other_env = api.Environment(self.other_cr, SUPERUSER_ID, {})
        other_env["relation.pyramid.profile"].browse(self.profile.id)._lock_company()

    def test_a_second_recompute_is_refused_with_a_clear_message(self):
        last_date = self.profile.last_reference_date
        with self.assertRaises(UserError) as caught:
            self.profile.action_recompute(reference_date=REFERENCE)
        self.assertIn("is being recomputed", caught.exception.name)
        self.assertEqual(self.profile.last_reference_date, last_date)
        with self.assertRaises(UserError):
            self.profile.action_backfill_snapshots([REFERENCE])

    def test_the_cron_skips_the_company_and_says_so(self):
        last_date = self.profile.last_reference_date
        with self.assertLogs(PROFILE_LOGGER, logging.WARNING) as logs:
            self.env["relation.pyramid.profile"]._cron_recompute()
        self.assertIn(
            "Customer pyramid of %s: skipped, another recompute" % self.company.name,
            "\n".join(logs.output),
        )
        self.assertEqual(self.profile.last_reference_date, last_date)


class TestOnlyItsOwnTables(PyramidCase):
    TABLES = [
        "relation_pyramid_factor",
        "relation_pyramid_revenue",
        "relation_pyramid_result",
        "relation_pyramid_snapshot_change",
    ]

    def test_tables_of_the_same_names_in_public_are_left_alone(self):
        self._order(self._customer("Customer"), 10, IN_PERIOD)
        for table in self.TABLES:
            self.env.cr.execute(
                "CREATE TABLE public.%s (note text); "
                "INSERT INTO public.%s VALUES ('keep me')" % (table, table)
            )
        self._recompute()
        self.profile.action_backfill_snapshots(["2025-12-31"])
        for table in self.TABLES:
            self.env.cr.execute("SELECT note FROM public.%s" % table)
            self.assertEqual(self.env.cr.fetchall(), [("keep me",)], table)
        self.assertEqual(self._levels(), {"Customer": "top"})


class TestPlannerSettingsPutBack(PyramidCase):
    """A full computation reads the order history grouped by sorting
    (``_execute_history_read``); the session's planner is left as it was."""

    def _hashagg(self):
        self.env.cr.execute("SHOW enable_hashagg")
        return self.env.cr.fetchone()[0]

    def test_the_session_keeps_its_own_setting_either_way(self):
        self._order(self._customer("Customer"), 10, IN_PERIOD)
        self.addCleanup(self.env.cr.execute, "RESET enable_hashagg")
        for setting in ("on", "off"):
            self.env.cr.execute("SET enable_hashagg = %s" % setting)
            self._recompute()
            self.assertEqual(self._hashagg(), setting)
            self.assertEqual(self._levels(), {"Customer": "top"})


class TestOnlyTemporaryTablesDropped(PyramidCase):
    def test_a_name_outside_pg_temp_is_refused_and_the_table_kept(self):
        before = self.env["relation.pyramid.line"].search_count([])
        for name in ("relation_pyramid_line", "public.relation_pyramid_line"):
            with self.assertRaises(ValueError):
                self.profile._drop_temp_table(name)
        self.env.cr.execute("SELECT to_regclass('public.relation_pyramid_line')")
        self.assertIsNotNone(self.env.cr.fetchone()[0])
        self.assertEqual(self.env["relation.pyramid.line"].search_count([]), before)


class TestNightlyRunLocks(PyramidCase):
    """The nightly run holds the company's locks in a session of its own
    while the recompute runs in another transaction."""

    def _session(self):
        cr = self.registry.cursor()
        self.addCleanup(cr.close)
        self.addCleanup(cr.rollback)
        return api.Environment(cr, SUPERUSER_ID, {})["relation.pyramid.profile"].browse(
            self.profile.id
        )

    def test_locks_held_by_the_nightly_run_exclude_other_recomputes(self):
        holder, other = self._session(), self._session()
        self.assertTrue(holder._hold_company_locks())
        # beyond the holder's transaction
        holder.env.cr.commit()
        self.assertFalse(other._hold_company_locks())
        with self.assertRaises(UserError):
            self.profile.action_recompute(reference_date=REFERENCE)
        holder._release_company_locks()
        self.assertTrue(other._hold_company_locks())
        other._release_company_locks()
