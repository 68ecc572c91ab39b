# Copyright 2026 relation_pyramid authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""11.0.1.3.0: the pyramid rows are listed by revenue, not by their stored
rank. The index of the old order held the rank, which every recompute
rewrites for most rows: as long as it exists, none of those updates can be
made in place (HOT). Drop it; ``init`` creates the index of the new order."""


def migrate(cr, version):
    if not version:
        return
    cr.execute("DROP INDEX IF EXISTS relation_pyramid_line_company_order_index")
