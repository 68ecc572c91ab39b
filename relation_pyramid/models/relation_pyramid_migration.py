# Copyright 2026 relation_pyramid authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The customer migration matrix between two snapshots (DOMAIN.md): rows are
the level at *from* plus "new", columns the level at *to* plus "lost"."""
from decimal import Decimal

from psycopg2 import sql

from odoo import _, api, fields, models, tools
from odoo.exceptions import UserError, ValidationError
from odoo.tools.misc import format_date

from .record_rules import companies_seen
from .relation_pyramid_engine import ACTIVE_LEVELS, LEVELS

FROM_LEVELS = LEVELS + [("new", "New")]
TO_LEVELS = LEVELS + [("lost", "Lost")]
MOVEMENTS = [
    ("up", "Moved up"),
    ("same", "Stayed"),
    ("down", "Moved down"),
    ("new", "New"),
    ("lost", "Lost"),
]
# The id of a customer's row in a matrix: matrix id * 2^31 + partner id.
# Partner ids are PostgreSQL integers (below 2^31), so the id is unique per
# (matrix, customer), and the matrix is the id's quotient by 2^31. It stays
# below 2^53 (what the web client's JavaScript numbers hold exactly) while
# matrix ids stay below 2^22 = 4 194 304 saved matrices.
LINE_ID_FACTOR = 2 ** 31
# What a list opened from a matrix asks for (``_kept_count``).
CELL_FIELDS = ("migration_id", "from_level", "to_level", "movement")


class RelationPyramidMigration(models.Model):
    """A saved pair of snapshots: the matrix itself is computed when read,
    from the snapshot rows as they are now (``relation.pyramid.migration.line``).

    The rule of a cell (``_movement``): a customer who had no level at *from*
    is *new*; a customer who is no longer in the pyramid at *to*, or who was
    active at *from* (top, big, medium or small) and is inactive at *to*, is
    *lost* business, counted with the revenue they brought at *from*; the
    others moved up, stayed or moved down in the order of the levels (top,
    big, medium, small, inactive, prospect, suspect, other), counted with
    their revenue at *to*."""

    _name = "relation.pyramid.migration"
    _description = "Customer migration matrix"
    _order = "date_to desc, date_from desc, id desc"

    name = fields.Char(compute="_compute_name")
    company_id = fields.Many2one(
        "res.company",
        required=True,
        readonly=True,
        default=lambda self: self.env.user.company_id,
        ondelete="cascade",
    )
    currency_id = fields.Many2one(related="company_id.currency_id", readonly=True)
    # The domains keep the form from offering the same snapshot twice or a
    # 'from' newer than the 'to' (``_check_snapshots`` holds it server-side).
    snapshot_from_id = fields.Many2one(
        "relation.pyramid.snapshot",
        string="From",
        required=True,
        ondelete="cascade",
        domain="[('company_id', '=', company_id), "
        "('date', '<', date_to or '9999-12-31')]",
    )
    snapshot_to_id = fields.Many2one(
        "relation.pyramid.snapshot",
        string="To",
        required=True,
        ondelete="cascade",
        domain="[('company_id', '=', company_id), "
        "('date', '>', date_from or '0001-01-01')]",
    )
    date_from = fields.Date(
        related="snapshot_from_id.date", string="From Date", store=True, readonly=True
    )
    date_to = fields.Date(
        related="snapshot_to_id.date", string="To Date", store=True, readonly=True
    )
    line_ids = fields.One2many(
        "relation.pyramid.migration.line",
        "migration_id",
        string="Customers",
        readonly=True,
    )
    matrix_html = fields.Html(
        string="Matrix", compute="_compute_matrix_html", sanitize=False
    )

    @api.depends("date_from", "date_to")
    def _compute_name(self):
        """'30/09/2026 → 02/12/2026', dates in the user's format."""
        for migration in self:
            migration.name = "%s → %s" % (
                format_date(self.env, migration.date_from) or "?",
                format_date(self.env, migration.date_to) or "?",
            )

    @api.multi
    def _compute_matrix_html(self):
        for migration in self:
            if not migration.id:
                migration.matrix_html = False
                continue
            migration.matrix_html = self.env["ir.qweb"].render(
                "relation_pyramid.migration_matrix_table",
                {
                    "migration": migration,
                    "matrix": migration._matrix(),
                    # the form's cells open their customers (static/src/js)
                    "clickable": True,
                },
            ).decode()

    @api.constrains("snapshot_from_id", "snapshot_to_id", "company_id")
    def _check_snapshots(self):
        for migration in self:
            snapshots = migration.snapshot_from_id | migration.snapshot_to_id
            if snapshots.mapped("company_id") != migration.company_id:
                raise ValidationError(
                    _("Both snapshots must belong to the company %s.")
                    % migration.company_id.name
                )
            if migration.date_from >= migration.date_to:
                raise ValidationError(
                    _("The 'from' snapshot must be older than the 'to' snapshot.")
                )

    @api.multi
    def action_open_customers(self):
        """The matrix as a pivot of its customers: each cell opens them.

        A cell, a row, a column or a movement of the matrix on the form opens
        its own customers as a list: the context names them
        (``migration_from_level``, ``migration_to_level``,
        ``migration_movement``)."""
        self.ensure_one()
        action = self.env.ref(
            "relation_pyramid.relation_pyramid_migration_line_action"
        ).read()[0]
        domain = [("migration_id", "=", self.id)]
        labels = []
        line_fields = self.env["relation.pyramid.migration.line"]._fields
        for key, field_name in [
            ("migration_from_level", "from_level"),
            ("migration_to_level", "to_level"),
            ("migration_movement", "movement"),
        ]:
            value = self.env.context.get(key)
            if not value:
                continue
            selection = dict(line_fields[field_name]._description_selection(self.env))
            if value not in selection:
                raise UserError(_("Unknown matrix cell: %s.") % value)
            domain.append((field_name, "=", value))
            labels.append(selection[value])
        name = self.name
        if labels:
            name = "%s: %s" % (self.name, " → ".join(labels))
            # a cell's customers: the list first, the pivot one click away
            action["views"] = sorted(
                action["views"], key=lambda view: view[1] != "tree"
            )
        action.update(domain=domain, name=name, display_name=name)
        return action

    @api.multi
    def _matrix(self):
        """The matrix as rows of cells: {'from', 'to', 'movement', 'count',
        'revenue'}, rows in FROM_LEVELS order, columns in TO_LEVELS order;
        the customers and their revenue per movement and in all. Record
        rules apply: a salesperson who sees only their own customers sees
        the matrix of their own customers (``_matrix_groups``)."""
        self.ensure_one()
        groups = self._matrix_groups()
        cells = {(g["from_level"], g["to_level"]): g for g in groups}
        line_fields = self.env["relation.pyramid.migration.line"]._fields
        from_levels = line_fields["from_level"]._description_selection(self.env)
        to_levels = line_fields["to_level"]._description_selection(self.env)
        rows = []
        for from_key, from_label in from_levels:
            row = {"key": from_key, "label": from_label, "cells": []}
            for to_key, _to_label in to_levels:
                group = cells.get((from_key, to_key), {})
                row["cells"].append(
                    {
                        "from": from_key,
                        "to": to_key,
                        "movement": self._movement(from_key, to_key),
                        "count": group.get("__count", 0),
                        "revenue": group.get("revenue", 0.0),
                    }
                )
            rows.append(row)
        all_cells = [cell for row in rows for cell in row["cells"]]
        return {
            "columns": [{"key": key, "label": label} for key, label in to_levels],
            "rows": rows,
            "totals": {
                movement: sum(
                    cell["count"] for cell in all_cells if cell["movement"] == movement
                )
                for movement, _label in MOVEMENTS
            },
            "revenue_totals": {
                movement: sum(
                    cell["revenue"]
                    for cell in all_cells
                    if cell["movement"] == movement
                )
                for movement, _label in MOVEMENTS
            },
            "customer_count": sum(group["__count"] for group in groups),
        }

    @api.multi
    def _matrix_groups(self):
        """The customers and their revenue per cell, as ``read_group`` on
        the matrix's customers gives them (``from_level``, ``to_level``,
        ``__count``, ``revenue``), for the customers the user sees.

        Who sees every customer of the company gets them from the totals of
        the *from* snapshot (``relation.pyramid.snapshot._level_totals``)
        and the customers whose row changed between the two dates only
        (``_changed_sql``): the others stayed where they were, with the
        same revenue. Anyone else gets them from the rows."""
        self.ensure_one()
        if not self._sees_every_customer():
            return self.env["relation.pyramid.migration.line"].read_group(
                [("migration_id", "=", self.id)],
                ["from_level", "to_level", "revenue"],
                ["from_level", "to_level"],
                lazy=False,
            )
        cr = self.env.cr
        changed = self.env["relation.pyramid.migration.line"]._changed_sql()
        cr.execute(
            sql.SQL(
                """SELECT changed.from_level, changed.to_level, COUNT(*),
                          SUM(changed.revenue_from)::text,
                          SUM(changed.revenue_to)::text
                     FROM relation_pyramid_migration migration
                    CROSS JOIN LATERAL ({changed}) changed
                    WHERE migration.id = %s
                    GROUP BY changed.from_level, changed.to_level"""
            ).format(changed=changed),
            (self.id,),
        )
        cells = {}
        changed_from = {}
        for from_level, to_level, count, revenue_from, revenue_to in cr.fetchall():
            # exact sums (Odoo reads numeric columns as floats)
            revenue_from, revenue_to = Decimal(revenue_from), Decimal(revenue_to)
            lost = self._movement(from_level, to_level) == "lost"
            cells[(from_level, to_level)] = (
                count,
                revenue_from if lost else revenue_to,
            )
            left_count, left_revenue = changed_from.get(from_level, (0, 0))
            changed_from[from_level] = (
                left_count + count,
                left_revenue + revenue_from,
            )
        totals = self.snapshot_from_id.sudo()._level_totals()
        for level, (count, revenue) in totals.items():
            changed_count, changed_revenue = changed_from.get(level, (0, 0))
            if count > changed_count:
                cell_count, cell_revenue = cells.get((level, level), (0, 0))
                cells[(level, level)] = (
                    cell_count + count - changed_count,
                    cell_revenue + revenue - changed_revenue,
                )
        return [
            {
                "from_level": from_level,
                "to_level": to_level,
                "__count": count,
                "revenue": float(revenue),
            }
            for (from_level, to_level), (count, revenue) in cells.items()
        ]

    @api.multi
    def _sees_every_customer(self):
        """Whether the user's record rules on the matrix's customers surely
        let them see every customer of the matrix's company
        (``record_rules.companies_seen``): rules that hold for every row or
        ask for the company. Any other rule (a salesperson, a rule an
        integrator added) says no."""
        self.ensure_one()
        company_id = self.company_id.id
        seen = companies_seen(
            self.env, "relation.pyramid.migration.line", [company_id]
        )
        return seen[company_id] is True

    @api.model
    def _movement(self, from_level, to_level):
        """The one rule for every cell (see the class docstring), of the
        matrix and of its customers' rows (``_cells_sql``)."""
        if from_level == "new":
            return "new"
        if to_level == "lost":
            return "lost"
        if from_level in ACTIVE_LEVELS and to_level == "inactive":
            return "lost"
        order = [key for key, _label in LEVELS]
        if order.index(to_level) < order.index(from_level):
            return "up"
        return "same" if to_level == from_level else "down"

    @api.model
    def _cells_sql(self):
        """Every cell of the matrix with its movement (``_movement``), as
        SQL ``VALUES (from_level, to_level, movement), ...``: the rows'
        view takes its movements from here."""
        return sql.SQL("VALUES {}").format(
            sql.SQL(", ").join(
                sql.SQL("({}, {}, {})").format(
                    sql.Literal(from_key),
                    sql.Literal(to_key),
                    sql.Literal(self._movement(from_key, to_key)),
                )
                for from_key, _from_label in FROM_LEVELS
                for to_key, _to_label in TO_LEVELS
                if (from_key, to_key) != ("new", "lost")
            )
        )


class RelationPyramidMigrationLine(models.Model):
    """A customer of a saved matrix: level and revenue at its *from* and
    *to* snapshots, and the movement between them.

    A read-only SQL view over the snapshot rows, computed when read: for
    each saved matrix, the customers of its company whose row holds at both
    dates (``_unchanged_sql``) and the others, whose rows end or start
    between the dates (``_changed_sql``), a cell's customers outside the
    diagonal found through the dates alone. It always shows the
    snapshots as they are now (backfilled or recomputed later), nothing is
    written when a matrix is saved, and nothing refers to a partner. Read it
    filtered by ``migration_id``: the filter goes down to the one matrix.
    Record rules: the company's rows; salespeople who see only their own
    documents see their own customers and those without a salesperson."""

    _name = "relation.pyramid.migration.line"
    _inherit = [
        "relation.pyramid.selection.order.mixin",
        "relation.pyramid.kept.count.mixin",
    ]
    _description = "Customer migration"
    _auto = False
    _log_access = False
    _order = "migration_id, revenue desc, id"
    _rec_name = "partner_id"

    migration_id = fields.Many2one("relation.pyramid.migration", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        readonly=True,
        help="The customer's salesperson, as set on the customer now.",
    )
    from_level = fields.Selection(FROM_LEVELS, readonly=True)
    to_level = fields.Selection(TO_LEVELS, readonly=True)
    movement = fields.Selection(MOVEMENTS, readonly=True)
    revenue_from = fields.Monetary(string="Revenue Then", readonly=True)
    revenue_to = fields.Monetary(string="Revenue Now", readonly=True)
    revenue = fields.Monetary(
        readonly=True,
        help="Revenue at the 'to' snapshot; for lost customers, the revenue "
        "they brought at the 'from' snapshot (the revenue lost).",
    )

    @api.model
    def _unchanged_sql(self):
        """The customers whose snapshot row holds at both dates of the
        matrix (``migration``): they stayed, with the same revenue."""
        return sql.SQL(
            """SELECT line.partner_id,
                      line.level AS from_level,
                      line.level AS to_level,
                      'same'::varchar AS movement,
                      line.revenue AS revenue_from,
                      line.revenue AS revenue_to,
                      line.revenue
                 FROM relation_pyramid_snapshot_line line
                WHERE {of_company}
                  AND line.date <= migration.date_from
                  AND (line.date_to IS NULL OR line.date_to > migration.date_to)"""
        ).format(of_company=self._snapshot_rows_of_company())

    @api.model
    def _snapshot_rows_of_company(self):
        """The condition that a snapshot row ``line`` is of the matrix's
        company (``migration``)."""
        return sql.SQL(
            self.env["relation.pyramid.snapshot.line"]._of_company_sql(
                "migration.company_id"
            )
        )

    @api.model
    def _changed_sql(self):
        """The other customers of the matrix (``migration``), found by the
        dates their rows end or start between its two dates: the row that
        held at *from* and ended by *to* (if any) joined by customer to the
        row that started after *from* and holds at *to* (if any)."""
        return sql.SQL(
            """SELECT COALESCE(old.partner_id, new.partner_id) AS partner_id,
                      COALESCE(old.level, 'new') AS from_level,
                      COALESCE(new.level, 'lost') AS to_level,
                      COALESCE(old.revenue, 0) AS revenue_from,
                      COALESCE(new.revenue, 0) AS revenue_to
                 FROM (SELECT line.partner_id, line.level, line.revenue
                         FROM relation_pyramid_snapshot_line line
                        WHERE {of_company}
                          AND line.date <= migration.date_from
                          AND line.date_to > migration.date_from
                          AND line.date_to <= migration.date_to) old
                 FULL JOIN (
                       SELECT line.partner_id, line.level, line.revenue
                         FROM relation_pyramid_snapshot_line line
                        WHERE line.snapshot_id IN (
                                  SELECT id FROM relation_pyramid_snapshot
                                   WHERE company_id = migration.company_id
                                     AND date > migration.date_from
                                     AND date <= migration.date_to)
                          AND (line.date_to IS NULL
                               OR line.date_to > migration.date_to)) new
                   ON new.partner_id = old.partner_id"""
        ).format(of_company=self._snapshot_rows_of_company())

    @api.model
    def _select(self):
        return sql.SQL(
            """SELECT migration.id::bigint * {factor} + moves.partner_id AS id,
                      migration.id AS migration_id,
                      migration.company_id,
                      moves.partner_id,
                      partner.user_id,
                      moves.from_level,
                      moves.to_level,
                      moves.movement,
                      moves.revenue_from,
                      moves.revenue_to,
                      moves.revenue"""
        ).format(factor=sql.Literal(LINE_ID_FACTOR))

    @api.model
    def _moved_sql(self):
        """The customers of ``_changed_sql`` with their movement
        (``relation.pyramid.migration._cells_sql``) and their revenue."""
        return sql.SQL(
            """SELECT changed.partner_id, changed.from_level,
                      changed.to_level, cell.movement,
                      changed.revenue_from, changed.revenue_to,
                      CASE WHEN cell.movement = 'lost'
                           THEN changed.revenue_from
                           ELSE changed.revenue_to END AS revenue
                 FROM ({changed}) changed
                 JOIN ({cells}) AS cell (from_level, to_level, movement)
                   ON cell.from_level = changed.from_level
                  AND cell.to_level = changed.to_level"""
        ).format(
            changed=self._changed_sql(),
            cells=self.env["relation.pyramid.migration"]._cells_sql(),
        )

    @api.model
    def _from(self):
        return sql.SQL(
            """FROM relation_pyramid_migration migration
               CROSS JOIN LATERAL ({unchanged} UNION ALL {moved}) moves
               LEFT JOIN res_partner partner ON partner.id = moves.partner_id"""
        ).format(unchanged=self._unchanged_sql(), moved=self._moved_sql())

    @api.model_cr
    def init(self):
        # Upgrades drop the table of earlier versions first (migrations/
        # 11.0.1.4.0); a database that already carries this version number
        # with the table (a development database) is caught here.
        if tools.table_kind(self.env.cr, self._table) == "r":
            self.env.cr.execute(
                sql.SQL("DROP TABLE {} CASCADE").format(sql.Identifier(self._table))
            )
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            sql.SQL("CREATE OR REPLACE VIEW {} AS ({} {})").format(
                sql.Identifier(self._table), self._select(), self._from()
            )
        )

    @api.model
    def _asked_cell(self, domain):
        """The matrix and the cell a list opened from it asks for (a cell,
        a row, a column or a movement: ``{field: value}`` of
        ``from_level``, ``to_level``, ``movement``), if the domain asks for
        one matrix the user reads and for its levels or movement only, and
        the user sees every customer of the matrix's company
        (``relation.pyramid.migration._sees_every_customer``); else None."""
        leaves = self._anded_leaves(domain)
        if leaves is None:
            return None
        asked = {}
        for term in leaves:
            if term[0] not in CELL_FIELDS or term[1] != "=" or term[0] in asked:
                return None
            asked[term[0]] = term[2]
        migration_id = asked.pop("migration_id", None)
        if not isinstance(migration_id, int):
            return None
        migration = self.env["relation.pyramid.migration"].search(
            [("id", "=", migration_id)]
        )
        if not migration or not migration._sees_every_customer():
            return None
        return migration, asked

    @api.model
    def _kept_count(self, domain):
        """The count of a list opened from a matrix (``_asked_cell``) from
        the cells of its matrix
        (``relation.pyramid.migration._matrix_groups``): the biggest cell,
        the customers who stayed at small, is most of the company."""
        cell = self._asked_cell(domain)
        if cell is None:
            return None
        migration, asked = cell
        return sum(
            group["__count"]
            for group in migration._matrix_groups()
            if all(
                value
                == (
                    migration._movement(group["from_level"], group["to_level"])
                    if name == "movement"
                    else group[name]
                )
                for name, value in asked.items()
            )
        )

    @api.model
    def _search(
        self,
        args,
        offset=0,
        limit=None,
        order=None,
        count=False,
        access_rights_uid=None,
    ):
        # the web client asks for the model's order as order=False
        if limit and not count and not access_rights_uid and order in (
            None,
            False,
            "",
            self._order,
        ):
            self.check_access_rights("read")
            ids = self._cell_page(args, offset, limit)
            if ids is not None:
                return ids
        return super()._search(args, offset, limit, order, count, access_rights_uid)

    @api.model
    def _cell_page(self, domain, offset, limit):
        """The ids of a page of a list opened from a matrix
        (``_asked_cell``), in the list's order (``_order``), or None: read
        the rows. The view computes the matrix's customers for the matrix
        it is joined to, so PostgreSQL sorts all of them for one page (the
        customers who stayed at small are most of the company); here the
        matrix's company and dates are known, and each part of the view,
        the customers who stayed (``_unchanged_sql``) and those who moved
        (``_moved_sql``), gives its first rows in the list's order, those
        who stayed read from the snapshot rows' index
        (``relation.pyramid.snapshot.line``: level, revenue, customer)."""
        cell = self._asked_cell(domain)
        if cell is None:
            return None
        migration, asked = cell
        conditions = sql.SQL(" AND ").join(
            [sql.SQL("TRUE")]
            + [
                sql.SQL("moves.{} = {}").format(
                    sql.Identifier(name), sql.Literal(value)
                )
                for name, value in sorted(asked.items())
            ]
        )
        part = sql.SQL(
            """(SELECT moves.partner_id, moves.revenue
                  FROM {migration}
                 CROSS JOIN LATERAL ({moves}) moves
                 WHERE {conditions}
                 ORDER BY moves.revenue DESC, moves.partner_id
                 LIMIT %(rows)s)"""
        )
        # Those who stayed: the matrix's company and dates as constants,
        # so that PostgreSQL reads them from the index. Those who moved: as
        # the view finds them, the saved matrix's row joined (the rows of
        # its later snapshots then read snapshot by snapshot: with the
        # dates as constants PostgreSQL expects most rows of the company
        # there and scans them all).
        constants = sql.SQL(
            """(SELECT %(company_id)s AS company_id,
                       %(date_from)s::date AS date_from,
                       %(date_to)s::date AS date_to) migration"""
        )
        saved = sql.SQL("relation_pyramid_migration migration")
        query = sql.SQL(
            """SELECT %(migration_id)s::bigint * {factor} + page.partner_id
                 FROM ({unchanged} UNION ALL {moved}) page
                ORDER BY page.revenue DESC, page.partner_id
                LIMIT %(limit)s OFFSET %(offset)s"""
        ).format(
            factor=sql.Literal(LINE_ID_FACTOR),
            unchanged=part.format(
                migration=constants,
                moves=self._unchanged_sql(),
                conditions=conditions,
            ),
            moved=part.format(
                migration=saved,
                moves=self._moved_sql(),
                conditions=sql.SQL("migration.id = %(migration_id)s AND {}").format(
                    conditions
                ),
            ),
        )
        self.env.cr.execute(
            query,
            {
                "migration_id": migration.id,
                "company_id": migration.company_id.id,
                "date_from": migration.date_from,
                "date_to": migration.date_to,
                "rows": offset + limit,
                "limit": limit,
                "offset": offset,
            },
        )
        return [row[0] for row in self.env.cr.fetchall()]

    @api.model
    def _apply_ir_rules(self, query, mode="read"):
        """Reading rows by id (``_read_from_database``) also filters on
        their matrices and customers, which the ids hold: otherwise
        PostgreSQL would compute the rows of every saved matrix, and every
        customer of the matrix, to find them."""
        result = super()._apply_ir_rules(query, mode)
        read_by_id = '"%s".id IN %%s' % self._table
        ids = [record_id for record_id in self.ids if isinstance(record_id, int)]
        if ids and query.where_clause[:1] == [read_by_id]:
            query.where_clause.append('"%s".migration_id IN %%s' % self._table)
            query.where_clause_params.append(
                tuple({record_id // LINE_ID_FACTOR for record_id in ids})
            )
            query.where_clause.append('"%s".partner_id IN %%s' % self._table)
            query.where_clause_params.append(
                tuple({record_id % LINE_ID_FACTOR for record_id in ids})
            )
        return result
