# Copyright 2026 relation_pyramid authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class RelationConfigurationList(models.AbstractModel):
    """Common shape of the configurable lists sales managers maintain."""

    _name = "relation.configuration.list"
    _description = "Relation configuration list entry"
    _order = "sequence, name, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    description = fields.Text(translate=True)

    @api.constrains("name")
    def _check_name(self):
        for record in self:
            if not (record.name or "").strip():
                raise ValidationError(_("The name cannot be empty or only spaces."))
