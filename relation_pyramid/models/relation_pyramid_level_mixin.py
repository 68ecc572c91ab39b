# Copyright 2026 relation_pyramid authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.osv import expression

from .relation_pyramid_engine import LEVELS, LIFECYCLES

# Context key: count (and add up) the rows even where what a model keeps
# could answer (``relation.pyramid.kept.count.mixin``).
COUNT_ROWS_KEY = "relation_pyramid_count_rows"


class RelationPyramidKeptCountMixin(models.AbstractModel):
    """Counts answered from what the model keeps (``_kept_count``: the
    pyramid's totals per level, a matrix's cells) instead of counting the
    rows, where it can answer; ``COUNT_ROWS_KEY`` in the context counts the
    rows."""

    _name = "relation.pyramid.kept.count.mixin"
    _description = "Counts from kept totals"

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
        if count and not access_rights_uid and not self.env.context.get(COUNT_ROWS_KEY):
            kept = self._kept_count(args)
            if kept is not None:
                self.check_access_rights("read")
                return kept
        return super()._search(
            args,
            offset=offset,
            limit=limit,
            order=order,
            count=count,
            access_rights_uid=access_rights_uid,
        )

    @api.model
    def _kept_count(self, domain):
        """How many rows the user finds with ``domain``, from what the
        model keeps; None: count the rows."""
        return None

    @api.model
    def _anded_leaves(self, domain):
        """The leaves of ``domain`` if it only and's them (what the kept
        figures can answer), else None."""
        leaves = []
        for term in expression.normalize_domain(domain or []):
            if term == expression.AND_OPERATOR:
                continue
            if not expression.is_leaf(term):
                return None
            if tuple(term) != expression.TRUE_LEAF:
                leaves.append(term)
        return leaves


class RelationPyramidSelectionOrderMixin(models.AbstractModel):
    """Groups on selection fields in the order of the selection.

    ``read_group`` orders groups by the stored key (alphabetical); the kanban,
    pivot and graph views must show top, big, medium, small, inactive ...
    from the top down."""

    _name = "relation.pyramid.selection.order.mixin"
    _description = "Groups in selection order"

    @api.model
    def read_group(
        self, domain, fields, groupby, offset=0, limit=None, orderby=False, lazy=True
    ):
        groups = super().read_group(
            domain,
            fields,
            groupby,
            offset=offset,
            limit=limit,
            orderby=orderby,
            lazy=lazy,
        )
        groupby = [groupby] if isinstance(groupby, str) else list(groupby or [])
        first = groupby[0].split(":")[0] if groupby else None
        field = self._fields.get(first)
        if not orderby and field is not None and field.type == "selection":
            keys = [key for key, _label in field._description_selection(self.env)]
            position = {key: index for index, key in enumerate(keys)}
            groups.sort(key=lambda group: position.get(group[first], len(keys)))
            if field.group_expand:
                self._fold_empty_groups(groups, first, lazy)
        return groups

    @api.model
    def _fold_empty_groups(self, groups, field_name, lazy):
        """The columns that ``group_expand`` adds without records are folded
        in the kanban (``__fold``): the levels with customers fill the
        screen, the empty ones stay visible as narrow columns."""
        count_key = "%s_count" % field_name if lazy else "__count"
        for group in groups:
            if "__fold" not in group:
                group["__fold"] = not group.get(count_key)


class RelationPyramidLevelMixin(models.AbstractModel):
    """A customer's place in a company's pyramid: level, lifecycle and
    revenue, grouped in pyramid order (current rows and snapshot rows)."""

    _name = "relation.pyramid.level.mixin"
    _inherit = "relation.pyramid.selection.order.mixin"
    _description = "Pyramid level"
    _rec_name = "partner_id"

    company_id = fields.Many2one("res.company", readonly=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    currency_id = fields.Many2one(related="company_id.currency_id", readonly=True)
    revenue = fields.Monetary(string="Period Revenue", readonly=True)

    lifecycle = fields.Selection(LIFECYCLES, required=True, readonly=True)
    level = fields.Selection(
        LEVELS, required=True, readonly=True, group_expand="_expand_levels"
    )

    @api.model
    def _expand_levels(self, values, domain, order):
        """Every level is a kanban column, even an empty one."""
        return [key for key, _label in LEVELS]
