"""Fixtures of the live check: the running server (scripts/live_test.sh sets
RP_LIVE_URL and RP_LIVE_DB), XML-RPC clients, the demo pyramid with
backfilled snapshots, and a logged-in headless Chromium (Playwright)."""

import os
import shutil
from types import SimpleNamespace

import pytest

from .live_common import CHROMIUM_ARGS, VIEWPORT, Rpc, WebClient

if not os.environ.get("RP_LIVE_URL"):
    # Without a server to check (e.g. the Odoo venv's pytest in
    # scripts/test.sh): these tests run from scripts/live_test.sh only.
    collect_ignore_glob = ["test_*.py"]


@pytest.fixture(scope="session")
def live():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    local = os.environ.get("RP_LIVE_LOCAL") or os.path.join(root, ".local")
    return SimpleNamespace(
        url=os.environ["RP_LIVE_URL"].rstrip("/"),
        db=os.environ.get("RP_LIVE_DB", "relation_pyramid_ui"),
        chromium=os.environ.get("RP_CHROMIUM", "/usr/bin/chromium"),
        local=local,
        screenshots=os.environ.get("RP_LIVE_SCREENSHOTS")
        or os.path.join(local, "live", "screenshots"),
    )


@pytest.fixture(scope="session")
def admin(live):
    return Rpc(live.url, live.db, "admin", "admin")


@pytest.fixture(scope="session")
def pyramid(admin):
    """The main company's profile and snapshots as the install left them:
    its post_init_hook computed today's pyramid and backfilled the last four
    quarter ends, so the migration matrix has snapshots to compare."""
    company_id = admin.ref("base.main_company")
    profile_id = admin(
        "relation.pyramid.profile", "search", [("company_id", "=", company_id)]
    )[0]
    profile = admin(
        "relation.pyramid.profile",
        "read",
        [profile_id],
        ["last_reference_date", "top_count_pct", "level_mode"],
    )[0]
    snapshots = admin(
        "relation.pyramid.snapshot",
        "search_read",
        [("company_id", "=", company_id)],
        ["date", "customer_count", "company_id"],
        order="date",
    )
    assert len(snapshots) >= 5, "expected 4 backfilled snapshots and today's"
    migrations = admin(
        "relation.pyramid.migration",
        "search_read",
        [("company_id", "=", company_id)],
        ["snapshot_from_id", "snapshot_to_id"],
    )
    assert snapshots[-1]["date"] == profile["last_reference_date"]
    return SimpleNamespace(
        company_id=company_id,
        profile_id=profile_id,
        profile=profile,
        snapshots=snapshots,
        today_snapshot=snapshots[-1],
        migrations=migrations,
        action_ids={
            name: admin.ref("relation_pyramid.%s" % name)
            for name in (
                "relation_pyramid_line_action",
                "relation_pyramid_migration_action",
                "relation_pyramid_snapshot_action",
            )
        },
    )


def pyramid_lines(rpc, company_id):
    """The current pyramid rows, read over XML-RPC."""
    return rpc(
        "relation.pyramid.line",
        "search_read",
        [("company_id", "=", company_id)],
        ["partner_id", "level", "lifecycle", "rank", "revenue"],
    )


@pytest.fixture(scope="session")
def browser_context(live):
    from playwright.sync_api import sync_playwright

    profile_dir = os.path.join(live.local, "live", "chromium-profile")
    shutil.rmtree(profile_dir, ignore_errors=True)
    os.makedirs(profile_dir)
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile_dir,
            executable_path=live.chromium,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport=VIEWPORT,
            locale="en-US",
            timezone_id="UTC",
        )
        context.set_default_timeout(60000)
        try:
            yield context
        finally:
            context.close()
            shutil.rmtree(profile_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def admin_lang(admin):
    """The demo has admin work in Dutch; the web client checks read English
    labels and formats, so admin works in English during the run (the Dutch
    check switches to Dutch and back) and in the demo's language after."""
    lang = admin("res.users", "read", [admin.uid], ["lang"])[0]["lang"]
    admin("res.users", "write", [admin.uid], {"lang": "en_US"})
    yield lang
    admin("res.users", "write", [admin.uid], {"lang": lang})


@pytest.fixture(scope="session")
def web(live, browser_context, pyramid, admin_lang):
    """A page logged in as admin (in English), on the data of ``pyramid``."""
    page = browser_context.pages[0] if browser_context.pages else None
    page = page or browser_context.new_page()
    failures = os.path.join(live.local, "live", "failures")
    shutil.rmtree(failures, ignore_errors=True)
    client = WebClient(page, live.url, live.screenshots, failures)
    client.login("admin", "admin")
    return client
