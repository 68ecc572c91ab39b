"""Installing the addon on a database with orders: the pyramid, the snapshots
of the last four quarter ends and a saved migration matrix right away; a
company without orders gets its (empty) pyramid only."""
import calendar
from datetime import date, timedelta

from odoo import fields

from .pyramid_common import PyramidCase


def quarter_ends_before(day, count):
    """The ``count`` last quarter ends (31/3, 30/6, 30/9, 31/12) strictly
    before ``day``, oldest first, worked out month by month."""
    ends = []
    year, month = day.year, day.month
    while len(ends) < count:
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        if month % 3 == 0:
            ends.append(date(year, month, calendar.monthrange(year, month)[1]))
    return list(reversed(ends))


class TestPostInitHook(PyramidCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # No snapshot of the database's own: its install computed one on the
        # day the database was made, which need not be today.
        cls.env["relation.pyramid.snapshot"].search([]).unlink()
        # An order 30 days before today (the hook computes at today).
        last_month = fields.Date.to_string(date.today() - timedelta(days=30))
        cls._order(cls._customer("Existing"), 75, last_month)
        cls.quiet_company = cls.env["res.company"].create(
            {"name": "No orders yet", "currency_id": cls.eur.id}
        )

    def _snapshot_dates(self, company):
        snapshots = self.env["relation.pyramid.snapshot"].search(
            [("company_id", "=", company.id)], order="date"
        )
        return [fields.Date.from_string(snapshot.date) for snapshot in snapshots]

    def _migrations(self, company):
        return self.env["relation.pyramid.migration"].search(
            [("company_id", "=", company.id)]
        )

    def test_post_init_hook_backfills_quarter_ends_and_saves_a_matrix(self):
        from odoo.addons.relation_pyramid.hooks import post_init_hook

        self.assertFalse(self._migrations(self.company))
        post_init_hook(self.env.cr, self.env.registry)
        today = self.profile._reference_date()
        # E.g. today 2026-06-15: 2025-06-30, 2025-09-30, 2025-12-31,
        # 2026-03-31 and today's snapshot, five in all.
        quarter_ends = quarter_ends_before(today, 4)
        self.assertEqual(self._snapshot_dates(self.company), quarter_ends + [today])
        migration = self._migrations(self.company)
        self.assertEqual(len(migration), 1)
        self.assertEqual(
            (migration.date_from, migration.date_to),
            (fields.Date.to_string(quarter_ends[0]), fields.Date.to_string(today)),
        )
        # Today the customer is the only active one: top.
        self.assertEqual(self._levels(), {"Existing": "top"})

    def test_post_init_hook_without_orders_backfills_nothing(self):
        from odoo.addons.relation_pyramid.hooks import post_init_hook

        post_init_hook(self.env.cr, self.env.registry)
        # Only the recompute's snapshot of today, no matrix.
        self.assertEqual(len(self._snapshot_dates(self.quiet_company)), 1)
        self.assertFalse(self._migrations(self.quiet_company))
