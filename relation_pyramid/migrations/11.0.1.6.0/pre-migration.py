# Copyright 2026 relation_pyramid authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""11.0.1.6.0, before the addon loads:

- the company rule of the pyramid rows asks for the user's companies only:
  a row always has a company, and without the "or no company" branch
  PostgreSQL reads a company's rows from its indexes (the list's first
  page, a kanban column) instead of sorting them all. The rule is loaded as
  ``noupdate`` data, which an upgrade does not rewrite: delete it here and
  the upgrade creates it anew.
- the index of a level's rows in the list's order (revenue descending, then
  id) replaces the one with the revenue ascending, which it also serves
  (the lowest revenue of a level).

Each snapshot's ``level_totals`` start empty: a migration matrix counts
them the first time it needs them, every recompute after keeps them."""

RENEWED_RULES = ("relation_pyramid_line_rule_company",)
OLD_INDEX = "relation_pyramid_line_company_level_revenue_index"


def migrate(cr, version):
    if not version:
        return
    cr.execute("DROP INDEX IF EXISTS public.%s" % OLD_INDEX)
    cr.execute(
        """
        WITH renewed AS (
            DELETE FROM ir_model_data
             WHERE module = 'relation_pyramid' AND model = 'ir.rule'
               AND name IN %s
         RETURNING res_id)
        DELETE FROM ir_rule WHERE id IN (SELECT res_id FROM renewed)
        """,
        (RENEWED_RULES,),
    )
