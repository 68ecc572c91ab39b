"""Plain XML-RPC against the live server, as a sales manager and a salesman
created for the test: recompute rights and readable refusals of bad
values that leave the data unchanged."""

import datetime
import uuid
import xmlrpc.client

import pytest

from .conftest import pyramid_lines
from .live_common import Rpc, fault_message

PARTNER_FIELDS = [
    "relation_qualification",
    "relation_qualification_user_id",
    "relation_qualification_date",
    "service_preference_ids",
    "preferred_service_preference_id",
    "write_date",
]
PROFILE_FIELDS = [
    "top_count_pct",
    "big_count_pct",
    "medium_count_pct",
    "level_mode",
    "last_reference_date",
    "last_recompute_date",
    "write_date",
]


def make_user(admin, live, group_xmlid):
    login = "rp_live_%s_%s" % (group_xmlid.split(".")[1], uuid.uuid4().hex[:8])
    password = uuid.uuid4().hex
    admin(
        "res.users",
        "create",
        {
            "name": "Live check %s" % group_xmlid,
            "login": login,
            "password": password,
            "groups_id": [
                (6, 0, [admin.ref("base.group_user"), admin.ref(group_xmlid)])
            ],
        },
    )
    return Rpc(live.url, live.db, login, password)


@pytest.fixture(scope="module")
def manager(admin, live):
    return make_user(admin, live, "sales_team.group_sale_manager")


@pytest.fixture(scope="module")
def salesman(admin, live):
    return make_user(admin, live, "sales_team.group_sale_salesman")


def read_one(rpc, model, record_id, fields):
    return rpc(model, "read", [record_id], fields)[0]


def test_sales_manager_recomputes_over_xmlrpc(manager, admin, pyramid):
    today = datetime.date.today().isoformat()
    before = sorted(
        (line["partner_id"][0], line["level"], line["rank"], line["revenue"])
        for line in pyramid_lines(admin, pyramid.company_id)
    )
    profile_before = read_one(
        admin, "relation.pyramid.profile", pyramid.profile_id, PROFILE_FIELDS
    )
    assert manager(
        "relation.pyramid.profile",
        "action_recompute",
        [pyramid.profile_id],
        reference_date=today,
    )
    profile = read_one(
        admin, "relation.pyramid.profile", pyramid.profile_id, PROFILE_FIELDS
    )
    assert profile["last_reference_date"] == today
    assert profile["last_recompute_date"] >= profile_before["last_recompute_date"]
    lines = pyramid_lines(manager, pyramid.company_id)
    snapshot = admin(
        "relation.pyramid.snapshot",
        "search_read",
        [("company_id", "=", pyramid.company_id), ("date", "=", today)],
        ["customer_count"],
    )
    assert len(snapshot) == 1 and snapshot[0]["customer_count"] == len(lines)
    if profile_before["last_reference_date"] == today:
        # Same orders, same day: the same pyramid.
        after = sorted(
            (line["partner_id"][0], line["level"], line["rank"], line["revenue"])
            for line in lines
        )
        assert after == before


def test_salesman_cannot_recompute(salesman, admin, pyramid):
    before = read_one(
        admin, "relation.pyramid.profile", pyramid.profile_id, PROFILE_FIELDS
    )
    with pytest.raises(xmlrpc.client.Fault) as refused:
        salesman(
            "relation.pyramid.profile",
            "action_recompute",
            [pyramid.profile_id],
            reference_date=datetime.date.today().isoformat(),
        )
    assert "access" in refused.value.faultString.lower(), refused.value.faultString
    after = read_one(
        admin, "relation.pyramid.profile", pyramid.profile_id, PROFILE_FIELDS
    )
    assert after == before


def customer_with_preferences(admin, pyramid):
    """A company customer of the pyramid with some, not all, service
    preferences."""
    all_preferences = admin("relation.service.preference", "search", [])
    partner_ids = [
        line["partner_id"][0]
        for line in pyramid_lines(admin, pyramid.company_id)
        if line["lifecycle"] == "active"
    ]
    partners = admin(
        "res.partner",
        "search_read",
        [
            ("id", "in", partner_ids),
            ("is_company", "=", True),
            ("service_preference_ids", "!=", False),
        ],
        ["name", "service_preference_ids"],
    )
    for partner in partners:
        missing = set(all_preferences) - set(partner["service_preference_ids"])
        if missing:
            return partner, min(missing)
    raise AssertionError("no demo customer lacks a service preference")


def test_unknown_qualification_is_refused(manager, admin, pyramid):
    partner, _preference = customer_with_preferences(admin, pyramid)
    before = read_one(admin, "res.partner", partner["id"], PARTNER_FIELDS)
    with pytest.raises(xmlrpc.client.Fault) as refused:
        manager(
            "res.partner",
            "write",
            [partner["id"]],
            {"relation_qualification": "nonsense"},
        )
    assert "Unknown qualification" in refused.value.faultString
    assert "nonsense" in fault_message(refused.value)
    assert read_one(admin, "res.partner", partner["id"], PARTNER_FIELDS) == before


def test_preferred_service_must_be_one_of_the_preferences(manager, admin, pyramid):
    partner, preference_id = customer_with_preferences(admin, pyramid)
    preference = admin("relation.service.preference", "read", [preference_id], ["name"])
    before = read_one(admin, "res.partner", partner["id"], PARTNER_FIELDS)
    with pytest.raises(xmlrpc.client.Fault) as refused:
        manager(
            "res.partner",
            "write",
            [partner["id"]],
            {"preferred_service_preference_id": preference_id},
        )
    message = fault_message(refused.value)
    # Readable: one sentence naming the preference and the customer.
    assert "Traceback" not in message and len(message.splitlines()) == 1, message
    assert preference[0]["name"] in message and partner["name"] in message, message
    assert read_one(admin, "res.partner", partner["id"], PARTNER_FIELDS) == before


def test_invalid_profile_setting_is_refused(manager, admin, pyramid):
    before = read_one(
        admin, "relation.pyramid.profile", pyramid.profile_id, PROFILE_FIELDS
    )
    assert before["big_count_pct"] == 5.0 and before["top_count_pct"] < 5.0
    with pytest.raises(xmlrpc.client.Fault) as refused:
        manager(
            "relation.pyramid.profile",
            "write",
            [pyramid.profile_id],
            {"top_count_pct": 50},
        )
    message = fault_message(refused.value)
    assert "Traceback" not in message and len(message.splitlines()) == 1, message
    assert "50" in message and "top" in message.lower(), message
    after = read_one(
        admin, "relation.pyramid.profile", pyramid.profile_id, PROFILE_FIELDS
    )
    assert after == before
