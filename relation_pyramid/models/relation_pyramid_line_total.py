# Copyright 2026 relation_pyramid authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""How many customers, and how much revenue and margin, each level of a
company's pyramid has now, without adding up its rows (issue 21, item 5).

The kanban's column counts, the pivot and its total, the count under a
list: each adds up every row of the company, ~300 ms per aggregate at
730 000 customers. Instead PostgreSQL keeps the totals itself, whoever
writes the rows (the recompute, a refresh, a customer deleted or merged, a
company deleted): triggers on ``relation_pyramid_line`` add a *change* per
company and level for every row inserted or deleted and every row whose
level, company, revenue or margin changed (``relation.pyramid.line.total``, one
table of changes, never updated: two refreshes never wait for each other).
The totals are the sum of the changes; the full recompute, which holds the
company's rows alone, folds them into one change per level
(``_fold_changes``). A reader sees the changes of the transactions
committed before it, as it sees their rows.

``relation.pyramid.line`` answers ``read_group`` by level (or without
groups) and ``search_count`` from here when the domain asks for levels
only and the user's record rules let them see every row of each company
or none (``record_rules.companies_seen``); anything else counts the rows."""
from psycopg2 import sql

from odoo import api, fields, models

from .relation_pyramid_engine import LEVELS

TRIGGER_FUNCTION = "relation_pyramid_line_total_change"
# The rows' figures the totals add up, each as its sum and the number of
# rows that have it (a sum over rows that all lack it is empty, as in SQL).
MEASURES = ("revenue", "margin")
# (trigger name, when it fires, what the function reads)
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
    # Row by row, and only for rows whose level, company or figures
    # changed: a recompute rewrites the ranks and shares of most rows, which
    # must cost nothing here.
    (
        "relation_pyramid_line_total_update",
        "AFTER UPDATE OF company_id, level, {measures} ON relation_pyramid_line "
        "FOR EACH ROW WHEN (OLD.company_id IS DISTINCT FROM NEW.company_id "
        "OR OLD.level IS DISTINCT FROM NEW.level {changed})".format(
            measures=", ".join(MEASURES),
            changed=" ".join(
                "OR OLD.{0} IS DISTINCT FROM NEW.{0}".format(measure)
                for measure in MEASURES
            ),
        ),
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


def _row_figures_sql(record, sign):
    """The same for one row of a row trigger (``OLD`` or ``NEW``)."""
    terms = ["%s1" % sign]
    for measure in MEASURES:
        terms.append("%sCOALESCE(%s.%s, 0)" % (sign, record, measure))
        terms.append(
            "CASE WHEN %s.%s IS NULL THEN 0 ELSE %s1 END" % (record, measure, sign)
        )
    return ", ".join(terms)


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
        cr = self.env.cr
        cr.execute(
            sql.SQL(
                """
                CREATE TABLE IF NOT EXISTS relation_pyramid_line_total (
                    id serial PRIMARY KEY,
                    company_id integer NOT NULL
                        REFERENCES res_company (id) ON DELETE CASCADE,
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
        columns = ", ".join(_columns())
        cr.execute(
            sql.SQL(
                """
                CREATE OR REPLACE FUNCTION {function}() RETURNS trigger
                LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_LEVEL = 'ROW' THEN
                        INSERT INTO relation_pyramid_line_total
                               (company_id, level, {columns})
                        VALUES (OLD.company_id, OLD.level, {old}),
                               (NEW.company_id, NEW.level, {new});
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
                old=sql.SQL(_row_figures_sql("OLD", "-")),
                new=sql.SQL(_row_figures_sql("NEW", "")),
                added=sql.SQL(_figures_sql("added", "")),
                removed=sql.SQL(_figures_sql("removed", "-")),
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
        columns = _columns()
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
                columns=sql.SQL(", ".join(columns)),
                sums=sql.SQL(", ".join("SUM(%s)" % column for column in columns)),
                nonzero=sql.SQL(
                    " OR ".join("SUM(%s) <> 0" % column for column in columns)
                ),
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
            company_ids, levels = [0], [""]
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
