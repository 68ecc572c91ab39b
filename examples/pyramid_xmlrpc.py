#!/usr/bin/env python3
# Copyright 2026 relation_pyramid authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""An integrator's tour of relation_pyramid over plain XML-RPC.

Logs in as a sales manager, recomputes the pyramid of the user's company,
prints it level by level with the top customers, reads one customer's level
and level history, backfills the last four quarter ends and reads the
migration matrix from the oldest of them to today. Only the Python 3
standard library (``xmlrpc.client``); every call is one of the public,
stable calls listed in the README's integrator section.

    python3 examples/pyramid_xmlrpc.py --url http://127.0.0.1:8069 \\
        --db relation_pyramid_demo --login admin --password admin

The options default to the environment (RP_URL, RP_DB, RP_LOGIN,
RP_PASSWORD). Exit code 0 when every step worked; 1 with the server's
message when a call was refused (wrong password, not a sales manager, ...).
"""

import argparse
import datetime
import os
import sys
import xmlrpc.client

# Levels from the top of the pyramid down, as the addon orders them.
LEVELS = ["top", "big", "medium", "small", "inactive", "prospect", "suspect", "other"]
ACTIVE_LEVELS = LEVELS[:4]


class Odoo:
    """``odoo(model, method, *args, **kwargs)``: execute_kw as one user."""

    def __init__(self, url, db, login, password):
        self.db, self.password = db, password
        common = xmlrpc.client.ServerProxy(url + "/xmlrpc/2/common", allow_none=True)
        self.uid = common.authenticate(db, login, password, {})
        if not self.uid:
            raise SystemExit("cannot log in to %s as %s: wrong login or password"
                             % (db, login))
        self.models = xmlrpc.client.ServerProxy(url + "/xmlrpc/2/object",
                                                allow_none=True)

    def __call__(self, model, method, *args, **kwargs):
        return self.models.execute_kw(self.db, self.uid, self.password,
                                      model, method, list(args), kwargs)


def quarter_ends_before(day, count=4):
    """The ``count`` last quarter ends strictly before ``day``, oldest first."""
    ends = []
    end = day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    for _i in range(count):
        end -= datetime.timedelta(days=1)  # last day of the quarter before
        ends.append(end)
        end = end.replace(month=(end.month - 1) // 3 * 3 + 1, day=1)
    return sorted(ends)


def money(amount):
    return "{:,.2f}".format(amount or 0.0)


def print_pyramid(odoo, company_id, reference_date):
    """The pyramid as one read_group over the current rows: customers and
    revenue per level, drawn from the top down."""
    groups = odoo("relation.pyramid.line", "read_group",
                  [("company_id", "=", company_id)], ["level", "revenue"],
                  ["level"], lazy=False)
    by_level = {group["level"]: group for group in groups}
    total = sum(group["__count"] for group in groups)
    active = sum(by_level[level]["__count"] for level in ACTIVE_LEVELS
                 if level in by_level)
    print("Pyramid at %s: %d customers, %d active" % (reference_date, total, active))
    base = 2 * len(ACTIVE_LEVELS) - 1
    for width, level in enumerate(LEVELS, start=1):
        group = by_level.get(level, {"__count": 0, "revenue": 0.0})
        if level in ACTIVE_LEVELS:
            bar = ("#" * (2 * width - 1)).center(base)
        else:
            bar = " " * base
        print("  %s  %-9s %6d customers  revenue %s"
              % (bar, level, group["__count"], money(group["revenue"])))
    return by_level


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    env = os.environ.get
    parser.add_argument("--url", default=env("RP_URL", "http://127.0.0.1:8069"))
    parser.add_argument("--db", default=env("RP_DB", "relation_pyramid_demo"))
    parser.add_argument("--login", default=env("RP_LOGIN", "admin"))
    parser.add_argument("--password", default=env("RP_PASSWORD", "admin"))
    parser.add_argument("--top", type=int, default=5, help="top customers to list")
    args = parser.parse_args(argv)

    odoo = Odoo(args.url.rstrip("/"), args.db, args.login, args.password)
    user = odoo("res.users", "read", [odoo.uid], ["name", "company_id"])[0]
    company_id, company_name = user["company_id"]
    print("Logged in to %s as %s (uid %d), company %s"
          % (args.db, user["name"], odoo.uid, company_name))

    # 1. Recompute: the company's profile (one per company), at today.
    profile_id = odoo("relation.pyramid.profile", "search",
                      [("company_id", "=", company_id)])[0]
    odoo("relation.pyramid.profile", "action_recompute", [profile_id])
    profile = odoo("relation.pyramid.profile", "read", [profile_id],
                   ["last_reference_date", "level_mode"])[0]
    reference = profile["last_reference_date"]
    print("Recomputed (mode %s) at %s" % (profile["level_mode"], reference))

    # 2. The pyramid and its top customers (rank 1 = highest revenue).
    print_pyramid(odoo, company_id, reference)
    top = odoo("relation.pyramid.line", "search_read",
               [("company_id", "=", company_id), ("lifecycle", "=", "active")],
               ["partner_id", "level", "rank", "revenue"],
               order="rank, id", limit=args.top)
    print("Top %d customers:" % len(top))
    for line in top:
        print("  #%-4d %-40s %-7s %s" % (
            line["rank"], line["partner_id"][1], line["level"], money(line["revenue"])))

    # 3. One customer's level (as on the partner) and level history.
    if top:
        partner_id = top[0]["partner_id"][0]
        partner = odoo("res.partner", "read", [partner_id],
                       ["name", "pyramid_level", "relation_lifecycle",
                        "pyramid_revenue", "pyramid_rank"])[0]
        print("Customer %s: level %s, lifecycle %s, rank %s, revenue %s"
              % (partner["name"], partner["pyramid_level"],
                 partner["relation_lifecycle"], partner["pyramid_rank"],
                 money(partner["pyramid_revenue"])))
        history = odoo("relation.pyramid.snapshot.line", "search_read",
                       [("partner_id", "=", partner_id),
                        ("company_id", "=", company_id)],
                       ["date", "date_to", "level", "lifecycle", "revenue"],
                       order="date")
        print("  level history (%d changes):" % len(history))
        for row in history:
            print("    %s .. %-10s %-9s %-9s %s"
                  % (row["date"], row["date_to"] or "now", row["level"],
                     row["lifecycle"], money(row["revenue"])))

    # 4. Snapshots at the last four quarter ends, from the existing orders
    #    (the current levels stay as they are).
    day = datetime.datetime.strptime(reference, "%Y-%m-%d").date()
    quarter_ends = [end.isoformat() for end in quarter_ends_before(day)]
    odoo("relation.pyramid.profile", "action_backfill_snapshots", [profile_id],
         quarter_ends)
    print("Backfilled the quarter ends %s" % ", ".join(quarter_ends))

    # 5. The migration matrix from the oldest quarter end to today: a saved
    #    pair of snapshots whose figures are read with read_group (its rows'
    #    ids do not fit XML-RPC's integers).
    snapshots = odoo("relation.pyramid.snapshot", "search_read",
                     [("company_id", "=", company_id),
                      ("date", "in", [quarter_ends[0], reference])],
                     ["date"], order="date")
    snapshot_from, snapshot_to = snapshots[0]["id"], snapshots[-1]["id"]
    pair = [("snapshot_from_id", "=", snapshot_from),
            ("snapshot_to_id", "=", snapshot_to)]
    migration_ids = odoo("relation.pyramid.migration", "search", pair)
    created = not migration_ids
    if created:
        migration_ids = [odoo("relation.pyramid.migration", "create",
                              {"snapshot_from_id": snapshot_from,
                               "snapshot_to_id": snapshot_to})]
    cells = odoo("relation.pyramid.migration.line", "read_group",
                 [("migration_id", "=", migration_ids[0])],
                 ["from_level", "to_level", "revenue"], ["from_level", "to_level"],
                 lazy=False)
    print("Migration matrix %s -> %s (customers per cell):"
          % (quarter_ends[0], reference))
    counts = {(c["from_level"], c["to_level"]): c["__count"] for c in cells}
    rows = ["new"] + LEVELS
    columns = LEVELS + ["lost"]
    print("  %-9s" % "from\\to" + "".join("%9s" % c for c in columns))
    for row in rows:
        if any(counts.get((row, column)) for column in columns):
            print("  %-9s" % row + "".join(
                "%9s" % (counts.get((row, column)) or ".") for column in columns))
    moved = {}
    for cell in odoo("relation.pyramid.migration.line", "read_group",
                     [("migration_id", "=", migration_ids[0])],
                     ["movement", "revenue"], ["movement"], lazy=False):
        moved[cell["movement"]] = cell["__count"]
    print("  movements: %s" % ", ".join(
        "%s %d" % (movement, moved[movement]) for movement in sorted(moved)))
    if created:
        # leave the database as it was: the matrix was only read here
        odoo("relation.pyramid.migration", "unlink", migration_ids)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except xmlrpc.client.Fault as fault:
        # the server's refusal: a user or access error is its message, other
        # errors come as the server's traceback, whose last line says it
        text = fault.faultString.strip()
        if "Traceback (most recent call last)" in text:
            text = text.splitlines()[-1]
        sys.exit("refused by the server: %s" % text)
    except OSError as error:
        sys.exit("cannot reach the server: %s" % error)
