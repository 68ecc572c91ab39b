# Copyright 2026 relation_pyramid authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""How many customers, and how much revenue, margin and predicted value,
each level of a company's pyramid has now, without adding up its rows
(issue 21, item 5).

The kanban's column counts, the pivot and its total, the count under a
list: each adds up every row of the company, ~300 ms per aggregate at
730 000 customers. Instead PostgreSQL keeps the totals itself, whoever
writes the rows (the recompute, a refresh, a customer deleted or merged, a
company deleted): a trigger on ``relation_pyramid_line`` adds, after each
statement that inserts, deletes or updates rows, a *change* per company
and level whose customers or figures it moved (``relation.pyramid.line.total``,
a table of changes, never updated: two refreshes never wait for each
other). Per statement, not per row: the nightly run rewrites the predicted
value of most customers, which row by row cost +63 % in writing the rows
at a million orders (``bench/line_totals.py``); per statement it is within
the noise. The totals are the sum of the changes; the full recompute,
which holds the company's rows alone, folds them into one change per
level (``_fold_changes``). A reader sees the changes of the transactions
committed before it, as it sees their rows.

``relation.pyramid.line`` answers ``read_group`` by level (or without
groups) and ``search_count`` from here when the domain asks for levels
only, the measures are these, and the user's record rules let them see
every row of each company or none (``record_rules.companies_seen``);
anything else counts the rows."""
from psycopg2 import sql

from odoo import api, fields, models

from .relation_pyramid_engine import LEVELS

TRIGGER_FUNCTION = "relation_pyramid_line_total_change"
# The rows' figures the totals add up, each as its sum and the number of
# rows that have it (a sum over rows that all lack it is empty, as in SQL).
MEASURES = ("revenue", "margin", "predicted_value")
# (trigger name, when it fires and the rows it hands to the function)
TRIGGERS = (
    (
        "relation_pyramid_line_total_insert",
        "AFTER INSERT ON relation_pyramid_line REFERENCING NEW TABLE AS added "
        "FOR EACH STATEMENT",
    ),
    (
        "relation_pyramid_line_total_delete",
        "AFTER DELETE ON relation_pyramid_line REFERENCING OLD TABLE AS removed "
        "FOR EACH STATEMENT",
    ),
    (
        "relation_pyramid_line_total_update",
        "AFTER UPDATE ON relation_pyramid_line "
        "REFERENCING OLD TABLE AS removed NEW TABLE AS added FOR EACH STATEMENT",
    ),
)


def _columns():
    """The table's figure columns: customer_count, then per measure its sum
    and its count."""
    return ["customer_count"] + [
        column for measure in MEASURES for column in (measure, measure + "_count")
    ]


def _figures_sql(rows, sign):
    """The figures of ``rows`` (a relation of pyramid rows) as SQL
    aggregates, in the order of ``_columns``, times ``sign``."""
    terms = ["%sCOUNT(*)" % sign]
    for measure in MEASURES:
        terms.append("%sCOALESCE(SUM(%s.%s), 0)" % (sign, rows, measure))
        terms.append("%sCOUNT(%s.%s)" % (sign, rows, measure))
    return ", ".join(terms)


def _sums_sql():
    """The sums of the figure columns, in the order of ``_columns``."""
    return ", ".join("SUM(%s)" % column for column in _columns())


def _nonzero_sql():
    """Whether those sums change anything."""
    return " OR ".join("SUM(%s) <> 0" % column for column in _columns())


class RelationPyramidLineTotal(models.Model):
    """A change of a company's customers and figures at a level (see the
    module's doc): their sum per company and level is the totals of the
    current rows."""

    _name = "relation.pyramid.line.total"
    _description = "Customer pyramid: customers and figures per level"
    _auto = False
    _log_access = False

    company_id = fields.Many2one("res.company", readonly=True)
    level = fields.Selection(LEVELS, readonly=True)
    customer_count = fields.Integer(readonly=True)

    @api.model_cr
    def init(self):
        self._create_table()

    @api.model
    def _create_table(self):
        # No foreign key to the company: deleting a company deletes its rows,
        # whose changes (which cancel the company's totals out) the trigger
        # adds in the same statement; a key would refuse them.
        self.env.cr.execute(
            sql.SQL(
                """
                CREATE TABLE IF NOT EXISTS relation_pyramid_line_total (
                    id serial PRIMARY KEY,
                    company_id integer NOT NULL,
                    level varchar NOT NULL,
                    customer_count integer NOT NULL,
                    {measures}
                );
                CREATE INDEX IF NOT EXISTS relation_pyramid_line_total_company_index
                    ON relation_pyramid_line_total (company_id, level);
                """
            ).format(
                measures=sql.SQL(", ").join(
                    sql.SQL("{} numeric NOT NULL, {} integer NOT NULL").format(
                        sql.Identifier(measure), sql.Identifier(measure + "_count")
                    )
                    for measure in MEASURES
                )
            )
        )

    @api.model
    def _keep_totals_of_rows(self):
        """The trigger that keeps the totals, on the rows' table (its
        ``init``, once both tables exist, whatever order Odoo makes them
        in); where it was missing, the rows counted once."""
        self._create_table()
        cr = self.env.cr
        columns = ", ".join(_columns())
        cr.execute(
            sql.SQL(
                """
                CREATE OR REPLACE FUNCTION {function}() RETURNS trigger
                LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'UPDATE' THEN
                        -- only where the rows' levels or figures moved
                        INSERT INTO relation_pyramid_line_total
                               (company_id, level, {columns})
                        SELECT company_id, level, {sums}
                          FROM (SELECT company_id, level, {removed}
                                  FROM removed GROUP BY company_id, level
                                UNION ALL
                                SELECT company_id, level, {added}
                                  FROM added GROUP BY company_id, level)
                               AS moved (company_id, level, {columns})
                         GROUP BY company_id, level
                        HAVING {moved};
                    ELSIF TG_OP = 'INSERT' THEN
                        INSERT INTO relation_pyramid_line_total
                               (company_id, level, {columns})
                        SELECT company_id, level, {added}
                          FROM added GROUP BY company_id, level;
                    ELSE
                        INSERT INTO relation_pyramid_line_total
                               (company_id, level, {columns})
                        SELECT company_id, level, {removed}
                          FROM removed GROUP BY company_id, level;
                    END IF;
                    RETURN NULL;
                END
                $$
                """
            ).format(
                function=sql.Identifier(TRIGGER_FUNCTION),
                columns=sql.SQL(columns),
                added=sql.SQL(_figures_sql("added", "")),
                removed=sql.SQL(_figures_sql("removed", "-")),
                sums=sql.SQL(_sums_sql()),
                moved=sql.SQL(_nonzero_sql()),
            )
        )
        cr.execute(
            "SELECT tgname FROM pg_trigger "
            "WHERE tgrelid = 'relation_pyramid_line'::regclass"
        )
        existing = {name for name, in cr.fetchall()}
        missing = [trigger for trigger in TRIGGERS if trigger[0] not in existing]
        for name, when in missing:
            cr.execute(
                sql.SQL("CREATE TRIGGER {} {} EXECUTE FUNCTION {}()").format(
                    sql.Identifier(name),
                    sql.SQL(when),
                    sql.Identifier(TRIGGER_FUNCTION),
                )
            )
        if missing:
            # installed, or updated from a version without totals: count the
            # rows once (in the update's transaction, with the triggers)
            self._count_rows_again()

    @api.model
    def _count_rows_again(self):
        """The totals counted from the rows, the changes kept so far gone."""
        self.env.cr.execute(
            sql.SQL(
                """
                DELETE FROM relation_pyramid_line_total;
                INSERT INTO relation_pyramid_line_total (company_id, level, {columns})
                SELECT company_id, level, {figures}
                  FROM relation_pyramid_line line GROUP BY company_id, level;
                """
            ).format(
                columns=sql.SQL(", ".join(_columns())),
                figures=sql.SQL(_figures_sql("line", "")),
            )
        )

    @api.model
    def _fold_changes(self, company_id):
        """The company's changes folded into one per level (the full
        recompute, which holds the company's rows alone; a change committed
        meanwhile by anyone else is left as it is)."""
        self.env.cr.execute(
            sql.SQL(
                """
                WITH folded AS (
                    DELETE FROM relation_pyramid_line_total
                     WHERE company_id = %(company)s
                    RETURNING level, {columns})
                INSERT INTO relation_pyramid_line_total (company_id, level, {columns})
                SELECT %(company)s, level, {sums}
                  FROM folded GROUP BY level
                HAVING {nonzero}
                """
            ).format(
                columns=sql.SQL(", ".join(_columns())),
                sums=sql.SQL(_sums_sql()),
                nonzero=sql.SQL(_nonzero_sql()),
            ),
            {"company": company_id},
        )

    @api.model
    def _totals(self, company_ids, levels=None, by_level=True):
        """The rows of ``company_ids`` (at ``levels`` if given) as
        ``read_group`` adds them up: per level (``by_level``, levels without
        customers left out) or in all, a dict with ``level``, ``__count``
        and each measure's sum (None where no row has it; floats, as Odoo
        reads numeric sums)."""
        if not company_ids or levels is not None and not levels:
            # no row to add up: no level, or the sums over no rows
            return [] if by_level else [dict(dict.fromkeys(MEASURES), __count=0)]
        sums = ", ".join(
            "CASE WHEN SUM({0}_count) > 0 THEN SUM({0}) END".format(measure)
            for measure in MEASURES
        )
        self.env.cr.execute(
            sql.SQL(
                """
                SELECT {level}, SUM(customer_count), {sums}
                  FROM relation_pyramid_line_total
                 WHERE company_id IN %(companies)s
                   AND (%(all_levels)s OR level IN %(levels)s)
                 {group}
                """
            ).format(
                level=sql.SQL("level" if by_level else "NULL"),
                sums=sql.SQL(sums),
                group=sql.SQL(
                    "GROUP BY level HAVING SUM(customer_count) <> 0" if by_level else ""
                ),
            ),
            {
                "companies": tuple(company_ids),
                "all_levels": levels is None,
                "levels": tuple(levels or ("",)),
            },
        )
        totals = []
        for row in self.env.cr.fetchall():
            group = {"__count": int(row[1] or 0)}
            if by_level:
                group["level"] = row[0]
            group.update(zip(MEASURES, row[2:]))
            totals.append(group)
        return totals
