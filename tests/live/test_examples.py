"""The integrator's example (examples/pyramid_xmlrpc.py) run as an
integrator runs it: a separate Python process with nothing but the
standard library, against the live server, as a sales manager. Its exit
code and what it prints are checked against the figures read over XML-RPC
as admin."""

import os
import re
import subprocess
import sys
import uuid

from .conftest import pyramid_lines
from .live_common import ACTIVE_LEVELS, LEVELS, money

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "examples", "pyramid_xmlrpc.py")


def run_example(live, login, password):
    return subprocess.run(
        [sys.executable, SCRIPT, "--url", live.url, "--db", live.db,
         "--login", login, "--password", password],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        universal_newlines=True,
        timeout=600,
        # nothing of this test's environment but PATH
        env={"PATH": os.environ.get("PATH", "")},
        cwd=ROOT,
    )


def new_user(admin, group_xmlid):
    login = "rp_live_example_%s" % uuid.uuid4().hex[:8]
    password = uuid.uuid4().hex
    admin(
        "res.users",
        "create",
        {
            "name": "Integrator %s" % login,
            "login": login,
            "password": password,
            "groups_id": [
                (6, 0, [admin.ref("base.group_user"), admin.ref(group_xmlid)])
            ],
        },
    )
    return login, password


def test_example_runs_as_a_sales_manager(live, admin, pyramid):
    login, password = new_user(admin, "sales_team.group_sale_manager")
    migrations_before = admin("relation.pyramid.migration", "search_count", [])
    done = run_example(live, login, password)
    assert done.returncode == 0, "exit %d\n%s\n%s" % (
        done.returncode, done.stdout, done.stderr)
    out = done.stdout
    profile = admin(
        "relation.pyramid.profile", "read", [pyramid.profile_id],
        ["last_reference_date"],
    )[0]
    assert "Recomputed (mode count) at %s" % profile["last_reference_date"] in out
    # the pyramid it prints is the one stored, level by level
    lines = pyramid_lines(admin, pyramid.company_id)
    active = [line for line in lines if line["level"] in ACTIVE_LEVELS]
    assert "%d customers, %d active" % (len(lines), len(active)) in out, out
    for level in LEVELS:
        rows = [line for line in lines if line["level"] == level]
        revenue = sum(line["revenue"] for line in rows)
        expected = r" %s +%d customers  revenue %s\n" % (
            level, len(rows), re.escape(money(revenue)))
        assert re.search(expected, out), (level, out)
    # the best customer first, with its level and history
    best = min(active, key=lambda line: (line["rank"], line["partner_id"][0]))
    assert re.search(r"#1 +%s" % re.escape(best["partner_id"][1]), out), out
    assert "level %s, lifecycle active, rank 1" % best["level"] in out, out
    assert "level history (" in out
    # four quarter ends backfilled, then the matrix from the oldest to today
    ends = re.search(r"Backfilled the quarter ends (.*)\n", out).group(1).split(", ")
    assert len(ends) == 4 and ends == sorted(ends), ends
    snapshots = admin(
        "relation.pyramid.snapshot", "search_read",
        [("company_id", "=", pyramid.company_id), ("date", "in", ends)], ["date"],
    )
    assert sorted(s["date"] for s in snapshots) == ends
    reference = profile["last_reference_date"]
    assert "Migration matrix %s -> %s" % (ends[0], reference) in out
    assert "movements: " in out
    # the matrix was only read: none left behind
    assert admin("relation.pyramid.migration", "search_count", []) == migrations_before


def test_example_refused_to_a_salesperson(live, admin, pyramid):
    """A salesperson may not recompute: the script stops with exit code 1
    and the server's message, having changed nothing."""
    login, password = new_user(admin, "sales_team.group_sale_salesman")
    before = admin(
        "relation.pyramid.profile", "read", [pyramid.profile_id],
        ["last_recompute_date"],
    )[0]
    done = run_example(live, login, password)
    assert done.returncode == 1, "exit %d\n%s\n%s" % (
        done.returncode, done.stdout, done.stderr)
    assert "refused by the server" in done.stderr and "access" in done.stderr.lower()
    after = admin(
        "relation.pyramid.profile", "read", [pyramid.profile_id],
        ["last_recompute_date"],
    )[0]
    assert after == before


def test_example_wrong_password(live, admin):
    done = run_example(live, "admin", "not the password")
    assert done.returncode == 1
    assert "cannot log in" in done.stderr
