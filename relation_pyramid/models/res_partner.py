# Copyright 2026 relation_pyramid authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import _, api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.osv import expression

from .relation_pyramid_engine import LEVELS, LIFECYCLES

RELATION_QUALIFICATIONS = [
    ("prospect", "Prospect"),
    ("suspect", "Suspect"),
    ("other", "Other (never interested)"),
]

# Marks the commercial partner's own sync of its profile to its contacts,
# which is neither redirected nor access-checked. The value is a Python
# object, so no RPC client can put it into a context.
SYNC_CONTEXT_KEY = "relation_profile_sync"
SYNC_TOKEN = object()

# Partner fields whose change can move a customer's lifecycle or the
# customer their orders count for.
PYRAMID_PARTNER_FIELDS = {"parent_id", "is_company", "relation_qualification"}

# Figures of the commercial partner's row the partner shows as pyramid_<name>.
PYRAMID_LINE_FIGURES = [
    "win_back",
    "level_since",
    "best_level",
    "best_level_date",
    "rfm_recency",
    "rfm_frequency",
    "rfm_monetary",
    "first_order_date",
    "last_order_date",
    "order_count",
    "average_order_value",
]


class ResPartner(models.Model):
    _inherit = "res.partner"

    service_preference_ids = fields.Many2many(
        "relation.service.preference",
        string="Service Preferences",
        copy=False,
        help="How this customer wants to be served and contacted.",
    )
    preferred_service_preference_id = fields.Many2one(
        "relation.service.preference",
        string="Preferred Service",
        copy=False,
        ondelete="restrict",
        help="The preferred way, one of the service preferences.",
    )
    relation_motive_ids = fields.Many2many(
        "relation.motive",
        string="Relation Motives",
        copy=False,
        help="Why this customer buys from us.",
    )
    relation_main_motive_id = fields.Many2one(
        "relation.motive",
        string="Main Motive",
        compute="_compute_relation_main_motive_id",
        store=True,
        help="The first of the relation motives, for grouping.",
    )
    relation_motive_note = fields.Text(string="Motive Note", copy=False)
    relation_qualification = fields.Selection(
        RELATION_QUALIFICATIONS,
        string="Qualification",
        copy=False,
        track_visibility="onchange",
        help="For customers who have not bought: prospect (a relation exists), "
        "suspect (no relation yet, a target) or other (never interested). "
        "Confirmed orders override it.",
    )
    relation_qualification_reason = fields.Char(
        string="Qualification Reason",
        copy=False,
        help="Why this relation will never be interested (required for 'other').",
    )
    relation_qualification_user_id = fields.Many2one(
        "res.users",
        string="Qualified By",
        readonly=True,
        copy=False,
        ondelete="set null",
    )
    relation_qualification_date = fields.Datetime(
        string="Qualified On", readonly=True, copy=False
    )

    # The customer's place in the pyramid of the user's current company, read
    # from the commercial partner's row (contacts show their company's).
    relation_lifecycle = fields.Selection(
        LIFECYCLES,
        string="Lifecycle",
        compute="_compute_pyramid",
        search="_search_relation_lifecycle",
        groups="sales_team.group_sale_salesman",
    )
    pyramid_level = fields.Selection(
        LEVELS,
        compute="_compute_pyramid",
        search="_search_pyramid_level",
        groups="sales_team.group_sale_salesman",
    )
    pyramid_revenue = fields.Monetary(
        compute="_compute_pyramid",
        search="_search_pyramid_revenue",
        currency_field="pyramid_currency_id",
        groups="sales_team.group_sale_salesman",
        help="Revenue of the period from confirmed sale orders, in the company "
        "currency.",
    )
    pyramid_rank = fields.Integer(
        compute="_compute_pyramid",
        groups="sales_team.group_sale_salesman",
    )
    pyramid_currency_id = fields.Many2one(
        "res.currency",
        compute="_compute_pyramid",
        groups="sales_team.group_sale_salesman",
    )
    pyramid_risk = fields.Boolean(
        string="At Risk",
        compute="_compute_pyramid",
        groups="sales_team.group_sale_salesman",
        help="The customer's row in the pyramid is at risk (see the reason).",
    )
    pyramid_risk_reason = fields.Char(
        string="Risk Reason",
        compute="_compute_pyramid",
        groups="sales_team.group_sale_salesman",
    )
    # The row's signals and customer figures, shown on the Relation page.
    pyramid_win_back = fields.Boolean(
        string="Win Back",
        compute="_compute_pyramid",
        groups="sales_team.group_sale_salesman",
    )
    pyramid_level_since = fields.Date(
        string="Level Since",
        compute="_compute_pyramid",
        groups="sales_team.group_sale_salesman",
    )
    pyramid_best_level = fields.Selection(
        LEVELS,
        string="Best Level",
        compute="_compute_pyramid",
        groups="sales_team.group_sale_salesman",
    )
    pyramid_best_level_date = fields.Date(
        string="Best Level On",
        compute="_compute_pyramid",
        groups="sales_team.group_sale_salesman",
        help="The last snapshot at which the customer held their best level.",
    )
    pyramid_rfm_recency = fields.Integer(
        string="Recency (R)",
        compute="_compute_pyramid",
        groups="sales_team.group_sale_salesman",
    )
    pyramid_rfm_frequency = fields.Integer(
        string="Frequency (F)",
        compute="_compute_pyramid",
        groups="sales_team.group_sale_salesman",
    )
    pyramid_rfm_monetary = fields.Integer(
        string="Monetary (M)",
        compute="_compute_pyramid",
        groups="sales_team.group_sale_salesman",
    )
    pyramid_first_order_date = fields.Date(
        string="First Order",
        compute="_compute_pyramid",
        groups="sales_team.group_sale_salesman",
    )
    pyramid_last_order_date = fields.Date(
        string="Last Order",
        compute="_compute_pyramid",
        groups="sales_team.group_sale_salesman",
    )
    pyramid_order_count = fields.Integer(
        string="Orders in the Period",
        compute="_compute_pyramid",
        groups="sales_team.group_sale_salesman",
    )
    pyramid_average_order_value = fields.Monetary(
        string="Average Order Value",
        compute="_compute_pyramid",
        currency_field="pyramid_currency_id",
        groups="sales_team.group_sale_salesman",
    )
    pyramid_snapshot_line_ids = fields.One2many(
        "relation.pyramid.snapshot.line",
        "partner_id",
        string="Level History",
        readonly=True,
        groups="sales_team.group_sale_salesman",
    )

    @api.depends("relation_motive_ids", "relation_motive_ids.sequence")
    def _compute_relation_main_motive_id(self):
        for partner in self:
            partner.relation_main_motive_id = partner.relation_motive_ids.sorted(
                lambda motive: (motive.sequence, motive.id)
            )[:1]

    @api.multi
    def _pyramid_lines(self):
        """{partner: their commercial partner's row in the user's company},
        among the rows the user may read (none: not in the dict)."""
        lines = self.env["relation.pyramid.line"].search(
            [
                ("company_id", "=", self.env.user.company_id.id),
                ("partner_id", "in", self.mapped("commercial_partner_id").ids),
            ]
        )
        line_by_partner = {line.partner_id.id: line for line in lines}
        return {
            partner: line_by_partner[partner.commercial_partner_id.id]
            for partner in self
            if partner.commercial_partner_id.id in line_by_partner
        }

    @api.multi
    def _compute_pyramid(self):
        company = self.env.user.company_id
        line_of = self._pyramid_lines()
        for partner in self:
            line = line_of.get(partner)
            partner.pyramid_currency_id = company.currency_id
            if line:
                partner.relation_lifecycle = line.lifecycle
                partner.pyramid_level = line.level
                partner.pyramid_revenue = line.revenue
                partner.pyramid_rank = line.rank
                partner.pyramid_risk = line.risk
                partner.pyramid_risk_reason = line.risk_reason
                for name in PYRAMID_LINE_FIGURES:
                    partner["pyramid_" + name] = line[name]

    def _search_relation_lifecycle(self, operator, value):
        return self._search_pyramid_line("lifecycle", operator, value)

    def _search_pyramid_level(self, operator, value):
        return self._search_pyramid_line("level", operator, value)

    def _search_pyramid_revenue(self, operator, value):
        return self._search_pyramid_line("revenue", operator, value)

    @api.model
    def _search_pyramid_line(self, line_field, operator, value):
        """Partners whose commercial partner's row in the current company
        matches among the rows the user may read; a negative condition (or
        ``= False``) takes the partners without such a row, as Odoo does for
        empty values."""
        negative = operator in expression.NEGATIVE_TERM_OPERATORS
        if value is False or value is None:
            negative = operator in ("=", "==") or not negative
            line_domain = []
        elif negative:
            positive = expression.TERM_OPERATORS_NEGATION[operator]
            line_domain = [(line_field, positive, value)]
        else:
            line_domain = [(line_field, operator, value)]
        lines = self.env["relation.pyramid.line"]
        if not lines.check_access_rights("read", raise_exception=False):
            # a user who may not read the rows finds nobody by their figures
            return expression.FALSE_DOMAIN
        company_domain = [("company_id", "=", self.env.user.company_id.id)]
        matching = self._pyramid_line_subquery(company_domain + line_domain)
        if not negative:
            return [("commercial_partner_id", "inselect", matching)]
        # Customers whose row the user may not read are not "without a
        # matching row": they are left out of every search on their figures.
        hidden = self._pyramid_line_subquery(company_domain, hidden=True)
        # leaves returned by a search method are not joined by an implicit "&"
        return [
            "&",
            ("commercial_partner_id", "not inselect", matching),
            ("commercial_partner_id", "not inselect", hidden),
        ]

    @api.model
    def _pyramid_line_subquery(self, domain, hidden=False):
        """SQL selecting the customers of the pyramid rows that match
        ``domain`` among the rows the user may read (among those they may
        not read if ``hidden``), with its parameters."""
        lines = self.env["relation.pyramid.line"]
        query = lines._where_calc(domain)
        readable = lines._where_calc(domain)
        lines._apply_ir_rules(readable, "read")
        if not hidden:
            query = readable
        tables, where, params = query.get_sql()
        sql = 'SELECT "relation_pyramid_line".partner_id FROM %s WHERE %s' % (
            tables,
            where,
        )
        if hidden:
            readable_tables, readable_where, readable_params = readable.get_sql()
            sql += (
                ' EXCEPT SELECT "relation_pyramid_line".partner_id FROM %s WHERE %s'
                % (readable_tables, readable_where)
            )
            params = params + readable_params
        return sql, params

    @api.model
    def _relation_profile_fields(self):
        """Fields that describe the relation; they belong to the commercial
        partner and are edited by sales users only."""
        return [
            "service_preference_ids",
            "preferred_service_preference_id",
            "relation_motive_ids",
            "relation_motive_note",
            "relation_qualification",
            "relation_qualification_reason",
            "relation_qualification_user_id",
            "relation_qualification_date",
        ]

    @api.model
    def _commercial_fields(self):
        return super()._commercial_fields() + self._relation_profile_fields()

    @api.constrains("service_preference_ids", "preferred_service_preference_id")
    def _check_preferred_service_preference_id(self):
        for partner in self:
            preferred = partner.preferred_service_preference_id
            if preferred and preferred not in partner.service_preference_ids:
                raise ValidationError(
                    _(
                        "The preferred service '%(service)s' of %(partner)s must "
                        "be one of its service preferences."
                    )
                    % {"service": preferred.name, "partner": partner.display_name}
                )

    @api.constrains("relation_qualification", "relation_qualification_reason")
    def _check_relation_qualification_reason(self):
        for partner in self:
            if partner.relation_qualification == "other" and not (
                partner.relation_qualification_reason or ""
            ).strip():
                raise ValidationError(
                    _("Give a reason why %s will never be interested.")
                    % partner.display_name
                )

    @api.onchange("preferred_service_preference_id")
    def _onchange_preferred_service_preference_id(self):
        preferred = self.preferred_service_preference_id
        if preferred and preferred not in self.service_preference_ids:
            self.service_preference_ids |= preferred

    @api.model
    def create(self, vals):
        vals = dict(vals)
        if set(self._relation_profile_fields()) & set(vals):
            if self._sets_relation_profile_value(vals):
                self._check_relation_profile_access()
            self._prepare_relation_profile_vals(vals)
        return super().create(vals)

    @api.multi
    def write(self, vals):
        """The relation profile is written on the commercial partner. A
        contact moved to another commercial partner, or a qualification
        changed, refreshes the pyramid rows of the customers concerned."""
        vals = dict(vals)
        profile_fields = set(self._relation_profile_fields())
        syncing = self.env.context.get(SYNC_CONTEXT_KEY) is SYNC_TOKEN
        refresh = not syncing and bool(PYRAMID_PARTNER_FIELDS & set(vals))
        # read only when a refresh follows: most partner writes need neither
        commercial_before = self.mapped("commercial_partner_id") if refresh else None
        all_companies = "relation_qualification" in vals
        if syncing or not profile_fields & set(vals):
            result = super().write(vals)
        else:
            self._check_relation_profile_access()
            self._prepare_relation_profile_vals(vals)
            # The profile is the commercial partner's: write it there, Odoo's
            # commercial sync then copies it to every contact.
            profile_vals = {k: vals.pop(k) for k in list(vals) if k in profile_fields}
            result = True
            if vals:
                result = super().write(vals)
            commercial_partners = self.mapped("commercial_partner_id")
            result = (
                super(ResPartner, commercial_partners).write(profile_vals) and result
            )
        if refresh:
            self._refresh_pyramid(commercial_before, all_companies)
        return result

    @api.multi
    def unlink(self):
        """The partners' snapshot rows go with them (cascade): the snapshots
        they were in count their totals again when next read."""
        self.env["relation.pyramid.snapshot"].sudo()._forget_level_totals(self.ids)
        return super().unlink()

    @api.multi
    def _refresh_pyramid(self, commercial_before, all_companies=False):
        """Refresh the pyramid rows of the customers these partners counted
        for and count for now, in the companies where a change of these
        partners can move them: where they have a row or these partners have
        orders (every company for a change of qualification)."""
        customers = commercial_before | self.mapped("commercial_partner_id")
        profiles = self.env["relation.pyramid.profile"]
        if all_companies:
            company_ids = profiles._ensure_profiles().mapped("company_id.id")
        else:
            self.env.cr.execute(
                """
                SELECT company_id FROM relation_pyramid_line WHERE partner_id IN %s
                 UNION
                SELECT company_id FROM sale_order WHERE partner_id IN %s
                """,
                (tuple(customers.ids) or (0,), tuple(self.ids) or (0,)),
            )
            company_ids = [row[0] for row in self.env.cr.fetchall()]
        profiles._refresh_partners(
            {company_id: set(customers.ids) for company_id in company_ids}
        )

    @api.multi
    def _commercial_sync_to_children(self):
        return super(
            ResPartner, self.with_context(**{SYNC_CONTEXT_KEY: SYNC_TOKEN})
        )._commercial_sync_to_children()

    @api.multi
    def _commercial_sync_from_company(self):
        return super(
            ResPartner, self.with_context(**{SYNC_CONTEXT_KEY: SYNC_TOKEN})
        )._commercial_sync_from_company()

    @api.model
    def _prepare_relation_profile_vals(self, vals):
        """Refuse an unknown qualification with a readable message and stamp
        who qualified the relation and when."""
        if "relation_qualification" not in vals:
            return
        qualification = vals["relation_qualification"] or False
        allowed = [key for key, _label in RELATION_QUALIFICATIONS]
        if qualification and qualification not in allowed:
            raise ValidationError(
                _("Unknown qualification '%(value)s': use one of %(allowed)s.")
                % {"value": qualification, "allowed": ", ".join(allowed)}
            )
        # Who and when are stamped here, never taken from the caller.
        vals["relation_qualification_user_id"] = qualification and self.env.uid
        vals["relation_qualification_date"] = (
            qualification and fields.Datetime.now()
        )

    @api.model
    def _sets_relation_profile_value(self, vals):
        """Whether ``vals`` gives a profile field a value: the web client
        sends every field of the form on create, empty ones included."""
        for name in self._relation_profile_fields():
            value = vals.get(name)
            if self._fields[name].type == "many2many" and value:
                value = [
                    command
                    for command in value
                    if not (
                        command[0] == 5 or (command[0] == 6 and not command[2])
                    )
                ]
            if value:
                return True
        return False

    @api.multi
    def _check_relation_profile_access(self):
        if self.env.user._is_superuser() or self.env.user.has_group(
            "sales_team.group_sale_salesman"
        ):
            return
        raise AccessError(
            _(
                "Only sales users can change service preferences, relation "
                "motives and the qualification of a customer."
            )
        )

    @api.model
    def read_pyramid_badges(self, partner_ids):
        """The level and lifecycle of these partners' customers in the
        user's current company, for badges next to their names (the customer
        dropdown of a quotation): a list of ``{'id', 'level', 'level_label',
        'lifecycle', 'lifecycle_label'}``, one per partner that has a level
        the user may see. Partners the user may not read, customers of other
        salespeople for a salesperson with own documents only, and every
        partner for a user who is no sales user give nothing."""
        if not self.env.user.has_group("sales_team.group_sale_salesman"):
            return []
        partners = self.search([("id", "in", [int(pid) for pid in partner_ids])])
        level_labels = dict(
            self._fields["pyramid_level"]._description_selection(self.env)
        )
        lifecycle_labels = dict(
            self._fields["relation_lifecycle"]._description_selection(self.env)
        )
        return [
            {
                "id": partner.id,
                "level": partner.pyramid_level,
                "level_label": level_labels[partner.pyramid_level],
                "lifecycle": partner.relation_lifecycle,
                "lifecycle_label": lifecycle_labels[partner.relation_lifecycle],
            }
            for partner in partners
            if partner.pyramid_level
        ]
