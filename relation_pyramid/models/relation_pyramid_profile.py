# Copyright 2026 relation_pyramid authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Per-company pyramid configuration and the pyramid engine.

The engine runs inside PostgreSQL, in small overridable steps:

1. ``_gather_currency_factors``: per other currency and day of the two
   periods, the factor into the company currency;
2. ``_gather_revenue``: period and previous-period revenue per commercial
   partner from confirmed sale orders, converted to the company currency,
   plus whether the customer bought before the period or has any order;
3. ``_classify``: lifecycle, rank (ties share the better rank), share,
   cumulative share and level (``_level_sql_<mode>``);
4. ``_write_lines``: the current rows: new ones inserted, changed ones
   updated, unchanged rows neither written nor locked;
5. ``_write_snapshot``: the levels at the reference date, kept as history:
   a row per customer whose lifecycle, level or revenue changed.
"""
import datetime
import json
import logging
import re
import threading
from decimal import Decimal

import pytz

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.misc import format_date

_logger = logging.getLogger(__name__)

LIFECYCLES = [
    ("active", "Active"),
    ("inactive", "Inactive"),
    ("prospect", "Prospect"),
    ("suspect", "Suspect"),
    ("other", "Other"),
]
ACTIVE_LEVELS = ["top", "big", "medium", "small"]
LEVELS = [
    ("top", "Top"),
    ("big", "Big"),
    ("medium", "Medium"),
    ("small", "Small"),
    ("inactive", "Inactive"),
    ("prospect", "Prospect"),
    ("suspect", "Suspect"),
    ("other", "Other"),
]
LEVEL_MODES = [
    ("count", "Share of customers (Curry)"),
    ("threshold", "Fixed revenue thresholds"),
    ("share", "Cumulative share of revenue (ABC)"),
]
# Columns of the engine's result that the stored rows mirror.
RESULT_COLUMNS = [
    "lifecycle",
    "level",
    "revenue",
    "previous_revenue",
    "rank",
    "revenue_share",
    "cumulative_share",
    "revenue_change_pct",
    "upsell_gap",
    "user_id",
    "country_id",
    "relation_motive_id",
]


# Columns a snapshot row keeps: a row holds while they do not change.
SNAPSHOT_COLUMNS = ["lifecycle", "level", "revenue"]

# The temporary tables the engine's steps pass to each other, always in the
# session's own schema ``pg_temp`` (a table of the same name in any other
# schema is never read, written or dropped) and dropped at commit. Their
# columns are documented where each step makes them.
# pg_temp.relation_pyramid_factor, pg_temp.relation_pyramid_revenue,
# pg_temp.relation_pyramid_result, pg_temp.relation_pyramid_snapshot_change.

# Advisory locks (PostgreSQL, per company, held until the transaction ends):
# one recompute or backfill of a company at a time; the rows of a company are
# written by one recompute, or by refreshes on order changes, not both.
LOCK_NAMESPACE_RECOMPUTE = 0x52505201
LOCK_NAMESPACE_ROWS = 0x52505202

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


class RecomputeRunning(UserError):
    """Another recompute or backfill of the company is running."""


class RelationPyramidProfile(models.Model):
    _name = "relation.pyramid.profile"
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
        the same. Each company's transaction starts after the previous one
        ended, so its recompute reads what was committed before its locks."""
        if getattr(threading.currentThread(), "testing", False):
            for profile in self._ensure_profiles():
                profile._cron_recompute_company()
            return
        with self.pool.cursor() as cr:
            profile_ids = self.with_env(self.env(cr=cr))._ensure_profiles().ids
        for profile_id in profile_ids:
            with self.pool.cursor() as cr:
                self.with_env(self.env(cr=cr)).browse(
                    profile_id
                )._cron_recompute_company()

    @api.multi
    def _cron_recompute_company(self):
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                self._lock_company(wait_for_refreshes=True)
                self._recompute(self._reference_date())
        except RecomputeRunning:
            self.invalidate_cache()
            _logger.warning(
                "Customer pyramid of %s: skipped, another recompute of this "
                "company is running",
                self.company_id.name,
            )
        except Exception:  # pylint: disable=broad-except
            # Whatever the cause (a lock, a rate missing, a bug), the
            # scheduled action must go on with the next company.
            self.invalidate_cache()
            _logger.exception(
                "Customer pyramid of %s: recompute failed, "
                "the previous levels are kept",
                self.company_id.name,
            )

    @api.multi
    def _lock_company(self, wait_for_refreshes=False):
        """One recompute or backfill of a company at a time: a second one
        is refused at once with a clear message (``RecomputeRunning``).
        A recompute (``wait_for_refreshes``) also waits for the refreshes of
        orders being confirmed, and makes new ones wait until it commits, so
        that the two never write the same rows at the same time."""
        self.ensure_one()
        cr = self.env.cr
        cr.execute(
            "SELECT pg_try_advisory_xact_lock(%s, %s)",
            (LOCK_NAMESPACE_RECOMPUTE, self.company_id.id),
        )
        if not cr.fetchone()[0]:
            raise RecomputeRunning(
                _(
                    "The customer pyramid of %s is being recomputed (by another "
                    "user or the nightly run). Try again when it is done."
                )
                % self.company_id.name
            )
        if wait_for_refreshes:
            cr.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)",
                (LOCK_NAMESPACE_ROWS, self.company_id.id),
            )

    @api.multi
    def _lock_rows_for_refresh(self):
        """A refresh shares the company's rows with other refreshes and waits
        while a recompute of the company runs."""
        self.ensure_one()
        self.env.cr.execute(
            "SELECT pg_advisory_xact_lock_shared(%s, %s)",
            (LOCK_NAMESPACE_ROWS, self.company_id.id),
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

    # ------------------------------------------------------------------
    # The engine
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

    @api.multi
    def _company_tz(self):
        """The company's time zone: its partner's, else UTC (DOMAIN.md)."""
        return self.company_id.partner_id.tz or "UTC"

    @api.multi
    def _period_bounds(self, reference_date):
        """Period and previous period as whole days, both ends included."""
        self.ensure_one()
        months = relativedelta(months=self.period_months)
        one_day = relativedelta(days=1)
        start = reference_date - months + one_day
        previous_end = start - one_day
        return {
            "start": start,
            "end": reference_date,
            "previous_start": previous_end - months + one_day,
            "previous_end": previous_end,
        }

    @api.multi
    def _recompute(self, reference_date):
        self.ensure_one()
        self._log_progress(reference_date, "recompute starts")
        self._compute_result(reference_date)
        self._log_progress(reference_date, "levels placed: %s", self._result_summary())
        counts = self._write_lines()
        self._log_progress(
            reference_date,
            "%d rows written, %d removed",
            counts["written"],
            counts["removed"],
        )
        snapshot = self._write_snapshot(reference_date)
        self.write(
            {
                "last_reference_date": reference_date,
                "last_recompute_date": fields.Datetime.now(),
                "level_counts": json.dumps(self._result_level_counts(), sort_keys=True),
                "settings_signature": self._settings_signature(),
            }
        )
        self._log_progress(
            reference_date,
            "snapshot %s written (%d changes), done",
            snapshot.id,
            snapshot.change_count,
        )
        return counts

    @api.multi
    def _log_progress(self, reference_date, message, *args):
        """A progress line of a long run: company, reference date, counts."""
        _logger.info(
            "Customer pyramid of %s at %s: " + message,
            self.company_id.name,
            reference_date,
            *args
        )

    @api.model
    def _result_level_counts(self):
        """How many customers the engine's result has at each level."""
        self.env.cr.execute(
            "SELECT level, COUNT(*) FROM pg_temp.relation_pyramid_result GROUP BY level"
        )
        return dict(self.env.cr.fetchall())

    @api.model
    def _result_summary(self):
        """The engine's result in a few words: customers, active customers
        and how many are at each active level."""
        by_level = self._result_level_counts()
        return "%d customers, %d active (%s)" % (
            sum(by_level.values()),
            sum(by_level.get(level, 0) for level in ACTIVE_LEVELS),
            ", ".join(
                "%s %d" % (level, by_level.get(level, 0)) for level in ACTIVE_LEVELS
            ),
        )

    @api.multi
    def _backfill_snapshot(self, reference_date):
        self.ensure_one()
        self._log_progress(reference_date, "backfill starts")
        self._compute_result(reference_date)
        snapshot = self._write_snapshot(reference_date)
        self._log_progress(
            reference_date,
            "snapshot %s backfilled (%d changes): %s",
            snapshot.id,
            snapshot.change_count,
            self._result_summary(),
        )
        return snapshot

    @api.multi
    def _compute_result(self, reference_date, partner_ids=None):
        """Fill the temporary table ``relation_pyramid_result``."""
        bounds = self._period_bounds(reference_date)
        # Just-in-time compilation of these plans costs more than it saves
        # (0.1-1.3 s per statement at a million orders, see bench/README.md).
        self.env.cr.execute("SET LOCAL jit = off")
        self._gather_currency_factors(bounds)
        self._gather_revenue(bounds, partner_ids)
        self._classify(partner_ids)

    @api.multi
    def _gather_currency_factors(self, bounds):
        """Temporary table ``relation_pyramid_factor``: for each other
        currency of a pricelist and each day of the period and the previous
        period, the factor that converts an amount of that day into the
        company currency."""
        self.ensure_one()
        cr = self.env.cr
        cr.execute("DROP TABLE IF EXISTS pg_temp.relation_pyramid_factor")
        cr.execute(
            """
            CREATE TEMP TABLE pg_temp.relation_pyramid_factor ON COMMIT DROP AS
            SELECT calendar.currency_id, calendar.day,
                   -- Odoo's conversion: amount * company rate / order rate,
                   -- each the latest rate on or before the day (1 if none)
                   COALESCE(company_rate.rate, 1.0)
                       / COALESCE(order_rate.rate, 1.0) AS factor
              FROM (SELECT currencies.currency_id, days.day::date AS day
                      FROM (SELECT DISTINCT currency_id FROM product_pricelist
                             WHERE currency_id <> %(currency_id)s) currencies
                     CROSS JOIN generate_series(%(previous_start)s::date,
                                                %(end)s::date,
                                                INTERVAL '1 day') days(day)
                   ) calendar
              LEFT JOIN LATERAL ({order_rate}) order_rate ON TRUE
              LEFT JOIN LATERAL ({company_rate}) company_rate ON TRUE
            """.format(
                order_rate=self._rate_sql("calendar.currency_id"),
                company_rate=self._rate_sql("%(currency_id)s"),
            ),
            dict(
                bounds, company_id=self.company_id.id, currency_id=self.currency_id.id
            ),
        )
        # the row count lets the planner hash this table in _gather_revenue
        cr.execute("ANALYZE pg_temp.relation_pyramid_factor")

    @api.model
    def _rate_sql(self, currency_sql):
        """The latest rate of a currency on or before ``calendar.day``, as
        Odoo's ``res.currency._compute_current_rate`` finds it."""
        return """
            SELECT rate.rate FROM res_currency_rate rate
             WHERE rate.currency_id = {currency}
               AND rate.name <= calendar.day
               AND (rate.company_id IS NULL OR rate.company_id = %(company_id)s)
             ORDER BY rate.company_id, rate.name DESC LIMIT 1""".format(
            currency=currency_sql
        )

    @api.multi
    def _gather_revenue(self, bounds, partner_ids=None):
        """Temporary table ``relation_pyramid_revenue``: per commercial partner
        the revenue of the period and the previous period in the company
        currency, whether they bought before the period and whether they have
        any order at all; plus qualified partners without orders.

        One pass over the company's orders up to the reference date, grouped
        by the order's partner first: mapping those groups, not every order,
        to their commercial partner. An order's day is the day of its
        confirmation (of its order date while not confirmed), compared with
        the period's bounds as timestamps."""
        self.ensure_one()
        cr = self.env.cr
        cr.execute("DROP TABLE IF EXISTS pg_temp.relation_pyramid_revenue")
        one_day = relativedelta(days=1)
        params = dict(
            company_id=self.company_id.id,
            digits=self.currency_id.decimal_places,
            start=self._day_start(bounds["start"]),
            previous_start=self._day_start(bounds["previous_start"]),
            end=self._day_start(bounds["end"] + one_day),
            partner_ids=tuple(partner_ids or [0]),
            contact_ids=tuple(self._contact_ids(partner_ids) or [0]),
            all_partners=partner_ids is None,
            tz=self._company_tz(),
        )
        cr.execute(
            """
            CREATE TEMP TABLE pg_temp.relation_pyramid_revenue ON COMMIT DROP AS
            SELECT partner.commercial_partner_id AS partner_id,
                   ROUND(COALESCE(SUM(by_partner.revenue), 0), %(digits)s)
                       AS revenue,
                   ROUND(COALESCE(SUM(by_partner.previous_revenue), 0), %(digits)s)
                       AS previous_revenue,
                   BOOL_OR(by_partner.bought_before) AS bought_before,
                   TRUE AS has_order
              FROM (
                SELECT so.partner_id,
                       SUM(so.amount_untaxed * COALESCE(factor.factor, 1.0))
                           FILTER (WHERE so.state IN ('sale', 'done')
                                     AND {day} >= %(start)s)
                           AS revenue,
                       SUM(so.amount_untaxed * COALESCE(factor.factor, 1.0))
                           FILTER (WHERE so.state IN ('sale', 'done')
                                     AND {day} >= %(previous_start)s
                                     AND {day} < %(start)s)
                           AS previous_revenue,
                       COALESCE(BOOL_OR(so.state IN ('sale', 'done')
                                        AND {day} < %(start)s),
                                FALSE) AS bought_before
                  FROM sale_order so
                  JOIN product_pricelist pricelist
                    ON pricelist.id = so.pricelist_id
                  LEFT JOIN pg_temp.relation_pyramid_factor factor
                    ON factor.currency_id = pricelist.currency_id
                   AND factor.day = {local_day}
                 WHERE so.company_id = %(company_id)s
                   AND so.state IN ('draft', 'sent', 'sale', 'done')
                   AND {day} < %(end)s
                   AND (%(all_partners)s OR so.partner_id IN %(contact_ids)s)
                 GROUP BY so.partner_id
              ) by_partner
              JOIN res_partner partner ON partner.id = by_partner.partner_id
             GROUP BY partner.commercial_partner_id
            """.format(
                day="COALESCE(so.confirmation_date, so.date_order)",
                local_day=self._local_day_sql(
                    "COALESCE(so.confirmation_date, so.date_order)"
                ),
            ),
            params,
        )
        cr.execute(
            """
            INSERT INTO pg_temp.relation_pyramid_revenue
                   (partner_id, revenue, previous_revenue, bought_before, has_order)
            SELECT partner.id, 0, 0, FALSE, FALSE
              FROM res_partner partner
             WHERE partner.relation_qualification IS NOT NULL
               AND partner.active
               AND partner.id = partner.commercial_partner_id
               AND (partner.company_id IS NULL OR partner.company_id = %(company_id)s)
               AND (%(all_partners)s OR partner.id IN %(partner_ids)s)
               AND NOT EXISTS (SELECT 1 FROM pg_temp.relation_pyramid_revenue revenue
                                WHERE revenue.partner_id = partner.id)
            """,
            params,
        )
        # its size lets the planner join one customer by index, all by hash
        cr.execute("ANALYZE pg_temp.relation_pyramid_revenue")

    @api.model
    def _contact_ids(self, partner_ids):
        """The partners whose orders count for ``partner_ids``: themselves
        and their contacts, archived ones included."""
        if partner_ids is None:
            return None
        return (
            self.env["res.partner"]
            .sudo()
            .with_context(active_test=False)
            .search([("commercial_partner_id", "in", partner_ids)])
            .ids
        )

    @api.multi
    def _day_start(self, day):
        """The first instant of ``day`` in the company's time zone, as the
        UTC timestamp Odoo stores: an order's day is its company's local day."""
        try:
            tz = pytz.timezone(self._company_tz())
        except pytz.UnknownTimeZoneError:
            tz = pytz.utc
        local = tz.localize(datetime.datetime.combine(day, datetime.time.min))
        return local.astimezone(pytz.utc).replace(tzinfo=None)

    @api.multi
    def _local_day_sql(self, timestamp_sql):
        """SQL for the company's local day of a stored (UTC) timestamp."""
        if self._company_tz() in ("UTC", "Etc/UTC", "GMT"):
            return "({})::date".format(timestamp_sql)
        return "(({}) AT TIME ZONE 'UTC' AT TIME ZONE %(tz)s)::date".format(
            timestamp_sql
        )

    @api.multi
    def _classify(self, partner_ids=None):
        """Temporary table ``relation_pyramid_result``: lifecycle, rank,
        shares, level and up-sell gap per customer, plus the partner's
        salesperson, country and main motive for grouping.

        The levels follow the profile's mode. A few customers
        (``partner_ids``) are ranked among the other customers' current rows
        (``_ranked_sql``) and placed by the mode on those figures, as a
        recompute at that moment would place them."""
        self.ensure_one()
        cr = self.env.cr
        cr.execute("DROP TABLE IF EXISTS pg_temp.relation_pyramid_result")
        level_sql, params = getattr(self, "_level_sql_%s" % self.level_mode)()
        floors_sql = """
                SELECT level, MIN(revenue) AS lowest FROM classified
                 WHERE lifecycle = 'active' GROUP BY level"""
        if partner_ids is not None:
            # the other customers' current floors count for the up-sell gap
            params = dict(params, **self._current_floors(partner_ids))
            floors_sql = """
                SELECT level, MIN(lowest) AS lowest
                  FROM (SELECT level, MIN(revenue) AS lowest FROM classified
                         WHERE lifecycle = 'active' GROUP BY level
                        UNION ALL
                        VALUES ('top', %(floor_top)s::numeric),
                               ('big', %(floor_big)s::numeric),
                               ('medium', %(floor_medium)s::numeric)
                       ) current(level, lowest)
                 WHERE lowest < 'Infinity'
                 GROUP BY level"""
        cr.execute(
            """
            CREATE TEMP TABLE pg_temp.relation_pyramid_result ON COMMIT DROP AS
            WITH lifecycle AS (
                SELECT revenue.*,
                       CASE WHEN revenue.revenue > 0 THEN 'active'
                            WHEN revenue.bought_before THEN 'inactive'
                            WHEN revenue.has_order THEN 'prospect'
                            ELSE partner.relation_qualification
                       END AS lifecycle,
                       partner.user_id,
                       partner.country_id,
                       partner.relation_main_motive_id AS relation_motive_id
                  FROM pg_temp.relation_pyramid_revenue revenue
                  JOIN res_partner partner ON partner.id = revenue.partner_id
            ), ranked AS ({ranked_sql}
            ), classified AS (
                SELECT partner_id, lifecycle, revenue, previous_revenue,
                       user_id, country_id, relation_motive_id,
                       CASE WHEN lifecycle = 'active' THEN {level_sql}
                            ELSE lifecycle END AS level,
                       CASE WHEN lifecycle = 'active' THEN active_rank END AS rank,
                       CASE WHEN lifecycle = 'active'
                            THEN ROUND(100.0 * revenue / total_revenue, 4) END
                           AS revenue_share,
                       CASE WHEN lifecycle = 'active'
                            THEN ROUND(100.0 * (revenue_before + revenue_of_peers)
                                       / total_revenue, 4) END AS cumulative_share,
                       ROUND(100.0 * (revenue - previous_revenue)
                             / NULLIF(previous_revenue, 0), 2) AS revenue_change_pct
                  FROM ranked
            ), floors AS MATERIALIZED ({floors_sql}
            ), targets AS (
                -- per active level, the lowest revenue of the levels above it
                SELECT active_level.level,
                       (SELECT MIN(floors.lowest) FROM floors
                         WHERE array_position(%(active_levels)s, floors.level)
                               < active_level.position) AS target
                  FROM UNNEST(%(active_levels)s) WITH ORDINALITY
                       AS active_level(level, position)
            )
            SELECT classified.*, targets.target - classified.revenue AS upsell_gap
              FROM classified
              LEFT JOIN targets ON classified.lifecycle = 'active'
                               AND targets.level = classified.level
            """.format(
                ranked_sql=self._ranked_sql(partner_ids),
                level_sql=level_sql,
                floors_sql=floors_sql,
            ),
            dict(
                params,
                active_levels=ACTIVE_LEVELS,
                company_id=self.company_id.id,
                partner_ids=tuple(partner_ids or [0]),
            ),
        )

    @api.model
    def _ranked_sql(self, partner_ids=None):
        """The ``ranked`` step of ``_classify``: each customer of
        ``lifecycle`` with the figures their level and shares follow from,
        among the active customers: rank (ties share the better rank), their
        number, their revenue in all, the revenue of those ranked above and
        of the customer and their peers (equal revenue).

        A full recompute ranks everybody in one sort. A few customers
        (``partner_ids``) are ranked among the other customers' current rows
        and each other, with one pass over those rows per customer and no
        sort: the other customers' own figures follow at the next recompute."""
        if partner_ids is None:
            return """
                SELECT lifecycle.*,
                       RANK() OVER w_active AS active_rank,
                       COUNT(*) OVER w_all AS active_count,
                       SUM(revenue) OVER w_all AS total_revenue,
                       -- the running sum and count include the peers (equal
                       -- revenue): the peers are counted once and their sum
                       -- is taken off, in the one sort of this window
                       SUM(revenue) OVER w_active
                           - revenue * (COUNT(*) OVER w_active
                                        - RANK() OVER w_active + 1)
                           AS revenue_before,
                       revenue * (COUNT(*) OVER w_active
                                  - RANK() OVER w_active + 1) AS revenue_of_peers
                  FROM lifecycle
                 WHERE lifecycle IS NOT NULL
                WINDOW w_all AS (PARTITION BY lifecycle = 'active'),
                       w_active AS (PARTITION BY lifecycle = 'active'
                                    ORDER BY revenue DESC)"""
        return """
                SELECT lifecycle.*, standing.*
                  FROM lifecycle
                  LEFT JOIN LATERAL (
                    SELECT 1 + COUNT(*) FILTER (
                               WHERE active.revenue > lifecycle.revenue)
                               AS active_rank,
                           COUNT(*) AS active_count,
                           SUM(active.revenue) AS total_revenue,
                           COALESCE(SUM(active.revenue) FILTER (
                               WHERE active.revenue > lifecycle.revenue), 0)
                               AS revenue_before,
                           SUM(active.revenue) FILTER (
                               WHERE active.revenue = lifecycle.revenue)
                               AS revenue_of_peers
                      FROM (SELECT line.revenue FROM relation_pyramid_line line
                             WHERE line.company_id = %(company_id)s
                               AND line.lifecycle = 'active'
                               AND line.partner_id NOT IN %(partner_ids)s
                            UNION ALL
                            SELECT revenue FROM lifecycle
                             WHERE lifecycle = 'active') active
                  ) standing ON lifecycle.lifecycle = 'active'
                 WHERE lifecycle.lifecycle IS NOT NULL"""

    @api.multi
    def _level_sql_count(self):
        """Curry: rank ≤ ceil(N · cut-off) for each cumulative cut-off."""
        return (
            """CASE WHEN active_rank <= CEIL(active_count * %(top)s / 100.0) THEN 'top'
                    WHEN active_rank <= CEIL(active_count * %(big)s / 100.0) THEN 'big'
                    WHEN active_rank <= CEIL(active_count * %(medium)s / 100.0)
                         THEN 'medium'
                    ELSE 'small' END""",
            {
                "top": self._as_numeric(self.top_count_pct),
                "big": self._as_numeric(self.big_count_pct),
                "medium": self._as_numeric(self.medium_count_pct),
            },
        )

    @api.multi
    def _level_sql_threshold(self):
        """Fixed minimum revenue per level."""
        return (
            """CASE WHEN revenue >= %(top)s THEN 'top'
                    WHEN revenue >= %(big)s THEN 'big'
                    WHEN revenue >= %(medium)s THEN 'medium'
                    ELSE 'small' END""",
            {
                "top": self._as_numeric(self.top_min_revenue),
                "big": self._as_numeric(self.big_min_revenue),
                "medium": self._as_numeric(self.medium_min_revenue),
            },
        )

    @api.multi
    def _level_sql_share(self):
        """ABC: a customer belongs to the first level whose cumulative revenue
        share is not yet reached by the customers ranked above them, so the
        customer that crosses a cut-off still belongs to the level above."""
        return (
            """CASE WHEN 100.0 * revenue_before < %(top)s * total_revenue THEN 'top'
                    WHEN 100.0 * revenue_before < %(big)s * total_revenue THEN 'big'
                    WHEN 100.0 * revenue_before < %(medium)s * total_revenue
                         THEN 'medium'
                    ELSE 'small' END""",
            {
                "top": self._as_numeric(self.top_share_pct),
                "big": self._as_numeric(self.big_share_pct),
                "medium": self._as_numeric(self.medium_share_pct),
            },
        )

    @api.multi
    def _current_floors(self, partner_ids):
        """The lowest current revenue of each active level above small among
        the other customers' rows (``floor_<level>``, infinite if none)."""
        self.ensure_one()
        self.env.cr.execute(
            """
            SELECT level, MIN(revenue) FROM relation_pyramid_line
             WHERE company_id = %s AND level IN ('top', 'big', 'medium')
               AND partner_id NOT IN %s
             GROUP BY level
            """,
            (self.company_id.id, tuple(partner_ids) or (0,)),
        )
        lowest = dict(self.env.cr.fetchall())
        return {
            "floor_" + level: lowest.get(level, Decimal("Infinity"))
            for level in ("top", "big", "medium")
        }

    @staticmethod
    def _as_numeric(value):
        """Pass a float to PostgreSQL as an exact decimal (7 % of 100
        customers is 7, not 7.000000000000001)."""
        return Decimal(str(value or 0.0))

    @api.multi
    def _write_lines(self, partner_ids=None):
        """Upsert the result into ``relation_pyramid_line``; rows whose values
        did not change are not written, customers no longer in the result are
        removed."""
        self.ensure_one()
        return self._sync_rows(
            "relation.pyramid.line",
            "company_id",
            self.company_id.id,
            RESULT_COLUMNS,
            partner_ids=partner_ids,
        )

    @api.multi
    def _write_snapshot(self, reference_date):
        """Keep the result as the snapshot at ``reference_date``. Only what
        changed gets a row: a customer whose lifecycle, level or revenue
        differs from the row that held at that date, or who entered or left
        the pyramid. A re-run of the same date writes nothing when nothing
        changed; a backfill between two snapshots leaves what held at the
        later one as it was."""
        self.ensure_one()
        snapshot_model = self.env["relation.pyramid.snapshot"].sudo()
        snapshot = snapshot_model.search(
            [("company_id", "=", self.company_id.id), ("date", "=", reference_date)]
        )
        if not snapshot:
            snapshot = snapshot_model.create(
                {"company_id": self.company_id.id, "date": reference_date}
            )
        next_snapshot = snapshot._next_snapshot()
        self._collect_snapshot_changes(snapshot)
        self._end_changed_snapshot_rows(snapshot, next_snapshot)
        self._start_changed_snapshot_rows(snapshot, next_snapshot)
        self.env["relation.pyramid.snapshot.line"].invalidate_cache()
        # the other snapshots' customers are as they were: only this count moves
        snapshot.write({"customer_count": sum(self._result_level_counts().values())})
        return snapshot

    @api.model
    def _collect_snapshot_changes(self, snapshot):
        """Temporary table ``relation_pyramid_snapshot_change``: the
        customers whose row that holds at the snapshot's date (``held_id``,
        if any) differs from the result, or who are in one only."""
        cr = self.env.cr
        held, params = snapshot._customer_sql()
        cr.execute("DROP TABLE IF EXISTS pg_temp.relation_pyramid_snapshot_change")
        cr.execute(
            """
            CREATE TEMP TABLE pg_temp.relation_pyramid_snapshot_change ON COMMIT DROP AS
            SELECT COALESCE(held.partner_id, result.partner_id) AS partner_id,
                   held.id AS held_id
              FROM (SELECT line.* FROM relation_pyramid_snapshot_line line
                     WHERE {held}) held
              FULL OUTER JOIN pg_temp.relation_pyramid_result result
                ON result.partner_id = held.partner_id
             WHERE ({current}) IS DISTINCT FROM ({computed})
            """.format(
                held=held,
                current=", ".join("held.%s" % c for c in SNAPSHOT_COLUMNS),
                computed=", ".join("result.%s" % c for c in SNAPSHOT_COLUMNS),
            ),
            params,
        )

    @api.model
    def _end_changed_snapshot_rows(self, snapshot, next_snapshot):
        """The changed customers' rows stop holding at the snapshot's date: a
        row that starts there is removed, an older one ends there. Where such
        a row also held at the next snapshot, a copy starting there keeps it."""
        cr = self.env.cr
        columns = ", ".join(SNAPSHOT_COLUMNS)
        if next_snapshot:
            cr.execute(
                """
                INSERT INTO relation_pyramid_snapshot_line
                       (snapshot_id, date, date_to, partner_id, {columns})
                SELECT %(next_id)s, %(next_date)s, held.date_to, held.partner_id,
                       {columns}
                  FROM relation_pyramid_snapshot_line held
                  JOIN pg_temp.relation_pyramid_snapshot_change change
                    ON change.held_id = held.id
                 WHERE held.date_to IS NULL OR held.date_to > %(next_date)s
                """.format(columns=columns),
                {"next_id": next_snapshot.id, "next_date": next_snapshot.date},
            )
        cr.execute(
            """
            DELETE FROM relation_pyramid_snapshot_line held
             USING pg_temp.relation_pyramid_snapshot_change change
             WHERE change.held_id = held.id AND held.snapshot_id = %(id)s
            """,
            {"id": snapshot.id},
        )
        cr.execute(
            """
            UPDATE relation_pyramid_snapshot_line held SET date_to = %(date)s
              FROM pg_temp.relation_pyramid_snapshot_change change
             WHERE change.held_id = held.id
            """,
            {"date": snapshot.date},
        )

    @api.model
    def _start_changed_snapshot_rows(self, snapshot, next_snapshot):
        """The changed customers still in the pyramid get a row from the
        snapshot's date until the next snapshot; where their row at the next
        snapshot has the same values, that row starts here instead."""
        cr = self.env.cr
        params = {
            "id": snapshot.id,
            "date": snapshot.date,
            "next_id": next_snapshot.id,
            "next_date": next_snapshot.date or None,
        }
        if next_snapshot:
            cr.execute(
                """
                UPDATE relation_pyramid_snapshot_line later
                   SET snapshot_id = %(id)s, date = %(date)s
                  FROM pg_temp.relation_pyramid_snapshot_change change
                  JOIN pg_temp.relation_pyramid_result result USING (partner_id)
                 WHERE later.snapshot_id = %(next_id)s
                   AND later.partner_id = change.partner_id
                   AND ({later}) = ({computed})
                """.format(
                    later=", ".join("later.%s" % c for c in SNAPSHOT_COLUMNS),
                    computed=", ".join("result.%s" % c for c in SNAPSHOT_COLUMNS),
                ),
                params,
            )
        # the rows just moved back to this snapshot are skipped
        cr.execute(
            """
            INSERT INTO relation_pyramid_snapshot_line
                   (snapshot_id, date, date_to, partner_id, {columns})
            SELECT %(id)s, %(date)s, %(next_date)s, result.partner_id, {computed}
              FROM pg_temp.relation_pyramid_snapshot_change change
              JOIN pg_temp.relation_pyramid_result result USING (partner_id)
            ON CONFLICT (snapshot_id, partner_id) DO NOTHING
            """.format(
                columns=", ".join(SNAPSHOT_COLUMNS),
                computed=", ".join("result.%s" % c for c in SNAPSHOT_COLUMNS),
            ),
            params,
        )

    @api.multi
    def _sync_rows(self, model_name, scope_column, scope_id, columns, partner_ids=None):
        """Make the rows of ``model_name`` with ``scope_column = scope_id``
        equal the engine's result, one row per partner: remove the rows of
        customers no longer there (only among ``partner_ids`` if given),
        insert the missing ones, update the rows whose values changed.

        Rows that did not change are neither written nor locked (an upsert
        would lock every existing row it meets)."""
        cr = self.env.cr
        table = self.env[model_name]._table
        params = dict(
            scope_id=scope_id,
            partner_ids=tuple(partner_ids or [0]),
            all_partners=partner_ids is None,
        )
        sql_names = dict(
            table=table,
            scope=scope_column,
            columns=", ".join(columns),
            updates=", ".join("%s = result.%s" % (c, c) for c in columns),
            current=", ".join("row.%s" % c for c in columns),
            computed=", ".join("result.%s" % c for c in columns),
        )
        cr.execute(
            """
            DELETE FROM {table} row
             WHERE row.{scope} = %(scope_id)s
               AND (%(all_partners)s OR row.partner_id IN %(partner_ids)s)
               AND NOT EXISTS (SELECT 1 FROM pg_temp.relation_pyramid_result result
                                WHERE result.partner_id = row.partner_id)
            """.format(**sql_names),
            params,
        )
        removed = cr.rowcount
        # New customers first: a row that exists is skipped without a lock; a
        # row inserted meanwhile by another transaction (an order confirmed
        # during the recompute) is a serialization failure, retried by Odoo,
        # rather than a duplicate key error.
        cr.execute(
            """
            INSERT INTO {table} ({scope}, partner_id, {columns})
            SELECT %(scope_id)s, result.partner_id, {computed}
              FROM pg_temp.relation_pyramid_result result
            ON CONFLICT ({scope}, partner_id) DO NOTHING
            """.format(**sql_names),
            params,
        )
        written = cr.rowcount
        cr.execute(
            """
            UPDATE {table} row SET {updates}
              FROM pg_temp.relation_pyramid_result result
             WHERE row.{scope} = %(scope_id)s
               AND row.partner_id = result.partner_id
               AND ({current}) IS DISTINCT FROM ({computed})
            """.format(**sql_names),
            params,
        )
        written += cr.rowcount
        self.env[model_name].invalidate_cache()
        return {"written": written, "removed": removed}
