"""Point of sale orders in the pyramid (issue 19, bridge relation_pyramid_pos,
installed in the test database by scripts/test.sh). Orders come in as the
point of sale sends them: ``pos.order.create_from_ui`` (payment, then
``action_pos_order_paid()``; with ``to_invoice`` also
``action_pos_order_invoice()`` and the invoice's ``action_invoice_open()``),
from a session a point of sale user opened."""
import uuid

from odoo import fields

from .test_revenue_basis import RevenueBasisCase


class TestPointOfSale(RevenueBasisCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if "pos.order" not in cls.env.registry:
            return
        group = cls.env.ref
        cls.cashier = cls.env["res.users"].create(
            {
                "name": "Basis Cashier",
                "login": "basis_cashier",
                "email": "cashier@example.com",
                "company_id": cls.company.id,
                "company_ids": [(6, 0, [cls.company.id])],
                "groups_id": [
                    (
                        6,
                        0,
                        [
                            group("base.group_user").id,
                            group("point_of_sale.group_pos_user").id,
                            # invoicing at the till reads the invoice's entry
                            group("account.group_account_invoice").id,
                        ],
                    )
                ],
            }
        )
        cls.cash_journal = cls.env["account.journal"].create(
            {
                "name": "Cash",
                "code": "RPCSH",
                "type": "cash",
                "company_id": cls.company.id,
                "journal_user": True,
                "default_credit_account_id": cls.receivable.id,
                "default_debit_account_id": cls.receivable.id,
            }
        )
        # the company's default receivable, for sales without a customer
        cls.env["ir.property"].create(
            {
                "name": "property_account_receivable_id",
                "fields_id": cls.env["ir.model.fields"]
                .search(
                    [
                        ("model", "=", "res.partner"),
                        ("name", "=", "property_account_receivable_id"),
                    ]
                )
                .id,
                "value_reference": "account.account,%d" % cls.receivable.id,
                "company_id": cls.company.id,
            }
        )
        # Prices include 21 % VAT, as in a shop: 121.00 is 100.00 untaxed.
        cls.vat = cls.env["account.tax"].create(
            {
                "name": "VAT 21 % incl.",
                "amount": 21,
                "price_include": True,
                "type_tax_use": "sale",
                "company_id": cls.company.id,
            }
        )
        cls.shop_product = cls.env["product.product"].create(
            {
                "name": "Shop item",
                "type": "service",
                "available_in_pos": True,
                "lst_price": 121.0,
                "taxes_id": [(6, 0, cls.vat.ids)],
                "property_account_income_id": cls.income.id,
            }
        )
        cls.config = cls.env.ref("point_of_sale.pos_config_main")
        cls.config.write(
            {
                "journal_id": cls.journal.id,
                "invoice_journal_id": cls.journal.id,
                "journal_ids": [(6, 0, cls.cash_journal.ids)],
                "pricelist_id": cls.pricelist.id,
                "available_pricelist_ids": [(6, 0, cls.pricelist.ids)],
            }
        )
        cls.session = (
            cls.env["pos.session"]
            .sudo(cls.cashier)
            .create({"user_id": cls.cashier.id, "config_id": cls.config.id})
        )

    def setUp(self):
        super().setUp()
        if "pos.order" not in self.env.registry:
            self.skipTest("point_of_sale is not installed in this database")

    def _pos_order(self, partner, quantity, to_invoice=False):
        """A shop sale of ``quantity`` items at 121.00 VAT included, paid in
        cash now, sent as the point of sale sends it."""
        total = 121.0 * quantity
        statement = self.session.statement_ids.filtered(
            lambda statement: statement.journal_id == self.cash_journal
        )
        now = fields.Datetime.now()
        name = "Order %s" % uuid.uuid4()
        data = {
            "name": name,
            "uid": name,
            "user_id": self.cashier.id,
            "pos_session_id": self.session.id,
            "sequence_number": 1,
            "creation_date": now,
            "partner_id": partner.id if partner else False,
            "pricelist_id": self.pricelist.id,
            "fiscal_position_id": False,
            "amount_paid": total,
            "amount_total": total,
            "amount_tax": total - 100.0 * quantity,
            "amount_return": 0,
            "lines": [
                [
                    0,
                    0,
                    {
                        "product_id": self.shop_product.id,
                        "qty": quantity,
                        "price_unit": 121.0,
                        "discount": 0,
                        "tax_ids": [[6, 0, self.vat.ids]],
                        "id": 1,
                        "pack_lot_ids": [],
                    },
                ]
            ],
            "statement_ids": [
                [
                    0,
                    0,
                    {
                        "name": now,
                        "amount": total,
                        "statement_id": statement.id,
                        "account_id": self.receivable.id,
                        "journal_id": self.cash_journal.id,
                    },
                ]
            ],
        }
        order_ids = (
            self.env["pos.order"]
            .sudo(self.cashier)
            .create_from_ui([{"data": data, "to_invoice": to_invoice}])
        )
        order = self.env["pos.order"].browse(order_ids)
        self.assertEqual(order.state, "invoiced" if to_invoice else "paid")
        return order

    def _shop_customers(self):
        shop = self._customer("Shop customer")
        self._pos_order(shop, 2)  # untaxed 2 * 100 = 200
        invoiced = self._pos_order(shop, 1, to_invoice=True)  # untaxed 100
        self.assertEqual(invoiced.invoice_id.state, "open")
        self.assertEqual(invoiced.invoice_id.amount_untaxed_signed, 100.0)
        self._pos_order(None, 5)  # anonymous: nobody's revenue
        return shop

    def _row_today(self, partner):
        self.profile.sudo(self.manager).action_recompute()
        line = self._lines().filtered(lambda line: line.partner_id == partner)
        return (line.lifecycle, line.revenue, line.order_count)

    def test_order_basis_counts_paid_and_invoiced_pos_orders(self):
        shop = self._shop_customers()
        today = fields.Date.context_today(self.profile)
        self._order(shop, 300, today)
        # sale order 300 + POS 200 + POS 100 (invoiced): 600 untaxed, 3 orders
        self.assertEqual(self._row_today(shop), ("active", 600.0, 3))

    def test_invoice_basis_counts_an_invoiced_pos_order_once(self):
        self.profile.revenue_basis = "invoice"
        shop = self._shop_customers()
        today = fields.Date.context_today(self.profile)
        self._order(shop, 300, today)  # not invoiced: not on this basis
        # POS without invoice 200 + the invoice of the other POS order 100
        # (not its POS order as well): 300; purchases: the POS order and
        # the invoice, 2
        self.assertEqual(self._row_today(shop), ("active", 300.0, 2))

    def test_a_pos_sale_refreshes_its_customer(self):
        self.profile.sudo(self.manager).action_recompute()
        walk_in = self._customer("Walk-in")
        self._pos_order(walk_in, 3)
        line = self._lines().filtered(lambda line: line.partner_id == walk_in)
        # no recompute: 3 * 100 = 300 untaxed, at once
        self.assertEqual((line.lifecycle, line.revenue), ("active", 300.0))
