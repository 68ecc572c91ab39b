"""The upgrade to 11.0.1.1.0 removes the columns of the engine's tables that
the models no longer have (left in place by Odoo, their foreign keys would
still be checked for every row written)."""
import importlib.util
import os

from odoo.tests.common import TransactionCase

import odoo.addons.relation_pyramid as addon

SCRIPT = os.path.join(
    os.path.dirname(addon.__file__), "migrations", "11.0.1.1.0", "post-migration.py"
)


def load_migration():
    spec = importlib.util.spec_from_file_location("rp_migration_11_0_1_1_0", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class TestMigration11011(TransactionCase):
    def _names(self, query, table):
        self.env.cr.execute(query, (table,))
        return {row[0] for row in self.env.cr.fetchall()}

    def _columns(self, table):
        return self._names(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = %s",
            table,
        )

    def _foreign_keys(self, table):
        return self._names(
            "SELECT conname FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f'",
            table,
        )

    def test_upgrade_drops_the_stamps_and_the_snapshot_rows_company(self):
        cr = self.env.cr
        # the tables as version 11.0.1.0.0 created them
        for table in ("relation_pyramid_line", "relation_pyramid_snapshot_line"):
            cr.execute(
                "ALTER TABLE %s ADD COLUMN create_uid integer REFERENCES res_users, "
                "ADD COLUMN create_date timestamp, "
                "ADD COLUMN write_uid integer REFERENCES res_users, "
                "ADD COLUMN write_date timestamp" % table
            )
        cr.execute(
            "ALTER TABLE relation_pyramid_snapshot_line "
            "ADD COLUMN company_id integer REFERENCES res_company"
        )
        before = self._columns("relation_pyramid_snapshot_line")
        self.assertIn("company_id", before)
        self.assertEqual(len(self._foreign_keys("relation_pyramid_snapshot_line")), 5)

        load_migration().migrate(cr, "11.0.1.0.0")

        for table in ("relation_pyramid_line", "relation_pyramid_snapshot_line"):
            self.assertFalse(
                {"create_uid", "create_date", "write_uid", "write_date"}
                & self._columns(table),
                table,
            )
        self.assertNotIn("company_id", self._columns("relation_pyramid_snapshot_line"))
        self.assertIn("company_id", self._columns("relation_pyramid_line"))
        self.assertEqual(
            self._foreign_keys("relation_pyramid_snapshot_line"),
            {
                "relation_pyramid_snapshot_line_snapshot_id_fkey",
                "relation_pyramid_snapshot_line_partner_id_fkey",
            },
        )

    def test_fresh_install_is_left_alone(self):
        columns = self._columns("relation_pyramid_line")
        load_migration().migrate(self.env.cr, None)
        self.assertEqual(self._columns("relation_pyramid_line"), columns)
