# Copyright 2026 relation_pyramid authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""11.0.1.3.0:

- the pyramid rows are listed by revenue, not by their stored rank. The index
  of the old order held the rank, which every recompute rewrites for most
  rows: as long as it exists, none of those updates can be made in place
  (HOT). Drop it; ``init`` creates the index of the new order.
- the rows of a migration matrix take their company from the matrix: drop
  their own column, whose foreign key was checked for every row written."""

from odoo.tools import table_kind


def migrate(cr, version):
    if not version:
        return
    cr.execute("DROP INDEX IF EXISTS relation_pyramid_line_company_order_index")
    # from 11.0.1.4.0 on a view (dropped as a table before the addon loads)
    if table_kind(cr, "relation_pyramid_migration_line") == "r":
        cr.execute(
            "ALTER TABLE relation_pyramid_migration_line "
            "DROP COLUMN IF EXISTS company_id"
        )
