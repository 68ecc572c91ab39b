# Copyright 2026 relation_pyramid authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""11.0.1.4.0: the record rules follow Odoo's multi-company convention
(``child_of`` the user's company). They are ``noupdate`` data: let this
update rewrite them from the module's XML (which marks them noupdate again)."""

RULES = [
    "relation_pyramid_profile_rule_company",
    "relation_pyramid_line_rule_company",
    "relation_pyramid_snapshot_rule_company",
    "relation_pyramid_snapshot_line_rule_company",
]


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        UPDATE ir_model_data SET noupdate = FALSE
         WHERE module = 'relation_pyramid' AND model = 'ir.rule' AND name IN %s
        """,
        (tuple(RULES),),
    )
