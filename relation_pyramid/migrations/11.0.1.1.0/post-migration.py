# Copyright 2026 relation_pyramid authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""11.0.1.1.0: the engine's rows and snapshot rows no longer keep create/write
stamps, and snapshot rows take their company from their snapshot. Odoo leaves
columns of removed fields in place, with their foreign keys, which would still
be checked for every row the engine writes: drop them."""
from psycopg2 import sql

OBSOLETE_COLUMNS = {
    "relation_pyramid_line": ["create_uid", "create_date", "write_uid", "write_date"],
    "relation_pyramid_snapshot_line": [
        "create_uid",
        "create_date",
        "write_uid",
        "write_date",
        "company_id",
    ],
}


def migrate(cr, version):
    if not version:
        return
    for table, columns in OBSOLETE_COLUMNS.items():
        for column in columns:
            cr.execute(
                sql.SQL("ALTER TABLE {} DROP COLUMN IF EXISTS {}").format(
                    sql.Identifier(table), sql.Identifier(column)
                )
            )
