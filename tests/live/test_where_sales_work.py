"""The level where sales people work, in headless Chromium: the badge in
the customer dropdown of a new quotation and next to the customer once
picked, and on the Contacts kanban cards; over XML-RPC, a salesperson with
own documents only gets no badge for another salesperson's customer."""

import uuid

from .conftest import pyramid_lines
from .live_common import LEVELS, Rpc, settle


def best_customer(admin, pyramid):
    """The active company customer of rank 1 (the demo's customers are
    companies), with its name as the dropdown shows it."""
    lines = [
        line
        for line in pyramid_lines(admin, pyramid.company_id)
        if line["lifecycle"] == "active"
    ]
    best = min(lines, key=lambda line: (line["rank"], line["partner_id"][0]))
    name = admin("res.partner", "read", [best["partner_id"][0]], ["name"])[0]["name"]
    return best, name


def test_quotation_dropdown_and_form_show_the_level(web, admin, pyramid):
    best, name = best_customer(admin, pyramid)
    level = best["level"]
    action = admin.ref("sale.action_quotations")
    web.open(
        "action=%d&model=sale.order&view_type=form" % action,
        ".o_form_view .o_field_widget[name=partner_id] input",
        "new quotation",
    )
    page = web.page
    customer = page.query_selector(".o_field_widget[name=partner_id] input")
    customer.click()
    customer.type(name[:12], delay=30)
    # the suggestions of what was typed (a click first opens all customers)
    page.wait_for_function(
        """name => [...document.querySelectorAll('ul.ui-autocomplete li a')].some(
            a => a.childNodes[0].textContent.trim() === name
                 && a.querySelector('.o_relation_pyramid_dropdown_badge'))""",
        arg=name,
    )
    settle(page)
    items = page.eval_on_selector_all(
        "ul.ui-autocomplete:visible li",
        """items => items.map(li => {
            const badge = li.querySelector('.o_relation_pyramid_dropdown_badge');
            const life = li.querySelector('.o_relation_pyramid_dropdown_lifecycle');
            return {
                name: li.querySelector('a').childNodes[0].textContent.trim(),
                badge: badge && badge.textContent.trim(),
                badgeClass: badge && badge.className,
                lifecycle: life && life.textContent.trim(),
            };
        })""",
    )
    names = [item["name"] for item in items]
    if name not in names:
        web.failure_screenshot("customer dropdown")
    assert name in names, items
    index = names.index(name)
    item = items[index]
    assert item["badge"] == LEVELS[level], items
    assert "label-rp-%s" % level in item["badgeClass"], items
    # an active customer's lifecycle beside the level
    assert item["lifecycle"] == "Active", items
    # the suggestions without a customer (create, search more) have no badge
    assert all(i["badge"] is None for i in items if i["name"].startswith("Create"))
    web.check("customer dropdown of a new quotation")
    web.screenshot("quotation_customer_dropdown")
    row = page.query_selector_all("ul.ui-autocomplete:visible li")[index]
    row.click()
    settle(page)
    # picked: the name without the badge, the badge next to the customer
    assert customer.input_value().startswith(name), customer.input_value()
    shown = page.wait_for_selector(
        ".o_form_view .o_field_widget[name=partner_pyramid_level]"
    )
    assert shown.inner_text().strip() == LEVELS[level]
    assert "label-rp-%s" % level in shown.get_attribute("class")
    lifecycle = page.query_selector(
        ".o_form_view .o_field_widget[name=partner_relation_lifecycle]"
    )
    assert lifecycle.inner_text().strip() == "Active"
    web.check("quotation with its customer's level")
    web.screenshot("quotation_level_badge")
    # leave the new quotation unsaved
    page.click(".o_form_button_cancel")
    settle(page)


def test_contacts_kanban_shows_the_level(web, admin, pyramid):
    best, name = best_customer(admin, pyramid)
    action = admin.ref("contacts.action_contacts")
    web.open(
        "action=%d&model=res.partner&view_type=kanban" % action,
        ".o_kanban_view .o_kanban_record",
        "Contacts kanban",
    )
    page = web.page
    search = page.query_selector(".o_searchview_input")
    search.type(name, delay=20)
    page.keyboard.press("Enter")
    settle(page)
    card = page.wait_for_selector(
        ".o_kanban_record:has(.o_kanban_record_title span:text-is(%r))" % name
    )
    badge = card.query_selector(".o_relation_pyramid_kanban_badge .label")
    assert badge, "no level badge on the card of %s" % name
    assert badge.inner_text().strip() == LEVELS[best["level"]]
    assert "label-rp-%s" % best["level"] in badge.get_attribute("class")
    web.check("Contacts kanban with levels")
    # the whole address book: every card with a level the user may see
    web.open(
        "action=%d&model=res.partner&view_type=kanban" % action,
        ".o_kanban_view .o_kanban_record",
        "Contacts kanban",
    )
    assert page.query_selector_all(".o_relation_pyramid_kanban_badge")
    web.screenshot("contacts_kanban_levels")


def test_own_documents_salesperson_gets_no_badge_of_anothers_customer(
    admin, live, pyramid
):
    """The dropdown's call as the web client makes it, as a salesperson
    with own documents only: their customers have a badge, another
    salesperson's none (their level is empty on the partner too)."""
    lines = [
        line
        for line in pyramid_lines(admin, pyramid.company_id)
        if line["lifecycle"] == "active"
    ]
    partner_ids = [line["partner_id"][0] for line in lines]
    login = "rp_live_own_%s" % uuid.uuid4().hex[:8]
    password = uuid.uuid4().hex
    user_id = admin(
        "res.users",
        "create",
        {
            "name": "Live check own documents",
            "login": login,
            "password": password,
            "groups_id": [
                (
                    6,
                    0,
                    [
                        admin.ref("base.group_user"),
                        admin.ref("sales_team.group_sale_salesman"),
                    ],
                )
            ],
        },
    )
    mine, theirs = partner_ids[0], partner_ids[1]
    owners = admin("res.partner", "read", [mine, theirs], ["user_id"])
    other_owner = admin.uid
    try:
        admin("res.partner", "write", [mine], {"user_id": user_id})
        admin("res.partner", "write", [theirs], {"user_id": other_owner})
        seller = Rpc(live.url, live.db, login, password)
        badges = seller("res.partner", "read_pyramid_badges", [mine, theirs])
        assert [badge["id"] for badge in badges] == [mine]
        levels = {line["partner_id"][0]: line["level"] for line in lines}
        assert badges[0]["level"] == levels[mine]
        read = seller("res.partner", "read", [theirs], ["pyramid_level"])
        assert read[0]["pyramid_level"] is False
    finally:
        for owner in owners:
            admin(
                "res.partner",
                "write",
                [owner["id"]],
                {"user_id": owner["user_id"] and owner["user_id"][0]},
            )
