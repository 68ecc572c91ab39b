# Copyright 2026 relation_pyramid authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""11.0.1.2.0: a snapshot no longer copies every customer. A snapshot row
holds from its snapshot until ``date_to``, the first later snapshot of the
company at which the customer's lifecycle, level or revenue had changed or
the customer was gone. The full snapshots of earlier versions become such
rows: of each run of equal rows of a customer at consecutive snapshots, the
first is kept and holds until the end of the run; each snapshot keeps its
customer count, counted before. The ranks are dropped, and
so are the create/write stamps of the migration matrix rows (written in bulk,
their foreign keys would still be checked for every row)."""

from odoo.tools import table_kind


def migrate(cr, version):
    if not version:
        return
    # counted while every snapshot still lists all its customers
    cr.execute(
        """
        UPDATE relation_pyramid_snapshot snapshot
           SET customer_count = (
               SELECT COUNT(*) FROM relation_pyramid_snapshot_line line
                WHERE line.snapshot_id = snapshot.id)
        """
    )
    cr.execute(
        """
        CREATE TEMP TABLE relation_pyramid_snapshot_run ON COMMIT DROP AS
        WITH snapshot AS (
            SELECT id, company_id, date,
                   LAG(date) OVER company_dates AS previous_date,
                   LEAD(date) OVER company_dates AS next_date
              FROM relation_pyramid_snapshot
            WINDOW company_dates AS (PARTITION BY company_id ORDER BY date)
        ), snapshot_row AS (
            -- a row starts a run unless the customer had an equal row at
            -- the company's previous snapshot
            SELECT line.id, snapshot.company_id, line.partner_id, snapshot.date,
                   snapshot.next_date,
                   LAG(snapshot.date) OVER customer_dates
                       IS DISTINCT FROM snapshot.previous_date
                   OR LAG((line.lifecycle, line.level, line.revenue))
                          OVER customer_dates
                       IS DISTINCT FROM (line.lifecycle, line.level, line.revenue)
                       AS starts
              FROM relation_pyramid_snapshot_line line
              JOIN snapshot ON snapshot.id = line.snapshot_id
            WINDOW customer_dates AS (
                PARTITION BY snapshot.company_id, line.partner_id
                ORDER BY snapshot.date)
        ), numbered AS (
            SELECT *, COUNT(*) FILTER (WHERE starts) OVER (
                          PARTITION BY company_id, partner_id ORDER BY date
                      ) AS run
              FROM snapshot_row
        )
        SELECT id, starts,
               -- the run holds until the snapshot after its last row
               LAST_VALUE(next_date) OVER (
                   PARTITION BY company_id, partner_id, run ORDER BY date
                   ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
               ) AS date_to
          FROM numbered
        """
    )
    cr.execute(
        """
        DELETE FROM relation_pyramid_snapshot_line line
         USING relation_pyramid_snapshot_run run
         WHERE run.id = line.id AND NOT run.starts
        """
    )
    cr.execute(
        """
        UPDATE relation_pyramid_snapshot_line line SET date_to = run.date_to
          FROM relation_pyramid_snapshot_run run
         WHERE run.id = line.id AND run.starts
        """
    )
    cr.execute("ALTER TABLE relation_pyramid_snapshot_line DROP COLUMN IF EXISTS rank")
    # from 11.0.1.4.0 on a view (dropped as a table before the addon loads)
    if table_kind(cr, "relation_pyramid_migration_line") == "r":
        cr.execute(
            """
            ALTER TABLE relation_pyramid_migration_line
                  DROP COLUMN IF EXISTS create_uid, DROP COLUMN IF EXISTS create_date,
                  DROP COLUMN IF EXISTS write_uid, DROP COLUMN IF EXISTS write_date
            """
        )
