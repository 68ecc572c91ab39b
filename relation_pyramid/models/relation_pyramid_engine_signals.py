# Copyright 2026 relation_pyramid authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The engine's signals step (issue 18, items 1-3): risk customers,
win-back candidates and the RFM figures, added to ``RESULT_TABLE`` once the
levels are placed (``_complete_result``).

The history is the company's snapshots before the reference date R (a
snapshot row holds from its snapshot until ``date_to``, see
``relation.pyramid.snapshot``); the current result stands for the snapshot
at R that the recompute writes next.

- **Risk** (``risk``): an active customer whose period revenue fell by at
  least the profile's ``risk_drop_pct`` against the previous period, with a
  previous revenue above 0 (``revenue * 100 <= previous_revenue * (100 -
  risk_drop_pct)``: exactly at the threshold counts; ``risk_revenue_drop``),
  or whose level dropped (top > big > medium > small) against the level
  they held at the previous snapshot, the latest one dated before R
  (``previous_level``, ``previous_snapshot_date``). ``risk_since``: the R at
  which the current risk began: kept from the customer's row while they stay
  at risk, R when they become at risk, null when not at risk.
- **Win-back** (``win_back``): an inactive customer who was top or big at a
  snapshot before R. ``best_level``: the best active level the customer ever
  held (snapshots before R and the current result); ``best_level_date``: the
  last snapshot date at which they held it (R when they hold it now).
- **Level since** (``level_since``): the reference date from which the
  customer has held their current level without interruption: the date of the
  first snapshot of the unbroken run of rows at that level that holds at the
  previous snapshot (rows that follow each other, ``date_to`` of one = date
  of the next, all at that level), R if the level at the previous snapshot
  differs or they were not in the pyramid then.
- **RFM** (``rfm_recency``, ``rfm_frequency``, ``rfm_monetary``): among the
  N active customers, score = 1 + floor(5 * W / N), W the number of active
  customers with a strictly worse value (an earlier last order, fewer orders
  in the period, less period revenue). Scores run 1-5 (W <= N - 1), ties
  share a score, the best value gets 5 once N >= 5; inactive and other
  customers get none. A refresh of a few customers scores them among the
  other customers' current rows and each other (the others' scores follow at
  the next recompute), as ``_ranked_sql`` ranks them.
"""
from decimal import Decimal

from psycopg2 import sql

from odoo import api, models

from .relation_pyramid_engine import ACTIVE_LEVELS, RESULT_TABLE
from .relation_pyramid_standing import FREQUENCY_SQL, RECENCY_SQL, REVENUE_SQL

SIGNAL_COLUMNS = [
    "risk",
    "risk_since",
    "risk_revenue_drop",
    "previous_level",
    "previous_snapshot_date",
    "win_back",
    "best_level",
    "best_level_date",
    "level_since",
    "rfm_recency",
    "rfm_frequency",
    "rfm_monetary",
]
# Per customer, their figures from the snapshots before R (see
# ``_gather_signal_history``).
SIGNAL_HISTORY_TABLE = "pg_temp.relation_pyramid_signal_history"
# Context key that leaves the signals' columns empty (the bench compares a
# run with and without the step; a backfill writes no rows and skips it).
SKIP_SIGNALS_KEY = "relation_pyramid_skip_signals"


class RelationPyramidEngineSignals(models.AbstractModel):
    """The signals step, mixed into ``relation.pyramid.profile``."""

    _name = "relation.pyramid.engine.signals"
    _description = "Customer pyramid engine: risk, win-back and RFM"

    @api.model
    def _result_columns(self):
        return super()._result_columns() + SIGNAL_COLUMNS

    @api.multi
    def _complete_result(self, reference_date, bounds, partner_ids=None):
        res = super()._complete_result(reference_date, bounds, partner_ids)
        self._add_signal_columns()
        if not self.env.context.get(SKIP_SIGNALS_KEY):
            self._compute_signals(reference_date, partner_ids)
        return res

    @api.multi
    def _backfill_snapshot(self, reference_date):
        """A backfill writes the history only: no signals to compute."""
        return super(
            RelationPyramidEngineSignals, self.with_context(**{SKIP_SIGNALS_KEY: True})
        )._backfill_snapshot(reference_date)

    @api.model
    def _risk_summary(self, snapshot):
        """For the printed pyramid of ``snapshot``: the risk customers among
        the rows the user may read and the revenue at risk (what they lost
        against the previous period, where they lost), if the snapshot is the
        company's last recompute (the rows hold its signals); else None."""
        profile = self.sudo().search([("company_id", "=", snapshot.company_id.id)])
        if not profile or profile.last_reference_date != snapshot.date:
            return None
        lines = self.env["relation.pyramid.line"].search(
            [("company_id", "=", snapshot.company_id.id), ("risk", "=", True)]
        )
        return {
            "count": len(lines),
            "revenue": sum(
                max(line.previous_revenue - line.revenue, 0.0) for line in lines
            ),
        }

    @api.model
    def _add_signal_columns(self):
        self.env.cr.execute(
            sql.SQL(
                """
                ALTER TABLE {}
                  ADD COLUMN risk boolean NOT NULL DEFAULT FALSE,
                  ADD COLUMN risk_since date,
                  ADD COLUMN risk_revenue_drop boolean NOT NULL DEFAULT FALSE,
                  ADD COLUMN previous_level varchar,
                  ADD COLUMN previous_snapshot_date date,
                  ADD COLUMN win_back boolean NOT NULL DEFAULT FALSE,
                  ADD COLUMN best_level varchar,
                  ADD COLUMN best_level_date date,
                  ADD COLUMN level_since date,
                  ADD COLUMN rfm_recency integer,
                  ADD COLUMN rfm_frequency integer,
                  ADD COLUMN rfm_monetary integer
                """
            ).format(sql.SQL(RESULT_TABLE))
        )

    @api.multi
    def _signal_params(self, reference_date, partner_ids):
        self.ensure_one()
        self.env.cr.execute(
            """
            SELECT MAX(date) FROM relation_pyramid_snapshot
             WHERE company_id = %s AND date < %s
            """,
            (self.company_id.id, reference_date),
        )
        return {
            "company_id": self.company_id.id,
            "reference_date": reference_date,
            "previous_date": self.env.cr.fetchone()[0],
            "active_levels": ACTIVE_LEVELS,
            "risk_keep_pct": 100 - self._as_numeric(self.risk_drop_pct),
            "hundred": Decimal(100),
            "all_partners": partner_ids is None,
            "partner_ids": tuple(partner_ids or [0]),
        }

    @api.multi
    def _compute_signals(self, reference_date, partner_ids=None):
        """Fill ``SIGNAL_COLUMNS`` in ``RESULT_TABLE`` (see the module's doc):
        the customers' history before R in one sorted pass
        (``_gather_signal_history``), then one update of the result, the
        RFM scores (``_rfm_standing_sql``) included."""
        self.ensure_one()
        params = self._signal_params(reference_date, partner_ids)
        self._gather_signal_history(params)
        if partner_ids is None:
            # the result's row count: hash joins below, not two sorts of it
            self._analyze_temp_table(RESULT_TABLE)
        self.env.cr.execute(
            """
            WITH figures AS (
                SELECT result.partner_id,
                       result.lifecycle = 'active'
                           AND result.previous_revenue > 0
                           AND result.revenue * %(hundred)s
                               <= result.previous_revenue * %(risk_keep_pct)s
                           AS revenue_drop,
                       result.lifecycle = 'active'
                           AND array_position(%(active_levels)s,
                                              result.level::text)
                               > array_position(%(active_levels)s,
                                                past.previous_level::text)
                           AS level_drop,
                       past.previous_level,
                       past.was_big,
                       past.best_level,
                       CASE WHEN past.best_end IS NULL THEN NULL
                            WHEN past.best_end >= %(reference_date)s
                                THEN %(previous_date)s::date
                            -- the snapshot before the one that ended it
                            ELSE COALESCE(
                                snapshot.date,
                                (SELECT MAX(other.date)
                                   FROM relation_pyramid_snapshot other
                                  WHERE other.company_id = %(company_id)s
                                    AND other.date < past.best_end))
                       END AS best_level_date,
                       CASE WHEN past.previous_level = result.level
                            THEN past.run_date END AS run_date,
                       line.risk AS was_at_risk,
                       line.risk_since AS line_risk_since,
                       rfm.worse_r, rfm.worse_f, rfm.worse_m, rfm.active_count
                  FROM {result_table} result
                  LEFT JOIN ({rfm}) rfm USING (partner_id)
                  LEFT JOIN {history_table} past USING (partner_id)
                  LEFT JOIN (
                      SELECT date, LEAD(date) OVER (ORDER BY date) AS next_date
                        FROM relation_pyramid_snapshot
                       WHERE company_id = %(company_id)s
                  ) snapshot ON snapshot.next_date = past.best_end
                  LEFT JOIN relation_pyramid_line line
                    ON line.company_id = %(company_id)s
                   AND line.partner_id = result.partner_id
            )
            UPDATE {result_table} result
               SET risk = figures.revenue_drop OR COALESCE(figures.level_drop, FALSE),
                   risk_revenue_drop = figures.revenue_drop,
                   risk_since = CASE
                       WHEN NOT (figures.revenue_drop
                                 OR COALESCE(figures.level_drop, FALSE))
                           THEN NULL
                       WHEN figures.was_at_risk
                            AND figures.line_risk_since <= %(reference_date)s
                           THEN figures.line_risk_since
                       ELSE %(reference_date)s::date END,
                   previous_level = figures.previous_level,
                   previous_snapshot_date = CASE
                       WHEN figures.previous_level IS NOT NULL
                           THEN %(previous_date)s::date END,
                   win_back = result.lifecycle = 'inactive'
                              AND COALESCE(figures.was_big, FALSE),
                   best_level = CASE
                       WHEN result.lifecycle = 'active'
                            AND (figures.best_level IS NULL
                                 OR array_position(%(active_levels)s,
                                                   result.level::text)
                                    <= array_position(%(active_levels)s,
                                                      figures.best_level))
                           THEN result.level
                       ELSE figures.best_level END,
                   best_level_date = CASE
                       WHEN result.lifecycle = 'active'
                            AND (figures.best_level IS NULL
                                 OR array_position(%(active_levels)s,
                                                   result.level::text)
                                    <= array_position(%(active_levels)s,
                                                      figures.best_level))
                           THEN %(reference_date)s::date
                       ELSE figures.best_level_date END,
                   level_since = COALESCE(figures.run_date, %(reference_date)s::date),
                   rfm_recency = 1 + FLOOR(5.0 * figures.worse_r
                                           / figures.active_count),
                   rfm_frequency = 1 + FLOOR(5.0 * figures.worse_f
                                             / figures.active_count),
                   rfm_monetary = 1 + FLOOR(5.0 * figures.worse_m
                                            / figures.active_count)
              FROM figures
             WHERE figures.partner_id = result.partner_id
            """.format(
                result_table=RESULT_TABLE,
                history_table=SIGNAL_HISTORY_TABLE,
                rfm=self._rfm_standing_sql(partner_ids),
            ),
            params,
        )

    @api.multi
    def _gather_signal_history(self, params):
        """Temporary table ``SIGNAL_HISTORY_TABLE``: per customer with
        snapshot rows before R, from one sorted pass over them: the level
        held at the previous snapshot (``previous_level``), the start of the
        unbroken run of rows at the level of their last row (``run_date``),
        their best active level (``best_level``), the end of the latest row
        at it (``best_end``, infinity while it holds) and whether they were
        ever top or big (``was_big``)."""
        cr = self.env.cr
        self._drop_temp_table(SIGNAL_HISTORY_TABLE)
        cr.execute(
            """
            CREATE TEMP TABLE {history_table} ON COMMIT DROP AS
            WITH history AS (
                SELECT line.partner_id, line.level::text AS level, line.date,
                       COALESCE(line.date_to, 'infinity') AS date_to,
                       array_position(%(active_levels)s, line.level::text)
                           AS position
                  FROM relation_pyramid_snapshot_line line
                 WHERE {of_company}
                   AND line.date < %(reference_date)s
                   AND (%(all_partners)s OR line.partner_id IN %(partner_ids)s)
            ), marked AS (
                -- one sort by customer and date: a row starts a run where
                -- the level changes or a gap comes before it
                SELECT history.*,
                       (LAG(level) OVER w IS DISTINCT FROM level
                        OR LAG(date_to) OVER w IS DISTINCT FROM date)
                           AS starts_run,
                       LEAD(date) OVER w IS NULL AS is_last,
                       MIN(position) OVER (PARTITION BY partner_id)
                           AS best_position
                  FROM history
                WINDOW w AS (PARTITION BY partner_id ORDER BY date)
            )
            SELECT partner_id,
                   -- the last row holds at the previous snapshot unless it
                   -- ended by then
                   MAX(level) FILTER (
                       WHERE is_last AND date_to > %(previous_date)s)
                       AS previous_level,
                   -- the last run starts at the last row that starts one
                   MAX(date) FILTER (WHERE starts_run) AS run_date,
                   (%(active_levels)s)[MIN(position)] AS best_level,
                   MAX(date_to) FILTER (WHERE position = best_position)
                       AS best_end,
                   BOOL_OR(level IN ('top', 'big')) AS was_big
              FROM marked
             GROUP BY partner_id
            """.format(
                history_table=SIGNAL_HISTORY_TABLE,
                of_company=self.env[
                    "relation.pyramid.snapshot.line"
                ]._of_company_sql("%(company_id)s"),
            ),
            params,
        )
        self._analyze_temp_table(SIGNAL_HISTORY_TABLE)

    @api.multi
    def _rfm_standing_sql(self, partner_ids):
        """A query of the active customers of ``RESULT_TABLE`` and, per
        customer, the number of active customers with a strictly worse
        recency, frequency and revenue (``worse_r``, ``worse_f``,
        ``worse_m``) and their number (``active_count``), from which
        ``_compute_signals`` takes the RFM scores (see the module's doc)."""
        if partner_ids is None:
            standing = """
                SELECT partner_id,
                       RANK() OVER (ORDER BY last_order_date) - 1 AS worse_r,
                       RANK() OVER (ORDER BY order_count) - 1 AS worse_f,
                       RANK() OVER (ORDER BY revenue) - 1 AS worse_m,
                       COUNT(*) OVER () AS active_count
                  FROM {result_table}
                 WHERE lifecycle = 'active'""".format(
                result_table=RESULT_TABLE
            )
        else:
            # among the other customers' current rows (their standing) and
            # each other
            def worse(dimension):
                mine = self._dimension_sql(dimension, "refreshed")
                return """({others} + (SELECT COUNT(*) FROM {result_table} peer
                                       WHERE peer.lifecycle = 'active'
                                         AND {theirs} < {mine}))""".format(
                    others=self._standing_sql(dimension, mine, "<"),
                    result_table=RESULT_TABLE,
                    theirs=self._dimension_sql(dimension, "peer"),
                    mine=mine,
                )

            standing = """
                SELECT refreshed.partner_id,
                       {worse_r} AS worse_r,
                       {worse_f} AS worse_f,
                       {worse_m} AS worse_m,
                       {others} + (SELECT COUNT(*) FROM {result_table}
                                    WHERE lifecycle = 'active') AS active_count
                  FROM {result_table} refreshed
                 WHERE refreshed.lifecycle = 'active'""".format(
                worse_r=worse(RECENCY_SQL),
                worse_f=worse(FREQUENCY_SQL),
                worse_m=worse(REVENUE_SQL),
                others=self._standing_sql(REVENUE_SQL, "NULL", "all"),
                result_table=RESULT_TABLE,
            )
        return standing
