"""Every button of the addon, clicked in Chromium by a sales manager: no
error dialog, no JavaScript error, and what each one should do (the summary
after Recompute Now and Backfill, a PDF named in the user's language from
the prints, a list from the smart buttons).

The buttons are read from the addon's views over XML-RPC: a button added to
a view without a click here fails ``test_every_button_of_the_addon_is_clicked``.
"""

import re
import xml.etree.ElementTree as ElementTree

import pytest

from .live_common import settle

MANAGER = "rp_live_sales_manager"

# Buttons found in the views, clicked by the tests below: {(model, name)}.
CLICKED = set()


def addon_buttons(admin):
    """{(model, name): attributes} of every type="object"/"action" button in
    the addon's views (inherited views under their model: res.partner)."""
    view_ids = [
        row["res_id"]
        for row in admin(
            "ir.model.data",
            "search_read",
            [("module", "=", "relation_pyramid"), ("model", "=", "ir.ui.view")],
            ["res_id"],
        )
    ]
    buttons = {}
    for view in admin("ir.ui.view", "read", view_ids, ["model", "arch_db", "type"]):
        if view["type"] not in ("form", "tree", "kanban"):
            continue
        arch = ElementTree.fromstring(view["arch_db"])
        for button in arch.iter("button"):
            if button.get("type") in ("object", "action"):
                attrs = dict(button.attrib)
                attrs["fields"] = [field.get("name") for field in button.iter("field")]
                buttons[(view["model"], button.get("name"))] = attrs
    return buttons


@pytest.fixture(scope="module")
def manager(live, admin):
    """A sales manager of the main company, in English, created over XML-RPC
    (the demo's users work in Dutch)."""
    from .live_common import Rpc

    company_id = admin.ref("base.main_company")
    found = admin("res.users", "search", [("login", "=", MANAGER)])
    values = {
        "name": "Live Sales Manager",
        "login": MANAGER,
        "password": MANAGER,
        "lang": "en_US",
        "tz": "Europe/Amsterdam",
        "company_id": company_id,
        "company_ids": [(6, 0, [company_id])],
        "groups_id": [
            (6, 0, [admin.ref("base.group_user"),
                    admin.ref("sales_team.group_sale_manager")])
        ],
    }
    if found:
        admin("res.users", "write", found, values)
    else:
        admin("res.users", "create", values)
    return Rpc(live.url, live.db, MANAGER, MANAGER)


def warm_up_reports(live, admin):
    """Print the pyramid once over HTTP as admin, before the browser does.

    On a fresh database the first print builds the report's asset bundles;
    seen in a fresh live database (never on one that had printed before):
    the browser's session expired right after that first print."""
    import http.cookiejar
    import json
    import urllib.request

    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    login = urllib.request.Request(
        live.url + "/web/session/authenticate",
        json.dumps(
            {"jsonrpc": "2.0",
             "params": {"db": live.db, "login": "admin", "password": "admin"}}
        ).encode(),
        {"Content-Type": "application/json"},
    )
    opener.open(login, timeout=60).read()
    snapshot = admin("relation.pyramid.snapshot", "search", [], limit=1)[0]
    for report in ("report_pyramid", "report_migration"):
        model = "relation.pyramid.migration" if report == "report_migration" else None
        record = (
            admin(model, "search", [], limit=1)[0] if model else snapshot
        )
        url = "%s/report/pdf/relation_pyramid.%s/%d" % (live.url, report, record)
        assert opener.open(url, timeout=300).read(5) == b"%PDF-", url


@pytest.fixture(scope="module")
def manager_web(web, manager, live, admin):
    """The browser page logged in as the sales manager; admin again after."""
    warm_up_reports(live, admin)
    web.login(MANAGER, MANAGER)
    yield web
    web.login("admin", "admin")


def open_form(web, model, record_id, action_id=None):
    fragment = "model=%s&view_type=form&id=%d" % (model, record_id)
    if action_id:
        fragment = "action=%d&%s" % (action_id, fragment)
    web.open(fragment, ".o_form_view", "%s form %d" % (model, record_id))


def button_selector(name, attrs):
    """Odoo 11 renders form buttons without their name: a button is found
    by its label, a stat button without one by the field it shows."""
    if attrs.get("string"):
        return ".o_form_view button:visible:has-text('%s')" % attrs["string"]
    return ".o_form_view button.oe_stat_button:has([name='%s']):visible" % (
        attrs["fields"][0]
    )


def click(web, model, name, attrs, what):
    page = web.page
    # by selector, not by element: the form may render again (after a
    # print, a save) between finding the button and clicking it
    page.click(button_selector(name, attrs), timeout=30000)
    settle(page)
    web.check("%s: %s" % (what, attrs.get("string") or name))
    CLICKED.add((model, name))


def click_print(web, model, name, attrs, what):
    """A print button: the PDF downloads, named after the report in the
    user's language; returns the file name."""
    page = web.page
    with page.expect_download(timeout=180000) as download_info:
        page.click(button_selector(name, attrs))
    download = download_info.value
    settle(page)
    web.check("%s: %s" % (what, attrs.get("string") or name))
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-", what
    CLICKED.add((model, name))
    return download.suggested_filename


def click_opens_list(web, model, name, attrs, what):
    """A button that opens a window: its view shows, the breadcrumb grows."""
    page = web.page
    depth = len(page.query_selector_all(".breadcrumb li"))
    selector = button_selector(name, attrs)
    more = page.query_selector(".o_form_view .o_button_more")
    if more and not page.query_selector(selector):
        more.click()  # Odoo folds the last buttons of the box under More
    page.click(selector)
    web.wait_for(
        ".o_list_view, .o_pivot, .o_kanban_view, .o_view_nocontent",
        "%s: %s" % (what, attrs.get("string") or name),
    )
    page.wait_for_function(
        "n => document.querySelectorAll('.breadcrumb li').length > n", arg=depth
    )
    CLICKED.add((model, name))
    return page.inner_text(".breadcrumb")


def buttons_of(buttons, model):
    return [(name, attrs) for (m, name), attrs in buttons.items() if m == model]


def report_ids(admin, buttons):
    """The button names (ids) of type="action" buttons that are reports."""
    ids = [int(name) for (_m, name), a in buttons.items() if a["type"] == "action"]
    reports = admin("ir.actions.report", "search_read", [("id", "in", ids)], ["name"])
    return {str(report["id"]): report["name"] for report in reports}


def test_settings_form_buttons(manager_web, admin, pyramid):
    web, page = manager_web, manager_web.page
    buttons = addon_buttons(admin)
    model = "relation.pyramid.profile"
    attrs = dict(buttons_of(buttons, model))
    assert set(attrs) == {
        "action_recompute_now", "action_print_pyramid", "action_backfill_quarter_ends",
        "action_schedule_followups",
    }, "a new settings button needs its check here"
    action_id = admin.ref("relation_pyramid.relation_pyramid_profile_action")
    open_form(web, model, pyramid.profile_id, action_id)

    click(web, model, "action_recompute_now", attrs["action_recompute_now"], "settings")
    summary = page.inner_text(".o_form_view .o_field_widget[name=recompute_summary]")
    # today in the user's format (en_US: MM/DD/YYYY)
    year, month, day = pyramid.profile["last_reference_date"].split("-")
    assert re.match(
        r"Pyramid recomputed at %s/%s/%s: [\d,]+ customers, [\d,]+ active: top \d+"
        % (month, day, year),
        summary,
    ), summary

    click(web, model, "action_backfill_quarter_ends",
          attrs["action_backfill_quarter_ends"], "settings")
    backfill = page.inner_text(".o_form_view .o_field_widget[name=backfill_summary]")
    dates = r"(\d\d/\d\d/\d{4}(, )?){4}"
    assert re.match(r"4 snapshots backfilled: %s\.$" % dates, backfill), backfill

    name = click_print(web, model, "action_print_pyramid",
                       attrs["action_print_pyramid"], "settings")
    assert name == "Customer Pyramid %s.pdf" % pyramid.profile["last_reference_date"]

    click(web, model, "action_schedule_followups",
          attrs["action_schedule_followups"], "settings")
    followups = page.inner_text(
        ".o_form_view .o_field_widget[name=last_followup_summary]"
    )
    assert re.match(
        r"%s/%s/%s: [\d,]+ follow-ups scheduled, [\d,]+ left for the next days "
        r"\(daily limit\), [\d,]+ customers without a salesperson skipped\.$"
        % (month, day, year),
        followups,
    ), followups


def test_snapshot_form_buttons(manager_web, admin, pyramid):
    web = manager_web
    buttons = addon_buttons(admin)
    model = "relation.pyramid.snapshot"
    reports = report_ids(admin, buttons)
    snapshot = pyramid.today_snapshot
    action_id = pyramid.action_ids["relation_pyramid_snapshot_action"]
    for name, attrs in buttons_of(buttons, model):
        open_form(web, model, snapshot["id"], action_id)
        if name in reports or "print" in name:
            filename = click_print(web, model, name, attrs, "snapshot")
            label = reports.get(name, "Customer Pyramid")
            assert filename == "%s %s.pdf" % (label, snapshot["date"])
        else:
            crumbs = click_opens_list(web, model, name, attrs, "snapshot")
            year, month, day = snapshot["date"].split("-")
            assert "at %s/%s/%s" % (month, day, year) in crumbs, crumbs
    assert {n for (m, n) in CLICKED if m == model} == {
        n for n, _a in buttons_of(buttons, model)
    }


def test_migration_matrix_form_buttons(manager_web, admin, pyramid):
    web = manager_web
    buttons = addon_buttons(admin)
    model = "relation.pyramid.migration"
    reports = report_ids(admin, buttons)
    assert pyramid.migrations, "the install saves a matrix"
    matrix_id = pyramid.migrations[0]["id"]
    action_id = pyramid.action_ids["relation_pyramid_migration_action"]
    for name, attrs in buttons_of(buttons, model):
        open_form(web, model, matrix_id, action_id)
        if name in reports or "print" in name:
            click_print(web, model, name, attrs, "migration matrix")
        else:
            click_opens_list(web, model, name, attrs, "migration matrix")


def test_partner_form_buttons(manager_web, admin, pyramid):
    """The level badge and the level history of the best customer."""
    web, page = manager_web, manager_web.page
    buttons = addon_buttons(admin)
    model = "res.partner"
    best = admin(
        "relation.pyramid.line",
        "search_read",
        [("company_id", "=", pyramid.company_id), ("rank", "=", 1)],
        ["partner_id", "level"],
        limit=1,
    )[0]
    partner_id, partner_name = best["partner_id"]
    for name, attrs in buttons_of(buttons, model):
        open_form(web, model, partner_id)
        if attrs["fields"] and "pyramid_level" in attrs["fields"]:
            badge = page.inner_text(
                ".oe_stat_button .o_field_widget[name=pyramid_level]"
            ).strip()
            assert badge == {"top": "Top", "big": "Big"}.get(best["level"], badge)
            assert page.query_selector(
                ".oe_stat_button .label.label-rp-%s" % best["level"]
            ), "the badge has the level's colour"
            web.screenshot("partner_level_badge")
        click_opens_list(web, model, name, attrs, "partner")
        # the list holds the customer's own rows only
        rows = web.texts(".o_list_view tbody tr.o_data_row")
        assert rows and all(partner_name in row for row in rows), rows


def test_every_button_of_the_addon_is_clicked(admin):
    """Runs after the tests above (file order): a button found in the
    addon's views that none of them clicked fails here."""
    buttons = addon_buttons(admin)
    missing = sorted(set(buttons) - CLICKED)
    assert not missing, "buttons never clicked in the browser: %s" % missing
