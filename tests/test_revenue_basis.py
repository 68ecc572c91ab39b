"""Revenue basis (issue 19): posted invoices net of credit notes instead of
confirmed orders, and levels by margin. Invoices go through the accountant's
entry points (``action_invoice_open()``, ``refund()`` then
``action_invoice_open()`` on the credit note, ``action_invoice_cancel()``),
recomputes through ``action_recompute`` as a sales manager.

Reference date 2026-06-30: period 2025-07-01 .. 2026-06-30, previous period
2024-07-01 .. 2025-06-30 (DOMAIN.md)."""
from odoo import fields
from odoo.exceptions import ValidationError

from .pyramid_common import IN_PERIOD, IN_PREVIOUS, REFERENCE, PyramidCase


class RevenueBasisCase(PyramidCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        group = cls.env.ref
        cls.manager = cls.env["res.users"].create(
            {
                "name": "Basis Manager",
                "login": "basis_manager",
                "email": "manager@example.com",
                "company_id": cls.company.id,
                "company_ids": [(6, 0, [cls.company.id])],
                "groups_id": [(6, 0, [group("sales_team.group_sale_manager").id])],
            }
        )
        cls.accountant = cls.env["res.users"].create(
            {
                "name": "Basis Accountant",
                "login": "basis_accountant",
                "email": "accountant@example.com",
                "company_id": cls.company.id,
                "company_ids": [(6, 0, [cls.company.id])],
                "groups_id": [(6, 0, [group("account.group_account_invoice").id])],
            }
        )
        # The test database has no chart of accounts: the few accounts and
        # the sales journal an invoice needs.
        account = cls.env["account.account"]
        cls.receivable = account.create(
            {
                "name": "Debtors",
                "code": "RP1300",
                "user_type_id": group("account.data_account_type_receivable").id,
                "reconcile": True,
                "company_id": cls.company.id,
            }
        )
        cls.income = account.create(
            {
                "name": "Sales",
                "code": "RP8000",
                "user_type_id": group("account.data_account_type_revenue").id,
                "company_id": cls.company.id,
            }
        )
        cls.journal = cls.env["account.journal"].create(
            {
                "name": "Customer Invoices",
                "code": "RPINV",
                "type": "sale",
                "company_id": cls.company.id,
                "default_credit_account_id": cls.income.id,
                "default_debit_account_id": cls.income.id,
                "update_posted": True,
                "refund_sequence": True,
            }
        )

    @classmethod
    def _customer(cls, name, **vals):
        """A customer with the receivable account invoices post to."""
        vals.setdefault("property_account_receivable_id", cls.receivable.id)
        return super()._customer(name, **vals)

    def _set_profile(self, **vals):
        self.profile.sudo(self.manager).write(vals)

    def _recompute(self, profile=None, reference=REFERENCE):
        (profile or self.profile).sudo(self.manager).action_recompute(
            reference_date=reference
        )

    def _invoice(self, partner, amount, day, currency=None, post=True):
        """A customer invoice of ``amount`` (untaxed, no tax) dated ``day``,
        posted by the accountant through ``action_invoice_open()``."""
        invoice = (
            self.env["account.invoice"]
            .sudo(self.accountant)
            .create(
                {
                    "partner_id": partner.id,
                    "type": "out_invoice",
                    "date_invoice": day,
                    "journal_id": self.journal.id,
                    "account_id": self.receivable.id,
                    "company_id": self.company.id,
                    "currency_id": (currency or self.eur).id,
                    "invoice_line_ids": [
                        (
                            0,
                            0,
                            {
                                "name": "Service",
                                "product_id": self.product.id,
                                "account_id": self.income.id,
                                "quantity": 1,
                                "price_unit": amount,
                                "invoice_line_tax_ids": [(6, 0, [])],
                            },
                        )
                    ],
                }
            )
        )
        if post:
            invoice.action_invoice_open()
        return invoice

    def _credit_note(self, invoice, amount, day):
        """A credit note of ``amount`` for ``invoice`` dated ``day``, made by
        ``refund()`` (what the Add Credit Note wizard calls), its line set to
        the partial amount, then posted."""
        refund = invoice.refund(date_invoice=day, description="Return")
        refund.invoice_line_ids.write({"price_unit": amount})
        refund.action_invoice_open()
        return refund

    def _row(self, partner):
        line = self._lines().filtered(lambda line: line.partner_id == partner)
        return line and (
            line.lifecycle,
            line.level,
            line.revenue,
            line.previous_revenue,
        )


class TestInvoiceBasis(RevenueBasisCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.profile.revenue_basis = "invoice"

    def test_partial_credit_note_in_the_same_period(self):
        same = self._customer("Same period")
        invoice = self._invoice(same, 1000, IN_PERIOD)
        self._credit_note(invoice, 300, "2026-04-01")
        self._recompute()
        # 1000 - 300 = 700 in the period, nothing before.
        self.assertEqual(self._row(same), ("active", "top", 700.0, 0.0))
        line = self._lines().filtered(lambda line: line.partner_id == same)
        # one invoice (the credit note is no purchase): 700 / 1 = 700
        self.assertEqual(line.order_count, 1)
        self.assertEqual(line.average_order_value, 700.0)
        self.assertEqual(line.first_order_date, IN_PERIOD)
        self.assertFalse(line.margin)
        self.assertFalse(line.loss_making)

    def test_partial_credit_note_in_the_next_period(self):
        later = self._customer("Credited later")
        invoice = self._invoice(later, 1000, IN_PREVIOUS)
        self._invoice(later, 500, IN_PERIOD)
        # the credit note of the previous period's invoice lowers the period
        # it is dated in: period 500 - 200 = 300, previous 1000 untouched
        self._credit_note(invoice, 200, "2025-08-01")
        self._recompute()
        self.assertEqual(self._row(later), ("active", "top", 300.0, 1000.0))

    def test_credit_note_larger_than_the_period_is_not_active(self):
        returned = self._customer("Returned")
        kept = self._customer("Kept")
        old = self._invoice(returned, 800, IN_PREVIOUS)
        self._invoice(returned, 200, "2026-02-01")
        self._credit_note(old, 600, "2026-03-01")
        self._invoice(kept, 50, IN_PERIOD)
        self._recompute()
        # period 200 - 600 = -400 <= 0: not active; invoiced before: inactive
        self.assertEqual(self._row(returned), ("inactive", "inactive", -400.0, 800.0))
        # the only active customer: N = 1, rank 1 <= ceil(1 %) = 1: top
        self.assertEqual(self._row(kept), ("active", "top", 50.0, 0.0))

    def test_foreign_currency_invoice_at_its_dates_rate(self):
        rate = self.env["res.currency.rate"]
        rate.create({"name": "2026-03-01", "rate": 1.25, "currency_id": self.usd.id,
                     "company_id": self.company.id})
        rate.create({"name": "2026-05-01", "rate": 2.0, "currency_id": self.usd.id,
                     "company_id": self.company.id})
        american = self._customer("American")
        self._invoice(american, 500, IN_PERIOD, currency=self.usd)
        self._recompute()
        # USD 500 on 2026-03-15 at 1.25 USD per EUR: 500 / 1.25 = EUR 400
        # (the later rate of 2.0 does not move what was posted)
        self.assertEqual(self._row(american), ("active", "top", 400.0, 0.0))

    def test_draft_and_cancelled_invoices_and_orders_do_not_count(self):
        posted = self._customer("Posted")
        drafted = self._customer("Drafted")
        ordered = self._customer("Ordered only")
        self._invoice(posted, 100, IN_PERIOD)
        self._invoice(posted, 5000, IN_PERIOD).action_invoice_cancel()
        self._invoice(drafted, 999, IN_PERIOD, post=False)
        self._order(ordered, 700, IN_PERIOD)
        self._recompute()
        self.assertEqual(self._row(posted), ("active", "top", 100.0, 0.0))
        # a draft invoice or a confirmed order, nothing invoiced: a relation
        self.assertEqual(self._row(drafted), ("prospect", "prospect", 0.0, 0.0))
        self.assertEqual(self._row(ordered), ("prospect", "prospect", 0.0, 0.0))

    def test_ranks_follow_the_net_invoiced_revenue(self):
        self._set_profile(top_count_pct=25, big_count_pct=50, medium_count_pct=75)
        a, b, c, d = (self._customer(name) for name in "ABCD")
        big_invoice = self._invoice(a, 2000, IN_PERIOD)
        self._credit_note(big_invoice, 1500, "2026-05-01")
        self._invoice(b, 900, IN_PERIOD)
        self._invoice(c, 700, IN_PERIOD)
        self._invoice(d, 100, IN_PERIOD)
        self._recompute()
        # net: A 500, B 900, C 700, D 100; N = 4; top rank <= 1 (B),
        # big <= 2 (C), medium <= 3 (A), small D
        self.assertEqual(
            {name: row[1] for name, row in self._table().items() if name in "ABCD"},
            {"B": "top", "C": "big", "A": "medium", "D": "small"},
        )

    def test_posting_and_cancelling_refresh_the_customer(self):
        today = fields.Date.context_today(self.profile)
        self.profile.sudo(self.manager).action_recompute()
        walk_in = self._customer("Walk-in")
        invoice = self._invoice(walk_in, 250, today)
        # refreshed at once, no recompute: the only active customer is top
        row = self._row(walk_in)
        self.assertEqual(row[:3], ("active", "top", 250.0))
        credit = self._credit_note(invoice, 250, today)
        self.assertEqual(self._row(walk_in)[:3], ("inactive", "inactive", 0.0))
        credit.action_invoice_cancel()
        self.assertEqual(self._row(walk_in)[:3], ("active", "top", 250.0))

    def test_order_basis_ignores_invoices(self):
        self.profile.revenue_basis = "sale_order"
        invoiced = self._customer("Invoiced only")
        self._invoice(invoiced, 300, IN_PERIOD)
        self._recompute()
        self.assertFalse(self._row(invoiced))

    def test_margin_is_refused_on_the_invoice_basis(self):
        with self.assertRaisesRegex(ValidationError, "invoices carry no cost"):
            self._set_profile(level_measure="margin")

    def test_snapshot_records_the_basis_and_the_matrix_says_so(self):
        customer = self._customer("Steady")
        self._invoice(customer, 100, IN_PERIOD)
        self._order(customer, 100, IN_PERIOD)
        self._recompute(reference="2026-03-31")
        self._set_profile(revenue_basis="sale_order")
        self.assertTrue(self.profile.settings_changed)
        self._recompute()
        snapshots = self.env["relation.pyramid.snapshot"].search(
            [
                ("company_id", "=", self.company.id),
                ("date", "in", ["2026-03-31", REFERENCE]),
            ],
            order="date",
        )
        self.assertEqual(snapshots.mapped("revenue_basis"), ["invoice", "sale_order"])
        self.assertEqual(snapshots.mapped("level_measure"), ["revenue", "revenue"])
        matrix = self.env["relation.pyramid.migration"].sudo(self.manager).create(
            {
                "company_id": self.company.id,
                "snapshot_from_id": snapshots[0].id,
                "snapshot_to_id": snapshots[1].id,
            }
        )
        self.assertIn("Posted invoices net of credit notes", matrix.basis_notice)
        self.assertIn("Confirmed sale orders", matrix.basis_notice)


class TestMarginMeasure(RevenueBasisCase):
    def _order_with_cost(self, partner, amount, cost, day=IN_PERIOD):
        """A confirmed order of ``amount`` for a product that costs ``cost``:
        Sales Margin's margin is ``amount - cost``."""
        product = self.env["product.product"].create(
            {
                "name": "Cost %s" % cost,
                "type": "service",
                "standard_price": cost,
                "taxes_id": [(6, 0, [])],
            }
        )
        product_backup = self.product
        type(self).product = product
        try:
            return self._order(partner, amount, day)
        finally:
            type(self).product = product_backup

    def _margin_table(self):
        return {
            line.partner_id.name: (line.level, line.rank, line.margin, line.loss_making)
            for line in self._lines()
        }

    def test_levels_by_margin_with_ties_and_a_loss(self):
        self._set_profile(
            level_measure="margin",
            top_count_pct=25,
            big_count_pct=50,
            medium_count_pct=75,
        )
        x, y, z, v = (self._customer(name) for name in "XYZV")
        self._order_with_cost(x, 1000, 900)  # margin 100
        self._order_with_cost(y, 500, 100)  # margin 400
        self._order_with_cost(z, 300, 500)  # margin -200: loss-making
        self._order_with_cost(v, 150, 50)  # margin 100: tie with X
        self._order_with_cost(x, 80, 0, day=IN_PREVIOUS)  # previous: 80 - 0
        self._recompute()
        # N = 4 (all have revenue > 0); by margin: Y 1, X 2, V 2 (tie shares
        # the better rank), Z 4; top rank <= ceil(4 * 25 %) = 1, big <= 2,
        # medium <= 3, small: Z
        self.assertEqual(
            self._margin_table(),
            {
                "Y": ("top", 1, 400.0, False),
                "X": ("big", 2, 100.0, False),
                "V": ("big", 2, 100.0, False),
                "Z": ("small", 4, -200.0, True),
            },
        )
        line_x = self._lines().filtered(lambda line: line.partner_id == x)
        self.assertEqual(line_x.previous_margin, 80.0)
        self.assertEqual(line_x.revenue, 1000.0)
        # shares of the total margin 400 + 100 + 100 - 200 = 400: X 25 %;
        # X's gap to the top's lowest margin: 400 - 100 = 300
        self.assertEqual(line_x.revenue_share, 25.0)
        self.assertEqual(line_x.upsell_gap, 300.0)

    def test_printed_pyramid_counts_the_loss_makers(self):
        x, z, w = self._customer("X"), self._customer("Z"), self._customer("W")
        self._order_with_cost(x, 1000, 900)  # margin 100
        self._order_with_cost(z, 300, 500)  # margin -200
        self._order_with_cost(w, 100, 175)  # margin -75
        self._recompute()
        snapshot = self.env["relation.pyramid.snapshot"].search(
            [("company_id", "=", self.company.id), ("date", "=", REFERENCE)]
        )
        # two loss-makers, total loss 200 + 75 = 275
        self.assertEqual((snapshot.loss_making_count, snapshot.loss_total), (2, 275.0))
        report = self.env.ref("relation_pyramid.action_report_pyramid")
        html = report.sudo(self.manager).render_qweb_html(snapshot.ids)[0].decode()
        self.assertIn("Loss-making customers:", html)
        self.assertIn("275.00", html)
        self.assertIn("Confirmed sale orders", html)
        filtered = self.env["relation.pyramid.line"].search(
            [("company_id", "=", self.company.id), ("loss_making", "=", True)]
        )
        self.assertEqual(filtered.mapped("partner_id"), z | w)

    def test_loss_making_whatever_the_measure(self):
        self._set_profile(top_count_pct=25, big_count_pct=50, medium_count_pct=75)
        x, z = self._customer("X"), self._customer("Z")
        self._order_with_cost(x, 1000, 900)
        self._order_with_cost(z, 300, 500)
        self._recompute()
        # by revenue: X 1000 rank 1, Z 300 rank 2; N = 2: top rank <=
        # ceil(2 * 25 %) = 1, big <= ceil(2 * 50 %) = 1, medium <=
        # ceil(2 * 75 %) = 2: Z medium, with its margin of -200 all the same
        self.assertEqual(
            self._margin_table(),
            {"X": ("top", 1, 100.0, False), "Z": ("medium", 2, -200.0, True)},
        )

    def test_refresh_ranks_by_margin(self):
        self._set_profile(
            level_measure="margin",
            top_count_pct=25,
            big_count_pct=50,
            medium_count_pct=75,
        )
        x, y = self._customer("X"), self._customer("Y")
        today = fields.Date.context_today(self.profile)
        self._order_with_cost(x, 1000, 900, day=today)  # margin 100
        self.profile.sudo(self.manager).action_recompute()
        # Y confirmed afterwards, refreshed at once: margin 400 > 100, rank 1
        self._order_with_cost(y, 500, 100, day=today)
        self.assertEqual(self._margin_table()["Y"][:3], ("top", 1, 400.0))
