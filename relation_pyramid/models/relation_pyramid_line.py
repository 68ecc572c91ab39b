# Copyright 2026 relation_pyramid authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from psycopg2 import sql

from odoo import _, api, fields, models, tools
from odoo.tools import OrderedSet
from odoo.tools.misc import format_date

from .record_rules import companies_seen
from .relation_pyramid_engine import LEVELS
from .relation_pyramid_level_mixin import COUNT_ROWS_KEY
from .relation_pyramid_line_total import MEASURES


# Share of each page that new rows fill (see ``_set_fillfactor``).
HOT_FILLFACTOR = 70
# The stored figures a row's risk reason is written from.
RISK_REASON_FIELDS = (
    "risk",
    "risk_revenue_drop",
    "revenue_change_pct",
    "previous_level",
    "previous_snapshot_date",
    "level",
)


class RelationPyramidLine(models.Model):
    """A customer's place in their company's pyramid, written by the engine
    (``relation.pyramid.profile``), one row per company and customer."""

    _name = "relation.pyramid.line"
    _inherit = ["relation.pyramid.level.mixin", "relation.pyramid.kept.count.mixin"]
    _description = "Customer pyramid row"
    # Active customers first, by rank: an active customer has revenue > 0
    # in the period, every other customer 0 or less. Not by the stored rank,
    # which every recompute rewrites for most rows (see ``init``) and which a
    # customer refreshed between recomputes shares with a stale one. Not by
    # company: the record rule keeps one, and a many2one order joins
    # res_company.
    _order = "revenue desc, id"
    # Written in bulk by the engine only: no create/write stamps, whose two
    # foreign keys to res_users would be checked for every row written.
    _log_access = False

    company_id = fields.Many2one(required=True, ondelete="cascade")
    level = fields.Selection(index=True)
    # No aggregate in group headers: a sum (or minimum) of ranks or of
    # up-sell gaps means nothing to a reader.
    rank = fields.Integer(readonly=True, group_operator=False)
    previous_revenue = fields.Monetary(string="Previous Period Revenue", readonly=True)
    revenue_share = fields.Float(
        string="Share of Revenue (%)",
        # Shown with one decimal; the engine stores four (read unrounded).
        digits=(16, 1),
        readonly=True,
        group_operator="sum",
    )
    cumulative_share = fields.Float(
        string="Cumulative Share (%)",
        digits=(16, 1),
        readonly=True,
        group_operator="max",
    )
    revenue_change_pct = fields.Float(
        string="Change (%)",
        digits=(16, 1),
        readonly=True,
        group_operator=False,
        help="Revenue change against the previous period.",
    )
    upsell_gap = fields.Monetary(
        string="Up-sell Gap",
        readonly=True,
        group_operator=False,
        help="Revenue still missing to reach the lowest revenue of the next "
        "level up.",
    )
    user_id = fields.Many2one(
        related="partner_id.user_id", string="Salesperson", store=True, readonly=True
    )
    country_id = fields.Many2one(
        related="partner_id.country_id", string="Country", store=True, readonly=True
    )
    relation_motive_id = fields.Many2one(
        "relation.motive",
        string="Main Motive",
        readonly=True,
        ondelete="set null",
        help="The customer's first relation motive at the last recompute.",
    )
    first_order_date = fields.Date(
        readonly=True, help="The day of the customer's first confirmed order."
    )
    last_order_date = fields.Date(
        readonly=True,
        help="The day of the customer's last confirmed order up to the "
        "reference date.",
    )
    order_count = fields.Integer(
        string="Orders", readonly=True, help="Confirmed orders in the period."
    )
    average_order_value = fields.Monetary(
        readonly=True,
        group_operator=False,
        help="Period revenue divided by the confirmed orders in the period.",
    )
    # Signals (``relation.pyramid.engine.signals``): risk, win-back, RFM.
    risk = fields.Boolean(
        string="At Risk",
        readonly=True,
        index=True,
        help="An active customer whose period revenue fell by at least the "
        "profile's risk drop against the previous period, or whose level "
        "dropped since the previous snapshot.",
    )
    risk_since = fields.Date(
        readonly=True,
        help="The reference date at which the customer's current risk began.",
    )
    risk_revenue_drop = fields.Boolean(
        string="Revenue Dropped",
        readonly=True,
        help="At risk because the period revenue fell by at least the "
        "profile's risk drop.",
    )
    previous_level = fields.Selection(
        LEVELS,
        string="Level at Previous Snapshot",
        readonly=True,
        help="The level at the latest snapshot before the reference date.",
    )
    previous_snapshot_date = fields.Date(
        readonly=True,
        help="The date of the latest snapshot before the reference date.",
    )
    risk_reason = fields.Char(compute="_compute_risk_reason")
    win_back = fields.Boolean(
        readonly=True,
        index=True,
        help="An inactive customer who was Top or Big in an earlier snapshot.",
    )
    best_level = fields.Selection(
        LEVELS,
        readonly=True,
        help="The best level the customer ever held in a snapshot.",
    )
    best_level_date = fields.Date(
        readonly=True,
        help="The last snapshot date at which the customer held their best level.",
    )
    level_since = fields.Date(
        readonly=True,
        help="The reference date from which the customer has held their "
        "current level without interruption.",
    )
    rfm_recency = fields.Integer(
        string="Recency (R)",
        readonly=True,
        group_operator=False,
        help="1-5 among the active customers, 5 = the most recent last order.",
    )
    rfm_frequency = fields.Integer(
        string="Frequency (F)",
        readonly=True,
        group_operator=False,
        help="1-5 among the active customers, 5 = the most orders in the period.",
    )
    rfm_monetary = fields.Integer(
        string="Monetary (M)",
        readonly=True,
        group_operator=False,
        help="1-5 among the active customers, 5 = the most revenue in the period.",
    )
    partner_image = fields.Binary(related="partner_id.image_small", readonly=True)
    preferred_service_preference_id = fields.Many2one(
        related="partner_id.preferred_service_preference_id", readonly=True
    )

    _sql_constraints = [
        (
            "company_partner_uniq",
            "unique(company_id, partner_id)",
            "A customer has one row per company in the pyramid.",
        )
    ]

    @api.multi
    @api.depends(*RISK_REASON_FIELDS)
    def _compute_risk_reason(self):
        """Why the customer is at risk, in the reader's language and date
        format, from the figures the engine stored."""
        self._read_risk_reason_figures()
        levels = dict(self._fields["level"]._description_selection(self.env))
        months = {}
        for line in self:
            reasons = []
            if line.risk and line.risk_revenue_drop:
                company = line.company_id
                if company.id not in months:
                    months[company.id] = (
                        self.env["relation.pyramid.profile"]
                        .sudo()
                        .search([("company_id", "=", company.id)], limit=1)
                        .period_months
                        or 12
                    )
                reasons.append(
                    _("Revenue %(change)s %% against the previous %(months)d months")
                    % {
                        "change": ("%d" % round(line.revenue_change_pct)).replace(
                            "-", "\u2212"
                        ),
                        "months": months[company.id],
                    }
                )
            if (
                line.risk
                and line.previous_level
                and line.previous_level != line.level
            ):
                reasons.append(
                    _("%(before)s \u2192 %(now)s since %(date)s")
                    % {
                        "before": levels.get(line.previous_level),
                        "now": levels.get(line.level),
                        "date": format_date(self.env, line.previous_snapshot_date),
                    }
                )
            line.risk_reason = "; ".join(reasons) or False

    @api.multi
    def _risk_reason_fields(self):
        """The stored fields ``_compute_risk_reason`` reads."""
        return list(RISK_REASON_FIELDS) + ["company_id"]

    @api.multi
    def _read_risk_reason_figures(self):
        """Those fields of all the rows in one query: lists and cards read
        without prefetching (``read``), which would otherwise read each
        field of the rows in a query of its own."""
        stored = self.filtered(lambda line: isinstance(line.id, int))
        if stored:
            stored.read(self._risk_reason_fields())

    @api.multi
    def read(self, fields=None, load="_classic_read"):
        """Lists and cards read their customers' names without every field
        of each customer: Odoo otherwise prefetches all the stored fields of
        ``res.partner`` (well over a hundred with sales and CRM) to show
        one name, three quarters of the time of reading 80 rows."""
        lines = self.with_context(prefetch_fields=False)
        return super(RelationPyramidLine, lines).read(fields, load)

    # ------------------------------------------------------------------
    # Counts and sums from the kept totals (``relation.pyramid.line.total``)
    # ------------------------------------------------------------------
    @api.model
    def _totals_for_domain(self, domain, by_level=True):
        """The rows the user finds with ``domain`` added up from the kept
        totals (``relation.pyramid.line.total._totals``: per level or in
        all); None where the totals cannot answer: a domain that asks for
        more than levels, record rules that may show part of a company's
        rows (``companies_seen``), or ``COUNT_ROWS_KEY`` in the context."""
        if self.env.context.get(COUNT_ROWS_KEY):
            return None
        levels = self._levels_asked(domain)
        if levels is False:
            return None
        # a handful of companies: each one's rows are seen whole or not at all
        company_ids = (
            self.env["res.company"].sudo().search([]).ids  # pylint: disable=W8163
        )
        seen = companies_seen(self.env, self._name, company_ids)
        if None in seen.values():
            return None
        return self.env["relation.pyramid.line.total"]._totals(
            [company_id for company_id, whole in seen.items() if whole],
            levels,
            by_level,
        )

    @api.model
    def _levels_asked(self, domain):
        """The levels ``domain`` asks for (None: any), or False if it asks
        for anything else (only ``=`` and ``in`` on the level, and'ed)."""
        leaves = self._anded_leaves(domain)
        if leaves is None:
            return False
        levels = None
        for term in leaves:
            if term[0] != "level":
                return False
            if term[1] == "=":
                asked = {term[2]}
            elif term[1] == "in" and isinstance(term[2], (list, tuple)):
                asked = set(term[2])
            else:
                return False
            if not all(isinstance(level, str) for level in asked):
                return False  # ('level', '=', False) and the like
            levels = asked if levels is None else levels & asked
        return levels

    @api.model
    def _kept_count(self, domain):
        """A count (a list's, a kanban column's) from the kept totals where
        they can answer (``_totals_for_domain``)."""
        totals = self._totals_for_domain(domain, by_level=False)
        return None if totals is None else totals[0]["__count"]

    @api.model
    def _read_group_raw(
        self, domain, fields, groupby, offset=0, limit=None, orderby=False, lazy=True
    ):
        """The groups by level (the kanban's columns, the pivot's rows) and
        the total without groups from the kept totals where they can answer:
        no other measures than theirs, no paging (``_totals_for_domain``
        says for the domain and the user)."""
        if not offset and not limit:
            groups = self._read_group_from_totals(
                domain, fields, groupby, orderby, lazy
            )
            if groups is not None:
                return groups
        return super()._read_group_raw(
            domain,
            fields,
            groupby,
            offset=offset,
            limit=limit,
            orderby=orderby,
            lazy=lazy,
        )

    @api.model
    def _read_group_from_totals(self, domain, fields, groupby, orderby, lazy):
        """What ``_read_group_raw`` returns, built by Odoo's own steps from
        the kept totals instead of a ``GROUP BY`` over the rows; None where
        they cannot answer. The total without groups has no ``id`` (the
        lowest id of the rows, which no view reads; the groups by level have
        none either way)."""
        groupby = [groupby] if isinstance(groupby, str) else list(OrderedSet(groupby))
        groupby_list = groupby[:1] if lazy else groupby
        if groupby_list not in ([], ["level"]):
            return None
        if orderby not in (False, None, "", "level"):
            return None
        fields = fields or [name for name, field in self._fields.items() if field.store]
        aggregated = [
            name
            for name in fields
            if name != "sequence" and name not in groupby_list
            for field in [self._fields.get(name)]
            if field and field.group_operator
            if field.base_field.store and field.base_field.column_type
        ]
        if not set(aggregated) <= set(MEASURES):
            return None
        totals = self._totals_for_domain(domain, by_level=bool(groupby_list))
        if totals is None:
            return None
        self.check_access_rights("read")
        if not groupby_list:
            return [
                dict({"__count": total["__count"]}, **{m: total[m] for m in aggregated})
                for total in totals
            ]
        leaf_groups = lazy and not self.env.context.get("group_by_no_leaf")
        count_key = "level_count" if leaf_groups else "__count"
        query = self._where_calc(domain)
        annotated = [self._read_group_process_groupby("level", query)]
        groupby_dict = {"level": annotated[0]}
        result = []
        for total in sorted(totals, key=lambda total: total["level"]):
            group = {"id": None, "level": total["level"], count_key: total["__count"]}
            group.update({name: total[name] for name in aggregated})
            group = {
                key: self._read_group_prepare_data(key, value, groupby_dict)
                for key, value in group.items()
            }
            result.append(
                self._read_group_format_result(group, annotated, groupby, domain)
            )
        if lazy:
            result = self._read_group_fill_results(
                domain,
                "level",
                groupby[1:],
                aggregated,
                count_key,
                result,
                read_group_order=orderby or "level",
            )
        return result

    @api.model_cr
    def init(self):
        # The list of a company's rows in ``_order``: its first page is read
        # from the index instead of sorting all the company's rows.
        tools.create_index(
            self._cr,
            "relation_pyramid_line_company_revenue_index",
            self._table,
            ["company_id", "revenue DESC", "id"],
        )
        # A level's rows in ``_order`` (a kanban column, a search by level)
        # and the lowest revenue of each level (up-sell gaps, the floors a
        # refresh moves): read from the index.
        tools.create_index(
            self._cr,
            "relation_pyramid_line_company_level_order_index",
            self._table,
            ["company_id", "level", "revenue DESC", "id"],
        )
        self._set_fillfactor(HOT_FILLFACTOR)
        self.env["relation.pyramid.line.total"]._keep_totals_of_rows()

    @api.model_cr
    def _set_fillfactor(self, fillfactor):
        """Leave room on each page for the new versions of its rows. A
        recompute rewrites the rank, shares and gap of most rows (those below
        any customer whose revenue moved); none of these is indexed, so with
        room on the page PostgreSQL updates the row in place (a HOT update)
        without touching the indexes."""
        self._cr.execute(
            "SELECT reloptions FROM pg_class WHERE relname = %s", (self._table,)
        )
        options = self._cr.fetchone()[0] or []
        if "fillfactor=%d" % fillfactor not in options:
            self._cr.execute(
                sql.SQL("ALTER TABLE {} SET (fillfactor = {})").format(
                    sql.Identifier(self._table), sql.Literal(fillfactor)
                )
            )
