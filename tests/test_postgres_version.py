"""The addon needs PostgreSQL 14 or newer (numeric ``'Infinity'``, CTEs
``AS MATERIALIZED``, ``SET LOCAL jit``): installing it on an older server
stops with a message that says so. No old server is at hand, so the check
is tested as the function the pre-init hook calls with the server's
``server_version_num``."""
from odoo.exceptions import UserError
from odoo.modules.module import load_information_from_description_file
from odoo.tests.common import TransactionCase

import odoo.addons.relation_pyramid as addon

from odoo.addons.relation_pyramid.hooks import check_postgres_version, pre_init_hook


class TestPostgresVersion(TransactionCase):
    def _refused(self, version_num):
        with self.assertRaises(UserError) as caught:
            check_postgres_version(version_num)
        return caught.exception.name

    def test_older_servers_are_refused_with_their_version(self):
        # 110005 = 11 * 10000 + 5: PostgreSQL 11.5.
        self.assertEqual(
            self._refused(110005),
            "Relation Pyramid needs PostgreSQL 14 or newer; this server runs 11.5.",
        )
        # Before 10 the number is major.minor.patch: 90624 = 9.6.24.
        self.assertIn("this server runs 9.6.24.", self._refused(90624))
        # The last releases before 14: 13.18, 12.22 (numeric has no infinity).
        self.assertIn("this server runs 13.18.", self._refused(130018))
        self.assertIn("this server runs 12.22.", self._refused(120022))

    def test_14_and_newer_pass(self):
        for version_num in (140000, 140015, 150018, 170000):
            self.assertIsNone(check_postgres_version(version_num))

    def test_hook_reads_the_real_server_version(self):
        # This cluster is PostgreSQL 15: the hook lets the install go on.
        self.env.cr.execute("SHOW server_version_num")
        self.assertGreaterEqual(int(self.env.cr.fetchone()[0]), 140000)
        self.assertIsNone(pre_init_hook(self.env.cr))

    def test_install_runs_the_hook(self):
        # Odoo calls getattr(<addon package>, manifest's pre_init_hook)(cr)
        # before it creates the addon's tables.
        info = load_information_from_description_file("relation_pyramid")
        self.assertIs(getattr(addon, info["pre_init_hook"]), pre_init_hook)
