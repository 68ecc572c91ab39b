"""The pyramid's views in headless Chromium: figures on screen against the
figures read over XML-RPC, no JavaScript error, no error dialog."""

import re

from .conftest import pyramid_lines
from .live_common import (
    LEVELS,
    by_level,
    money,
    settle,
    snapshot_customers,
    top_by_definition,
)


def line_action(pyramid, view_type):
    return "action=%d&model=relation.pyramid.line&view_type=%s" % (
        pyramid.action_ids["relation_pyramid_line_action"],
        view_type,
    )


def test_kanban_columns_are_the_levels_with_their_customers(web, admin, pyramid):
    lines = pyramid_lines(admin, pyramid.company_id)
    expected = by_level(lines)
    web.open(line_action(pyramid, "kanban"), ".o_kanban_view .o_kanban_group", "kanban")
    page = web.page
    shown = {}
    cards = {}
    folded = {}
    for group in page.query_selector_all(".o_kanban_view .o_kanban_group"):
        title = group.query_selector(".o_column_title").inner_text().strip()
        # A folded column (an empty level) is titled "Big (0)".
        is_folded = "o_column_folded" in (group.get_attribute("class") or "")
        if is_folded:
            title = re.sub(r" \(\d+\)$", "", title)
        folded[title] = is_folded
        names = web.texts(
            ".o_kanban_record:not(.o_kanban_ghost) .o_kanban_record_title", group
        )
        more = group.query_selector(".o_kanban_load_more")
        remaining = 0
        if more:
            remaining = int(
                re.search(r"\((\d+) remaining\)", more.inner_text()).group(1)
            )
        shown[title] = len(names) + remaining
        cards[title] = names
    # Every level is a column, from the top of the pyramid down.
    assert list(shown) == list(LEVELS.values())
    assert shown == {LEVELS[key]: count for key, (count, _rev) in expected.items()}
    # The empty levels are folded, the others open.
    assert folded == {LEVELS[key]: not count for key, (count, _rev) in expected.items()}
    # The top by definition: ceil(N * 1 %) customers or more (ties).
    cut, top_names = top_by_definition(lines, pyramid.profile["top_count_pct"])
    assert cut >= 1 and len(cards["Top"]) >= cut
    assert sorted(cards["Top"]) == top_names
    # The best customer's card shows its revenue and rank.
    best = min((line for line in lines if line["rank"]), key=lambda line: line["rank"])
    card = page.query_selector(
        ".o_kanban_group:first-child .o_kanban_record:not(.o_kanban_ghost)"
    ).inner_text()
    assert best["partner_id"][1] in card
    assert money(best["revenue"]) in card and "#1" in card
    web.screenshot("pyramid_kanban")


def test_list_ranks_customers(web, admin, pyramid):
    lines = pyramid_lines(admin, pyramid.company_id)
    web.open(line_action(pyramid, "list"), ".o_list_view tbody tr.o_data_row", "list")
    page = web.page
    rows = page.query_selector_all(".o_list_view tbody tr.o_data_row")
    assert len(rows) == min(80, len(lines))
    assert page.inner_text(".o_pager_limit").strip() == str(len(lines))
    ranked = sorted(
        (line for line in lines if line["rank"]),
        key=lambda line: (line["rank"], -line["revenue"]),
    )
    first = rows[0].inner_text()
    assert ranked[0]["partner_id"][1] in first
    assert money(ranked[0]["revenue"]) in first
    assert LEVELS[ranked[0]["level"]] in first
    web.screenshot("pyramid_list")


def test_pivot_revenue_per_level(web, admin, pyramid):
    expected = by_level(pyramid_lines(admin, pyramid.company_id))
    web.open(line_action(pyramid, "pivot"), ".o_pivot table", "pivot")
    page = web.page
    shown = {}
    for row in page.query_selector_all(".o_pivot table tbody tr"):
        header = row.query_selector(".o_pivot_header_cell_closed")
        if header:
            value = row.query_selector(".o_pivot_cell_value").inner_text().strip()
            shown[header.inner_text().strip()] = value
    # The levels with customers, in pyramid order, with their revenue.
    want = [
        (LEVELS[key], money(revenue))
        for key, (count, revenue) in expected.items()
        if count
    ]
    assert list(shown.items()) == want
    total = sum(revenue for _count, revenue in expected.values())
    assert money(total) in page.inner_text(".o_pivot table tbody tr:first-child")
    web.screenshot("pyramid_pivot")


def test_graph_draws_the_levels(web, admin, pyramid):
    expected = by_level(pyramid_lines(admin, pyramid.company_id))
    web.open(
        line_action(pyramid, "graph"), ".o_graph_svg_container svg .nv-bar", "graph"
    )
    page = web.page
    labels = web.texts(".o_graph_svg_container .nv-x .tick text")
    want = [LEVELS[key] for key, (count, _revenue) in expected.items() if count]
    assert labels == want
    assert len(page.query_selector_all(".o_graph_svg_container .nv-bar")) == len(want)
    web.screenshot("pyramid_graph")


def test_partner_form_relation_page(web, admin, pyramid):
    lines = pyramid_lines(admin, pyramid.company_id)
    best = min((line for line in lines if line["rank"]), key=lambda line: line["rank"])
    partner_id = best["partner_id"][0]
    history = admin(
        "relation.pyramid.snapshot.line",
        "search_read",
        [("partner_id", "=", partner_id)],
        ["date", "date_to", "level", "revenue"],
    )
    web.open(
        "id=%d&model=res.partner&view_type=form" % partner_id,
        ".o_form_view .o_notebook",
        "partner form",
    )
    page = web.page
    page.click(".o_notebook .nav-tabs a:text-is('Relation')")
    pane = page.wait_for_selector(".o_notebook .tab-pane.active")
    settle(page)

    def field(name):
        return pane.query_selector(".o_field_widget[name=%s]" % name).inner_text()

    assert field("pyramid_level").strip() == LEVELS[best["level"]]
    assert field("pyramid_rank").strip() == str(best["rank"])
    assert money(best["revenue"]) in field("pyramid_revenue")
    assert field("relation_lifecycle").strip() == "Active"
    # Level history: a row per change of the customer's level, lifecycle or
    # revenue between snapshots (from, until), newest first; the newest holds.
    rows = pane.query_selector_all(
        ".o_field_widget[name=pyramid_snapshot_line_ids] tr.o_data_row"
    )
    assert len(rows) == len(history) >= 1
    history.sort(key=lambda row: row["date"], reverse=True)
    assert not history[0]["date_to"]
    for newer, older in zip(history, history[1:]):
        assert older["date_to"] and older["date_to"] <= newer["date"]

    def shown(day):
        year, month, day = day.split("-")
        return "%s/%s/%s" % (month, day, year)

    for row, snapshot_line in zip(rows, history):
        text = row.inner_text()
        assert shown(snapshot_line["date"]) in text
        if snapshot_line["date_to"]:
            assert shown(snapshot_line["date_to"]) in text
        assert LEVELS[snapshot_line["level"]] in text
        assert money(snapshot_line["revenue"]) in text
    web.check("partner form, Relation page")
    # The Relation page from its tab down: pyramid fields and level history.
    page.eval_on_selector(".o_notebook .nav-tabs", "tabs => tabs.scrollIntoView()")
    web.screenshot("partner_relation")


def test_snapshot_form_counts_and_lists_its_customers(web, admin, pyramid):
    """Today's snapshot: its customers by the definition (rows that hold at
    its date), its changes (rows that start there), and the Customers
    button's list grouped by level."""
    snapshot = pyramid.today_snapshot
    customers = snapshot_customers(admin, snapshot, ["level", "revenue", "snapshot_id"])
    changes = [row for row in customers if row["snapshot_id"][0] == snapshot["id"]]
    web.open(
        "action=%d&model=relation.pyramid.snapshot&view_type=form&id=%d"
        % (pyramid.action_ids["relation_pyramid_snapshot_action"], snapshot["id"]),
        ".o_form_view .oe_button_box",
        "snapshot form",
    )
    page = web.page

    def stat(field):
        # Odoo 11 renders stat buttons without their method's name.
        return int(page.inner_text(".o_stat_info[name=%s] .o_stat_value" % field))

    assert stat("customer_count") == len(customers)
    assert stat("change_count") == len(changes)
    page.click("button.oe_stat_button:has(.o_stat_info[name=customer_count])")
    web.wait_for(".o_list_view .o_group_header", "snapshot customers")
    year, month, day = snapshot["date"].split("-")
    title = "Customers at %s/%s/%s" % (month, day, year)
    assert title in page.inner_text(".breadcrumb")
    shown = {}
    for header in page.query_selector_all(".o_list_view .o_group_header"):
        match = re.match(r"\s*(.+?) \((\d+)\)", header.inner_text())
        shown[match.group(1)] = int(match.group(2))
    expected = by_level(customers)
    assert shown == {
        LEVELS[key]: count for key, (count, _revenue) in expected.items() if count
    }
    web.screenshot("snapshot_customers")
