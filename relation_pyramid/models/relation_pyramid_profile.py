# Copyright 2026 relation_pyramid authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Per-company pyramid settings and the actions that run the engine
(``relation.pyramid.engine``, ``relation.pyramid.engine.history``): Recompute
Now, the nightly run, backfills, and the refresh of customers whose orders
or partner changed."""
import datetime
import json
import logging
import os
import re
import threading
import time

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.service.server import SLEEP_INTERVAL
from odoo.tools import config
from odoo.tools.misc import format_date

from .relation_pyramid_engine import ACTIVE_LEVELS, RecomputeRunning

_logger = logging.getLogger(__name__)

LEVEL_MODES = [
    ("count", "Share of customers (Curry)"),
    ("threshold", "Fixed revenue thresholds"),
    ("share", "Cumulative share of revenue (ABC)"),
]
# What a reference date may be: from this day to today (DOMAIN.md).
FIRST_REFERENCE_DATE = datetime.date(1900, 1, 1)
MAX_PERIOD_MONTHS = 120

# The settings the levels follow besides the period and the mode.
LEVEL_SETTING_FIELDS = [
    "top_count_pct",
    "big_count_pct",
    "medium_count_pct",
    "top_min_revenue",
    "big_min_revenue",
    "medium_min_revenue",
    "top_share_pct",
    "big_share_pct",
    "medium_share_pct",
]


class RelationPyramidProfile(models.Model):
    _name = "relation.pyramid.profile"
    # Steps that extend the engine's (``_complete_result``, ...) come before it;
    # the prediction step before the signals step: its probably lost
    # customers join the signals' risk customers.
    _inherit = [
        "relation.pyramid.engine.contact",
        "relation.pyramid.engine.prediction",
        "relation.pyramid.engine.signals",
        "relation.pyramid.engine",
        "relation.pyramid.engine.standing",
        "relation.pyramid.engine.history",
    ]
    _description = "Customer pyramid settings"
    _rec_name = "company_id"

    company_id = fields.Many2one(
        "res.company",
        required=True,
        ondelete="cascade",
        default=lambda self: self.env.user.company_id,
    )
    currency_id = fields.Many2one(related="company_id.currency_id", readonly=True)
    period_months = fields.Integer(
        string="Period (months)",
        default=12,
        required=True,
        help="Length of the rolling period that ends at the reference date.",
    )
    level_mode = fields.Selection(
        LEVEL_MODES,
        string="Levels By",
        default="count",
        required=True,
        help="Share of customers: rank the active customers by revenue and cut "
        "at cumulative percentages of their number (1/5/20 %: top 1 %, big 4 %, "
        "medium 15 %, small 80 %). Fixed thresholds: a minimum revenue per "
        "level. Cumulative share of revenue: the customers that together make "
        "the first 50/80/95 % of revenue.",
    )
    top_count_pct = fields.Float(string="Top: % of Customers", default=1.0)
    big_count_pct = fields.Float(string="Big: Cumulative % of Customers", default=5.0)
    medium_count_pct = fields.Float(
        string="Medium: Cumulative % of Customers", default=20.0
    )
    top_min_revenue = fields.Monetary(string="Top: Minimum Revenue")
    big_min_revenue = fields.Monetary(string="Big: Minimum Revenue")
    medium_min_revenue = fields.Monetary(string="Medium: Minimum Revenue")
    top_share_pct = fields.Float(string="Top: % of Revenue", default=50.0)
    big_share_pct = fields.Float(string="Big: Cumulative % of Revenue", default=80.0)
    medium_share_pct = fields.Float(
        string="Medium: Cumulative % of Revenue", default=95.0
    )
    risk_drop_pct = fields.Float(
        string="Risk: Revenue Drop (%)",
        default=30.0,
        help="An active customer whose revenue fell by at least this share "
        "against the previous period is a risk customer.",
    )
    last_reference_date = fields.Date(readonly=True)
    last_recompute_date = fields.Datetime(string="Last Recomputed On", readonly=True)
    level_counts = fields.Char(
        readonly=True,
        help="Customers per level at the last recompute (JSON), for its summary.",
    )
    settings_signature = fields.Char(
        readonly=True, help="The settings the last recompute followed."
    )
    last_backfill_dates = fields.Char(
        readonly=True, help="The reference dates of the last backfill."
    )
    settings_changed = fields.Boolean(
        compute="_compute_summary",
        help="The settings changed since the last recompute: the levels still "
        "follow the old settings.",
    )
    recompute_summary = fields.Char(compute="_compute_summary")
    backfill_summary = fields.Char(compute="_compute_summary")

    _sql_constraints = [
        (
            "company_uniq",
            "unique(company_id)",
            "A company has one customer pyramid configuration.",
        )
    ]

    @api.constrains("period_months")
    def _check_period_months(self):
        for profile in self:
            if not 1 <= profile.period_months <= MAX_PERIOD_MONTHS:
                raise ValidationError(
                    _("The period must be from 1 to %(max)s months (now %(months)s).")
                    % {"max": MAX_PERIOD_MONTHS, "months": profile.period_months}
                )

    @api.constrains("risk_drop_pct")
    def _check_risk_drop_pct(self):
        for profile in self:
            if not 0 < profile.risk_drop_pct <= 100:
                raise ValidationError(
                    _(
                        "The revenue drop that makes a risk customer must be above "
                        "0 and at most 100 %% (now %s)."
                    )
                    % profile.risk_drop_pct
                )

    @api.constrains("top_count_pct", "big_count_pct", "medium_count_pct")
    def _check_count_pct(self):
        for profile in self:
            profile._check_increasing_pct(
                _("customer share"),
                [
                    profile.top_count_pct,
                    profile.big_count_pct,
                    profile.medium_count_pct,
                ],
            )

    @api.constrains("top_share_pct", "big_share_pct", "medium_share_pct")
    def _check_share_pct(self):
        for profile in self:
            profile._check_increasing_pct(
                _("revenue share"),
                [
                    profile.top_share_pct,
                    profile.big_share_pct,
                    profile.medium_share_pct,
                ],
            )

    @api.constrains(
        "level_mode", "top_min_revenue", "big_min_revenue", "medium_min_revenue"
    )
    def _check_min_revenue(self):
        for profile in self:
            amounts = [
                profile.top_min_revenue,
                profile.big_min_revenue,
                profile.medium_min_revenue,
            ]
            if any(amount < 0 for amount in amounts):
                raise ValidationError(_("Minimum revenues cannot be negative."))
            if profile.level_mode == "threshold" and not (
                amounts[0] > amounts[1] > amounts[2] > 0
            ):
                raise ValidationError(
                    _(
                        "Minimum revenues must decrease from top to big to medium "
                        "and be above zero (now %(top)s, %(big)s, %(medium)s)."
                    )
                    % dict(zip(("top", "big", "medium"), amounts))
                )

    @api.model
    def _check_increasing_pct(self, what, cut_offs):
        if not 0 < cut_offs[0] < cut_offs[1] < cut_offs[2] < 100:
            raise ValidationError(
                _(
                    "The %(what)s cut-offs are cumulative: they must increase "
                    "strictly from top to big to medium, between 0 and 100 %% "
                    "(now %(top)s, %(big)s, %(medium)s)."
                )
                % dict(zip(("top", "big", "medium"), cut_offs), what=what)
            )

    # ------------------------------------------------------------------
    # Public entry points
    # ------------------------------------------------------------------
    @api.model
    def _ensure_profiles(self):
        """A profile for every company, created with the defaults."""
        # A handful of companies and one profile each: searching them all is fine.
        companies = self.env["res.company"].sudo().search([])  # pylint: disable=W8163
        profiles = self.sudo().search([])  # pylint: disable=W8163
        for company in companies - profiles.mapped("company_id"):
            profiles |= self.sudo().create({"company_id": company.id})
        return profiles

    @api.multi
    def action_recompute(self, reference_date=None):
        """Recompute the pyramid of each profile's company at the reference
        date (default: today) and keep the result as that date's snapshot.
        Callable over XML-RPC by sales managers; the button is
        ``action_recompute_now``."""
        self._check_engine_access()
        for profile in self:
            day = profile._reference_date(reference_date)
            profile.sudo()._lock_company(wait_for_refreshes=True)
            profile.sudo()._recompute(day)
        return True

    @api.multi
    def action_recompute_now(self):
        """Button: recompute at today; the form shows what came out."""
        return self.action_recompute()

    @api.multi
    def action_backfill_snapshots(self, reference_dates):
        """Snapshots at past dates from the existing orders, leaving the
        current levels as they are. ``reference_dates``: a list of dates or
        ISO strings (YYYY-MM-DD), none after today."""
        self._check_engine_access()
        if not isinstance(reference_dates, (list, tuple)):
            raise UserError(
                _("Give the reference dates as a list of dates (YYYY-MM-DD).")
            )
        for profile in self:
            days = [profile._reference_date(day) for day in reference_dates]
            profile.sudo()._lock_company()
            for day in days:
                profile.sudo()._backfill_snapshot(day)
            profile.sudo().write(
                {"last_backfill_dates": ",".join(sorted(map(str, set(days))))}
            )
        return True

    @api.multi
    def action_backfill_quarter_ends(self):
        """Button: snapshots at the last four quarter ends before today."""
        for profile in self:
            profile.action_backfill_snapshots(
                profile._quarter_ends_before(profile._reference_date(), 4)
            )
        return True

    @api.multi
    def action_print_pyramid(self):
        """Print the pyramid of the last recompute."""
        self.ensure_one()
        snapshot = self.env["relation.pyramid.snapshot"].search(
            [
                ("company_id", "=", self.company_id.id),
                ("date", "=", self.last_reference_date),
            ]
        )
        if not snapshot:
            raise UserError(
                _("The pyramid has not been computed yet: click Recompute Now first.")
            )
        return snapshot.action_print()

    @api.multi
    def _check_engine_access(self):
        """Recomputing and backfilling change every customer's figures: the
        users who may change the settings (sales managers) may run them."""
        self.check_access_rights("write")
        self.check_access_rule("write")

    @api.model
    def _quarter_ends_before(self, day, count):
        """The ``count`` last quarter ends strictly before ``day``, oldest first."""
        quarter_start = day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
        return [
            quarter_start - relativedelta(months=3 * back) - relativedelta(days=1)
            for back in reversed(range(count))
        ]

    @api.model
    def _cron_recompute(self):
        """Recompute every company's pyramid, each in a transaction of its
        own (in a savepoint in tests): a company whose recompute fails keeps
        its previous levels and snapshots, a company being recomputed by
        someone else is skipped, and the other companies are recomputed all
        the same.

        Outside tests, a second database session first takes the company's
        locks (waiting for the refreshes of orders being confirmed), then
        the company's transaction starts: it reads everything committed
        before, so no refresh can have changed a row it writes."""
        if getattr(threading.currentThread(), "testing", False):
            for profile in self._ensure_profiles():
                profile._cron_recompute_company()
            return
        with self.pool.cursor() as cr:
            profile_ids = self.with_env(self.env(cr=cr))._ensure_profiles().ids
        for profile_id in profile_ids:
            with self.pool.cursor() as lock_cr:
                holder = self.with_env(self.env(cr=lock_cr)).browse(profile_id)
                if not holder._hold_company_locks():
                    holder._log_skipped()
                    continue
                try:
                    with self.pool.cursor() as cr:
                        self.with_env(self.env(cr=cr)).browse(
                            profile_id
                        )._cron_recompute_company(locked=True)
                finally:
                    holder._release_company_locks()

    @api.multi
    def _cron_recompute_company(self, locked=False):
        """Recompute the company at today; ``locked``: its locks are held by
        another session of this run (``_hold_company_locks``)."""
        self.ensure_one()
        limit = self._cron_time_limit()
        budget = self._cron_time_budget()
        if limit:
            _logger.info(
                "Customer pyramid of %s: nightly run starts; at most %d s left "
                "before the server stops it: limit_time_real_cron is %d s and "
                "Odoo's cron worker counts its %d s of sleep before each poll "
                "into it",
                self.company_id.name,
                budget,
                limit,
                self._cron_worker_sleep(),
            )
        started = time.monotonic()
        try:
            with self.env.cr.savepoint():
                if not locked:
                    self._lock_company(wait_for_refreshes=True)
                self._recompute(self._reference_date())
            self._warn_near_time_limit(time.monotonic() - started, budget)
        except RecomputeRunning:
            self.invalidate_cache()
            self._log_skipped()
        except Exception:  # pylint: disable=broad-except
            # Whatever the cause (a lock, a rate missing, a bug), the
            # scheduled action must go on with the next company.
            self.invalidate_cache()
            _logger.exception(
                "Customer pyramid of %s: recompute failed, "
                "the previous levels are kept",
                self.company_id.name,
            )

    @api.model
    def _cron_time_limit(self):
        """The seconds a server with workers gives a scheduled action
        (``limit_time_real_cron``, by default ``limit_time_real``), or None
        where no limit applies (a server without workers, or no limit)."""
        if not config.get("workers"):
            return None
        limit = config.get("limit_time_real_cron", -1)
        if limit == -1:
            limit = config.get("limit_time_real")
        return limit if limit and limit > 0 else None

    @api.model
    def _cron_time_budget(self):
        """The seconds a scheduled action has at most before the server
        stops it, or None where no limit applies. Odoo 11's cron worker
        starts the clock of its limit (``_cron_time_limit``) before it
        sleeps between two polls (``SLEEP_INTERVAL`` seconds plus its
        process id modulo 10: 60-69 s), and the jobs before this one in the
        same poll take their share too: with the default 120 s, 51-60 s
        are left (measured in bench/cron.py)."""
        limit = self._cron_time_limit()
        if not limit:
            return None
        return max(limit - self._cron_worker_sleep(), 0)

    @api.model
    def _cron_worker_sleep(self):
        """The seconds Odoo 11's cron worker sleeps before each poll, as
        ``odoo.service.server.WorkerCron.sleep`` computes them in this
        process (the cron worker runs its jobs itself)."""
        return SLEEP_INTERVAL + os.getpid() % 10

    @api.multi
    def _warn_near_time_limit(self, seconds, budget):
        """Past half the time the server leaves a scheduled action
        (``_cron_time_budget``), say which setting to raise before the
        company's orders grow further: a run that reaches it is stopped by
        the server, and the previous levels stay."""
        if budget is not None and seconds > budget / 2.0:
            _logger.warning(
                "Customer pyramid of %s: the nightly run took %d s of the at "
                "most %d s the server leaves a scheduled action "
                "(limit_time_real_cron, less the minute Odoo's cron worker "
                "sleeps before each poll): raise limit_time_real_cron (or "
                "limit_time_real) in the server's configuration before the "
                "orders grow further; a run the server stops keeps the previous "
                "levels",
                self.company_id.name,
                seconds,
                budget,
            )

    @api.multi
    def _log_skipped(self):
        _logger.warning(
            "Customer pyramid of %s: skipped, another recompute of this "
            "company is running",
            self.company_id.name,
        )

    @api.model
    def _refresh_customers(self, orders):
        """Bring the customers of just confirmed orders up to date at once
        (see ``_refresh_partners``)."""
        partners_by_company = {}
        for order in orders:
            partners_by_company.setdefault(order.company_id.id, set()).add(
                order.partner_id.commercial_partner_id.id
            )
        self._refresh_partners(partners_by_company)

    @api.model
    def _refresh_partners(self, partners_by_company):
        """Bring customers up to date at once after a change of their orders
        or of the partner their orders count for, without a full recompute
        (``{company id: customer ids}``). Their revenue and lifecycle are
        recomputed; an active customer is ranked among the other customers'
        current rows and placed by the company's mode as a recompute at that
        moment would place them (a company never recomputed is computed at
        today); the other customers' ranks and shares follow at the next
        recompute. Waits while a recompute of the company runs."""
        partners_by_company = {
            company_id: sorted(partner_id for partner_id in partner_ids if partner_id)
            for company_id, partner_ids in partners_by_company.items()
        }
        profiles = self._ensure_profiles().filtered(
            lambda profile: partners_by_company.get(profile.company_id.id)
        )
        for profile in profiles:
            partner_ids = partners_by_company[profile.company_id.id]
            profile._lock_rows_for_refresh()
            reference_date = profile._reference_date()
            if profile.last_reference_date:
                reference_date = max(
                    reference_date,
                    fields.Date.from_string(profile.last_reference_date),
                )
            profile._compute_result(reference_date, partner_ids)
            profile._write_lines(partner_ids)
            profile._relevel_others()

    @api.model
    def _merge_customers(self, src_partners, dst_partner):
        """Before ``src_partners`` are merged into ``dst_partner`` (their
        orders and contacts moved to it): their rows go, their history
        becomes the destination's (``relation.pyramid.snapshot.line``)."""
        if not src_partners:
            return
        for profile in self._ensure_profiles():
            profile._note_standing_changes(src_partners.ids)
        self.env.cr.execute(
            "DELETE FROM relation_pyramid_line WHERE partner_id IN %s",
            (tuple(src_partners.ids),),
        )
        self.env["relation.pyramid.line"].invalidate_cache()
        self.env["relation.pyramid.snapshot.line"]._merge_customers(
            src_partners, dst_partner
        )

    @api.model
    def _refresh_merged_customer(self, dst_partner):
        """After a merge moved the orders: the destination in every company."""
        profiles = self._ensure_profiles()
        profiles._refresh_partners(
            {profile.company_id.id: {dst_partner.id} for profile in profiles}
        )

    # ------------------------------------------------------------------
    # What the settings form shows
    # ------------------------------------------------------------------
    @api.multi
    def _settings_signature(self):
        """The settings the levels follow, as one string."""
        self.ensure_one()
        return repr(
            [self.period_months, self.level_mode]
            + [self._as_numeric(self[name]) for name in LEVEL_SETTING_FIELDS]
        )

    @api.depends(
        "level_counts",
        "last_reference_date",
        "last_backfill_dates",
        "settings_signature",
        "period_months",
        "level_mode",
        *LEVEL_SETTING_FIELDS
    )
    def _compute_summary(self):
        for profile in self:
            profile.settings_changed = bool(
                profile.settings_signature
                and profile.settings_signature != profile._settings_signature()
            )
            profile.recompute_summary = profile._recompute_summary()
            profile.backfill_summary = profile._backfill_summary()

    @api.multi
    def _recompute_summary(self):
        """'Pyramid recomputed at 02/12/2026: 152 customers, 95 active: top 1,
        big 4, medium 14, small 76.' in the user's language."""
        if not self.last_reference_date or not self.level_counts:
            return False
        counts = json.loads(self.level_counts)
        number = self._format_number
        return _(
            "Pyramid recomputed at %(date)s: %(customers)s customers, %(active)s "
            "active: top %(top)s, big %(big)s, medium %(medium)s, small %(small)s."
        ) % dict(
            {level: number(counts.get(level, 0)) for level in ACTIVE_LEVELS},
            date=format_date(self.env, self.last_reference_date),
            customers=number(sum(counts.values())),
            active=number(sum(counts.get(level, 0) for level in ACTIVE_LEVELS)),
        )

    @api.multi
    def _backfill_summary(self):
        if not self.last_backfill_dates:
            return False
        days = self.last_backfill_dates.split(",")
        return _("%(count)s snapshots backfilled: %(dates)s.") % {
            "count": len(days),
            "dates": ", ".join(format_date(self.env, day) for day in days),
        }

    @api.model
    def _format_number(self, number):
        """An integer with the thousands separator of the user's language."""
        lang = self.env["res.lang"]._lang_get(self.env.lang or "en_US")
        if not lang:
            return str(number)
        return lang.format("%d", number, grouping=True)

    @api.multi
    def _remember_recompute(self, reference_date):
        """The date, time, level counts and settings of the last recompute."""
        self.write(
            {
                "last_reference_date": reference_date,
                "last_recompute_date": fields.Datetime.now(),
                "level_counts": json.dumps(self._result_level_counts(), sort_keys=True),
                "settings_signature": self._settings_signature(),
            }
        )

    # ------------------------------------------------------------------
    # Reference dates
    # ------------------------------------------------------------------
    @api.multi
    def _reference_date(self, reference_date=None):
        """The reference date of a computation: today in the company's time
        zone by default; a date or an ISO string (YYYY-MM-DD) from
        1900-01-01 to today, anything else refused with a clear message."""
        self.ensure_one()
        today = fields.Date.from_string(
            fields.Date.context_today(self.with_context(tz=self._company_tz()))
        )
        if reference_date is None or reference_date is False or reference_date == "":
            return today
        if isinstance(reference_date, datetime.datetime):
            reference_date = reference_date.date()
        if isinstance(reference_date, str):
            day = None
            if re.match(r"^\d{4}-\d{2}-\d{2}$", reference_date):
                try:
                    day = datetime.datetime.strptime(reference_date, "%Y-%m-%d").date()
                except ValueError:
                    day = None
            if day is None:
                raise UserError(
                    _("'%s' is not a date: use the form YYYY-MM-DD.") % reference_date
                )
            reference_date = day
        if not isinstance(reference_date, datetime.date):
            raise UserError(
                _("%r is not a date: use the form YYYY-MM-DD.") % (reference_date,)
            )
        if reference_date > today:
            raise UserError(
                _(
                    "The reference date %(date)s lies after today (%(today)s): "
                    "levels can only be computed for days that have passed."
                )
                % {"date": reference_date, "today": today}
            )
        if reference_date < FIRST_REFERENCE_DATE:
            raise UserError(
                _("The reference date %(date)s lies before %(first)s.")
                % {"date": reference_date, "first": FIRST_REFERENCE_DATE}
            )
        return reference_date
