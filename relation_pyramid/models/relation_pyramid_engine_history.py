# Copyright 2026 relation_pyramid authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The engine's history step: the result kept as a snapshot, a row per
customer whose lifecycle, level or revenue changed (see
``relation.pyramid.snapshot``: a row holds from its snapshot until
``date_to``)."""
from odoo import api, models

from .level_totals import encode_level_totals
from .relation_pyramid_engine import (
    RESULT_TABLE,
    SNAPSHOT_CHANGE_TABLE,
    SNAPSHOT_COLUMNS,
)


class RelationPyramidEngineHistory(models.AbstractModel):
    """Writing the snapshots, mixed into ``relation.pyramid.profile``."""

    _name = "relation.pyramid.engine.history"
    _description = "Customer pyramid engine: snapshots"

    @api.multi
    def _write_snapshot(self, reference_date):
        """Keep the result as the snapshot at ``reference_date``. Only what
        changed gets a row: a customer whose lifecycle, level or revenue
        differs from the row that held at that date, or who entered or left
        the pyramid. A re-run of the same date writes nothing when nothing
        changed; a backfill between two snapshots leaves what held at the
        later one as it was."""
        self.ensure_one()
        snapshot_model = self.env["relation.pyramid.snapshot"].sudo()
        snapshot = snapshot_model.search(
            [("company_id", "=", self.company_id.id), ("date", "=", reference_date)]
        )
        if not snapshot:
            snapshot = snapshot_model.create(
                {"company_id": self.company_id.id, "date": reference_date}
            )
        next_snapshot = snapshot._next_snapshot()
        self._collect_snapshot_changes(snapshot)
        self._end_changed_snapshot_rows(snapshot, next_snapshot)
        self._start_changed_snapshot_rows(snapshot, next_snapshot)
        self.env["relation.pyramid.snapshot.line"].invalidate_cache()
        # the other snapshots' customers are as they were: only these move
        totals = self._result_totals()
        snapshot.write(
            {
                "customer_count": sum(count for count, _revenue in totals.values()),
                "level_totals": encode_level_totals(totals),
            }
        )
        return snapshot

    @api.model
    def _collect_snapshot_changes(self, snapshot):
        """Temporary table ``SNAPSHOT_CHANGE_TABLE``: the
        customers whose row that holds at the snapshot's date (``held_id``,
        if any) differs from the result, or who are in one only.

        Columns: ``partner_id``, ``held_id`` (a snapshot row or null)."""
        cr = self.env.cr
        held, params = snapshot._customer_sql()
        self._drop_temp_table(SNAPSHOT_CHANGE_TABLE)
        cr.execute(
            """
            CREATE TEMP TABLE {snapshot_change_table} ON COMMIT DROP AS
            SELECT COALESCE(held.partner_id, result.partner_id) AS partner_id,
                   held.id AS held_id
              FROM (SELECT line.* FROM relation_pyramid_snapshot_line line
                     WHERE {held}) held
              FULL OUTER JOIN {result_table} result
                ON result.partner_id = held.partner_id
             WHERE ({current}) IS DISTINCT FROM ({computed})
            """.format(
                result_table=RESULT_TABLE,
                snapshot_change_table=SNAPSHOT_CHANGE_TABLE,
                held=held,
                current=", ".join("held.%s" % c for c in SNAPSHOT_COLUMNS),
                computed=", ".join("result.%s" % c for c in SNAPSHOT_COLUMNS),
            ),
            params,
        )

    @api.model
    def _end_changed_snapshot_rows(self, snapshot, next_snapshot):
        """The changed customers' rows stop holding at the snapshot's date: a
        row that starts there is removed, an older one ends there. Where such
        a row also held at the next snapshot, a copy starting there keeps it."""
        cr = self.env.cr
        columns = ", ".join(SNAPSHOT_COLUMNS)
        if next_snapshot:
            cr.execute(
                """
                INSERT INTO relation_pyramid_snapshot_line
                       (snapshot_id, date, date_to, partner_id, {columns})
                SELECT %(next_id)s, %(next_date)s, held.date_to, held.partner_id,
                       {columns}
                  FROM relation_pyramid_snapshot_line held
                  JOIN {snapshot_change_table} change
                    ON change.held_id = held.id
                 WHERE held.date_to IS NULL OR held.date_to > %(next_date)s
                """.format(
                    columns=columns, snapshot_change_table=SNAPSHOT_CHANGE_TABLE
                ),
                {"next_id": next_snapshot.id, "next_date": next_snapshot.date},
            )
        cr.execute(
            """
            DELETE FROM relation_pyramid_snapshot_line held
             USING {snapshot_change_table} change
             WHERE change.held_id = held.id AND held.snapshot_id = %(id)s
            """.format(snapshot_change_table=SNAPSHOT_CHANGE_TABLE),
            {"id": snapshot.id},
        )
        cr.execute(
            """
            UPDATE relation_pyramid_snapshot_line held SET date_to = %(date)s
              FROM {snapshot_change_table} change
             WHERE change.held_id = held.id
            """.format(snapshot_change_table=SNAPSHOT_CHANGE_TABLE),
            {"date": snapshot.date},
        )

    @api.model
    def _start_changed_snapshot_rows(self, snapshot, next_snapshot):
        """The changed customers still in the pyramid get a row from the
        snapshot's date until the next snapshot; where their row at the next
        snapshot has the same values, that row starts here instead."""
        cr = self.env.cr
        params = {
            "id": snapshot.id,
            "date": snapshot.date,
            "next_id": next_snapshot.id,
            "next_date": next_snapshot.date or None,
        }
        if next_snapshot:
            cr.execute(
                """
                UPDATE relation_pyramid_snapshot_line later
                   SET snapshot_id = %(id)s, date = %(date)s
                  FROM {snapshot_change_table} change
                  JOIN {result_table} result USING (partner_id)
                 WHERE later.snapshot_id = %(next_id)s
                   AND later.partner_id = change.partner_id
                   AND ({later}) = ({computed})
                """.format(
                    result_table=RESULT_TABLE,
                    snapshot_change_table=SNAPSHOT_CHANGE_TABLE,
                    later=", ".join("later.%s" % c for c in SNAPSHOT_COLUMNS),
                    computed=", ".join("result.%s" % c for c in SNAPSHOT_COLUMNS),
                ),
                params,
            )
        # the rows just moved back to this snapshot are skipped
        cr.execute(
            """
            INSERT INTO relation_pyramid_snapshot_line
                   (snapshot_id, date, date_to, partner_id, {columns})
            SELECT %(id)s, %(date)s, %(next_date)s, result.partner_id, {computed}
              FROM {snapshot_change_table} change
              JOIN {result_table} result USING (partner_id)
            ON CONFLICT (snapshot_id, partner_id) DO NOTHING
            """.format(
                result_table=RESULT_TABLE,
                snapshot_change_table=SNAPSHOT_CHANGE_TABLE,
                columns=", ".join(SNAPSHOT_COLUMNS),
                computed=", ".join("result.%s" % c for c in SNAPSHOT_COLUMNS),
            ),
            params,
        )
