# Copyright 2026 relation_pyramid authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
# pylint: disable=consider-merging-classes-inherited
from odoo import fields, models


class RelationPyramidLine(models.Model):
    """Each customer's last and next contact
    (``relation.pyramid.engine.contact``)."""

    _inherit = "relation.pyramid.line"

    last_contact_date = fields.Date(
        readonly=True,
        help="The latest of: a done activity, an e-mail or a logged note on the "
        "customer or their contacts, a confirmed order, the date set by hand.",
    )
    next_contact_date = fields.Date(
        readonly=True,
        index=True,
        help="The last contact plus the customer's own contact interval, else "
        "their relation plan's. Empty: no plan for this customer.",
    )
    contact_due = fields.Boolean(
        string="Due for Contact",
        readonly=True,
        help="The next contact is today or earlier.",
    )
    contact_priority = fields.Integer(
        readonly=True,
        group_operator=False,
        help="Order of the due customers, most valuable first: by level, risk "
        "customers first, then the most overdue (by the next contact date).",
    )
