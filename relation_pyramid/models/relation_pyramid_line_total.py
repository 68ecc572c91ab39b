# Copyright 2026 relation_pyramid authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""How many customers, and how much revenue, each level of a company's
pyramid has now, without adding up its rows (issue 21, item 5).

The kanban's column counts, the pivot and its total, the count under a
list: each adds up every row of the company, ~300 ms per aggregate at
730 000 customers. Instead PostgreSQL keeps the totals itself, whoever
writes the rows (the recompute, a refresh, a customer deleted or merged, a
company deleted): triggers on ``relation_pyramid_line`` add a *change* per
company and level for every row inserted or deleted and every row whose
level, revenue or company changed (``relation.pyramid.line.total``, one
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
    # Row by row, and only for rows whose level, revenue or company changed:
    # a recompute rewrites the ranks and shares of most rows, which must
    # cost nothing here.
    (
        "relation_pyramid_line_total_update",
        "AFTER UPDATE OF company_id, level, revenue ON relation_pyramid_line "
        "FOR EACH ROW WHEN (OLD.company_id IS DISTINCT FROM NEW.company_id "
        "OR OLD.level IS DISTINCT FROM NEW.level "
        "OR OLD.revenue IS DISTINCT FROM NEW.revenue)",
    ),
)


class RelationPyramidLineTotal(models.Model):
    """A change of a company's customers and revenue at a level (see the
    module's doc): their sum per company and level is the totals of the
    current rows."""

    _name = "relation.pyramid.line.total"
    _description = "Customer pyramid: customers and revenue per level"
    _auto = False
    _log_access = False

    company_id = fields.Many2one("res.company", readonly=True)
    level = fields.Selection(LEVELS, readonly=True)
    customer_count = fields.Integer(readonly=True)

    @api.model_cr
    def init(self):
        cr = self.env.cr
        cr.execute(
            """
            CREATE TABLE IF NOT EXISTS relation_pyramid_line_total (
                id serial PRIMARY KEY,
                company_id integer NOT NULL
                    REFERENCES res_company (id) ON DELETE CASCADE,
                level varchar NOT NULL,
                customer_count integer NOT NULL,
                revenue numeric NOT NULL
            );
            CREATE INDEX IF NOT EXISTS relation_pyramid_line_total_company_index
                ON relation_pyramid_line_total (company_id, level);
            """
        )
        cr.execute(
            sql.SQL(
                """
                CREATE OR REPLACE FUNCTION {function}() RETURNS trigger
                LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_LEVEL = 'ROW' THEN
                        INSERT INTO relation_pyramid_line_total
                               (company_id, level, customer_count, revenue)
                        VALUES (OLD.company_id, OLD.level, -1,
                                -COALESCE(OLD.revenue, 0)),
                               (NEW.company_id, NEW.level, 1,
                                COALESCE(NEW.revenue, 0));
                    ELSIF TG_OP = 'INSERT' THEN
                        INSERT INTO relation_pyramid_line_total
                               (company_id, level, customer_count, revenue)
                        SELECT company_id, level, COUNT(*),
                               COALESCE(SUM(revenue), 0)
                          FROM added GROUP BY company_id, level;
                    ELSE
                        INSERT INTO relation_pyramid_line_total
                               (company_id, level, customer_count, revenue)
                        SELECT company_id, level, -COUNT(*),
                               -COALESCE(SUM(revenue), 0)
                          FROM removed GROUP BY company_id, level;
                    END IF;
                    RETURN NULL;
                END
                $$
                """
            ).format(function=sql.Identifier(TRIGGER_FUNCTION))
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
            """
            DELETE FROM relation_pyramid_line_total;
            INSERT INTO relation_pyramid_line_total
                   (company_id, level, customer_count, revenue)
            SELECT company_id, level, COUNT(*), COALESCE(SUM(revenue), 0)
              FROM relation_pyramid_line GROUP BY company_id, level;
            """
        )

    @api.model
    def _fold_changes(self, company_id):
        """The company's changes folded into one per level (the full
        recompute, which holds the company's rows alone; a change committed
        meanwhile by anyone else is left as it is)."""
        self.env.cr.execute(
            """
            WITH folded AS (
                DELETE FROM relation_pyramid_line_total WHERE company_id = %(company)s
                RETURNING level, customer_count, revenue)
            INSERT INTO relation_pyramid_line_total
                   (company_id, level, customer_count, revenue)
            SELECT %(company)s, level, SUM(customer_count), SUM(revenue)
              FROM folded GROUP BY level
            HAVING SUM(customer_count) <> 0 OR SUM(revenue) <> 0
            """,
            {"company": company_id},
        )

    @api.model
    def _totals(self, company_ids, levels=None):
        """{level: (customers, revenue)} of the rows of ``company_ids`` (at
        ``levels`` if given), revenue as the float Odoo reads a sum as;
        levels without customers left out."""
        if not company_ids or levels is not None and not levels:
            return {}
        self.env.cr.execute(
            """
            SELECT level, SUM(customer_count), SUM(revenue)
              FROM relation_pyramid_line_total
             WHERE company_id IN %(companies)s
               AND (%(all_levels)s OR level IN %(levels)s)
             GROUP BY level
            HAVING SUM(customer_count) <> 0
            """,
            {
                "companies": tuple(company_ids),
                "all_levels": levels is None,
                "levels": tuple(levels or ("",)),
            },
        )
        return {
            level: (int(count), revenue)
            for level, count, revenue in self.env.cr.fetchall()
        }
