# Copyright 2026 relation_pyramid authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""11.0.1.4.0, before the addon loads:

- the customers of a migration matrix are no longer rows written when the
  matrix is saved but a read-only SQL view over the snapshot rows (always
  current, nothing refers to a partner): drop the table of earlier versions
  (only if it is one) so that the model's ``init`` can create the view.
- the company rules (settings, pyramid rows, snapshots and their rows,
  matrices and their customers) follow Odoo's multi-company convention (the
  user's company and its subsidiaries): they are loaded as ``noupdate``
  data, which an upgrade does not rewrite, so delete them here and the
  upgrade creates them anew."""

RENEWED_RULES = (
    "relation_pyramid_profile_rule_company",
    "relation_pyramid_line_rule_company",
    "relation_pyramid_snapshot_rule_company",
    "relation_pyramid_snapshot_line_rule_company",
    "relation_pyramid_migration_rule_company",
    "relation_pyramid_migration_line_rule_company",
)


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        SELECT relkind FROM pg_class
         WHERE relname = 'relation_pyramid_migration_line'
           AND relnamespace = 'public'::regnamespace
        """
    )
    row = cr.fetchone()
    if row and row[0] == "r":
        cr.execute(
            "DROP TABLE IF EXISTS public.relation_pyramid_migration_line CASCADE"
        )
        # its foreign keys as Odoo recorded them, now gone with it
        cr.execute(
            """
            DELETE FROM ir_model_constraint
             WHERE type = 'f' AND name IN %s
            """,
            (
                (
                    "relation_pyramid_migration_line_migration_id_fkey",
                    "relation_pyramid_migration_line_partner_id_fkey",
                ),
            ),
        )
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
