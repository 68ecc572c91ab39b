# Copyright 2026 relation_pyramid authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Relation plans: per company and level, how often a customer should be
contacted (DOMAIN.md, "Relation plan") and with which activity by default."""
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

# The levels a plan exists for, in the order of the settings, with the
# default contact interval in days (issue 18). Suspects, other and inactive
# customers that are no win-back candidates have no plan.
PLAN_LEVELS = [
    ("top", "Top"),
    ("big", "Big"),
    ("medium", "Medium"),
    ("small", "Small"),
    ("prospect", "Prospect"),
    ("win_back", "Win-back Candidate"),
]
DEFAULT_INTERVAL_DAYS = {
    "top": 30,
    "big": 60,
    "medium": 90,
    "small": 180,
    "prospect": 90,
    "win_back": 60,
}
MAX_INTERVAL_DAYS = 3660


class RelationPyramidPlan(models.Model):
    _name = "relation.pyramid.plan"
    _description = "Relation plan"
    _order = "profile_id, sequence, id"
    _rec_name = "level"

    profile_id = fields.Many2one(
        "relation.pyramid.profile", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(
        related="profile_id.company_id", store=True, readonly=True
    )
    sequence = fields.Integer(default=10)
    level = fields.Selection(
        PLAN_LEVELS,
        required=True,
        help="The customers the plan is for: an active level, the prospects, "
        "or the win-back candidates (inactive customers that were top or big).",
    )
    interval_days = fields.Integer(
        string="Contact Every (days)",
        required=True,
        default=90,
        help="A customer of this level is due for contact this many days after "
        "the last contact.",
    )
    activity_type_id = fields.Many2one(
        "mail.activity.type",
        string="Default Activity",
        ondelete="set null",
        help="The follow-up activity for a customer whose preferred service "
        "names none (else a to-do).",
    )

    _sql_constraints = [
        (
            "profile_level_uniq",
            "unique(profile_id, level)",
            "A company has one relation plan per level.",
        )
    ]

    @api.constrains("interval_days")
    def _check_interval_days(self):
        for plan in self:
            if not 1 <= plan.interval_days <= MAX_INTERVAL_DAYS:
                raise ValidationError(
                    _(
                        "The contact interval must be from 1 to %(max)s days "
                        "(now %(days)s)."
                    )
                    % {"max": MAX_INTERVAL_DAYS, "days": plan.interval_days}
                )

    @api.model
    def _default_plan_values(self, profile):
        """The plans a new company starts with."""
        return [
            {
                "profile_id": profile.id,
                "level": level,
                "sequence": 10 * (index + 1),
                "interval_days": DEFAULT_INTERVAL_DAYS[level],
            }
            for index, (level, _label) in enumerate(PLAN_LEVELS)
        ]
