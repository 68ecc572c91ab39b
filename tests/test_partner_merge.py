"""Merging customers with CRM's merge wizard (relation_pyramid_crm, which
installs itself with CRM): one pyramid row and one history for the merged
customer, never counted twice in a snapshot."""
from .pyramid_common import IN_PERIOD, IN_PREVIOUS, REFERENCE, PyramidCase

BEFORE = "2025-06-30"  # the previous period's end: IN_PREVIOUS is in its period


class TestPartnerMerge(PyramidCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other = cls._customer("Other")
        cls.kept = cls._customer("Kept")
        cls.duplicate = cls._customer("Duplicate")
        for day in (IN_PREVIOUS, IN_PERIOD):
            cls._order(cls.other, 1000, day)
        cls._order(cls.duplicate, 500, IN_PREVIOUS)
        cls._order(cls.duplicate, 200, IN_PERIOD)
        cls._order(cls.kept, 300, IN_PERIOD)
        cls.profile.action_backfill_snapshots([BEFORE])
        cls.profile.action_recompute(reference_date=REFERENCE)

    def _snapshot(self, day):
        return self.env["relation.pyramid.snapshot"].search(
            [("company_id", "=", self.company.id), ("date", "=", day)]
        )

    def _customers(self, day):
        lines = self.env["relation.pyramid.snapshot.line"].search(
            self._snapshot(day)._customer_domain()
        )
        return {line.partner_id.name: (line.level, line.revenue) for line in lines}

    def test_the_bridge_is_installed_with_crm(self):
        module = self.env["ir.module.module"].search(
            [("name", "=", "relation_pyramid_crm")]
        )
        self.assertEqual(module.state, "installed")

    def test_merged_customer_has_one_row_and_one_history(self):
        # Before: at BEFORE, Other 1000 (top) and Duplicate 500 (small);
        # at REFERENCE, Other 1000, Kept 300, Duplicate 200 (Kept had no
        # order before the period).
        self.assertEqual(self._snapshot(BEFORE).customer_count, 2)
        self.assertEqual(self._snapshot(REFERENCE).customer_count, 3)
        self.env["base.partner.merge.automatic.wizard"]._merge(
            [self.kept.id, self.duplicate.id], self.kept
        )
        self.assertFalse(self.duplicate.exists())
        # History: at BEFORE only the duplicate held a row: it is Kept's now;
        # at REFERENCE both held one: Kept's own holds, one customer fewer.
        self.assertEqual(
            self._customers(BEFORE),
            {"Other": ("top", 1000.0), "Kept": ("small", 500.0)},
        )
        self.assertEqual(
            self._customers(REFERENCE),
            {"Other": ("top", 1000.0), "Kept": ("small", 300.0)},
        )
        self.assertEqual(self._snapshot(BEFORE).customer_count, 2)
        self.assertEqual(self._snapshot(REFERENCE).customer_count, 2)
        # The totals a migration matrix starts from are counted again.
        self.assertEqual(
            self._snapshot(REFERENCE)._level_totals(),
            {"top": (1, 1000), "small": (1, 300)},
        )
        # The merged customer's row is refreshed at once (at today's date):
        # what a recompute at that moment gives (whatever today is), with
        # the duplicate's orders counted for it and no row of the duplicate.
        merged = self._table()
        self.assertEqual(set(merged), {"Other", "Kept"})
        self.profile.action_recompute()
        self.assertEqual(self._table()["Kept"][:3], merged["Kept"][:3])
        # At REFERENCE the merged customer's orders are 300 + 200 in the
        # period: N = 2, Other rank 1 top, Kept rank 2 (ceil(2 * 20 %) = 1):
        # small.
        self.profile.action_recompute(reference_date=REFERENCE)
        self.assertEqual(
            self._table(),
            {
                "Other": ("active", "top", 1000.0, 1),
                "Kept": ("active", "small", 500.0, 2),
            },
        )
