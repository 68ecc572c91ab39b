# Copyright 2026 relation_pyramid authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The pyramid engine: the steps of a recompute, inside PostgreSQL.

``relation.pyramid.profile`` (the company's settings and the actions) runs
them; each step is a small method an addon can override:

1. ``_gather_currency_factors`` → ``FACTOR_TABLE``: per other currency and
   day of the two periods (a refresh: the days its customers' documents
   fall on), the factor into the company currency;
2. ``_gather_revenue`` → ``REVENUE_TABLE``: period and previous-period
   revenue per commercial partner from confirmed sale orders, converted to
   the company currency, whether the customer bought before the period or
   has any order; plus qualified partners without orders;
3. ``_classify`` → ``RESULT_TABLE``: lifecycle, rank (ties share the better
   rank), shares, level (``_level_sql_<mode>``) and up-sell gap;
   ``_complete_result`` adds the figures that follow from the levels;
4. ``_write_lines``: the current rows (``relation.pyramid.line``): new ones
   inserted, changed ones updated, unchanged rows neither written nor locked;
5. ``_write_snapshot`` (``relation.pyramid.engine.history``): the levels at
   the reference date, kept as history: a row per customer whose lifecycle,
   level or revenue changed.

The temporary tables are the contract between the steps: those the steps
pass to each other are named here only; a step added through
``_complete_result`` names the tables it keeps to itself at the top of its
own module (``PREDICTION_*_TABLE`` in ``relation_pyramid_engine_prediction``,
``SIGNAL_HISTORY_TABLE`` in ``relation_pyramid_engine_signals``,
``STANDING_DELTA_TABLE`` in ``relation_pyramid_standing``). All of them live
in the session's own schema ``pg_temp`` (a table of the same name in any
other schema is never read, written or dropped) and are dropped at commit;
each step that makes one documents its columns.
"""
import datetime
import logging
import math
from decimal import Decimal

import pytz
from dateutil.relativedelta import relativedelta
from psycopg2 import sql

from odoo import _, api, models
from odoo.exceptions import UserError

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
    "first_order_date",
    "last_order_date",
    "order_count",
    "average_order_value",
]
# Columns a snapshot row keeps: a row holds while they do not change.
SNAPSHOT_COLUMNS = ["lifecycle", "level", "revenue"]
# A sale order's moment (DOMAIN.md): its confirmation, else (a quotation)
# its order date; ``so`` is the order.
SALE_ORDER_DAY_SQL = "COALESCE(so.confirmation_date, so.date_order)"

# The temporary tables the steps pass to each other (see the module's doc).
FACTOR_TABLE = "pg_temp.relation_pyramid_factor"
REVENUE_TABLE = "pg_temp.relation_pyramid_revenue"
RESULT_TABLE = "pg_temp.relation_pyramid_result"
SNAPSHOT_CHANGE_TABLE = "pg_temp.relation_pyramid_snapshot_change"

# Advisory locks (PostgreSQL, per company, held until the transaction ends):
# one recompute or backfill of a company at a time; the rows of a company are
# written by one recompute, or by refreshes on order changes, not both.
LOCK_NAMESPACE_RECOMPUTE = 0x52505201
LOCK_NAMESPACE_ROWS = 0x52505202


class RecomputeRunning(UserError):
    """Another recompute or backfill of the company is running."""


class RelationPyramidEngine(models.AbstractModel):
    """The steps of a recompute, mixed into ``relation.pyramid.profile``
    (they read the company and the settings from it)."""

    _name = "relation.pyramid.engine"
    _description = "Customer pyramid engine"

    @api.multi
    def _take_company_locks(self, wait_for_refreshes, session=False):
        """Take the company's recompute lock without waiting and, with
        ``wait_for_refreshes``, its rows lock (waiting for the refreshes
        that hold it shared). Transaction locks, or ``session`` locks held
        beyond the transaction. False if another recompute holds the
        company."""
        self.ensure_one()
        cr = self.env.cr
        scope = "" if session else "_xact"
        cr.execute(
            "SELECT pg_try_advisory{}_lock(%s, %s)".format(scope),
            (LOCK_NAMESPACE_RECOMPUTE, self.company_id.id),
        )
        if not cr.fetchone()[0]:
            return False
        if wait_for_refreshes:
            cr.execute(
                "SELECT pg_advisory{}_lock(%s, %s)".format(scope),
                (LOCK_NAMESPACE_ROWS, self.company_id.id),
            )
        return True

    @api.multi
    def _lock_company(self, wait_for_refreshes=False):
        """One recompute or backfill of a company at a time: a second one
        is refused at once with a clear message (``RecomputeRunning``).
        A recompute (``wait_for_refreshes``) also waits for the refreshes of
        orders being confirmed, and makes new ones wait until it commits, so
        that the two never write the same rows at the same time."""
        if not self._take_company_locks(wait_for_refreshes):
            raise RecomputeRunning(
                _(
                    "The customer pyramid of %s is being recomputed (by another "
                    "user or the nightly run). Try again when it is done."
                )
                % self.company_id.name
            )

    @api.multi
    def _hold_company_locks(self):
        """The locks of ``_lock_company(wait_for_refreshes=True)`` held by
        this database session beyond its transaction, for a recompute run in
        another transaction that starts once they are held (its snapshot
        then sees every refresh that came before: none of their rows can
        conflict). False if another recompute of the company runs. Release
        them with ``_release_company_locks``."""
        return self._take_company_locks(True, session=True)

    @api.multi
    def _release_company_locks(self):
        self.ensure_one()
        self.env.cr.execute(
            "SELECT pg_advisory_unlock(%s, %s), pg_advisory_unlock(%s, %s)",
            (
                LOCK_NAMESPACE_ROWS,
                self.company_id.id,
                LOCK_NAMESPACE_RECOMPUTE,
                self.company_id.id,
            ),
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

    @api.multi
    def _company_tz(self):
        """The company's time zone: its partner's, else UTC (DOMAIN.md)."""
        # the time zone alone: a refresh needs no other field of the partner
        partner = self.company_id.partner_id.with_context(prefetch_fields=False)
        return partner.tz or "UTC"

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
        self._write_standing()
        self.env["relation.pyramid.line.total"]._fold_changes(self.company_id.id)
        self._log_progress(
            reference_date,
            "%d rows written, %d removed",
            counts["written"],
            counts["removed"],
        )
        snapshot = self._write_snapshot(reference_date)
        self._remember_recompute(reference_date)
        self._log_progress(
            reference_date,
            "snapshot %s written (%d changes), done",
            snapshot.id,
            snapshot.change_count,
        )
        return counts

    @api.model
    def _drop_temp_table(self, table):
        """Drop one of the engine's temporary tables (``*_TABLE``): only a
        name in the session's own schema, never a real table."""
        if not table.startswith("pg_temp."):
            raise ValueError("not a temporary table of the engine: %s" % table)
        self.env.cr.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.SQL(table)))

    @api.model
    def _execute_history_read(self, query, params):
        """Execute ``query``, a read of the company's order history grouped
        per customer, and return its row count. A full computation
        (``params["all_partners"]``) has PostgreSQL group by sorting rather
        than by hashing, for this statement only: with about as many groups
        as orders (or one per customer), a hash table that large is filled
        in random order, a sort streams; the revenue and the prediction's
        read take 25-35 % less time at M and L (bench/README.md). The
        setting is the transaction's own and put back after the statement;
        a statement that fails takes it back with its transaction."""
        cr = self.env.cr
        if not params.get("all_partners"):
            cr.execute(query, params)
            return cr.rowcount
        cr.execute(
            "SELECT current_setting('enable_hashagg'), "
            "set_config('enable_hashagg', 'off', true)"
        )
        previous = cr.fetchone()[0]
        cr.execute(query, params)
        rowcount = cr.rowcount
        cr.execute("SELECT set_config('enable_hashagg', %s, true)", (previous,))
        return rowcount

    @api.model
    def _analyze_temp_table(self, table):
        """Statistics of a temporary table, for the planner's next join."""
        self.env.cr.execute(sql.SQL("ANALYZE {}").format(sql.SQL(table)))

    @api.multi
    def _remember_recompute(self, reference_date):
        """What the settings keep of a recompute (the profile says what)."""

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
        return {
            level: count for level, (count, _revenue) in self._result_totals().items()
        }

    @api.model
    def _result_totals(self):
        """{level: (customers, revenue)} of the engine's result, revenue an
        exact Decimal (Odoo reads numeric columns as floats)."""
        self.env.cr.execute(
            sql.SQL(
                "SELECT level, COUNT(*), COALESCE(SUM(revenue), 0)::text FROM {} "
                "GROUP BY level"
            ).format(sql.SQL(RESULT_TABLE))
        )
        return {
            level: (count, Decimal(revenue))
            for level, count, revenue in self.env.cr.fetchall()
        }

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
        """Fill the temporary table ``RESULT_TABLE``."""
        bounds = self._period_bounds(reference_date)
        # Just-in-time compilation of these plans costs more than it saves
        # (0.1-1.3 s per statement at a million orders, see bench/README.md).
        self.env.cr.execute("SET LOCAL jit = off")
        if partner_ids is not None:
            # a refresh: the others' figures come from the standing
            self._ensure_standing()
            self._note_standing_changes(partner_ids)
            self._gather_standing_changes(partner_ids)
        self._gather_currency_factors(bounds, partner_ids)
        self._gather_revenue(bounds, partner_ids)
        self._classify(partner_ids)
        self._complete_result(reference_date, bounds, partner_ids)

    @api.multi
    def _complete_result(self, reference_date, bounds, partner_ids=None):
        """Add figures to ``RESULT_TABLE`` once the levels are placed (for
        the rows and, where a snapshot keeps them, the history). An addition
        extends this step: it adds its columns to the table, fills them, and
        names those the rows mirror in ``_result_columns``. Nothing here."""

    @api.model
    def _result_columns(self):
        """The columns of ``RESULT_TABLE`` that the stored rows
        (``relation.pyramid.line``) mirror: ``RESULT_COLUMNS`` and those an
        addition adds in ``_complete_result``."""
        return list(RESULT_COLUMNS)

    @api.multi
    def _gather_currency_factors(self, bounds, partner_ids=None):
        """Temporary table ``FACTOR_TABLE``: the factor that converts an
        amount of a day into the company currency, for each (currency, day)
        of ``_factor_calendar_sql``.

        Columns: ``currency_id``, ``day`` (date), ``factor`` (numeric)."""
        self.ensure_one()
        cr = self.env.cr
        self._drop_temp_table(FACTOR_TABLE)
        params = self._revenue_params(bounds, partner_ids)
        cr.execute(
            """
            CREATE TEMP TABLE {factor_table} ON COMMIT DROP AS
            SELECT calendar.currency_id, calendar.day,
                   -- Odoo's conversion: amount * company rate / order rate,
                   -- each the latest rate on or before the day (1 if none)
                   COALESCE(company_rate.rate, 1.0)
                       / COALESCE(order_rate.rate, 1.0) AS factor
              FROM ({calendar}) calendar
              LEFT JOIN LATERAL ({order_rate}) order_rate ON TRUE
              LEFT JOIN LATERAL ({company_rate}) company_rate ON TRUE
            """.format(
                factor_table=FACTOR_TABLE,
                calendar=self._factor_calendar_sql(params),
                order_rate=self._rate_sql("calendar.currency_id"),
                company_rate=self._rate_sql("%(currency_id)s"),
            ),
            params,
        )
        # the row count lets the planner hash this table in _gather_revenue
        self._analyze_temp_table(FACTOR_TABLE)

    @api.multi
    def _factor_calendar_sql(self, params):
        """SQL of the (``currency_id``, ``day``) pairs whose factors the
        revenue sources read (``params`` are ``_revenue_params``'). A full
        recompute: every other currency of a pricelist on every day of the
        period and the previous period. A refresh: only the days on which
        its customers' documents in another currency fall, as each revenue
        source names them (``_factor_days_<name>(params)``, see
        ``relation.pyramid.engine.sources``): a few rows rather than two
        years of days per currency. A source that names no days of its own
        gets the whole calendar."""
        if not params["all_partners"]:
            days_of_sources = [
                getattr(self, "_factor_days_%s" % name, None)
                for name in self._revenue_sources()
            ]
            if all(days_of_sources):
                return "\n              UNION\n".join(
                    days(params) for days in days_of_sources
                )
        return """
                SELECT currencies.currency_id, days.day::date AS day
                  FROM (SELECT DISTINCT currency_id FROM product_pricelist
                         WHERE currency_id <> %(currency_id)s) currencies
                 CROSS JOIN generate_series(%(previous_start_day)s::date,
                                            %(end_day)s::date,
                                            INTERVAL '1 day') days(day)"""

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
        """Temporary table ``REVENUE_TABLE``: per commercial partner
        the revenue of the period and the previous period in the company
        currency, whether they bought before the period and whether they have
        any order at all; plus qualified partners without orders.

        Columns: ``partner_id`` (the commercial partner), ``revenue``,
        ``previous_revenue``, ``margin``, ``previous_margin`` (rounded to the
        currency; margin null where the basis knows no cost),
        ``bought_before``, ``has_order`` (booleans), ``first_order_date``
        and ``last_order_date`` (the company's local days of the first and
        the last purchase up to the reference date, null if none),
        ``order_count`` (purchases in the period).

        The figures come from the profile's revenue sources
        (``_revenue_sources``: one ``_revenue_source_<name>`` step each, see
        ``relation.pyramid.engine.sources``), each one pass over its
        documents grouped by the document's partner; the groups, not the
        documents, are mapped to their commercial partner here."""
        self.ensure_one()
        cr = self.env.cr
        self._drop_temp_table(REVENUE_TABLE)
        params = self._revenue_params(bounds, partner_ids)
        sources = "\n              UNION ALL\n".join(
            getattr(self, "_revenue_source_%s" % name)(params)
            for name in self._revenue_sources()
        )
        self._execute_history_read(
            """
            CREATE TEMP TABLE {revenue_table} ON COMMIT DROP AS
            SELECT partner.commercial_partner_id AS partner_id,
                   ROUND(COALESCE(SUM(by_partner.revenue), 0), %(digits)s)
                       AS revenue,
                   ROUND(COALESCE(SUM(by_partner.previous_revenue), 0), %(digits)s)
                       AS previous_revenue,
                   ROUND(SUM(by_partner.margin), %(digits)s) AS margin,
                   ROUND(SUM(by_partner.previous_margin), %(digits)s)
                       AS previous_margin,
                   BOOL_OR(by_partner.bought_before) AS bought_before,
                   BOOL_OR(by_partner.has_order) AS has_order,
                   MIN(by_partner.first_order_date) AS first_order_date,
                   MAX(by_partner.last_order_date) AS last_order_date,
                   COALESCE(SUM(by_partner.order_count), 0) AS order_count
              FROM ({sources}
              ) by_partner
              JOIN res_partner partner ON partner.id = by_partner.partner_id
             GROUP BY partner.commercial_partner_id
            """.format(revenue_table=REVENUE_TABLE, sources=sources),
            params,
        )
        cr.execute(
            """
            INSERT INTO {revenue_table}
                   (partner_id, revenue, previous_revenue, bought_before, has_order,
                    order_count)
            SELECT partner.id, 0, 0, FALSE, FALSE, 0
              FROM res_partner partner
             WHERE partner.relation_qualification IS NOT NULL
               AND partner.active
               AND partner.id = partner.commercial_partner_id
               AND (partner.company_id IS NULL OR partner.company_id = %(company_id)s)
               AND (%(all_partners)s OR partner.id IN %(partner_ids)s)
               AND NOT EXISTS (SELECT 1 FROM {revenue_table} revenue
                                WHERE revenue.partner_id = partner.id)
            """.format(revenue_table=REVENUE_TABLE),
            params,
        )
        # its size lets the planner join one customer by index, all by hash
        self._analyze_temp_table(REVENUE_TABLE)

    @api.multi
    def _revenue_params(self, bounds, partner_ids=None):
        """The parameters every revenue source reads: the company, the
        period's bounds as the company's local days (``*_day``, the end
        included) and as UTC timestamps (``start``, ``previous_start``,
        ``end``: the first instant of the day after the reference date), the
        customers to gather (``partner_ids``, their ``contact_ids``;
        ``all_partners`` for a full recompute) and the time zone."""
        self.ensure_one()
        one_day = relativedelta(days=1)
        return dict(
            company_id=self.company_id.id,
            currency_id=self.currency_id.id,
            digits=self.currency_id.decimal_places,
            start=self._day_start(bounds["start"]),
            previous_start=self._day_start(bounds["previous_start"]),
            end=self._day_start(bounds["end"] + one_day),
            start_day=bounds["start"],
            previous_start_day=bounds["previous_start"],
            end_day=bounds["end"],
            partner_ids=tuple(partner_ids or [0]),
            contact_ids=tuple(self._contact_ids(partner_ids) or [0]),
            all_partners=partner_ids is None,
            tz=self._company_tz(),
        )

    @api.multi
    def _revenue_sources(self):
        """The names of the revenue sources of the profile's basis: each is
        a method ``_revenue_source_<name>(params)`` (see
        ``relation.pyramid.engine.sources``). An addon adds its own source
        by extending this list."""
        return ["sale_order"]

    @api.model
    def _contact_ids(self, partner_ids):
        """The partners whose orders count for ``partner_ids``: themselves
        and their contacts, archived ones included."""
        if partner_ids is None:
            return None
        # one small query at each refresh, without the ORM's search
        self.env.cr.execute(
            "SELECT id FROM res_partner WHERE commercial_partner_id IN %s ORDER BY id",
            (tuple(partner_ids) or (0,),),
        )
        return [partner_id for partner_id, in self.env.cr.fetchall()]

    @api.multi
    def _factor_join_sql(self, document, day_sql, factor_table=FACTOR_TABLE):
        """The joins that give each row of ``document`` (the alias of an
        order table with a ``pricelist_id``) ``factor.factor``: the factor
        of its pricelist's currency on its local day (``day_sql``, a stored
        timestamp) from ``factor_table`` (``FACTOR_TABLE``, or a table of
        the same columns), null in the company currency."""
        return """JOIN product_pricelist pricelist
                    ON pricelist.id = {document}.pricelist_id
                  LEFT JOIN {factor_table} factor
                    ON factor.currency_id = pricelist.currency_id
                   AND factor.day = {local_day}""".format(
            document=document,
            factor_table=factor_table,
            local_day=self._local_day_sql(day_sql),
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
        """Temporary table ``RESULT_TABLE``: lifecycle, rank,
        shares, level and up-sell gap per customer, plus the partner's
        salesperson, country and main motive for grouping.

        Columns: ``partner_id`` and ``RESULT_COLUMNS`` (``lifecycle``,
        ``level``, ``revenue``, ``previous_revenue``, ``rank``,
        ``revenue_share``, ``cumulative_share``, ``revenue_change_pct``,
        ``upsell_gap``, ``user_id``, ``country_id``, ``relation_motive_id``,
        ``first_order_date``, ``last_order_date``, ``order_count``,
        ``average_order_value``: period revenue per order in the period),
        the columns the stored rows mirror.

        The levels follow the profile's mode. A few customers
        (``partner_ids``) are ranked among the other customers' current rows
        (``_ranked_sql``) and placed by the mode on those figures, as a
        recompute at that moment would place them."""
        self.ensure_one()
        cr = self.env.cr
        self._drop_temp_table(RESULT_TABLE)
        level_sql, params = getattr(self, "_level_sql_%s" % self.level_mode)()
        floors_sql = """
                SELECT level, MIN(measure) AS lowest FROM classified
                 WHERE lifecycle = 'active' GROUP BY level"""
        if partner_ids is not None:
            # the other customers' current floors count for the up-sell gap
            params = dict(params, **self._current_floors(partner_ids))
            floors_sql = """
                SELECT level, MIN(lowest) AS lowest
                  FROM (SELECT level, MIN(measure) AS lowest FROM classified
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
            CREATE TEMP TABLE {result_table} ON COMMIT DROP AS
            WITH lifecycle AS (
                SELECT revenue.*,
                       CASE WHEN revenue.revenue > 0 THEN 'active'
                            WHEN revenue.bought_before THEN 'inactive'
                            WHEN revenue.has_order THEN 'prospect'
                            ELSE partner.relation_qualification
                       END AS lifecycle,
                       partner.user_id,
                       partner.country_id,
                       partner.relation_main_motive_id AS relation_motive_id,
                       -- what the levels follow (``_level_measure_sql``)
                       {measure} AS measure
                  FROM {revenue_table} revenue
                  JOIN res_partner partner ON partner.id = revenue.partner_id
            ), ranked AS ({ranked_sql}
            ), classified AS (
                SELECT partner_id, lifecycle, revenue, previous_revenue,
                       margin, previous_margin, COALESCE(margin < 0, FALSE)
                           AS loss_making, measure,
                       user_id, country_id, relation_motive_id,
                       first_order_date, last_order_date, order_count,
                       ROUND(revenue / NULLIF(order_count, 0), %(digits)s)
                           AS average_order_value,
                       CASE WHEN lifecycle = 'active' THEN {level_sql}
                            ELSE lifecycle END AS level,
                       CASE WHEN lifecycle = 'active' THEN active_rank END AS rank,
                       CASE WHEN lifecycle = 'active'
                            THEN ROUND(100.0 * measure / NULLIF(total_revenue, 0), 4)
                            END AS revenue_share,
                       CASE WHEN lifecycle = 'active'
                            THEN ROUND(100.0 * (revenue_before + revenue_of_peers)
                                       / NULLIF(total_revenue, 0), 4) END
                           AS cumulative_share,
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
            SELECT classified.*, targets.target - classified.measure AS upsell_gap
              FROM classified
              LEFT JOIN targets ON classified.lifecycle = 'active'
                               AND targets.level = classified.level
            """.format(
                result_table=RESULT_TABLE,
                revenue_table=REVENUE_TABLE,
                ranked_sql=self._ranked_sql(partner_ids),
                measure=self._level_measure_sql("revenue.revenue"),
                level_sql=level_sql,
                floors_sql=floors_sql,
            ),
            dict(
                params,
                active_levels=ACTIVE_LEVELS,
                company_id=self.company_id.id,
                digits=self.currency_id.decimal_places,
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
        and each other, from the company's standing
        (``relation.pyramid.engine.standing``: a few lookups, whatever the
        number of customers): the other customers' own figures follow at the
        next recompute."""
        if partner_ids is None:
            return """
                SELECT lifecycle.*,
                       RANK() OVER w_active AS active_rank,
                       COUNT(*) OVER w_all AS active_count,
                       SUM(measure) OVER w_all AS total_revenue,
                       -- the running sum and count include the peers (equal
                       -- measure): the peers are counted once and their sum
                       -- is taken off, in the one sort of this window
                       SUM(measure) OVER w_active
                           - measure * (COUNT(*) OVER w_active
                                        - RANK() OVER w_active + 1)
                           AS revenue_before,
                       measure * (COUNT(*) OVER w_active
                                  - RANK() OVER w_active + 1) AS revenue_of_peers
                  FROM lifecycle
                 WHERE lifecycle IS NOT NULL
                WINDOW w_all AS (PARTITION BY lifecycle = 'active'),
                       w_active AS (PARTITION BY lifecycle = 'active'
                                    ORDER BY measure DESC)"""
        measure = self._level_measure_sql("row.revenue")

        def others(comparison, aggregate="count"):
            return self._standing_sql(
                measure, "lifecycle.measure", comparison, aggregate
            )

        def refreshed(condition, aggregate="COUNT(*)"):
            return """(SELECT COALESCE({aggregate}, 0) FROM lifecycle peer
                        WHERE peer.lifecycle = 'active' AND {condition})""".format(
                aggregate=aggregate, condition=condition
            )

        return """
                SELECT lifecycle.*, standing.*
                  FROM lifecycle
                  LEFT JOIN LATERAL (
                    SELECT 1 + {above} + {refreshed_above} AS active_rank,
                           {count} + {refreshed_count} AS active_count,
                           {total} + {refreshed_total} AS total_revenue,
                           {sum_above} + {refreshed_sum_above} AS revenue_before,
                           lifecycle.measure * ({equal} + {refreshed_equal})
                               AS revenue_of_peers
                  ) standing ON lifecycle.lifecycle = 'active'
                 WHERE lifecycle.lifecycle IS NOT NULL""".format(
            above=others(">"),
            refreshed_above=refreshed("peer.measure > lifecycle.measure"),
            count=others("all"),
            refreshed_count=refreshed("TRUE"),
            total=others("all", "sum"),
            refreshed_total=refreshed("TRUE", "SUM(peer.measure)"),
            sum_above=others(">", "sum"),
            refreshed_sum_above=refreshed(
                "peer.measure > lifecycle.measure", "SUM(peer.measure)"
            ),
            equal=others("="),
            refreshed_equal=refreshed("peer.measure = lifecycle.measure"),
        )

    @api.multi
    def _relevel_others(self):
        """After a refresh, the other customers' levels as a recompute at
        that moment would place them, where the profile's mode lets that be
        done without ranking everyone (their ranks, shares and gaps follow at
        the next recompute). Share of customers: the refreshed customers
        change N and the ranks below them, so the cut-off positions
        ceil(N * c) fall on other customers; a customer is at a level when
        their revenue reaches the revenue at its cut-off position (ties share
        the better rank). Only the rows between the old and the new floor of
        a level can be placed wrongly: those are updated. Thresholds: levels
        follow one's own revenue, nothing to do. ABC: left to the recompute
        (each cut-off needs a running sum over the customers above it)."""
        self.ensure_one()
        if self.level_mode != "count":
            return
        cr = self.env.cr
        company_id = self.company_id.id
        measure = self._level_measure_sql("revenue")
        # the company's figures now, the refreshed customers' new ones too
        self._gather_standing_changes()
        dimension = self._level_measure_sql("row.revenue")
        cr.execute(
            "SELECT " + self._standing_sql(dimension, "NULL", "all"),
            {"company_id": company_id},
        )
        active_count = int(cr.fetchone()[0])
        positions = {
            level: math.ceil(
                active_count * self._as_numeric(self[level + "_count_pct"]) / 100
            )
            for level in ("top", "big", "medium")
        }
        at_positions = self._standing_values_at(dimension, positions.values())
        new_floors = {
            level: at_positions.get(position, Decimal("Infinity"))
            for level, position in positions.items()
        }
        old_floors = self._current_floors([])
        # the floors are those of what the levels follow (revenue or margin)
        bands = [
            sorted((old_floors["floor_" + level], new_floors[level]))
            for level in ("top", "big", "medium")
        ]
        cr.execute(
            """
            UPDATE relation_pyramid_line SET level = placed.level
              FROM (SELECT id, CASE WHEN {measure} >= %(top)s THEN 'top'
                                    WHEN {measure} >= %(big)s THEN 'big'
                                    WHEN {measure} >= %(medium)s THEN 'medium'
                                    ELSE 'small' END AS level
                      FROM relation_pyramid_line
                     WHERE company_id = %(company_id)s AND lifecycle = 'active'
                       AND revenue > 0
                       AND ({measure} BETWEEN %(low_top)s AND %(high_top)s
                            OR {measure} BETWEEN %(low_big)s AND %(high_big)s
                            OR {measure} BETWEEN %(low_medium)s AND %(high_medium)s)
                   ) placed
             WHERE placed.id = relation_pyramid_line.id
               AND placed.level <> relation_pyramid_line.level
            """.format(measure=measure),
            dict(
                new_floors,
                company_id=company_id,
                **{
                    "%s_%s" % (bound, level): band[index]
                    for level, band in zip(("top", "big", "medium"), bands)
                    for index, bound in enumerate(("low", "high"))
                }
            ),
        )
        self.env["relation.pyramid.line"].invalidate_cache()

    @api.multi
    def _level_measure_sql(self, revenue_sql):
        """SQL of what the levels follow, given that of the revenue: the
        revenue here; ``relation.pyramid.engine.sources`` follows the margin
        when the profile says so (the same expression with ``margin``)."""
        return revenue_sql

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
            """CASE WHEN measure >= %(top)s THEN 'top'
                    WHEN measure >= %(big)s THEN 'big'
                    WHEN measure >= %(medium)s THEN 'medium'
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
        # one index lookup per level ((company_id, level, revenue))
        self.env.cr.execute(
            """
            SELECT level.name,
                   (SELECT MIN({measure}) FROM relation_pyramid_line
                     WHERE company_id = %s AND level = level.name
                       AND partner_id NOT IN %s)
              FROM unnest(ARRAY['top', 'big', 'medium']) level(name)
            """.format(
                measure=self._level_measure_sql("revenue")
            ),
            (self.company_id.id, tuple(partner_ids) or (0,)),
        )
        lowest = {
            level: value for level, value in self.env.cr.fetchall() if value is not None
        }
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
            self._result_columns(),
            partner_ids=partner_ids,
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
            result_table=RESULT_TABLE,
        )
        cr.execute(
            """
            DELETE FROM {table} row
             WHERE row.{scope} = %(scope_id)s
               AND (%(all_partners)s OR row.partner_id IN %(partner_ids)s)
               AND NOT EXISTS (SELECT 1 FROM {result_table} result
                                WHERE result.partner_id = row.partner_id)
            """.format(**sql_names),
            params,
        )
        removed = cr.rowcount
        # New customers first: a row that exists is skipped without a lock; a
        # row inserted meanwhile by another transaction (an order confirmed
        # during the recompute) is a serialization failure, retried by Odoo,
        # rather than a duplicate key error. The rows that exist are left out
        # by one anti-join first: ON CONFLICT alone probes the unique index
        # once per customer (4.2 s against 0.7 s for 730 000 rows at L).
        cr.execute(
            """
            INSERT INTO {table} ({scope}, partner_id, {columns})
            SELECT %(scope_id)s, result.partner_id, {computed}
              FROM {result_table} result
             WHERE NOT EXISTS (SELECT 1 FROM {table} row
                                WHERE row.{scope} = %(scope_id)s
                                  AND row.partner_id = result.partner_id)
            ON CONFLICT ({scope}, partner_id) DO NOTHING
            """.format(**sql_names),
            params,
        )
        written = cr.rowcount
        cr.execute(
            """
            UPDATE {table} row SET {updates}
              FROM {result_table} result
             WHERE row.{scope} = %(scope_id)s
               AND row.partner_id = result.partner_id
               AND ({current}) IS DISTINCT FROM ({computed})
            """.format(**sql_names),
            params,
        )
        written += cr.rowcount
        self.env[model_name].invalidate_cache()
        return {"written": written, "removed": removed}
