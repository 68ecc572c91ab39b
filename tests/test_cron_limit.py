"""The nightly run in a server with workers: the log names the server's
limit for a scheduled action when the run starts, and warns past half of it
with the setting to raise (``relation.pyramid.profile._cron_recompute``)."""
import logging
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

    def test_past_half_the_limit_the_log_says_what_to_raise(self):
        with self.assertLogs(LOGGER, "WARNING") as logs:
            self.profile._warn_near_time_limit(61, 120)
        self.assertIn("took 61 s of the 120 s", logs.output[0])
        self.assertIn("limit_time_real_cron", logs.output[0])
        with self.assertRaises(AssertionError):
            with self.assertLogs(LOGGER, "WARNING"):
                self.profile._warn_near_time_limit(60, 120)
                self.profile._warn_near_time_limit(500, None)

    def test_the_nightly_run_names_the_limit_when_it_starts(self):
        with self._options(workers=2, limit_time_real=120, limit_time_real_cron=-1):
            # logging.INFO: Odoo names its own level 25 "INFO" too
            with self.assertLogs(LOGGER, logging.INFO) as logs:
                self.profile._cron_recompute()
        self.assertTrue(
            any("stops a scheduled action after 120 s (limit_time_real_cron)"
                in line for line in logs.output),
            logs.output,
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
