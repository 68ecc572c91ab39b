"""Upgrades: 11.0.1.1.0 removes the columns of the engine's tables that the
models no longer have (left in place by Odoo, their foreign keys would still
be checked for every row written); 11.0.1.2.0 turns full snapshots into rows
that hold until the customer changes; 11.0.1.3.0 drops the list-order index
that held the rank and the migration rows' company; 11.0.1.6.0 renews the
rows' company rule and replaces the index of a level's rows."""
import importlib.util
import os

from odoo.tests.common import TransactionCase

import odoo.addons.relation_pyramid as addon


def old_migration_line_table(cr):
    """The customers of a migration matrix as a table, as versions before
    11.0.1.4.0 kept them (since then a view)."""
    cr.execute("DROP VIEW IF EXISTS relation_pyramid_migration_line")
    cr.execute(
        "CREATE TABLE relation_pyramid_migration_line (id serial PRIMARY KEY, "
        "migration_id integer NOT NULL REFERENCES relation_pyramid_migration, "
        "partner_id integer NOT NULL REFERENCES res_partner)"
    )


def load_migration(version="11.0.1.1.0", name="post-migration"):
    script = os.path.join(
        os.path.dirname(addon.__file__), "migrations", version, name + ".py"
    )
    spec = importlib.util.spec_from_file_location(
        "rp_%s_%s" % (name.replace("-", "_"), version.replace(".", "_")), script
    )
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


class TestMigration11012(TransactionCase):
    """Full snapshots as 11.0.1.1.0 kept them: a row per customer and date."""

    def setUp(self):
        super().setUp()
        self.env["relation.pyramid.snapshot"].search([]).unlink()
        self.company = self.env.ref("base.main_company")
        self.other_company = self.env["res.company"].create({"name": "Other"})
        self.partners = {
            name: self.env["res.partner"].create({"name": name})
            for name in ("Same", "Grows", "Gap", "Once")
        }
        self.env.cr.execute(
            "ALTER TABLE relation_pyramid_snapshot_line ADD COLUMN rank integer"
        )
        old_migration_line_table(self.env.cr)
        self.env.cr.execute(
            "ALTER TABLE relation_pyramid_migration_line "
            "ADD COLUMN IF NOT EXISTS create_uid integer REFERENCES res_users, "
            "ADD COLUMN IF NOT EXISTS create_date timestamp, "
            "ADD COLUMN IF NOT EXISTS write_uid integer REFERENCES res_users, "
            "ADD COLUMN IF NOT EXISTS write_date timestamp"
        )

    def _full_snapshot(self, company, date, rows):
        snapshot = self.env["relation.pyramid.snapshot"].create(
            {"company_id": company.id, "date": date}
        )
        for rank, (name, level, revenue) in enumerate(rows, 1):
            self.env.cr.execute(
                "INSERT INTO relation_pyramid_snapshot_line "
                "(snapshot_id, date, partner_id, lifecycle, level, revenue, rank) "
                "VALUES (%s, %s, %s, 'active', %s, %s, %s)",
                (snapshot.id, date, self.partners[name].id, level, revenue, rank),
            )
        return snapshot

    def _customers(self, snapshot):
        rows = self.env["relation.pyramid.snapshot.line"].search(
            [("snapshot_ids", "=", snapshot.id)]
        )
        return sorted((r.partner_id.name, r.level, r.revenue) for r in rows)

    def test_full_snapshots_become_rows_that_hold_until_a_change(self):
        full = {
            "2025-03-31": [("Same", "top", 900), ("Grows", "small", 10),
                           ("Gap", "small", 20)],
            "2025-06-30": [("Same", "top", 900), ("Grows", "medium", 50),
                           ("Once", "small", 5)],
            "2025-09-30": [("Same", "top", 900), ("Grows", "medium", 50),
                           ("Gap", "small", 20)],
        }
        snapshots = {
            date: self._full_snapshot(self.company, date, rows)
            for date, rows in full.items()
        }
        other = self._full_snapshot(
            self.other_company, "2025-06-30", [("Same", "small", 1)]
        )
        self.env["relation.pyramid.snapshot.line"].invalidate_cache()

        load_migration("11.0.1.2.0").migrate(self.env.cr, "11.0.1.1.0")
        self.env["relation.pyramid.snapshot.line"].invalidate_cache()

        # Each snapshot still has its customers, with the same levels.
        for date, rows in full.items():
            self.assertEqual(self._customers(snapshots[date]), sorted(rows), date)
            self.assertEqual(snapshots[date].customer_count, len(rows), date)
        self.assertEqual(self._customers(other), [("Same", "small", 1)])
        # Kept: the first row of each run of equal rows, until the run ends.
        self.env.cr.execute(
            """
            SELECT partner.name, line.date::text, line.date_to::text
              FROM relation_pyramid_snapshot_line line
              JOIN res_partner partner ON partner.id = line.partner_id
              JOIN relation_pyramid_snapshot snapshot
                ON snapshot.id = line.snapshot_id
             WHERE snapshot.company_id = %s
             ORDER BY partner.name, line.date
            """,
            (self.company.id,),
        )
        self.assertEqual(
            self.env.cr.fetchall(),
            [
                ("Gap", "2025-03-31", "2025-06-30"),
                ("Gap", "2025-09-30", None),
                ("Grows", "2025-03-31", "2025-06-30"),
                ("Grows", "2025-06-30", None),
                ("Once", "2025-06-30", "2025-09-30"),
                ("Same", "2025-03-31", None),
            ],
        )
        self.assertNotIn(
            "rank", _columns(self.env.cr, "relation_pyramid_snapshot_line")
        )
        self.assertFalse(
            {"create_uid", "create_date", "write_uid", "write_date"}
            & _columns(self.env.cr, "relation_pyramid_migration_line")
        )

    def test_fresh_install_is_left_alone(self):
        self._full_snapshot(self.company, "2025-03-31", [("Same", "top", 900)])
        load_migration("11.0.1.2.0").migrate(self.env.cr, None)
        self.assertIn("rank", _columns(self.env.cr, "relation_pyramid_snapshot_line"))


class TestMigration11013(TransactionCase):
    OLD_INDEX = "relation_pyramid_line_company_order_index"

    def _indexes(self):
        return line_indexes(self.env.cr)

    def setUp(self):
        super().setUp()
        # the list-order index and the migration rows' company as version
        # 11.0.1.2.0 created them
        self.env.cr.execute(
            "CREATE INDEX %s ON relation_pyramid_line "
            "(company_id, rank, revenue DESC, id)" % self.OLD_INDEX
        )
        old_migration_line_table(self.env.cr)
        self.env.cr.execute(
            "ALTER TABLE relation_pyramid_migration_line "
            "ADD COLUMN company_id integer NOT NULL REFERENCES res_company"
        )

    def test_upgrade_drops_the_index_that_holds_the_rank(self):
        load_migration("11.0.1.3.0").migrate(self.env.cr, "11.0.1.2.0")
        indexes = self._indexes()
        self.assertNotIn(self.OLD_INDEX, indexes)
        self.assertIn("relation_pyramid_line_company_revenue_index", indexes)

    def test_upgrade_drops_the_company_of_the_migration_rows(self):
        load_migration("11.0.1.3.0").migrate(self.env.cr, "11.0.1.2.0")
        self.assertNotIn(
            "company_id", _columns(self.env.cr, "relation_pyramid_migration_line")
        )

    def test_fresh_install_is_left_alone(self):
        load_migration("11.0.1.3.0").migrate(self.env.cr, None)
        self.assertIn(self.OLD_INDEX, self._indexes())
        self.assertIn(
            "company_id", _columns(self.env.cr, "relation_pyramid_migration_line")
        )

    def test_rows_leave_room_for_in_place_updates(self):
        self.env.cr.execute(
            "SELECT reloptions FROM pg_class WHERE relname = %s",
            ("relation_pyramid_line",),
        )
        self.assertIn("fillfactor=70", self.env.cr.fetchone()[0] or [])


class TestMigration11016(TransactionCase):
    OLD_INDEX = "relation_pyramid_line_company_level_revenue_index"
    RULE = "relation_pyramid.relation_pyramid_line_rule_company"

    def _indexes(self):
        return line_indexes(self.env.cr)

    def setUp(self):
        super().setUp()
        # the index of a level's rows as version 11.0.1.5.0 created it
        self.env.cr.execute(
            "CREATE INDEX %s ON relation_pyramid_line (company_id, level, revenue)"
            % self.OLD_INDEX
        )

    def test_the_rows_company_rule_asks_for_the_company_only(self):
        # installed as it is now: no "or no company" branch, which kept
        # PostgreSQL from reading a company's rows from their indexes
        rule = self.env.ref(self.RULE)
        self.assertEqual(
            rule.domain_force, "[('company_id', 'child_of', [user.company_id.id])]"
        )
        self.assertIn(
            "relation_pyramid_line_company_level_order_index", self._indexes()
        )

    def test_upgrade_renews_the_rule_and_drops_the_old_index(self):
        rule = self.env.ref(self.RULE)
        load_migration("11.0.1.6.0", "pre-migration").migrate(
            self.env.cr, "11.0.1.5.0"
        )
        self.assertNotIn(self.OLD_INDEX, self._indexes())
        self.assertFalse(rule.exists())
        self.assertFalse(self.env.ref(self.RULE, raise_if_not_found=False))

    def test_fresh_install_is_left_alone(self):
        load_migration("11.0.1.6.0", "pre-migration").migrate(self.env.cr, None)
        self.assertIn(self.OLD_INDEX, self._indexes())
        self.assertTrue(self.env.ref(self.RULE).exists())


def line_indexes(cr):
    """The names of the pyramid rows' indexes."""
    cr.execute(
        "SELECT indexname FROM pg_indexes WHERE tablename = %s",
        ("relation_pyramid_line",),
    )
    return {row[0] for row in cr.fetchall()}


def _columns(cr, table):
    cr.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s",
        (table,),
    )
    return {row[0] for row in cr.fetchall()}
