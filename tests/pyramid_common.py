"""Hand-built data for the pyramid tests: companies, customers and orders
with chosen amounts and dates, through the real ORM and database."""
from odoo.tests.common import SavepointCase

# The reference date of most tests and its periods (DOMAIN.md):
# period 2025-07-01 .. 2026-06-30, previous 2024-07-01 .. 2025-06-30.
REFERENCE = "2026-06-30"
IN_PERIOD = "2026-03-15"
IN_PREVIOUS = "2025-01-15"
BEFORE_PREVIOUS = "2023-05-01"


class PyramidCase(SavepointCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.ref("base.main_company")
        cls.eur = cls.env.ref("base.EUR")
        cls.usd = cls.env.ref("base.USD")
        cls.usd.active = True
        cls.company.currency_id = cls.eur
        cls.pricelist = cls.env["product.pricelist"].create(
            {"name": "EUR test", "currency_id": cls.eur.id}
        )
        cls.product = cls.env["product.product"].create(
            {"name": "Test service", "type": "service", "taxes_id": [(6, 0, [])]}
        )
        cls.profile = cls.env["relation.pyramid.profile"]._ensure_profiles().filtered(
            lambda p: p.company_id == cls.company
        )

    @classmethod
    def _customer(cls, name, **vals):
        vals.setdefault("is_company", True)
        return cls.env["res.partner"].create(dict(vals, name=name))

    @classmethod
    def _order(
        cls, partner, amount, day, state="sale", company=None, pricelist=None, user=None
    ):
        """A sale order of ``amount`` (untaxed) dated ``day`` (YYYY-MM-DD or
        a full UTC timestamp) in the given state, confirmed through
        ``action_confirm()`` (which refreshes its customer's row at once);
        made and confirmed by ``user`` if given."""
        company = company or cls.company
        timestamp = day if len(day) > 10 else day + " 10:00:00"
        orders = cls.env["sale.order"]
        order = (orders.sudo(user) if user else orders).create(
            {
                "partner_id": partner.id,
                "company_id": company.id,
                "pricelist_id": (pricelist or cls.pricelist).id,
                "date_order": timestamp,
                "order_line": [
                    (
                        0,
                        0,
                        {
                            "product_id": cls.product.id,
                            "product_uom_qty": 1,
                            "price_unit": amount,
                            "tax_id": [(6, 0, [])],
                        },
                    )
                ],
            }
        )
        if state in ("sale", "done"):
            # confirmed as a user confirms, then dated as if confirmed that day
            order.action_confirm()
            order.write({"confirmation_date": timestamp})
            if state == "done":
                order.action_done()
        elif state == "cancel":
            order.action_cancel()
        elif state == "sent":
            # what sale's mail composer does once the quotation is e-mailed
            # (mail.compose.message.send_mail with mark_so_as_sent)
            order.state = "sent"
        return order

    def _recompute(self, profile=None, reference=REFERENCE):
        (profile or self.profile).action_recompute(reference_date=reference)

    def _lines(self, company=None):
        return (
            self.env["relation.pyramid.line"]
            .sudo()
            .search([("company_id", "=", (company or self.company).id)])
        )

    def _table(self, company=None):
        """{customer name: (lifecycle, level, revenue, rank)}"""
        return {
            line.partner_id.name: (line.lifecycle, line.level, line.revenue, line.rank)
            for line in self._lines(company)
        }

    def _levels(self, company=None):
        return {name: row[1] for name, row in self._table(company).items()}
