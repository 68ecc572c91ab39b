"""The migration matrix, created through the web client from two snapshots:
only later snapshots offered as 'to', coloured cells with the counts read
over XML-RPC, a cell that opens its customers, and the pivot."""

import datetime
import re
from collections import Counter

from .live_common import ACTIVE_LEVELS, LEVELS, money, snapshot_customers

FROM_LEVELS = list(LEVELS) + ["new"]
TO_LEVELS = list(LEVELS) + ["lost"]
# The cell colours of the report template (background-color of the cells).
COLORS = {
    "up": "rgb(212, 237, 218)",
    "same": "rgb(238, 241, 244)",
    "down": "rgb(248, 215, 218)",
    "new": "rgb(214, 233, 248)",
    "lost": "rgb(243, 198, 198)",
}


def movement(from_level, to_level):
    """Worked out from DOMAIN.md's rule, independently of the addon: new
    customers, lost customers (gone, or active then and inactive now), else
    up / same / down in pyramid order."""
    if from_level == "new":
        return "new"
    if to_level == "lost":
        return "lost"
    if from_level in ACTIVE_LEVELS and to_level == "inactive":
        return "lost"
    order = list(LEVELS)
    if order.index(to_level) < order.index(from_level):
        return "up"
    return "same" if to_level == from_level else "down"


def pick_many2one(page, field, text, shown=None):
    """Type ``text`` into a many2one and pick the entry shown as ``shown``."""
    page.fill(".o_field_widget[name=%s] input" % field, text)
    page.click("ul.ui-autocomplete:visible li a:text-is('%s')" % (shown or text))


def shown_date(admin, day):
    """A date as the web client shows it to admin (the language's format)."""
    lang = admin("res.users", "read", [admin.uid], ["lang"])[0]["lang"]
    date_format = admin(
        "res.lang", "search_read", [("code", "=", lang)], ["date_format"]
    )[0]["date_format"]
    return datetime.datetime.strptime(day, "%Y-%m-%d").strftime(date_format)


def test_migration_matrix_from_two_snapshots(web, admin, pyramid):
    snapshot_from, snapshot_to = pyramid.snapshots[0], pyramid.today_snapshot
    action = pyramid.action_ids["relation_pyramid_migration_action"]
    web.open(
        "action=%d&model=relation.pyramid.migration&view_type=form" % action,
        ".o_form_view.o_form_editable",
        "new migration matrix form",
    )
    page = web.page
    # snapshots are named by their date in the user's format; typed as the
    # user writes it, the dropdown finds it
    shown_from = shown_date(admin, snapshot_from["date"])
    pick_many2one(page, "snapshot_from_id", shown_from)
    # 'to' offers the later snapshots only (the field's domain)
    page.click(".o_field_widget[name=snapshot_to_id] input")
    page.wait_for_selector("ul.ui-autocomplete:visible li a")
    offered = set(web.texts("ul.ui-autocomplete:visible li a")) - {"Search More..."}
    # newest first, seven at most (Odoo 11's many2one dropdown)
    later = sorted((s["date"] for s in pyramid.snapshots[1:]), reverse=True)[:7]
    assert offered == {shown_date(admin, day) for day in later}, offered
    # an ISO date finds it too
    pick_many2one(
        page, "snapshot_to_id", snapshot_to["date"],
        shown_date(admin, snapshot_to["date"]),
    )
    page.click(".o_form_button_save")
    web.wait_for(
        ".o_form_view.o_form_readonly .o_relation_pyramid_matrix_table",
        "saving the migration matrix",
    )
    migration_id = int(re.search(r"[#&]id=(\d+)", page.url).group(1))
    migration = admin(
        "relation.pyramid.migration",
        "read",
        [migration_id],
        ["snapshot_from_id", "snapshot_to_id", "name"],
    )[0]
    assert migration["snapshot_from_id"][0] == snapshot_from["id"]
    assert migration["snapshot_to_id"][0] == snapshot_to["id"]

    # Expected cells from the two snapshots' rows, read over XML-RPC.
    def levels(snapshot):
        rows = snapshot_customers(admin, snapshot, ["partner_id", "level", "revenue"])
        return {row["partner_id"][0]: row for row in rows}

    before, after = levels(snapshot_from), levels(snapshot_to)
    cells = Counter()
    for partner in set(before) | set(after):
        from_level = before[partner]["level"] if partner in before else "new"
        to_level = after[partner]["level"] if partner in after else "lost"
        cells[from_level, to_level] += 1
    assert sum(cells.values()) == len(set(before) | set(after))

    table = page.query_selector(".o_form_view .o_relation_pyramid_matrix_table")
    header = [text.strip() for text in web.texts("thead th", table)[1:]]
    assert header == [LEVELS.get(key, "Lost") for key in TO_LEVELS]
    rows = table.query_selector_all("tbody tr")
    assert [row.query_selector("th").inner_text().strip() for row in rows] == [
        LEVELS.get(key, "New") for key in FROM_LEVELS
    ]
    moves = Counter()
    for from_level, row in zip(FROM_LEVELS, rows):
        for to_level, td in zip(TO_LEVELS, row.query_selector_all("td")):
            move = movement(from_level, to_level)
            classes = td.get_attribute("class").split()
            assert "o_relation_pyramid_move_%s" % move in classes, (
                from_level,
                to_level,
            )
            color = td.evaluate("td => getComputedStyle(td).backgroundColor")
            assert color == COLORS[move], (from_level, to_level, color)
            count = cells.get((from_level, to_level), 0)
            shown = td.query_selector("strong")
            assert (shown.inner_text().strip() if shown else "") == (
                str(count) if count else ""
            ), (from_level, to_level)
            moves[move] += count
    # Over a year of demo orders customers both climb and fall.
    assert moves["up"] and moves["down"] and moves["same"]
    legend = page.inner_text(".o_form_view .o_relation_pyramid_matrix p")
    for label, move in [
        ("Moved up", "up"),
        ("Moved down", "down"),
        ("New", "new"),
        ("Lost", "lost"),
    ]:
        assert "%s: %d" % (label, moves[move]) in legend
    web.screenshot("migration_matrix")

    # A cell opens its customers: the smallest filled cell, as a list.
    count, from_level, to_level = min(
        (count, from_level, to_level)
        for (from_level, to_level), count in cells.items()
    )
    page.click(
        ".o_relation_pyramid_matrix_table a.o_relation_pyramid_cell"
        "[data-from=%s][data-to=%s]" % (from_level, to_level)
    )
    web.wait_for(".o_list_view", "opening the customers of a cell")
    assert len(page.query_selector_all(".o_list_view tbody tr.o_data_row")) == count
    shown = {text for text in web.texts(".o_list_view tbody tr.o_data_row td")}
    assert LEVELS.get(from_level, "New") in shown
    assert LEVELS.get(to_level, "Lost") in shown
    page.click(".o_control_panel .breadcrumb li:nth-last-child(2) a")
    web.wait_for(
        ".o_form_view .o_relation_pyramid_matrix_table", "back to the matrix"
    )

    # The customers per cell: a pivot of the migration's rows. Read as
    # groups: the rows' ids (matrix id * 2^31 + partner id) are beyond what
    # Odoo 11's XML-RPC carries (32-bit integers).
    groups = admin(
        "relation.pyramid.migration.line",
        "read_group",
        [("migration_id", "=", migration_id)],
        ["from_level", "revenue"],
        ["from_level"],
    )
    assert sum(group["from_level_count"] for group in groups) == sum(cells.values())
    # Odoo 11 renders header buttons without their name: find it by its label.
    page.click(".o_form_statusbar button:text-is('Open Customers per Cell')")
    web.wait_for(".o_pivot table .o_pivot_cell_value", "Open Customers per Cell")
    pivot = page.inner_text(".o_pivot table")
    assert money(sum(group["revenue"] for group in groups)) in pivot
    # the count is a measure too
    assert str(sum(cells.values())) in pivot
    row_headers = web.texts(".o_pivot table tbody .o_pivot_header_cell_closed")
    present = {group["from_level"] for group in groups}
    assert row_headers == [
        LEVELS.get(key, "New") for key in FROM_LEVELS if key in present
    ]
    assert set(ACTIVE_LEVELS) <= present
    web.screenshot("migration_pivot")
