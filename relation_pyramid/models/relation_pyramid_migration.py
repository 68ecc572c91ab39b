# Copyright 2026 relation_pyramid authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The customer migration matrix between two snapshots (DOMAIN.md): rows are
the level at *from* plus "new", columns the level at *to* plus "lost"."""
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .relation_pyramid_profile import LEVELS

FROM_LEVELS = LEVELS + [("new", "New")]
TO_LEVELS = LEVELS + [("lost", "Lost")]
MOVEMENTS = [
    ("up", "Moved up"),
    ("same", "Stayed"),
    ("down", "Moved down"),
    ("new", "New"),
    ("lost", "Lost"),
]


class RelationPyramidMigration(models.Model):
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
    snapshot_from_id = fields.Many2one(
        "relation.pyramid.snapshot",
        string="From",
        required=True,
        ondelete="cascade",
        domain="[('company_id', '=', company_id)]",
    )
    snapshot_to_id = fields.Many2one(
        "relation.pyramid.snapshot",
        string="To",
        required=True,
        ondelete="cascade",
        domain="[('company_id', '=', company_id)]",
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
        for migration in self:
            migration.name = "%s → %s" % (
                migration.date_from or "?",
                migration.date_to or "?",
            )

    @api.multi
    def _compute_matrix_html(self):
        for migration in self:
            migration.matrix_html = self.env["ir.qweb"].render(
                "relation_pyramid.migration_matrix_table",
                {"migration": migration, "matrix": migration._matrix()},
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

    @api.model
    def create(self, vals):
        migration = super().create(vals)
        migration._fill_lines()
        return migration

    @api.multi
    def write(self, vals):
        result = super().write(vals)
        if {"snapshot_from_id", "snapshot_to_id"} & set(vals):
            self._fill_lines()
        return result

    @api.multi
    def _fill_lines(self):
        """One row per customer present in either snapshot, in one query."""
        cr = self.env.cr
        cells = [
            (from_key, to_key, self._movement(from_key, to_key))
            for from_key, _from in FROM_LEVELS
            for to_key, _to in TO_LEVELS
        ]
        for migration in self:
            cr.execute(
                "DELETE FROM relation_pyramid_migration_line WHERE migration_id = %s",
                (migration.id,),
            )
            customers_from, params_from = migration.snapshot_from_id._customer_sql(
                "from"
            )
            customers_to, params_to = migration.snapshot_to_id._customer_sql("to")
            cr.execute(
                """
                INSERT INTO relation_pyramid_migration_line
                       (migration_id, partner_id, from_level, to_level,
                        movement, revenue_from, revenue_to, revenue)
                SELECT %(migration)s, partner_id, moves.from_level,
                       moves.to_level, cell.movement, revenue_from, revenue_to,
                       CASE WHEN moves.to_level = 'lost' THEN revenue_from
                            ELSE revenue_to END
                  FROM (
                    SELECT COALESCE(old.partner_id, new.partner_id) AS partner_id,
                           COALESCE(old.level, 'new') AS from_level,
                           COALESCE(new.level, 'lost') AS to_level,
                           COALESCE(old.revenue, 0) AS revenue_from,
                           COALESCE(new.revenue, 0) AS revenue_to
                      FROM (SELECT * FROM relation_pyramid_snapshot_line line
                             WHERE {customers_from}) old
                      FULL OUTER JOIN (SELECT * FROM relation_pyramid_snapshot_line line
                                        WHERE {customers_to}) new
                        ON new.partner_id = old.partner_id
                  ) moves
                  JOIN UNNEST(%(cell_from)s, %(cell_to)s, %(cell_movement)s)
                       AS cell(from_level, to_level, movement)
                    ON cell.from_level = moves.from_level
                   AND cell.to_level = moves.to_level
                """.format(customers_from=customers_from, customers_to=customers_to),
                dict(
                    params_from,
                    **params_to,
                    migration=migration.id,
                    cell_from=[cell[0] for cell in cells],
                    cell_to=[cell[1] for cell in cells],
                    cell_movement=[cell[2] for cell in cells],
                ),
            )
        self.env["relation.pyramid.migration.line"].invalidate_cache()

    @api.multi
    def _matrix(self):
        """The matrix as rows of cells: {'from', 'to', 'movement', 'count',
        'revenue'}, rows in FROM_LEVELS order, columns in TO_LEVELS order;
        the customers per movement and in all. Read from the cells' groups
        only: the rows are many (one per customer of either snapshot)."""
        self.ensure_one()
        groups = self.env["relation.pyramid.migration.line"].read_group(
            [("migration_id", "=", self.id)],
            ["from_level", "to_level", "revenue"],
            ["from_level", "to_level"],
            lazy=False,
        )
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
        return {
            "columns": [{"key": key, "label": label} for key, label in to_levels],
            "rows": rows,
            "totals": {
                movement: sum(
                    cell["count"]
                    for row in rows
                    for cell in row["cells"]
                    if cell["movement"] == movement
                )
                for movement, _label in MOVEMENTS
            },
            "customer_count": sum(group["__count"] for group in groups),
        }

    @api.model
    def _movement(self, from_level, to_level):
        """Moving up, staying or moving down: the one rule for every cell."""
        if from_level == "new":
            return "new"
        if to_level == "lost":
            return "lost"
        order = [key for key, _label in LEVELS]
        if order.index(to_level) < order.index(from_level):
            return "up"
        return "same" if to_level == from_level else "down"

    @api.multi
    def action_open_customers(self):
        """The matrix as a pivot of its customers: each cell opens them."""
        self.ensure_one()
        action = self.env.ref(
            "relation_pyramid.relation_pyramid_migration_line_action"
        ).read()[0]
        action["domain"] = [("migration_id", "=", self.id)]
        action["display_name"] = action["name"] = self.name
        return action


class RelationPyramidMigrationLine(models.Model):
    _name = "relation.pyramid.migration.line"
    _inherit = "relation.pyramid.selection.order.mixin"
    _description = "Customer migration"
    _order = "migration_id, revenue desc, id"
    _rec_name = "partner_id"
    # Written in bulk, a row per customer of the two snapshots: no
    # create/write stamps and no company of their own (the matrix has them),
    # whose foreign keys would be checked for each row.
    _log_access = False

    migration_id = fields.Many2one(
        "relation.pyramid.migration", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="migration_id.company_id", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id", readonly=True)
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, readonly=True
    )
    from_level = fields.Selection(FROM_LEVELS, readonly=True)
    to_level = fields.Selection(TO_LEVELS, readonly=True)
    movement = fields.Selection(MOVEMENTS, readonly=True)
    revenue_from = fields.Monetary(string="Revenue Then", readonly=True)
    revenue_to = fields.Monetary(string="Revenue Now", readonly=True)
    revenue = fields.Monetary(
        readonly=True,
        help="Revenue at the 'to' snapshot; for lost customers, the revenue lost.",
    )
