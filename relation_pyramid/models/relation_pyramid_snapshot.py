# Copyright 2026 relation_pyramid authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import datetime
import math
from decimal import Decimal

from odoo import _, api, fields, models, tools
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools.misc import format_date

from .level_totals import decode_level_totals, encode_level_totals
from .relation_pyramid_engine import ACTIVE_LEVELS

# Colours of the levels, from the top of the pyramid down (report and views).
LEVEL_COLORS = {
    "top": "#b8860b",
    "big": "#2e7d32",
    "medium": "#1565c0",
    "small": "#78909c",
    "inactive": "#ef6c00",
    "prospect": "#6a1b9a",
    "suspect": "#ad8ccf",
    "other": "#9e9e9e",
}


class RelationPyramidSnapshot(models.Model):
    """The levels of one company's customers as computed at a date.

    A snapshot row holds from the snapshot it starts at until the first later
    snapshot at which the customer's lifecycle, level or revenue changed or
    they left the pyramid (``date_to``): a snapshot's customers are the rows
    that hold at its date (``_customer_domain``); its own rows are only what
    changed since the snapshot before it (``line_ids``)."""

    _name = "relation.pyramid.snapshot"
    _description = "Customer pyramid snapshot"
    _order = "company_id, date desc"
    _rec_name = "date"

    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True, ondelete="cascade"
    )
    date = fields.Date(string="Reference Date", required=True, readonly=True)
    line_ids = fields.One2many(
        "relation.pyramid.snapshot.line",
        "snapshot_id",
        string="Changes",
        readonly=True,
        help="The customers whose lifecycle, level or revenue changed since the "
        "previous snapshot, and those who entered the pyramid.",
    )
    customer_count = fields.Integer(
        readonly=True,
        help="The customers in the pyramid at the snapshot's date, counted when "
        "the snapshot is written.",
    )
    change_count = fields.Integer(compute="_compute_change_count")
    level_totals = fields.Text(
        readonly=True,
        copy=False,
        prefetch=False,
        help="The customers and their revenue per level at the snapshot's "
        "date (JSON), kept when the snapshot is written; emptied when a "
        "customer of the snapshot is deleted or merged, counted again when "
        "next needed.",
    )

    _sql_constraints = [
        (
            "company_date_uniq",
            "unique(company_id, date)",
            "A company has one pyramid snapshot per date.",
        )
    ]

    @api.multi
    def name_get(self):
        """The reference date in the user's format (31/12/2025 in Dutch)."""
        return [
            (snapshot.id, format_date(self.env, snapshot.date)) for snapshot in self
        ]

    @api.model
    def _name_search(
        self, name="", args=None, operator="ilike", limit=100, name_get_uid=None
    ):
        """A snapshot is found by its date as the user writes it (31-12-2025
        in Dutch), as it is shown, or by part of the ISO date (2025-12)."""
        if name and operator in ("ilike", "=", "=ilike", "like"):
            lang = self.env["res.lang"]._lang_get(self.env.lang or "en_US")
            try:
                day = datetime.datetime.strptime(name.strip(), lang.date_format)
            except (ValueError, TypeError, AttributeError):
                day = None
            if day:
                args = list(args or []) + [("date", "=", day.date())]
                name = ""
        return super()._name_search(
            name, args, operator=operator, limit=limit, name_get_uid=name_get_uid
        )

    @api.multi
    def _customer_domain(self):
        """The snapshot rows that hold at this snapshot's date: one per
        customer in the pyramid of its company at that date."""
        self.ensure_one()
        return [
            ("snapshot_id.company_id", "=", self.company_id.id),
            ("date", "<=", self.date),
            "|",
            ("date_to", "=", False),
            ("date_to", ">", self.date),
        ]

    @api.multi
    def _customer_sql(self, key="snapshot"):
        """``_customer_domain`` as a condition on ``line`` (a snapshot row)
        and its named parameters (prefixed by ``key``), for SQL of its own."""
        self.ensure_one()
        return (
            """{of_company}
               AND line.date <= %({key}_date)s
               AND (line.date_to IS NULL OR line.date_to > %({key}_date)s)""".format(
                of_company=self.env["relation.pyramid.snapshot.line"]._of_company_sql(
                    "%({key}_company)s".format(key=key)
                ),
                key=key,
            ),
            {key + "_company": self.company_id.id, key + "_date": self.date},
        )

    @api.multi
    def _level_totals(self):
        """{level: (customers, revenue)} of the customers in the pyramid at
        the snapshot's date, revenue a Decimal: what the snapshot keeps
        (``level_totals``), else counted from its rows and kept."""
        self.ensure_one()
        cr = self.env.cr
        cr.execute(
            "SELECT level_totals FROM relation_pyramid_snapshot WHERE id = %s",
            (self.id,),
        )
        kept = cr.fetchone()[0]
        if kept:
            return decode_level_totals(kept)
        condition, params = self._customer_sql()
        cr.execute(
            """SELECT line.level, COUNT(*), COALESCE(SUM(line.revenue), 0)::text
                 FROM relation_pyramid_snapshot_line line
                WHERE {condition}
                GROUP BY line.level""".format(
                condition=condition
            ),
            params,
        )
        totals = {
            level: (count, Decimal(revenue)) for level, count, revenue in cr.fetchall()
        }
        # kept unless the engine wrote them meanwhile (the row lock waits)
        cr.execute(
            """UPDATE relation_pyramid_snapshot SET level_totals = %s
                WHERE id = %s AND level_totals IS NULL""",
            (encode_level_totals(totals), self.id),
        )
        self.invalidate_cache(["level_totals"], self.ids)
        return totals

    @api.model
    def _forget_level_totals(self, partner_ids):
        """The snapshots at whose date one of the partners is in the pyramid
        keep no totals any more (``_level_totals`` counts them again): their
        rows are about to change outside the engine (a deletion, a merge)."""
        self.env.cr.execute(
            """
            UPDATE relation_pyramid_snapshot snapshot SET level_totals = NULL
              FROM relation_pyramid_snapshot_line line
              JOIN relation_pyramid_snapshot start ON start.id = line.snapshot_id
             WHERE line.partner_id IN %(partner_ids)s
               AND snapshot.company_id = start.company_id
               AND snapshot.date >= line.date
               AND (line.date_to IS NULL OR snapshot.date < line.date_to)
               AND snapshot.level_totals IS NOT NULL
            """,
            {"partner_ids": tuple(partner_ids) or (0,)},
        )
        self.invalidate_cache(["level_totals"])

    @api.multi
    def _next_snapshot(self):
        """The company's first snapshot after this one, if any."""
        self.ensure_one()
        return self.search(
            [("company_id", "=", self.company_id.id), ("date", ">", self.date)],
            order="date",
            limit=1,
        )

    @api.multi
    def unlink(self):
        """The rows a snapshot started that still hold at the company's next
        snapshot start there instead: deleting a snapshot leaves the
        customers of every other snapshot as they were."""
        self.check_access_rights("unlink")
        self.check_access_rule("unlink")
        for snapshot in self.sorted("date"):
            next_snapshot = snapshot._next_snapshot()
            if next_snapshot:
                self.env.cr.execute(
                    """
                    UPDATE relation_pyramid_snapshot_line
                       SET snapshot_id = %(next_id)s, date = %(next_date)s
                     WHERE snapshot_id = %(id)s
                       AND (date_to IS NULL OR date_to > %(next_date)s)
                    """,
                    {
                        "id": snapshot.id,
                        "next_id": next_snapshot.id,
                        "next_date": next_snapshot.date,
                    },
                )
            super(RelationPyramidSnapshot, snapshot).unlink()
        self.env["relation.pyramid.snapshot.line"].invalidate_cache()
        return True

    @api.multi
    def _compute_change_count(self):
        changes = self.env["relation.pyramid.snapshot.line"].read_group(
            [("snapshot_id", "in", self.ids)], ["snapshot_id"], ["snapshot_id"]
        )
        by_snapshot = {
            group["snapshot_id"][0]: group["snapshot_id_count"] for group in changes
        }
        for snapshot in self:
            snapshot.change_count = by_snapshot.get(snapshot.id, 0)

    @api.multi
    def action_view_customers(self):
        """The customers of the pyramid at this snapshot's date."""
        self.ensure_one()
        return self._lines_action(
            _("Customers at %s") % self._date_label(), [("snapshot_ids", "=", self.id)]
        )

    @api.multi
    def action_view_changes(self):
        """The rows this snapshot wrote: what changed since the one before."""
        self.ensure_one()
        return self._lines_action(
            _("Changes at %s") % self._date_label(), [("snapshot_id", "=", self.id)]
        )

    @api.multi
    def _date_label(self):
        """The snapshot's date in the user's language."""
        return format_date(self.env, self.date)

    @api.multi
    def _lines_action(self, name, domain):
        action = self.env.ref(
            "relation_pyramid.relation_pyramid_snapshot_line_action"
        ).read()[0]
        # The breadcrumb shows the display name.
        action.update(name=name, display_name=name, domain=domain)
        return action

    @api.multi
    def _period(self):
        """The period whose revenue this snapshot ranks (see the profile)."""
        self.ensure_one()
        profile = self.env["relation.pyramid.profile"].sudo().search(
            [("company_id", "=", self.company_id.id)]
        )
        return profile._period_bounds(fields.Date.from_string(self.date))

    @api.multi
    def _report_data(self):
        """Figures of the printable pyramid: per level the number of
        customers, % of customers, revenue, % of revenue and average revenue;
        the Pareto line; the bands of the drawing."""
        self.ensure_one()
        groups = self.env["relation.pyramid.snapshot.line"].read_group(
            self._customer_domain(), ["level", "revenue"], ["level"]
        )
        by_level = {group["level"]: group for group in groups}
        active_count = sum(
            by_level.get(level, {}).get("level_count", 0) for level in ACTIVE_LEVELS
        )
        total_revenue = sum(group["revenue"] for group in groups)
        rows = []
        line_model = self.env["relation.pyramid.snapshot.line"]
        for key, label in line_model._fields["level"]._description_selection(
            self.env
        ):
            count = by_level.get(key, {}).get("level_count", 0)
            revenue = by_level.get(key, {}).get("revenue", 0.0)
            rows.append(
                {
                    "key": key,
                    "label": label,
                    "color": LEVEL_COLORS[key],
                    "active": key in ACTIVE_LEVELS,
                    "count": count,
                    "count_pct": 100.0 * count / active_count
                    if active_count and key in ACTIVE_LEVELS
                    else None,
                    "revenue": revenue,
                    "revenue_pct": 100.0 * revenue / total_revenue
                    if total_revenue
                    else 0.0,
                    "average": revenue / count if count else 0.0,
                }
            )
        return {
            "rows": rows,
            "bands": self._pyramid_bands(rows),
            "active_count": active_count,
            "total_revenue": total_revenue,
            "pareto_pct": self._pareto_revenue_pct(20.0, active_count, total_revenue),
            "period": {
                key: fields.Date.to_string(day) for key, day in self._period().items()
            },
        }

    @api.multi
    def _pareto_revenue_pct(self, customer_pct, active_count, total_revenue):
        """Share of revenue brought by the best ``customer_pct`` % of the
        active customers (rounded up to whole customers)."""
        if not active_count or not total_revenue:
            return 0.0
        best = int(math.ceil(active_count * customer_pct / 100.0))
        customers, params = self._customer_sql()
        self.env.cr.execute(
            """
            SELECT COALESCE(SUM(revenue), 0) FROM (
                SELECT revenue FROM relation_pyramid_snapshot_line line
                 WHERE {customers} AND lifecycle = 'active'
                 ORDER BY revenue DESC LIMIT %(best)s) best
            """.format(customers=customers),
            dict(params, best=best),
        )
        return 100.0 * float(self.env.cr.fetchone()[0]) / total_revenue

    @api.model
    def _pyramid_bands(self, rows, width=360.0, band_height=44.0):
        """SVG polygons: the four active levels as the bands of a pyramid
        (equal heights, top to bottom), the other levels as bars below."""
        bands = []
        active = [row for row in rows if row["active"]]
        half = width / 2.0
        for index, row in enumerate(active):
            top_half = half * index / len(active)
            bottom_half = half * (index + 1) / len(active)
            y0, y1 = index * band_height, (index + 1) * band_height
            bands.append(
                dict(
                    row,
                    points="%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f"
                    % (
                        half - top_half, y0, half + top_half, y0,
                        half + bottom_half, y1, half - bottom_half, y1,
                    ),
                    label_y=y0 + band_height * 0.65,
                )
            )
        y = len(active) * band_height + 8
        for row in rows:
            if not row["active"]:
                bands.append(
                    dict(
                        row,
                        points="%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f"
                        % (0, y, width, y, width, y + 24, 0, y + 24),
                        label_y=y + 17,
                    )
                )
                y += 28
        return {"items": bands, "width": width, "height": y, "center": half}

    @api.multi
    def action_print(self):
        return self.env.ref("relation_pyramid.action_report_pyramid").report_action(
            self
        )


class RelationPyramidSnapshotLine(models.Model):
    """A customer's lifecycle, level and revenue from the snapshot the row
    starts at (``date``) until the first later snapshot at which one of
    them changed or the customer left the pyramid (``date_to``, exclusive;
    empty while it still holds). Ranks are not kept: a rank changes with
    every customer above, a row would hold for one date only."""

    _name = "relation.pyramid.snapshot.line"
    _inherit = "relation.pyramid.level.mixin"
    _description = "Customer pyramid snapshot row"
    _order = "date desc, revenue desc, id"
    # Written in bulk by the engine only: no create/write stamps and no own
    # company column (the snapshot has it), each a foreign key checked for
    # every row written.
    _log_access = False

    snapshot_id = fields.Many2one(
        "relation.pyramid.snapshot",
        string="From Snapshot",
        required=True,
        readonly=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(related="snapshot_id.company_id", readonly=True)
    date = fields.Date(
        related="snapshot_id.date", string="From", store=True, readonly=True
    )
    date_to = fields.Date(
        string="Until",
        readonly=True,
        # a migration matrix finds the rows that ended between its dates
        index=True,
        help="The date of the first later snapshot at which the customer's "
        "lifecycle, level or revenue had changed or the customer had left the "
        "pyramid; empty while the row still holds.",
    )
    snapshot_ids = fields.Many2many(
        "relation.pyramid.snapshot",
        string="In Snapshots",
        compute="_compute_snapshot_ids",
        search="_search_snapshot_ids",
        help="The snapshots at whose date this row holds.",
    )

    _sql_constraints = [
        (
            "snapshot_partner_uniq",
            "unique(snapshot_id, partner_id)",
            "A customer appears once per snapshot.",
        )
    ]

    @api.model_cr
    def init(self):
        # A migration matrix's cell lists the customers who stayed at a
        # level, in the order of its list: its first page is read from here
        # (relation.pyramid.migration.line._cell_page).
        tools.create_index(
            self._cr,
            "relation_pyramid_snapshot_line_level_revenue_index",
            self._table,
            ["level", "revenue DESC", "partner_id"],
        )

    @api.multi
    def _compute_snapshot_ids(self):
        snapshot_model = self.env["relation.pyramid.snapshot"]
        for line in self:
            domain = [
                ("company_id", "=", line.snapshot_id.company_id.id),
                ("date", ">=", line.date),
            ]
            if line.date_to:
                domain.append(("date", "<", line.date_to))
            line.snapshot_ids = snapshot_model.search(domain)

    @api.model
    def _search_snapshot_ids(self, operator, value):
        """``snapshot_ids = S`` / ``in [S, ...]``: the rows that hold at the
        date of S (of any of them)."""
        if operator not in ("=", "in"):
            raise UserError(
                _("Snapshot rows can only be searched for the snapshots they are in.")
            )
        ids = [value] if isinstance(value, int) else list(value or [])
        snapshots = self.env["relation.pyramid.snapshot"].browse(ids).exists()
        if not snapshots:
            return [("id", "=", 0)]
        # Leaves returned here are inserted as they are: no implicit "&".
        return expression.normalize_domain(
            expression.OR([snapshot._customer_domain() for snapshot in snapshots])
        )

    @api.model
    def _of_company_sql(self, company_sql, line="line"):
        """SQL condition: the snapshot row ``line`` is one of the company
        ``company_sql`` (an SQL expression or parameter). The company's few
        snapshots are an array compared in the scan of the rows, not a join:
        where most rows qualify (a matrix's customers who stayed, the rows
        at a date) the join costs more than the scan (bench/README.md, the
        migration matrix)."""
        return """{line}.snapshot_id = ANY(ARRAY(
                   SELECT id FROM relation_pyramid_snapshot
                    WHERE company_id = {company}))""".format(
            line=line, company=company_sql
        )

    @api.model
    def _merge_customers(self, src_partners, dst_partner):
        """Partners merged into ``dst_partner``: the history becomes one
        customer's. At each snapshot where several of them held a row, the
        destination's row holds (else the first source's) and the snapshot
        counts one customer fewer per extra row; the rows are then written
        again for ``dst_partner`` as runs of equal values, so that no
        snapshot counts the merged customer twice."""
        partner_ids = [dst_partner.id] + src_partners.ids
        self.env["relation.pyramid.snapshot"]._forget_level_totals(partner_ids)
        cr = self.env.cr
        cr.execute(
            """
            CREATE TEMP TABLE pg_temp.relation_pyramid_merge_held ON COMMIT DROP AS
            SELECT snapshot.id AS snapshot_id, snapshot.company_id,
                   snapshot.date, line.lifecycle, line.level, line.revenue,
                   array_position(%(partner_ids)s, line.partner_id) AS priority,
                   COUNT(*) OVER (PARTITION BY snapshot.id) AS rows_held
              FROM relation_pyramid_snapshot_line line
              JOIN relation_pyramid_snapshot start ON start.id = line.snapshot_id
              JOIN relation_pyramid_snapshot snapshot
                ON snapshot.company_id = start.company_id
               AND snapshot.date >= line.date
               AND (line.date_to IS NULL OR snapshot.date < line.date_to)
             WHERE line.partner_id = ANY(%(partner_ids)s)
            """,
            {"partner_ids": partner_ids},
        )
        cr.execute(
            """
            UPDATE relation_pyramid_snapshot snapshot
               SET customer_count = snapshot.customer_count - extra.rows
              FROM (SELECT snapshot_id, MAX(rows_held) - 1 AS rows
                      FROM pg_temp.relation_pyramid_merge_held
                     GROUP BY snapshot_id HAVING MAX(rows_held) > 1) extra
             WHERE extra.snapshot_id = snapshot.id
            """
        )
        cr.execute(
            "DELETE FROM relation_pyramid_snapshot_line WHERE partner_id = ANY(%s)",
            (partner_ids,),
        )
        # One row per run of consecutive snapshots (of the company) at which
        # the kept row has the same values; it ends at the snapshot after.
        cr.execute(
            """
            WITH ordered AS (
                SELECT id, company_id, date,
                       ROW_NUMBER() OVER (PARTITION BY company_id ORDER BY date)
                           AS position
                  FROM relation_pyramid_snapshot
                 WHERE company_id IN (SELECT company_id
                                        FROM pg_temp.relation_pyramid_merge_held)
            ), kept AS (
                SELECT DISTINCT ON (held.snapshot_id) held.*, ordered.position
                  FROM pg_temp.relation_pyramid_merge_held held
                  JOIN ordered ON ordered.id = held.snapshot_id
                 ORDER BY held.snapshot_id, held.priority
            ), runs AS (
                SELECT kept.*,
                       kept.position - ROW_NUMBER() OVER (
                           PARTITION BY company_id, lifecycle, level, revenue
                           ORDER BY position) AS run
                  FROM kept
            ), bounds AS (
                SELECT company_id, lifecycle, level, revenue,
                       MIN(position) AS first, MAX(position) AS last
                  FROM runs
                 GROUP BY company_id, lifecycle, level, revenue, run
            )
            INSERT INTO relation_pyramid_snapshot_line
                   (snapshot_id, date, date_to, partner_id, lifecycle, level, revenue)
            SELECT first.id, first.date, after.date, %(dst)s,
                   bounds.lifecycle, bounds.level, bounds.revenue
              FROM bounds
              JOIN ordered first ON first.company_id = bounds.company_id
                                AND first.position = bounds.first
              LEFT JOIN ordered after ON after.company_id = bounds.company_id
                                     AND after.position = bounds.last + 1
            """,
            {"dst": dst_partner.id},
        )
        cr.execute("DROP TABLE pg_temp.relation_pyramid_merge_held")
        self.invalidate_cache()
        self.env["relation.pyramid.snapshot"].invalidate_cache()
