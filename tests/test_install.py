from odoo.tests.common import TransactionCase


class TestInstall(TransactionCase):
    def test_addon_installed_with_partner_fields(self):
        module = self.env["ir.module.module"].search(
            [("name", "=", "relation_pyramid")]
        )
        self.assertEqual(module.state, "installed")
        fields = self.env["res.partner"]._fields
        for name in (
            "service_preference_ids",
            "relation_motive_ids",
            "relation_qualification",
        ):
            self.assertIn(name, fields)
