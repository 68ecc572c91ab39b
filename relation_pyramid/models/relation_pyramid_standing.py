# Copyright 2026 relation_pyramid authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Where a refreshed customer stands among the others, without reading them
all (issue 21, item 2).

A refresh (an order confirmed, cancelled or changed) ranks its customers
among the other customers' current rows and places the levels as a
recompute at that moment would (``relation.pyramid.engine``): it needs how
many active customers have a figure above (or below, or equal to) a value,
their sum, how many there are in all, and the value at a position. Counting
them in the rows costs a pass over the company's active customers: 176 ms at
10 million orders. Instead:

- **the standing** (``relation.pyramid.standing``): each full recompute
  keeps, per figure (a *dimension*: what the levels follow, the revenue,
  the last order's day, the number of orders), the sorted figures of the
  company's active customers in buckets of about ``BUCKET_SIZE`` customers:
  the lowest and highest figure of the bucket, how many and their sum, and
  the figures themselves (``members``) where they differ. Equal figures are
  always in the same bucket. A count above a value is the sum of the
  buckets above it plus a count inside one bucket.
- **the changes since** (``relation.pyramid.standing.change``): the first
  refresh of a customer after a recompute notes the customer's figures as
  the standing holds them (null where the customer was not active). The
  customers' current figures are their rows.

The company's figures now are the standing, less the noted figures, plus
the current figures of the customers noted: a few lookups and the changes
of the day, whatever the number of customers. Nothing is written to a row
that other refreshes write (each notes its own customers), so refreshes of
different customers never wait for each other.

``_write_standing`` builds the standing from the company's rows; the full
recompute calls it once the rows are written, and a refresh that finds no
standing for the profile's current figures (the first refresh after an
upgrade, or after the levels switched from revenue to margin) builds it
first."""
import bisect
import logging
import re
from decimal import Decimal

from psycopg2 import sql

from odoo import api, fields, models

_logger = logging.getLogger(__name__)

# Customers per bucket of the standing: a lookup reads at most one bucket's
# figures; a company has (active customers / BUCKET_SIZE) buckets per figure.
BUCKET_SIZE = 512
# Context key for another bucket size (the tests use small buckets).
BUCKET_SIZE_KEY = "relation_pyramid_standing_bucket_size"
# The changes since the standing that concern one refresh (see
# ``_gather_standing_changes``).
STANDING_DELTA_TABLE = "pg_temp.relation_pyramid_standing_delta"
# The figures a dimension may be named after: SQL over a row named ``row``.
RECENCY_SQL = "(row.last_order_date - DATE '2000-01-01')"
FREQUENCY_SQL = "row.order_count"
REVENUE_SQL = "row.revenue"
ROW_ALIAS = re.compile(r"\brow\.")


class RelationPyramidStanding(models.Model):
    """A bucket of the standing (see the module's doc), or the mark that
    the standing of a dimension was built (``low`` and ``high`` null, no
    customers): a dimension without it is built again from the rows."""

    _name = "relation.pyramid.standing"
    _description = "Customer pyramid: figures of the active customers"
    _auto = False
    _log_access = False

    company_id = fields.Many2one("res.company", readonly=True)
    dimension = fields.Char(readonly=True)
    count = fields.Integer(readonly=True)

    @api.model_cr
    def init(self):
        self.env.cr.execute(
            """
            CREATE TABLE IF NOT EXISTS relation_pyramid_standing (
                id serial PRIMARY KEY,
                company_id integer NOT NULL
                    REFERENCES res_company (id) ON DELETE CASCADE,
                dimension varchar NOT NULL,
                low numeric,
                high numeric,
                count integer NOT NULL,
                total numeric,
                members numeric[]
            );
            CREATE INDEX IF NOT EXISTS relation_pyramid_standing_high_index
                ON relation_pyramid_standing (company_id, dimension, high);
            """
        )


class RelationPyramidStandingChange(models.Model):
    """A customer refreshed since the standing was built: their figure of
    a dimension as the standing holds it (null if they were not active)."""

    _name = "relation.pyramid.standing.change"
    _description = "Customer pyramid: customers refreshed since the recompute"
    _auto = False
    _log_access = False

    company_id = fields.Many2one("res.company", readonly=True)
    partner_id = fields.Integer(readonly=True)
    dimension = fields.Char(readonly=True)

    @api.model_cr
    def init(self):
        # no foreign key to the partner: the figure stays noted when the
        # partner goes (a merge), as the standing still holds it
        self.env.cr.execute(
            """
            CREATE TABLE IF NOT EXISTS relation_pyramid_standing_change (
                id serial PRIMARY KEY,
                company_id integer NOT NULL
                    REFERENCES res_company (id) ON DELETE CASCADE,
                partner_id integer NOT NULL,
                dimension varchar NOT NULL,
                base_value numeric,
                UNIQUE (company_id, partner_id, dimension)
            );
            """
        )


class RelationPyramidEngineStanding(models.AbstractModel):
    """The standing's steps, mixed into ``relation.pyramid.profile``."""

    _name = "relation.pyramid.engine.standing"
    _description = "Customer pyramid engine: standing of the active customers"

    # ------------------------------------------------------------------
    # Dimensions
    # ------------------------------------------------------------------
    @api.multi
    def _standing_dimensions(self):
        """The figures the standing keeps, as SQL over a row ``row`` (a
        ``relation_pyramid_line`` or the engine's result): what the levels
        follow, the revenue, the day of the last order and the number of
        orders (the RFM scores). A dimension is named by its SQL."""
        self.ensure_one()
        dimensions = [
            self._level_measure_sql(REVENUE_SQL),
            REVENUE_SQL,
            RECENCY_SQL,
            FREQUENCY_SQL,
        ]
        return sorted(set(dimensions), key=dimensions.index)

    @staticmethod
    def _dimension_sql(dimension, alias):
        """The SQL of ``dimension`` over the row ``alias``."""
        return ROW_ALIAS.sub(alias + ".", dimension)

    # ------------------------------------------------------------------
    # Building the standing, noting the changes
    # ------------------------------------------------------------------
    @api.multi
    def _write_standing(self):
        """The standing of the company's active customers from their rows,
        and no changes since: after a full recompute wrote the rows."""
        self.ensure_one()
        cr = self.env.cr
        company_id = self.company_id.id
        cr.execute(
            "DELETE FROM relation_pyramid_standing WHERE company_id = %s",
            (company_id,),
        )
        cr.execute(
            "DELETE FROM relation_pyramid_standing_change WHERE company_id = %s",
            (company_id,),
        )
        for dimension in self._standing_dimensions():
            cr.execute(
                sql.SQL(
                    """
                    INSERT INTO relation_pyramid_standing
                           (company_id, dimension, low, high, count, total, members)
                    SELECT %(company_id)s, %(dimension)s, MIN(value), MAX(value),
                           COUNT(*), SUM(value),
                           CASE WHEN MIN(value) < MAX(value)
                                THEN array_agg(value ORDER BY value) END
                      FROM (SELECT value,
                                   -- equal figures share a rank: one bucket
                                   (RANK() OVER (ORDER BY value) - 1)
                                       / %(bucket_size)s AS bucket
                              FROM (SELECT {value}::numeric AS value
                                      FROM relation_pyramid_line line
                                     WHERE line.company_id = %(company_id)s
                                       AND line.lifecycle = 'active') active
                           ) ranked
                     GROUP BY bucket
                    UNION ALL
                    SELECT %(company_id)s, %(dimension)s, NULL, NULL, 0, NULL, NULL
                    """
                ).format(value=sql.SQL(self._dimension_sql(dimension, "line"))),
                dict(
                    company_id=company_id,
                    dimension=dimension,
                    bucket_size=self.env.context.get(BUCKET_SIZE_KEY) or BUCKET_SIZE,
                ),
            )

    @api.multi
    def _ensure_standing(self):
        """Build the standing first where one of its dimensions is missing
        (a company never recomputed since this version, or whose levels
        now follow another figure)."""
        self.ensure_one()
        dimensions = self._standing_dimensions()
        self.env.cr.execute(
            """
            SELECT COUNT(DISTINCT dimension) FROM relation_pyramid_standing
             WHERE company_id = %s AND dimension IN %s AND low IS NULL
            """,
            (self.company_id.id, tuple(dimensions)),
        )
        if self.env.cr.fetchone()[0] < len(dimensions):
            self._write_standing()

    @api.multi
    def _note_standing_changes(self, partner_ids):
        """Before a refresh writes the rows of ``partner_ids`` (or removes
        them): note their figures as the standing holds them, unless noted
        since the standing was built (their rows still hold those)."""
        self.ensure_one()
        if not partner_ids:
            return
        for dimension in self._standing_dimensions():
            self.env.cr.execute(
                sql.SQL(
                    """
                    INSERT INTO relation_pyramid_standing_change
                           (company_id, partner_id, dimension, base_value)
                    SELECT %(company_id)s, customer.id, %(dimension)s,
                           CASE WHEN line.lifecycle = 'active' THEN {value} END
                      FROM unnest(%(partner_ids)s) customer(id)
                      LEFT JOIN relation_pyramid_line line
                        ON line.company_id = %(company_id)s
                       AND line.partner_id = customer.id
                    ON CONFLICT (company_id, partner_id, dimension) DO NOTHING
                    """
                ).format(value=sql.SQL(self._dimension_sql(dimension, "line"))),
                dict(
                    company_id=self.company_id.id,
                    dimension=dimension,
                    partner_ids=list(partner_ids),
                ),
            )

    @api.multi
    def _gather_standing_changes(self, partner_ids=()):
        """Temporary table ``STANDING_DELTA_TABLE`` (``dimension``,
        ``value``, ``sign``): what turns the standing into the company's
        figures now, leaving out the current rows of ``partner_ids`` (being
        refreshed: their new figures are counted where they are computed):
        -1 for each noted figure, +1 for the current figure of each noted
        active customer."""
        self.ensure_one()
        cr = self.env.cr
        self._drop_temp_table(STANDING_DELTA_TABLE)
        current = sql.SQL("\n UNION ALL ").join(
            sql.SQL(
                """
                SELECT change.dimension, ({value})::numeric, 1
                  FROM relation_pyramid_standing_change change
                  JOIN relation_pyramid_line line
                    ON line.company_id = change.company_id
                   AND line.partner_id = change.partner_id
                   AND line.lifecycle = 'active'
                 WHERE change.company_id = %(company_id)s
                   AND change.dimension = {dimension}
                   AND change.partner_id <> ALL(%(partner_ids)s)"""
            ).format(
                value=sql.SQL(self._dimension_sql(dimension, "line")),
                dimension=sql.Literal(dimension),
            )
            for dimension in self._standing_dimensions()
        )
        cr.execute(
            sql.SQL(
                """
                CREATE TEMP TABLE {delta} ON COMMIT DROP AS
                SELECT dimension, base_value AS value, -1 AS sign
                  FROM relation_pyramid_standing_change
                 WHERE company_id = %(company_id)s AND base_value IS NOT NULL
                 UNION ALL {current}
                """
            ).format(delta=sql.SQL(STANDING_DELTA_TABLE), current=current),
            dict(company_id=self.company_id.id, partner_ids=list(partner_ids)),
        )
        if not self._standing_matches_rows():
            # it cannot happen through the addon; a hand-made change of the
            # rows could do it: an order change must not fail for it
            _logger.warning(
                "Customer pyramid of %s: the standing did not match the rows; "
                "built again from the rows",
                self.company_id.name,
            )
            self._write_standing()
            self._note_standing_changes(partner_ids)
            self._gather_standing_changes(partner_ids)

    @api.multi
    def _standing_matches_rows(self):
        """Whether every figure noted as changed is one the standing holds
        (a lookup per change)."""
        self.env.cr.execute(
            sql.SQL(
                """
                SELECT NOT EXISTS (
                    SELECT 1 FROM {delta} delta
                     WHERE delta.sign < 0
                       AND NOT EXISTS (
                           SELECT 1 FROM relation_pyramid_standing standing
                            WHERE standing.company_id = %s
                              AND standing.dimension = delta.dimension
                              AND standing.low <= delta.value
                              AND standing.high >= delta.value
                              AND (standing.members IS NULL
                                   OR delta.value = ANY(standing.members))))
                """
            ).format(delta=sql.SQL(STANDING_DELTA_TABLE)),
            (self.company_id.id,),
        )
        return self.env.cr.fetchone()[0]

    # ------------------------------------------------------------------
    # Lookups
    # ------------------------------------------------------------------
    @api.model
    def _standing_sql(self, dimension, value_sql, comparison, aggregate="count"):
        """SQL: how many of the company's active customers now (``count``),
        or the sum of their figures (``sum``), have a figure of
        ``dimension`` ``comparison`` (``>``, ``<``, ``=``, or ``all``)
        ``value_sql``, from the standing and ``STANDING_DELTA_TABLE``.
        Reads ``%(company_id)s``."""
        whole, partial, member = {
            ">": ("standing.low > {x}", "standing.high > {x}", "member > {x}"),
            "<": ("standing.high < {x}", "standing.low < {x}", "member < {x}"),
            "=": (
                "standing.low = standing.high",
                "standing.low <= {x} AND standing.high >= {x}",
                "member = {x}",
            ),
            "all": ("TRUE", "standing.low IS NOT NULL", "TRUE"),
        }[comparison]
        delta_filter = "TRUE" if comparison == "all" else "delta." + member.replace(
            "member", "value"
        )
        if aggregate == "count":
            whole_value, member_value, delta_value = (
                "standing.count",
                "COUNT(*)",
                "delta.sign",
            )
        else:
            whole_value, member_value, delta_value = (
                "standing.total",
                "SUM(member)",
                "delta.sign * delta.value",
            )
        return sql.SQL(
            """(
            (SELECT COALESCE(SUM(CASE WHEN {whole} THEN {whole_value}
                                      ELSE (SELECT {member_value}
                                              FROM unnest(standing.members) member
                                             WHERE {member}) END), 0)
               FROM relation_pyramid_standing standing
              WHERE standing.company_id = %(company_id)s
                AND standing.dimension = {dimension}
                AND {partial})
            + (SELECT COALESCE(SUM({delta_value}), 0) FROM {delta} delta
                WHERE delta.dimension = {dimension} AND {delta_filter})
            )"""
        ).format(
            whole=sql.SQL(whole),
            whole_value=sql.SQL(whole_value),
            member_value=sql.SQL(member_value),
            member=sql.SQL(member),
            partial=sql.SQL(partial),
            dimension=sql.Literal(dimension),
            delta_value=sql.SQL(delta_value),
            delta=sql.SQL(STANDING_DELTA_TABLE),
            delta_filter=sql.SQL(delta_filter),
        ).as_string(self.env.cr._obj).replace("{x}", value_sql)

    @api.multi
    def _standing_values_at(self, dimension, positions):
        """The figures of ``dimension`` at ``positions`` (1 = the highest)
        among the company's active customers now (``{position: figure}``,
        exact decimals, none past the last), from the standing and
        ``STANDING_DELTA_TABLE``: a walk down the buckets' counts, the
        figures of the one bucket where a position falls."""
        self.ensure_one()
        cr = self.env.cr
        cr.execute(
            """
            SELECT id, low::text, high::text, count FROM relation_pyramid_standing
             WHERE company_id = %s AND dimension = %s AND low IS NOT NULL
            """,
            (self.company_id.id, dimension),
        )
        # lowest first (sorted here: the text of 400 comes after 3100)
        buckets = sorted(
            (
                (bucket_id, Decimal(low), Decimal(high), count)
                for bucket_id, low, high, count in cr.fetchall()
            ),
            key=lambda bucket: bucket[1],
        )
        cr.execute(
            "SELECT value::text, sign FROM {} WHERE dimension = %s".format(
                STANDING_DELTA_TABLE
            ),
            (dimension,),
        )
        # the walk's steps: each bucket with the changes in its range, and
        # each figure added between buckets
        lows = [low for _id, low, _high, _count in buckets]
        inside = [[] for _bucket in buckets]
        steps = []
        for value, sign in cr.fetchall():
            value = Decimal(value)
            index = bisect.bisect_right(lows, value) - 1
            if index >= 0 and value <= buckets[index][2]:
                inside[index].append((value, sign))
            elif sign < 0:
                raise ValueError("a noted figure that no bucket holds: %s" % value)
            else:
                steps.append((value, sign, None, [(value, sign)]))
        for (bucket_id, _low, high, count), changes in zip(buckets, inside):
            count += sum(sign for _value, sign in changes)
            steps.append((high, count, bucket_id, changes))
        steps.sort(key=lambda step: step[0], reverse=True)
        found = {}
        seen = 0
        wanted = sorted({position for position in positions if position >= 1})
        for _high, count, bucket_id, changes in steps:
            if not wanted:
                break
            if wanted[0] > seen + count:
                seen += count
                continue
            figures = self._standing_bucket_figures(bucket_id, changes)
            while wanted and wanted[0] <= seen + count:
                position = wanted.pop(0)
                found[position] = figures[position - seen - 1]
            seen += count
        return found

    @api.model
    def _standing_bucket_figures(self, bucket_id, changes):
        """The figures of a bucket now, highest first: its members (or its
        one figure, ``count`` times) with ``changes`` applied. Read as text:
        Odoo's cursor turns a numeric into a float, which a decimal figure
        (9552.83) is not equal to."""
        figures = []
        if bucket_id:
            self.env.cr.execute(
                """
                SELECT COALESCE(members, array_fill(low, ARRAY[count]))::text[]
                  FROM relation_pyramid_standing WHERE id = %s
                """,
                (bucket_id,),
            )
            figures = [Decimal(figure) for figure in self.env.cr.fetchone()[0]]
        for value, sign in changes:
            if sign > 0:
                figures.append(value)
            else:
                figures.remove(value)
        return sorted(figures, reverse=True)
