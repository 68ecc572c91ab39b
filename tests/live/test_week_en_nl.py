"""Issue 16, a sales manager's week in the browser, point by point, in
English and in Dutch: every check runs twice, with admin (a sales manager
in the demo) working in en_US, then in nl_NL (set over XML-RPC, restored
to the run's English after).

What the user reads is worked out independently of the screen: texts from
the addon's definitions (English) and their msgstr in
``relation_pyramid/i18n/nl.po``; dates and numbers from the language record
(date format, thousands separator, decimal point); figures over XML-RPC or
from DOMAIN.md's rules.
"""

import datetime
import decimal
import io
import math
import os
import re
from collections import Counter

import pytest
from pypdf import PdfReader

from .conftest import pyramid_lines
from .live_common import ACTIVE_LEVELS, LEVELS, settle, snapshot_customers

LANGS = ["en_US", "nl_NL"]
PO_PATH = os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
    "relation_pyramid",
    "i18n",
    "nl.po",
)
# A4 in PDF points (210 x 297 mm at 72 / 25.4 points per mm).
A4 = (595.28, 841.89)


# ----------------------------------------------------------------------
# What the user should read, in their language
# ----------------------------------------------------------------------
def _po_string(text):
    """The value of one quoted PO string ("..." with C escapes)."""
    return (
        text[1:-1]
        .replace('\\"', '"')
        .replace("\\n", "\n")
        .replace("\\t", "\t")
        .replace("\\\\", "\\")
    )


def read_po(path):
    """{msgid: msgstr} of a PO file (no plural forms in the addon's)."""
    entries, msgid, msgstr, current = {}, None, None, None

    def flush():
        if msgid and msgstr:
            entries.setdefault(msgid, msgstr)

    with open(path, encoding="utf-8") as po:
        for raw in po:
            line = raw.strip()
            if line.startswith("msgid "):
                flush()
                msgid, msgstr, current = _po_string(line[6:]), None, "id"
            elif line.startswith("msgstr "):
                msgstr, current = _po_string(line[7:]), "str"
            elif line.startswith('"') and current == "id":
                msgid += _po_string(line)
            elif line.startswith('"') and current == "str":
                msgstr += _po_string(line)
            elif not line or line.startswith("#"):
                current = None if not line else current
        flush()
    return entries


DUTCH = read_po(PO_PATH)


def words(text):
    """Whitespace as the browser renders it: runs collapsed, no-break
    spaces as spaces."""
    return " ".join(text.replace("\xa0", " ").split())


def tr(lang, msgid):
    """The English source in the user's language, as Odoo shows it: the
    msgstr of nl.po, the source itself when it is not translated."""
    if lang == "en_US":
        return msgid
    return DUTCH.get(msgid) or msgid


class Lang:
    """The user's language record: dates and numbers as Odoo writes them."""

    def __init__(self, admin, code):
        self.code = code
        self.record = admin(
            "res.lang",
            "search_read",
            [("code", "=", code)],
            ["date_format", "thousands_sep", "decimal_point", "grouping"],
        )[0]

    def date(self, day):
        return datetime.datetime.strptime(day, "%Y-%m-%d").strftime(
            self.record["date_format"]
        )

    def number(self, value, digits=0):
        """Grouped by three (the grouping of both languages: [3,0]), rounded
        half up as Odoo rounds (12.35 is 12.4)."""
        assert self.record["grouping"] == "[3,0]", self.record["grouping"]
        value = decimal.Decimal(repr(value)).quantize(
            decimal.Decimal(1).scaleb(-digits), decimal.ROUND_HALF_UP
        )
        text = "{:,.{}f}".format(value, digits)
        return (
            text.replace(",", "\0")
            .replace(".", self.record["decimal_point"])
            .replace("\0", self.record["thousands_sep"])
        )

    def money(self, value, currency):
        amount = self.number(value, 2)
        if currency["position"] == "before":
            return "%s %s" % (currency["symbol"], amount)
        return "%s %s" % (amount, currency["symbol"])


@pytest.fixture(scope="module", params=LANGS)
def lang(request, admin, web):
    """Admin works in the parameter's language for the checks of this file
    (the web client loads a user's language with /web), English after, as
    the rest of the run expects (``admin_lang``)."""
    admin("res.users", "write", [admin.uid], {"lang": request.param})
    try:
        yield Lang(admin, request.param)
    finally:
        admin("res.users", "write", [admin.uid], {"lang": "en_US"})


@pytest.fixture(scope="module")
def currency(admin, pyramid):
    company = admin("res.company", "read", [pyramid.company_id], ["currency_id"])[0]
    return admin(
        "res.currency", "read", [company["currency_id"][0]], ["symbol", "position"]
    )[0]


def level_labels(lang):
    return {key: tr(lang.code, label) for key, label in LEVELS.items()}


def last_reference_date(admin, pyramid):
    return admin(
        "relation.pyramid.profile",
        "read",
        [pyramid.profile_id],
        ["last_reference_date"],
    )[0]["last_reference_date"]


def profile_form(web, admin, pyramid):
    web.open(
        "action=%d&model=relation.pyramid.profile&view_type=form&id=%d"
        % (
            admin.ref("relation_pyramid.relation_pyramid_profile_action"),
            pyramid.profile_id,
        ),
        ".o_form_view",
        "settings form",
    )


def header_button(web, label):
    """A header button by its label (Odoo 11 renders buttons without their
    name)."""
    return web.page.wait_for_selector(
        ".o_form_statusbar button:visible:text-is('%s')" % label
    )


def company_today(admin, pyramid):
    """Today in the company's time zone (the reference date of the buttons)."""
    from zoneinfo import ZoneInfo

    company = admin("res.company", "read", [pyramid.company_id], ["partner_id"])[0]
    tz = admin("res.partner", "read", [company["partner_id"][0]], ["tz"])[0]["tz"]
    return datetime.datetime.now(ZoneInfo(tz or "UTC")).date()


# ----------------------------------------------------------------------
# Points 1 and 2: Recompute Now works and answers, Backfill answers,
# changed settings are shown
# ----------------------------------------------------------------------
def test_p1_p2_recompute_now_answers_in_the_users_language(lang, web, admin, pyramid):
    profile_form(web, admin, pyramid)
    header_button(web, tr(lang.code, "Recompute Now")).click()
    settle(web.page)
    web.check("Recompute Now (%s)" % lang.code)  # no error dialog
    day = last_reference_date(admin, pyramid)
    assert day == company_today(admin, pyramid).isoformat()
    # the counts by the rows the recompute left (every row is a customer)
    counts = Counter(line["level"] for line in pyramid_lines(admin, pyramid.company_id))
    active = sum(counts[level] for level in ACTIVE_LEVELS)
    assert active, "the demo has active customers"
    expected = tr(
        lang.code,
        "Pyramid recomputed at %(date)s: %(customers)s customers, %(active)s "
        "active: top %(top)s, big %(big)s, medium %(medium)s, small %(small)s.",
    ) % dict(
        {level: lang.number(counts[level]) for level in ACTIVE_LEVELS},
        date=lang.date(day),
        customers=lang.number(sum(counts.values())),
        active=lang.number(active),
    )
    summary = web.page.inner_text(
        ".o_form_view .o_field_widget[name=recompute_summary]"
    )
    assert words(summary) == words(expected)
    if lang.code == "nl_NL":
        assert "Piramide herberekend op %s:" % lang.date(day) in summary
    web.screenshot("week_recompute_%s" % lang.code)


def test_p2_backfill_answers_with_the_quarter_ends(lang, web, admin, pyramid):
    profile_form(web, admin, pyramid)
    header_button(web, tr(lang.code, "Backfill Last Four Quarter Ends")).click()
    settle(web.page)
    web.check("Backfill (%s)" % lang.code)
    # the four last quarter ends strictly before today, oldest first
    today = company_today(admin, pyramid)
    quarter_start = datetime.date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    ends = []
    for _back in range(4):
        end = quarter_start - datetime.timedelta(days=1)
        ends.insert(0, end)
        quarter_start = datetime.date(end.year, (end.month - 1) // 3 * 3 + 1, 1)
    expected = tr(lang.code, "%(count)s snapshots backfilled: %(dates)s.") % {
        "count": 4,
        "dates": ", ".join(lang.date(day.isoformat()) for day in ends),
    }
    shown = web.page.inner_text(".o_form_view .o_field_widget[name=backfill_summary]")
    assert words(shown) == words(expected)


def test_p2_changed_settings_are_shown(lang, web, admin, pyramid):
    model = "relation.pyramid.profile"
    before = admin(
        model, "read", [pyramid.profile_id], ["top_count_pct", "level_mode"]
    )[0]
    assert before["level_mode"] == "count", "the demo places by share of customers"
    warning_text = words(
        tr(
            lang.code,
            "The settings changed since the last recompute: the levels still\n"
            "                    follow the old settings until you click Recompute "
            "Now (or the\n                    nightly recompute runs).",
        )
    )
    # settings as the last recompute left them
    admin(model, "action_recompute", [pyramid.profile_id])
    warning = ".o_form_view .alert-warning:has-text('%s')" % warning_text[:40]
    page = web.page
    try:
        profile_form(web, admin, pyramid)
        assert not page.is_visible(warning)
        page.click(".o_form_button_edit")
        page.wait_for_selector(".o_form_view.o_form_editable")
        field = ".o_form_view .o_field_widget[name=top_count_pct]"
        page.fill(field, "%d" % (before["top_count_pct"] + 1))
        page.press(field, "Tab")
        page.click(".o_form_button_save")
        page.wait_for_selector(".o_form_view.o_form_readonly")
        settle(page)
        web.check("saving changed settings (%s)" % lang.code)
        # saved: the levels still follow the old settings, the form says so
        page.wait_for_selector(warning, state="visible")
        assert words(page.inner_text(warning)) == warning_text
        web.screenshot("week_settings_changed_%s" % lang.code)
    finally:
        admin(model, "write", [pyramid.profile_id],
              {"top_count_pct": before["top_count_pct"]})
    profile_form(web, admin, pyramid)
    assert not page.is_visible(warning)


# ----------------------------------------------------------------------
# Points 3 and 5: the matrix from the first login, true at a glance
# ----------------------------------------------------------------------
def install_matrix(admin, pyramid):
    """The install's matrix: from the oldest snapshot to the newest."""
    snapshots = admin(
        "relation.pyramid.snapshot",
        "search_read",
        [("company_id", "=", pyramid.company_id)],
        ["date", "company_id"],
        order="date",
    )
    for migration in pyramid.migrations:
        if migration["snapshot_from_id"][0] == pyramid.snapshots[0]["id"]:
            ids = [s["id"] for s in snapshots]
            if migration["snapshot_to_id"][0] in ids:
                to = snapshots[ids.index(migration["snapshot_to_id"][0])]
                return migration, snapshots[0], to, snapshots
    raise AssertionError("no matrix from the oldest snapshot: %s" % pyramid.migrations)


def movement(from_level, to_level):
    """DOMAIN.md's rule of a cell, independently of the addon."""
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


def expected_cells(admin, snapshot_from, snapshot_to):
    """{(from, to): [count, revenue]}: lost business with its revenue at
    'from', the others with their revenue at 'to'."""
    def rows(snapshot):
        found = snapshot_customers(admin, snapshot, ["partner_id", "level", "revenue"])
        return {row["partner_id"][0]: row for row in found}

    before, after = rows(snapshot_from), rows(snapshot_to)
    cells = {}
    for partner in set(before) | set(after):
        from_level = before[partner]["level"] if partner in before else "new"
        to_level = after[partner]["level"] if partner in after else "lost"
        move = movement(from_level, to_level)
        revenue = (before if move == "lost" else after)[partner]["revenue"]
        cell = cells.setdefault((from_level, to_level), [0, 0.0])
        cell[0] += 1
        cell[1] += revenue
    return cells


def open_matrix(web, pyramid, migration_id, what):
    web.open(
        "action=%d&model=relation.pyramid.migration&view_type=form&id=%d"
        % (pyramid.action_ids["relation_pyramid_migration_action"], migration_id),
        ".o_form_view .o_relation_pyramid_matrix_table",
        what,
    )


def test_p3_matrix_has_content_from_the_first_login(lang, web, admin, pyramid):
    migration, snapshot_from, snapshot_to, _all = install_matrix(admin, pyramid)
    # the list of saved matrices: the install's, named by its dates
    web.open(
        "action=%d&model=relation.pyramid.migration&view_type=list"
        % pyramid.action_ids["relation_pyramid_migration_action"],
        ".o_list_view tbody tr.o_data_row",
        "saved matrices (%s)" % lang.code,
    )
    name = "%s → %s" % (
        lang.date(snapshot_from["date"]),
        lang.date(snapshot_to["date"]),
    )
    assert name in web.texts(".o_list_view tbody tr.o_data_row td")
    open_matrix(web, pyramid, migration["id"], "install's matrix (%s)" % lang.code)
    page = web.page
    assert words(page.inner_text(".o_form_view .oe_title h1")) == name
    counts = [
        int(text.replace(lang.record["thousands_sep"], ""))
        for text in web.texts(".o_relation_pyramid_matrix_table td strong")
    ]
    cells = expected_cells(admin, snapshot_from, snapshot_to)
    assert sum(counts) == sum(count for count, _rev in cells.values()) > 0


def test_p3_the_same_snapshot_cannot_be_picked_twice(lang, web, admin, pyramid):
    _migration, _from, snapshot_to, snapshots = install_matrix(admin, pyramid)
    web.open(
        "action=%d&model=relation.pyramid.migration&view_type=form"
        % pyramid.action_ids["relation_pyramid_migration_action"],
        ".o_form_view.o_form_editable",
        "new matrix (%s)" % lang.code,
    )
    page = web.page
    by_name = {lang.date(s["date"]): s["date"] for s in snapshots}

    def offered(field):
        page.click(".o_field_widget[name=%s] input" % field)
        page.wait_for_selector("ul.ui-autocomplete:visible li a")
        names = web.texts("ul.ui-autocomplete:visible li a")
        # the snapshots (named by their date), not "Search More..."
        return [by_name[name] for name in names if name in by_name]

    # 'to' first: the newest; 'from' then offers older snapshots only
    to_name = lang.date(snapshot_to["date"])
    page.fill(".o_field_widget[name=snapshot_to_id] input", to_name)
    page.click("ul.ui-autocomplete:visible li a:text-is('%s')" % to_name)
    settle(page)
    dates = offered("snapshot_from_id")
    assert dates and snapshot_to["date"] not in dates
    assert all(day < snapshot_to["date"] for day in dates), dates
    web.check("the 'from' snapshots (%s)" % lang.code)


def test_p5_matrix_tells_the_truth(lang, web, admin, pyramid, currency):
    migration, snapshot_from, snapshot_to, _all = install_matrix(admin, pyramid)
    cells = expected_cells(admin, snapshot_from, snapshot_to)
    open_matrix(web, pyramid, migration["id"], "matrix (%s)" % lang.code)
    page = web.page
    labels = level_labels(lang)
    table = page.query_selector(".o_form_view .o_relation_pyramid_matrix_table")
    # the lost column, after the levels, in the user's language
    header = [words(text) for text in web.texts("thead th", table)]
    assert header[1:] == list(labels.values()) + [tr(lang.code, "Lost")]
    # the corner names the two dates in the user's format
    assert header[0] == "%s ↓ / %s →" % (
        lang.date(snapshot_from["date"]), lang.date(snapshot_to["date"])
    )
    # lost business: counted, with the revenue it brought at 'from'
    lost = [(key, cell) for key, cell in cells.items() if movement(*key) == "lost"]
    lost_count = sum(cell[0] for _key, cell in lost)
    lost_revenue = sum(cell[1] for _key, cell in lost)
    assert lost_count and lost_revenue > 0, "the demo has customers who left"
    legend = words(page.inner_text(".o_form_view .o_relation_pyramid_legend"
                                   ".o_relation_pyramid_move_lost"))
    assert legend == "%s: %d (%s)" % (
        tr(lang.code, "Lost"), lost_count, lang.money(lost_revenue, currency)
    )
    assert len(table.query_selector_all("a.o_relation_pyramid_cell")) == len(cells)
    # every filled cell is a link to its customers, its revenue in the
    # user's number format
    for (from_level, to_level), (count, revenue) in cells.items():
        link = table.query_selector(
            "td[data-from=%s][data-to=%s] a.o_relation_pyramid_cell"
            % (from_level, to_level)
        )
        assert link, (from_level, to_level)
        text = words(link.inner_text())
        assert text == "%s %s" % (lang.number(count), lang.money(revenue, currency)), (
            from_level, to_level, text
        )
    # a lost cell opens its customers, titled in the user's language
    (from_level, to_level), (count, _revenue) = min(lost, key=lambda item: item[1][0])
    page.click(
        ".o_relation_pyramid_matrix_table a.o_relation_pyramid_cell"
        "[data-from=%s][data-to=%s]" % (from_level, to_level)
    )
    web.wait_for(".o_list_view tbody tr.o_data_row", "a lost cell (%s)" % lang.code)
    assert len(page.query_selector_all(".o_list_view tbody tr.o_data_row")) == count
    crumbs = words(page.inner_text(".breadcrumb"))
    assert crumbs.endswith("%s → %s: %s → %s" % (
        lang.date(snapshot_from["date"]), lang.date(snapshot_to["date"]),
        labels[from_level], labels.get(to_level) or tr(lang.code, "Lost"),
    )), crumbs
    # the drill-down pivot: customers counted, the lost column included
    open_matrix(web, pyramid, migration["id"], "matrix again (%s)" % lang.code)
    header_button(web, tr(lang.code, "Open Customers per Cell")).click()
    web.wait_for(".o_pivot table .o_pivot_cell_value", "pivot (%s)" % lang.code)
    pivot = words(page.inner_text(".o_pivot table thead"))
    # a column per level at 'to' that has customers, the lost ones (no
    # longer in the pyramid) included when there are any
    present = {to_level for _from, to_level in cells}
    columns = [
        labels.get(key) or tr(lang.code, "Lost")
        for key in list(LEVELS) + ["lost"]
        if key in present
    ]
    assert " ".join(columns) in pivot, (columns, pivot)
    total = sum(count for count, _rev in cells.values())
    body = words(page.inner_text(".o_pivot table tbody tr:first-child"))
    assert lang.number(total) in body.split(), body
    web.screenshot("week_matrix_pivot_%s" % lang.code)


# ----------------------------------------------------------------------
# Point 4: the demo tells one story
# ----------------------------------------------------------------------
def test_p4_demo_story_in_the_kanban(lang, web, admin, pyramid, currency):
    """Every level holds customers, the amounts are euros written the way
    of the user's language."""
    lines = pyramid_lines(admin, pyramid.company_id)
    counts = Counter(line["level"] for line in lines)
    assert all(counts[key] for key in LEVELS), counts
    assert currency["symbol"] == "€" and currency["position"] == "before"
    best = best_customer(admin, pyramid)
    web.open(
        "action=%d&model=relation.pyramid.line&view_type=kanban"
        % pyramid.action_ids["relation_pyramid_line_action"],
        ".o_kanban_view .o_kanban_group",
        "pyramid kanban (%s)" % lang.code,
    )
    page = web.page
    assert not page.query_selector(".o_kanban_view .o_column_folded")
    card = words(page.query_selector(
        ".o_kanban_group:first-child .o_kanban_record:not(.o_kanban_ghost)"
    ).inner_text())
    assert best["partner_id"][1] in card
    assert "%s · #1" % lang.money(best["revenue"], currency) in card, card
    web.screenshot("week_kanban_%s" % lang.code)


# ----------------------------------------------------------------------
# Point 6: lists that read well, the level in the customer's header
# ----------------------------------------------------------------------
def test_p6_list_shares_and_group_headers(lang, web, admin, pyramid):
    rows = admin(
        "relation.pyramid.line",
        "search_read",
        [("company_id", "=", pyramid.company_id)],
        ["partner_id", "lifecycle", "rank", "revenue_share", "level"],
    )
    web.open(
        "action=%d&model=relation.pyramid.line&view_type=list"
        % pyramid.action_ids["relation_pyramid_line_action"],
        ".o_list_view tbody tr.o_data_row",
        "pyramid list (%s)" % lang.code,
    )
    page = web.page
    columns = [words(text) for text in web.texts(".o_list_view thead th")]
    share_col = columns.index(tr(lang.code, "Share of Revenue (%)"))
    rank_col = columns.index(tr(lang.code, "Rank"))
    gap_col = columns.index(tr(lang.code, "Up-sell Gap"))
    by_name = {row["partner_id"][1]: row for row in rows}

    def check_rows(lifecycle):
        """The shown rows of one lifecycle: active with rank and share (one
        decimal, the user's decimal point), the others with neither (no
        rank 0, no share 0.0). Returns how many were seen."""
        seen = 0
        for tr_row in page.query_selector_all(".o_list_view tbody tr.o_data_row"):
            cells = [words(td.inner_text()) for td in tr_row.query_selector_all("td")]
            assert len(cells) == len(columns), (cells, columns)
            row = next(by_name[name] for name in cells if name in by_name)
            if row["lifecycle"] != lifecycle:
                continue
            if lifecycle == "active":
                assert cells[share_col] == lang.number(row["revenue_share"], 1), cells
                assert cells[rank_col] == str(row["rank"]), cells
            else:
                assert cells[share_col] == "" and cells[rank_col] == "", cells
            seen += 1
        return seen

    # the first page: the best customers (by revenue), all active
    assert check_rows("active")
    # grouped by level: no sums of ranks or up-sell gaps in the headers
    if not page.is_visible(".o_search_options"):
        page.click(".o_searchview_more")  # Odoo 11 folds the search options
    page.click(".o_search_options .o_dropdown_toggler_btn:has(.fa-bars)")
    page.click(".o_search_options .o_group_by_menu a:text-is('%s')"
               % tr(lang.code, "Level"))
    page.wait_for_selector(".o_list_view .o_group_header")
    settle(page)
    # grouped, the header and the group rows start with the group's column
    columns = [words(text) for text in web.texts(".o_list_view thead th")]
    rank_col = columns.index(tr(lang.code, "Rank"))
    gap_col = columns.index(tr(lang.code, "Up-sell Gap"))
    revenue_col = columns.index(tr(lang.code, "Period Revenue"))
    labels = level_labels(lang)
    counts = Counter(row["level"] for row in rows)
    shown = []
    for header in page.query_selector_all(".o_list_view .o_group_header"):
        cells = [words(cell.inner_text()) for cell in
                 header.query_selector_all(":scope > th, :scope > td")]
        assert len(cells) == len(columns), (cells, columns)
        match = re.match(r"(.+?) \((\d+)\)$", cells[0])
        shown.append((match.group(1), int(match.group(2))))
        assert cells[rank_col] == "" and cells[gap_col] == "", cells
        assert cells[revenue_col], "the revenue is summed"
    assert shown == [(labels[key], counts[key]) for key in LEVELS if counts[key]]
    # the inactive customers' group, opened: no rank, no share
    page.click(".o_list_view .o_group_header:has-text('%s (')" % labels["inactive"])
    page.wait_for_selector(".o_list_view tbody tr.o_data_row")
    settle(page)
    columns = [words(text) for text in web.texts(".o_list_view thead th")]
    share_col = columns.index(tr(lang.code, "Share of Revenue (%)"))
    rank_col = columns.index(tr(lang.code, "Rank"))
    assert check_rows("inactive") == min(80, counts["inactive"])
    web.check("grouped pyramid list (%s)" % lang.code)


def test_p6_empty_levels_folded_in_the_kanban(lang, web, admin, pyramid):
    counts = Counter(line["level"] for line in pyramid_lines(admin, pyramid.company_id))
    web.open(
        "action=%d&model=relation.pyramid.line&view_type=kanban"
        % pyramid.action_ids["relation_pyramid_line_action"],
        ".o_kanban_view .o_kanban_group",
        "pyramid kanban (%s)" % lang.code,
    )
    labels = level_labels(lang)
    shown = []
    for group in web.page.query_selector_all(".o_kanban_view .o_kanban_group"):
        folded = "o_column_folded" in (group.get_attribute("class") or "")
        title = words(group.query_selector(".o_column_title").inner_text())
        shown.append((re.sub(r" \(\d+\)$", "", title), folded))
    assert shown == [(labels[key], not counts[key]) for key in LEVELS]


def best_customer(admin, pyramid):
    lines = pyramid_lines(admin, pyramid.company_id)
    return min((line for line in lines if line["rank"]), key=lambda line: line["rank"])


def test_p6_level_badge_in_the_customer_header(lang, web, admin, pyramid):
    best = best_customer(admin, pyramid)
    web.open(
        "id=%d&model=res.partner&view_type=form" % best["partner_id"][0],
        ".o_form_view .oe_button_box",
        "customer form (%s)" % lang.code,
    )
    page = web.page
    badge = page.query_selector(
        ".oe_button_box .oe_stat_button.o_relation_pyramid_badge"
    )
    assert badge, "no level badge in the header"
    assert words(badge.query_selector("[name=pyramid_level]").inner_text()) == \
        level_labels(lang)[best["level"]]
    assert words(badge.query_selector("[name=relation_lifecycle]").inner_text()) == \
        tr(lang.code, "Active")
    # first in the box: never folded under More
    first = page.query_selector(".oe_button_box > button")
    assert "o_relation_pyramid_badge" in first.get_attribute("class")


# ----------------------------------------------------------------------
# Point 7: the printed pyramid
# ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def reports_warm(live, admin):
    """The first print of a fresh database builds the report assets: done
    over HTTP first, as the button check does (see ``warm_up_reports``)."""
    from .test_buttons import warm_up_reports

    warm_up_reports(live, admin)


def test_p7_printed_pyramid(lang, web, admin, pyramid, reports_warm):
    profile_form(web, admin, pyramid)
    page = web.page
    with page.expect_download(timeout=180000) as download_info:
        header_button(web, tr(lang.code, "Print Pyramid")).click()
    download = download_info.value
    settle(page)
    web.check("Print Pyramid (%s)" % lang.code)
    day = last_reference_date(admin, pyramid)
    # named after the report in the user's language
    assert download.suggested_filename == "%s %s.pdf" % (
        tr(lang.code, "Customer Pyramid"), day
    )
    with open(download.path(), "rb") as pdf:
        reader = PdfReader(io.BytesIO(pdf.read()))
    company = admin("res.company", "read", [pyramid.company_id], ["name"])[0]["name"]
    pages = reader.pages
    for number, pdf_page in enumerate(pages, 1):
        width, height = float(pdf_page.mediabox.width), float(pdf_page.mediabox.height)
        assert math.isclose(width, A4[0], abs_tol=1) and math.isclose(
            height, A4[1], abs_tol=1
        ), (width, height)
        text = words(pdf_page.extract_text())
        assert tr(lang.code, "Page %(page)s of %(total)s") % {
            "page": number, "total": len(pages)
        } in text, (number, text[-200:])
    first = words(pages[0].extract_text())
    # the letterhead and the title in the user's language
    assert company in first
    assert "%s %s" % (tr(lang.code, "Customer Pyramid of"), company) in first
    for label in level_labels(lang).values():
        assert label in first, label


def test_p6_print_from_the_pyramid_screen(lang, web, admin, pyramid, reports_warm):
    """Sales > Customer Pyramid > Print Pyramid: the pyramid of the last
    recompute, named in the user's language."""
    web.open(
        "action=%d&model=relation.pyramid.line&view_type=kanban"
        % pyramid.action_ids["relation_pyramid_line_action"],
        ".o_kanban_view .o_kanban_group",
        "pyramid kanban (%s)" % lang.code,
    )
    page = web.page
    # the Sales app: its menu on the left holds the Customer Pyramid section
    page.click("#oe_main_menu_navbar a[data-menu-xmlid='sale.sale_menu_root']")
    link = page.wait_for_selector(
        "a[data-menu-xmlid='relation_pyramid.relation_pyramid_print_menu']:visible"
    )
    section = page.query_selector(
        ".oe_secondary_menu_section"
        "[data-menu-xmlid='relation_pyramid.relation_pyramid_menu']:visible"
    )
    assert words(section.inner_text()) == tr(lang.code, "Customer Pyramid")
    assert words(link.inner_text()) == tr(lang.code, "Print Pyramid")
    with page.expect_download(timeout=180000) as download_info:
        link.click()
    settle(page)
    web.check("Print Pyramid menu (%s)" % lang.code)
    assert download_info.value.suggested_filename == "%s %s.pdf" % (
        tr(lang.code, "Customer Pyramid"), last_reference_date(admin, pyramid)
    )


# ----------------------------------------------------------------------
# Point 8: Dutch labels and European conventions
# ----------------------------------------------------------------------
def test_p8_relation_page_labels_and_numbers(lang, web, admin, pyramid, currency):
    best = best_customer(admin, pyramid)
    revenue = admin(
        "relation.pyramid.line", "read", [best["id"]], ["revenue"]
    )[0]["revenue"]
    assert revenue >= 1000, "an amount with a thousands separator"
    if lang.code == "nl_NL":
        # the demo's Dutch: 113.065,92
        separators = (lang.record["thousands_sep"], lang.record["decimal_point"])
        assert separators == (".", ","), separators
        assert tr(lang.code, "Service Preferences") == "Contactvoorkeuren"
    web.open(
        "id=%d&model=res.partner&view_type=form" % best["partner_id"][0],
        ".o_form_view .o_notebook",
        "customer form (%s)" % lang.code,
    )
    page = web.page
    page.click(".o_notebook .nav-tabs a:text-is('%s')" % tr(lang.code, "Relation"))
    pane = page.wait_for_selector(".o_notebook .tab-pane.active")
    settle(page)
    titles = [words(text) for text in web.texts(".o_horizontal_separator", pane)]
    for title in ("Customer Pyramid", "Service Preferences", "Qualification",
                  "Motives", "Level History"):
        assert tr(lang.code, title) in titles, (title, titles)
    amount = words(pane.query_selector(".o_field_widget[name=pyramid_revenue]")
                   .inner_text())
    assert amount == lang.money(revenue, currency), amount
    # the level history: dates in the user's format
    history = admin(
        "relation.pyramid.snapshot.line",
        "search_read",
        [("partner_id", "=", best["partner_id"][0])],
        ["date"],
        order="date desc",
    )
    first_row = words(pane.query_selector(
        ".o_field_widget[name=pyramid_snapshot_line_ids] tr.o_data_row"
    ).inner_text())
    assert first_row.startswith(lang.date(history[0]["date"])), first_row
    web.screenshot("week_relation_page_%s" % lang.code)
