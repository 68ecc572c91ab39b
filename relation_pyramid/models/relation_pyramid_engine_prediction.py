# Copyright 2026 relation_pyramid authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The engine's prediction step: which customers are still with us.

After the levels are placed (``_complete_result``), the company's order
history up to the reference date R is summarised per customer in SQL, as
Fader, Hardie & Lee (2005) define it: a transaction is a local day with
confirmed orders of the company (their untaxed amounts summed, in the
company currency), x the transactions after the first, t_x the days from the
first to the last, T the days from the first to R, and the mean value of the
x repeat transactions. A full recompute fits BG/NBD on everybody and
Gamma-Gamma on the repeat customers (``bgnbd.py``), at every recompute or at
most weekly (``prediction_refit``), and keeps the parameters on the snapshot;
every customer with orders then gets ``p_alive``, ``expected_orders`` in the
next period of the profile's length and ``predicted_value``. The refresh of
a few customers applies the last fit's parameters to them without a refit.
"""
import io
import logging

from dateutil.relativedelta import relativedelta
from psycopg2 import sql

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from . import bgnbd
from .relation_pyramid_engine import RESULT_TABLE, SALE_ORDER_DAY_SQL

_logger = logging.getLogger(__name__)

# The temporary tables of this step (see the engine module's doc).
# Per customer with confirmed orders up to R: ``partner_id``, ``x``, ``t_x``,
# ``age`` (T, days), ``repeat_value`` (mean value of the repeat
# transactions, float8, null if x = 0).
PREDICTION_INPUT_TABLE = "pg_temp.relation_pyramid_prediction_input"
# Per other currency and day of the order history: ``currency_id``, ``day``,
# ``factor`` into the company currency (as the engine's ``FACTOR_TABLE``).
PREDICTION_FACTOR_TABLE = "pg_temp.relation_pyramid_prediction_factor"
# Per customer: ``partner_id``, ``p_alive``, ``expected_orders``,
# ``predicted_value`` (float8) as computed in Python, copied in; NaN where
# the formulas give no figure.
PREDICTION_TABLE = "pg_temp.relation_pyramid_prediction"
# One row: the parameters used by a full recompute or backfill, for the
# snapshot (``SNAPSHOT_FIT_FIELDS`` and ``prediction_note``).
PREDICTION_FIT_TABLE = "pg_temp.relation_pyramid_prediction_fit"

PREDICTION_COLUMNS = ["p_alive", "expected_orders", "predicted_value", "risk_p_alive"]
# The customers' figures go into PREDICTION_TABLE in PostgreSQL's binary COPY
# format, made by numpy without a Python object per customer: the header
# (signature, flags, no extension), then per customer its 4 fields, each
# its length and its value in network byte order, and the trailer.
COPY_BINARY_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)
COPY_BINARY_TRAILER = b"\xff\xff"
PREDICTION_COPY_ROW = [
    ("fields", ">i2"),
    ("partner_length", ">i4"),
    ("partner_id", ">i4"),
    ("p_alive_length", ">i4"),
    ("p_alive", ">f8"),
    ("expected_orders_length", ">i4"),
    ("expected_orders", ">f8"),
    ("predicted_value_length", ">i4"),
    ("predicted_value", ">f8"),
]
# The snapshot fields a fit fills.
SNAPSHOT_FIT_FIELDS = [
    "bgnbd_r",
    "bgnbd_alpha",
    "bgnbd_a",
    "bgnbd_b",
    "bgnbd_log_likelihood",
    "gg_p",
    "gg_q",
    "gg_gamma",
    "gg_log_likelihood",
    "prediction_fit_date",
    "prediction_customer_count",
    "prediction_repeat_count",
]
# The customers' figures are read and written this many at a time (through
# the server-side cursor PREDICTION_CURSOR): Python holds no row per customer.
PREDICTION_CHUNK_SIZE = 5000
PREDICTION_CURSOR = "relation_pyramid_prediction_rows"
# Context key for another chunk size (the tests cut 2,357 customers in many).
PREDICTION_CHUNK_SIZE_KEY = "relation_pyramid_prediction_chunk_size"
# Fewer repeat customers than this: no prediction (the fit says nothing).
MIN_REPEAT_CUSTOMERS = 50
REFIT_MODES = [
    ("recompute", "At every recompute"),
    ("weekly", "At most weekly"),
]


class RelationPyramidEnginePrediction(models.AbstractModel):
    """The prediction step, mixed into ``relation.pyramid.profile`` before
    the engine (its ``_complete_result`` and ``_result_columns`` extend the
    engine's)."""

    _name = "relation.pyramid.engine.prediction"
    _description = "Customer pyramid engine: predictions"

    prediction_refit = fields.Selection(
        REFIT_MODES,
        string="Refit Predictions",
        default="recompute",
        required=True,
        help="How often the prediction model is fitted on the whole order "
        "history. Weekly: a recompute within 7 days of the last fit uses its "
        "parameters (every customer's figures are still brought up to date).",
    )
    p_alive_risk_threshold = fields.Float(
        string="Risk: Probability Alive Below",
        default=0.5,
        digits=(16, 2),
        help="An active or recently inactive customer whose probability of "
        "still being a customer falls below this value is a risk customer.",
    )

    # What the settings show of the last recompute's predictions.
    prediction_snapshot_id = fields.Many2one(
        "relation.pyramid.snapshot",
        string="Predictions Of",
        compute="_compute_prediction_snapshot_id",
        help="The snapshot of the last recompute, with the parameters its "
        "predictions came from.",
    )
    bgnbd_r = fields.Float(related="prediction_snapshot_id.bgnbd_r", readonly=True)
    bgnbd_alpha = fields.Float(
        related="prediction_snapshot_id.bgnbd_alpha", readonly=True
    )
    bgnbd_a = fields.Float(related="prediction_snapshot_id.bgnbd_a", readonly=True)
    bgnbd_b = fields.Float(related="prediction_snapshot_id.bgnbd_b", readonly=True)
    bgnbd_log_likelihood = fields.Float(
        related="prediction_snapshot_id.bgnbd_log_likelihood", readonly=True
    )
    gg_p = fields.Float(related="prediction_snapshot_id.gg_p", readonly=True)
    gg_q = fields.Float(related="prediction_snapshot_id.gg_q", readonly=True)
    gg_gamma = fields.Float(related="prediction_snapshot_id.gg_gamma", readonly=True)
    prediction_fit_date = fields.Date(
        related="prediction_snapshot_id.prediction_fit_date", readonly=True
    )
    prediction_customer_count = fields.Integer(
        related="prediction_snapshot_id.prediction_customer_count", readonly=True
    )
    prediction_repeat_count = fields.Integer(
        related="prediction_snapshot_id.prediction_repeat_count", readonly=True
    )
    prediction_note = fields.Char(
        related="prediction_snapshot_id.prediction_note", readonly=True
    )

    @api.depends("last_reference_date")
    def _compute_prediction_snapshot_id(self):
        for profile in self:
            if profile.last_reference_date:
                profile.prediction_snapshot_id = self.env[
                    "relation.pyramid.snapshot"
                ].search(
                    [
                        ("company_id", "=", profile.company_id.id),
                        ("date", "=", profile.last_reference_date),
                    ],
                    limit=1,
                )

    @api.constrains("p_alive_risk_threshold")
    def _check_p_alive_risk_threshold(self):
        for profile in self:
            if not 0 < profile.p_alive_risk_threshold < 1:
                raise ValidationError(
                    _(
                        "The probability alive below which a customer is at risk "
                        "must lie between 0 and 1 (now %s)."
                    )
                    % profile.p_alive_risk_threshold
                )

    # ------------------------------------------------------------------
    # Engine hooks
    # ------------------------------------------------------------------
    @api.model
    def _result_columns(self):
        return super()._result_columns() + PREDICTION_COLUMNS

    @api.multi
    def _complete_result(self, reference_date, bounds, partner_ids=None):
        result = super()._complete_result(reference_date, bounds, partner_ids)
        self._predict(reference_date, bounds, partner_ids)
        return result

    @api.multi
    def _write_snapshot(self, reference_date):
        """The snapshot keeps the parameters its figures came from."""
        snapshot = super()._write_snapshot(reference_date)
        cr = self.env.cr
        cr.execute("SELECT to_regclass(%s)", (PREDICTION_FIT_TABLE,))
        if cr.fetchone()[0]:
            cr.execute(
                sql.SQL("SELECT * FROM {}").format(sql.SQL(PREDICTION_FIT_TABLE))
            )
            values = cr.dictfetchone()
            if values:
                snapshot.sudo().write(values)
        return snapshot

    # ------------------------------------------------------------------
    # The step
    # ------------------------------------------------------------------
    @api.multi
    def _predict(self, reference_date, bounds, partner_ids=None):
        """Add ``PREDICTION_COLUMNS`` to ``RESULT_TABLE`` and fill them for the
        customers with orders; a full computation (``partner_ids`` None)
        fits the models first (or takes a recent fit, see
        ``prediction_refit``) and keeps what it used in
        ``PREDICTION_FIT_TABLE``; a refresh takes the last fit's parameters."""
        self.ensure_one()
        cr = self.env.cr
        cr.execute(
            sql.SQL(
                "ALTER TABLE {} ADD COLUMN p_alive numeric, "
                "ADD COLUMN expected_orders numeric, "
                "ADD COLUMN predicted_value numeric, "
                "ADD COLUMN risk_p_alive boolean NOT NULL DEFAULT FALSE"
            ).format(sql.SQL(RESULT_TABLE))
        )
        self._drop_temp_table(PREDICTION_FIT_TABLE)
        customer_count = self._gather_transactions(reference_date, partner_ids)
        if partner_ids is None:
            values = self._prediction_parameters(reference_date)
            self._keep_prediction_fit(values)
        elif self.prediction_snapshot_id and not (
            self.prediction_snapshot_id.prediction_fit_date
        ):
            # the last recompute made no prediction (its note says why)
            values = {}
        else:
            last = self._last_prediction_fit(reference_date)
            values = last._prediction_fit_values() if last else {}
        if not customer_count or not values.get("bgnbd_r"):
            return
        horizon = (bounds["end"] - bounds["start"]).days + 1
        self._write_predictions(values, horizon, partner_ids)
        if "risk" in self._result_columns():  # the signals step is there
            self._mark_probably_lost(reference_date)

    @api.multi
    def _mark_probably_lost(self, reference_date):
        """Risk customers (the signals step's ``risk``) also include the
        active customers and the recently inactive ones (who bought in the
        previous period) whose probability alive fell below the profile's
        threshold (``risk_p_alive``). ``risk_since`` as the signals step
        keeps it: the signals' date if they put the customer at risk, else
        kept from the customer's row while at risk, else R. Runs after the
        signals step (the profile lists this step before it)."""
        self.ensure_one()
        self.env.cr.execute(
            """
            UPDATE {result_table} result
               SET risk_p_alive = TRUE,
                   risk = TRUE,
                   risk_since = CASE
                       WHEN result.risk THEN result.risk_since
                       ELSE COALESCE(
                           (SELECT line.risk_since
                              FROM relation_pyramid_line line
                             WHERE line.company_id = %(company_id)s
                               AND line.partner_id = result.partner_id
                               AND line.risk
                               AND line.risk_since <= %(reference_date)s),
                           %(reference_date)s::date) END
             WHERE result.p_alive < %(threshold)s
               AND (result.lifecycle = 'active'
                    OR (result.lifecycle = 'inactive'
                        AND result.previous_revenue > 0))
            """.format(result_table=RESULT_TABLE),
            {
                "company_id": self.company_id.id,
                "reference_date": reference_date,
                "threshold": self._as_numeric(self.p_alive_risk_threshold),
            },
        )

    @api.multi
    def _gather_transactions(self, reference_date, partner_ids=None):
        """Temporary table ``PREDICTION_INPUT_TABLE`` (see its columns at its
        name): the company's confirmed orders up to the end of
        ``reference_date`` as transactions (a customer's local day, its
        orders' untaxed amounts summed in the company currency), summarised
        per customer. One pass over the orders: grouped by commercial
        partner and day, then by customer; amounts in other currencies
        converted at the rate of their day (Odoo's rule, as in
        ``_gather_currency_factors``), from ``PREDICTION_FACTOR_TABLE``.
        Returns the number of customers."""
        self.ensure_one()
        day = SALE_ORDER_DAY_SQL
        params = dict(
            company_id=self.company_id.id,
            currency_id=self.currency_id.id,
            end=self._day_start(reference_date + relativedelta(days=1)),
            reference_date=reference_date,
            all_partners=partner_ids is None,
            contact_ids=tuple(self._contact_ids(partner_ids) or [0]),
            tz=self._company_tz(),
        )
        self._gather_history_factors(params, day)
        self._drop_temp_table(PREDICTION_INPUT_TABLE)
        # CREATE TABLE AS reports its rows: no statement to count them
        return self._execute_history_read(
            """
            CREATE TEMP TABLE {input_table} ON COMMIT DROP AS
            SELECT partner_id,
                   COUNT(*) - 1 AS x,
                   MAX(day) - MIN(day) AS t_x,
                   %(reference_date)s::date - MIN(day) AS age,
                   -- the first day's value: the smallest (day, value) pair
                   (SUM(value)
                    - (MIN(ARRAY[(day - DATE '2000-01-01')::float8, value]))[2])
                       / NULLIF(COUNT(*) - 1, 0) AS repeat_value
              FROM (SELECT partner.commercial_partner_id AS partner_id,
                           {local_day} AS day,
                           -- in float8, as the models take them: cheaper to
                           -- sum than numeric, and at M the day groups fit
                           -- in work_mem (numeric ones spilled to disk); no
                           -- numeric product for an order in the company
                           -- currency (most of them)
                           SUM(CASE WHEN factor.factor IS NULL
                                    THEN so.amount_untaxed::float8
                                    ELSE (so.amount_untaxed
                                          * factor.factor)::float8 END)
                               AS value
                      FROM sale_order so
                      JOIN res_partner partner ON partner.id = so.partner_id
                      {factor_join}
                     WHERE so.company_id = %(company_id)s
                       AND so.state IN ('sale', 'done')
                       AND {day} < %(end)s
                       AND (%(all_partners)s OR so.partner_id IN %(contact_ids)s)
                     GROUP BY 1, 2) transactions
             GROUP BY partner_id
            """.format(
                input_table=PREDICTION_INPUT_TABLE,
                factor_join=self._factor_join_sql(
                    "so", day, factor_table=PREDICTION_FACTOR_TABLE
                ),
                day=day,
                local_day=self._local_day_sql(day),
            ),
            params,
        )

    @api.multi
    def _gather_history_factors(self, params, day):
        """Temporary table ``PREDICTION_FACTOR_TABLE``: as ``FACTOR_TABLE``
        (``currency_id``, ``day``, ``factor``), for every day from the
        company's first confirmed order in another currency than its own to
        the reference date; empty when all orders are in the company
        currency."""
        cr = self.env.cr
        self._drop_temp_table(PREDICTION_FACTOR_TABLE)
        cr.execute(
            """
            CREATE TEMP TABLE {factor_table} ON COMMIT DROP AS
            WITH other AS (
                SELECT pricelist.currency_id, MIN({local_day}) AS first_day
                  FROM sale_order so
                  JOIN product_pricelist pricelist
                    ON pricelist.id = so.pricelist_id
                 WHERE so.company_id = %(company_id)s
                   AND so.state IN ('sale', 'done')
                   AND {day} < %(end)s
                   AND pricelist.currency_id <> %(currency_id)s
                   AND (%(all_partners)s OR so.partner_id IN %(contact_ids)s)
                 GROUP BY pricelist.currency_id
            )
            SELECT calendar.currency_id, calendar.day,
                   COALESCE(company_rate.rate, 1.0)
                       / COALESCE(order_rate.rate, 1.0) AS factor
              FROM (SELECT other.currency_id, days.day::date AS day
                      FROM other
                     CROSS JOIN LATERAL generate_series(
                           other.first_day, %(reference_date)s::date,
                           INTERVAL '1 day') days(day)) calendar
              LEFT JOIN LATERAL ({order_rate}) order_rate ON TRUE
              LEFT JOIN LATERAL ({company_rate}) company_rate ON TRUE
            """.format(
                factor_table=PREDICTION_FACTOR_TABLE,
                day=day,
                local_day=self._local_day_sql(day),
                order_rate=self._rate_sql("calendar.currency_id"),
                company_rate=self._rate_sql("%(currency_id)s"),
            ),
            params,
        )
        self._analyze_temp_table(PREDICTION_FACTOR_TABLE)

    @api.multi
    def _prediction_parameters(self, reference_date):
        """The parameters a full computation at ``reference_date`` uses, as
        snapshot values (``SNAPSHOT_FIT_FIELDS``, ``prediction_note``): a
        recent fit if the profile refits weekly, else a new fit; none with
        the reason when there are too few repeat customers; the previous
        fit's when the new one does not converge."""
        self.ensure_one()
        self.env.cr.execute(
            sql.SQL("SELECT COUNT(*), COUNT(*) FILTER (WHERE x > 0) FROM {}").format(
                sql.SQL(PREDICTION_INPUT_TABLE)
            )
        )
        customer_count, repeat_count = self.env.cr.fetchone()
        if repeat_count < MIN_REPEAT_CUSTOMERS:
            note = _(
                "No prediction at %(date)s: %(count)s customers bought on more "
                "than one day; the model needs at least %(min)s."
            ) % {
                "date": reference_date,
                "count": repeat_count,
                "min": MIN_REPEAT_CUSTOMERS,
            }
            _logger.info("Customer pyramid of %s: %s", self.company_id.name, note)
            return {"prediction_note": note}
        last = self._last_prediction_fit(reference_date)
        if (
            self.prediction_refit == "weekly"
            and last
            and fields.Date.from_string(last.prediction_fit_date)
            > reference_date - relativedelta(days=7)
        ):
            return dict(
                last._prediction_fit_values(),
                prediction_note=_("Parameters fitted at %s (refit weekly).")
                % last.prediction_fit_date,
            )
        fit = self._fit_prediction_models()
        if fit["converged"]:
            _logger.info(
                "Customer pyramid of %s at %s: prediction fitted on %d customers "
                "(%d repeat): BG/NBD r %.4g, alpha %.4g days, a %.4g, b %.4g, "
                "LL %.1f; Gamma-Gamma p %.4g, q %.4g, gamma %.4g",
                self.company_id.name,
                reference_date,
                customer_count,
                repeat_count,
                fit["bgnbd_r"],
                fit["bgnbd_alpha"],
                fit["bgnbd_a"],
                fit["bgnbd_b"],
                fit["bgnbd_log_likelihood"],
                fit["gg_p"],
                fit["gg_q"],
                fit["gg_gamma"],
            )
            del fit["converged"], fit["message"]
            return dict(
                fit,
                prediction_fit_date=reference_date,
                prediction_customer_count=customer_count,
                prediction_repeat_count=repeat_count,
                prediction_note=False,
            )
        _logger.warning(
            "Customer pyramid of %s at %s: the prediction fit did not converge "
            "(%s); %s",
            self.company_id.name,
            reference_date,
            fit["message"],
            "the parameters fitted at %s are kept" % last.prediction_fit_date
            if last
            else "no previous parameters, no prediction",
        )
        if last:
            return dict(
                last._prediction_fit_values(),
                prediction_note=_(
                    "The fit at %(date)s did not converge: the parameters fitted "
                    "at %(last)s are used."
                )
                % {"date": reference_date, "last": last.prediction_fit_date},
            )
        return {
            "prediction_note": _(
                "No prediction at %s: the fit did not converge and there is no "
                "earlier fit."
            )
            % reference_date
        }

    @api.model
    def _fit_prediction_models(self):
        """Fit BG/NBD on everybody and Gamma-Gamma on the repeat customers
        with a positive mean value, each on the groups of customers with
        equal figures (counted in SQL: a weight per group, no row per
        customer in Python), in a fixed order: the optimiser's sums, and so
        its last digits, do not depend on the order PostgreSQL happens to
        group in. ``converged`` only if both converged and the
        population value is finite (q > 1)."""
        groups = self._fetch_prediction_arrays(
            "SELECT x, t_x, age, COUNT(*) FROM {} GROUP BY x, t_x, age "
            "ORDER BY x, t_x, age"
        )
        fit = bgnbd.fit_bgnbd(*groups)
        values = self._fetch_prediction_arrays(
            "SELECT x, repeat_value, COUNT(*) FROM {} "
            "WHERE x > 0 AND repeat_value > 0 GROUP BY x, repeat_value "
            "ORDER BY x, repeat_value"
        )
        value_fit = bgnbd.fit_gamma_gamma(*values)
        return {
            "bgnbd_r": fit.r,
            "bgnbd_alpha": fit.alpha,
            "bgnbd_a": fit.a,
            "bgnbd_b": fit.b,
            "bgnbd_log_likelihood": fit.log_likelihood,
            "gg_p": value_fit.p,
            "gg_q": value_fit.q,
            "gg_gamma": value_fit.gamma,
            "gg_log_likelihood": value_fit.log_likelihood,
            "converged": fit.converged and value_fit.converged and value_fit.q > 1,
            "message": "BG/NBD: %s; Gamma-Gamma: %s (q %.4g)"
            % (fit.message, value_fit.message, value_fit.q),
        }

    @api.multi
    def _last_prediction_fit(self, reference_date):
        """The snapshot of the company's latest fit up to ``reference_date``."""
        self.ensure_one()
        return (
            self.env["relation.pyramid.snapshot"]
            .sudo()
            .search(
                [
                    ("company_id", "=", self.company_id.id),
                    ("prediction_fit_date", "!=", False),
                    ("prediction_fit_date", "<=", reference_date),
                ],
                order="prediction_fit_date desc, date desc",
                limit=1,
            )
        )

    @api.model
    def _keep_prediction_fit(self, fit_values):
        """``PREDICTION_FIT_TABLE``: what ``_write_snapshot`` keeps (every
        field, those of no fit empty)."""
        values = dict.fromkeys(SNAPSHOT_FIT_FIELDS + ["prediction_note"], None)
        values.update(fit_values)
        columns = sorted(values)
        self.env.cr.execute(
            "CREATE TEMP TABLE {table} ON COMMIT DROP AS SELECT {columns}".format(
                table=PREDICTION_FIT_TABLE,
                columns=", ".join(
                    "%({0})s::{1} AS {0}".format(
                        column, self._fit_column_type(column)
                    )
                    for column in columns
                ),
            ),
            {column: values[column] or None for column in columns},
        )

    @staticmethod
    def _fit_column_type(column):
        if column == "prediction_fit_date":
            return "date"
        if column == "prediction_note":
            return "text"
        if column.endswith("_count"):
            return "integer"
        return "float8"

    @api.multi
    def _write_predictions(self, values, horizon, partner_ids=None):
        """Each customer's figures from the parameters, computed on arrays of
        ``PREDICTION_CHUNK_SIZE`` customers at a time, copied into
        ``PREDICTION_TABLE`` and set on ``RESULT_TABLE`` (probability to 4
        decimals, orders to 3, value to the currency): the memory it takes
        does not grow with the number of customers. A full computation
        (``partner_ids`` None) analyses ``PREDICTION_TABLE`` first."""
        cr = self.env.cr
        self._drop_temp_table(PREDICTION_TABLE)
        cr.execute(
            sql.SQL(
                "CREATE TEMP TABLE {} (partner_id integer, p_alive float8, "
                "expected_orders float8, predicted_value float8) ON COMMIT DROP"
            ).format(sql.SQL(PREDICTION_TABLE))
        )
        for chunk in self._fetch_prediction_chunks(
            "SELECT partner_id, x, t_x, age, COALESCE(repeat_value, 0) FROM {}"
        ):
            self._copy_prediction_chunk(chunk, values, horizon)
        if partner_ids is None:
            # Without statistics the planner builds its hash on the result
            # and updates the result's rows in the predictions' order, a
            # random page each, beyond temp_buffers at L: 4.6 against 2.7 s
            # (2026-12-03, rp_bench_l).
            self._analyze_temp_table(PREDICTION_TABLE)
        cr.execute(
            """
            UPDATE {result_table} result
               SET p_alive = ROUND(NULLIF(prediction.p_alive, 'NaN')::numeric, 4),
                   expected_orders = ROUND(
                       NULLIF(prediction.expected_orders, 'NaN')::numeric, 3),
                   predicted_value = ROUND(
                       NULLIF(prediction.predicted_value, 'NaN')::numeric,
                       %(digits)s)
              FROM {prediction_table} prediction
             WHERE prediction.partner_id = result.partner_id
            """.format(result_table=RESULT_TABLE, prediction_table=PREDICTION_TABLE),
            {"digits": self.currency_id.decimal_places},
        )

    @api.model
    def _copy_prediction_chunk(self, chunk, values, horizon):
        """The figures of one chunk of customers (arrays: partner ids, x,
        t_x, T, mean repeat value) into ``PREDICTION_TABLE``."""
        np = bgnbd.np
        partner_ids, x, t_x, age, repeat_value = chunk
        params = (
            values["bgnbd_r"],
            values["bgnbd_alpha"],
            values["bgnbd_a"],
            values["bgnbd_b"],
        )
        value_params = (values["gg_p"], values["gg_q"], values["gg_gamma"])
        p_alive = bgnbd.bgnbd_p_alive(params, x, t_x, age)
        expected = bgnbd.bgnbd_expected_transactions(params, horizon, x, t_x, age)
        # a customer without repeat orders (or of none but free ones) gets
        # the model's mean value of an order
        order_value = bgnbd.gamma_gamma_expected_value(
            value_params, x, np.maximum(repeat_value, 0.0)
        )
        predicted = expected * order_value
        rows = np.empty(len(partner_ids), dtype=PREDICTION_COPY_ROW)
        rows["fields"] = 4
        rows["partner_length"] = 4
        rows["partner_id"] = partner_ids
        # a figure the formulas cannot give (overflow, no mean order value)
        # goes in as NaN, which the update turns into null
        for column, figure in (
            ("p_alive", p_alive),
            ("expected_orders", expected),
            ("predicted_value", predicted),
        ):
            rows[column + "_length"] = 8
            rows[column] = np.where(np.isfinite(figure), figure, np.nan)
        self.env.cr.copy_expert(
            "COPY {} (partner_id, p_alive, expected_orders, predicted_value) "
            "FROM STDIN WITH (FORMAT binary)".format(PREDICTION_TABLE),
            io.BytesIO(COPY_BINARY_HEADER + rows.tobytes() + COPY_BINARY_TRAILER),
        )

    @api.model
    def _fetch_prediction_arrays(self, query):
        """The columns of ``query`` (``{}``: the input table) as float
        arrays, read in chunks (``_fetch_prediction_chunks``)."""
        np = bgnbd.np
        return [
            np.concatenate(column)
            for column in zip(*self._fetch_prediction_chunks(query))
        ]

    @api.model
    def _fetch_prediction_chunks(self, query):
        """The rows of ``query`` (``{}``: ``PREDICTION_INPUT_TABLE``),
        ``PREDICTION_CHUNK_SIZE`` at a time (``PREDICTION_CHUNK_SIZE_KEY``)
        through a cursor on the server,
        each chunk as a float array per column (one chunk of empty arrays if
        there is no row)."""
        np = bgnbd.np
        cr = self.env.cr
        cr.execute(
            sql.SQL("DECLARE {} NO SCROLL CURSOR FOR " + query).format(
                sql.Identifier(PREDICTION_CURSOR), sql.SQL(PREDICTION_INPUT_TABLE)
            )
        )
        size = self.env.context.get(PREDICTION_CHUNK_SIZE_KEY) or PREDICTION_CHUNK_SIZE
        first = True
        while True:
            cr.execute(
                sql.SQL("FETCH FORWARD %s FROM {}").format(
                    sql.Identifier(PREDICTION_CURSOR)
                ),
                (size,),
            )
            rows = cr.fetchall()
            if rows:
                yield [np.array(column, dtype=float) for column in zip(*rows)]
            elif first:
                yield [np.zeros(0) for _column in cr.description]
            if len(rows) < size:
                # a short chunk is the last: no fetch more to learn it
                break
            first = False
        cr.execute(sql.SQL("CLOSE {}").format(sql.Identifier(PREDICTION_CURSOR)))
