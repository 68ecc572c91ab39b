"""The nightly run in a server with workers: the log names the time the
server leaves a scheduled action when the run starts, and warns past half
of it with the setting to raise (``relation.pyramid.profile._cron_recompute``).

Odoo 11's cron worker (``odoo.service.server.WorkerCron``) pings the
server's watchdog, then sleeps ``SLEEP_INTERVAL`` + its pid % 10 seconds,
then runs the due jobs: the sleep counts into ``limit_time_real_cron``
(bench/cron.py at L: the worker woke 61 s after its ping and was stopped
58 s into the nightly run, 120 s after the ping)."""
import logging
import os
from unittest.mock import patch

from odoo.tools import config

from .pyramid_common import PyramidCase

LOGGER = "odoo.addons.relation_pyramid.models.relation_pyramid_profile"


class TestCronTimeLimit(PyramidCase):
    def _options(self, **options):
        return patch.dict(config.options, options)

    def test_the_limit_a_scheduled_action_gets(self):
        limit = self.profile._cron_time_limit
        with self._options(workers=2, limit_time_real=120, limit_time_real_cron=-1):
            self.assertEqual(limit(), 120)
        with self._options(workers=2, limit_time_real=120, limit_time_real_cron=600):
            self.assertEqual(limit(), 600)
        with self._options(workers=2, limit_time_real=120, limit_time_real_cron=0):
            self.assertIsNone(limit())
        # a server without workers stops nothing
        with self._options(workers=0, limit_time_real=120, limit_time_real_cron=-1):
            self.assertIsNone(limit())

    def test_the_cron_workers_sleep_counts_into_the_limit(self):
        budget = self.profile._cron_time_budget
        # this process's sleep, as WorkerCron.sleep computes it for its own
        sleep = 60 + os.getpid() % 10
        with self._options(workers=2, limit_time_real=120, limit_time_real_cron=-1):
            self.assertEqual(budget(), 120 - sleep)
            self.assertTrue(51 <= budget() <= 60, budget())
        with self._options(workers=2, limit_time_real=120, limit_time_real_cron=900):
            self.assertEqual(budget(), 900 - sleep)
        # a limit shorter than the sleep leaves nothing
        with self._options(workers=2, limit_time_real=120, limit_time_real_cron=45):
            self.assertEqual(budget(), 0)
        with self._options(workers=0, limit_time_real=120, limit_time_real_cron=-1):
            self.assertIsNone(budget())

    def test_past_half_the_time_left_the_log_says_what_to_raise(self):
        with self.assertLogs(LOGGER, "WARNING") as logs:
            self.profile._warn_near_time_limit(31, 60)
        self.assertIn("took 31 s of the at most 60 s", logs.output[0])
        self.assertIn("limit_time_real_cron", logs.output[0])
        with self.assertRaises(AssertionError):
            with self.assertLogs(LOGGER, "WARNING"):
                self.profile._warn_near_time_limit(30, 60)
                self.profile._warn_near_time_limit(500, None)

    def test_the_nightly_run_names_the_time_left_when_it_starts(self):
        sleep = 60 + os.getpid() % 10
        with self._options(workers=2, limit_time_real=120, limit_time_real_cron=-1):
            # logging.INFO: Odoo names its own level 25 "INFO" too
            with self.assertLogs(LOGGER, logging.INFO) as logs:
                self.profile._cron_recompute()
        expected = (
            "at most %d s left before the server stops it: limit_time_real_cron "
            "is 120 s and Odoo's cron worker counts its %d s of sleep"
            % (120 - sleep, sleep)
        )
        self.assertTrue(
            any(expected in line for line in logs.output), (expected, logs.output)
        )

    def test_a_limit_shorter_than_the_sleep_leaves_nothing_and_says_so(self):
        sleep = 60 + os.getpid() % 10
        with self._options(workers=2, limit_time_real=120, limit_time_real_cron=45):
            with self.assertLogs(LOGGER, logging.INFO) as logs:
                self.profile._cron_recompute()
        expected = (
            "at most 0 s left before the server stops it: limit_time_real_cron "
            "is 45 s and Odoo's cron worker counts its %d s of sleep" % sleep
        )
        self.assertTrue(
            any(expected in line for line in logs.output), (expected, logs.output)
        )


class TestNightlySchedule(PyramidCase):
    def test_the_recompute_runs_alone_before_the_follow_ups(self):
        """Each job in a poll of its own (a server with workers gives all
        the jobs due at one poll one time limit), the follow-ups after the
        levels are computed."""
        recompute = self.env.ref("relation_pyramid.ir_cron_recompute_pyramid")
        followups = self.env.ref("relation_pyramid.ir_cron_schedule_followups")
        self.assertEqual(recompute.nextcall[11:], "01:00:00")
        self.assertEqual(followups.nextcall[11:], "05:00:00")
