"""Helpers of the live check: XML-RPC client, expected figures read
independently over XML-RPC, and a web client page that fails on JavaScript
errors and error dialogs. Stdlib only at import time, Python 3.7 syntax
(the Odoo venv's pytest imports the conftest that imports this)."""

import ast
import math
import os
import re
import time
import xmlrpc.client
from collections import OrderedDict

LEVELS = OrderedDict(
    [
        ("top", "Top"),
        ("big", "Big"),
        ("medium", "Medium"),
        ("small", "Small"),
        ("inactive", "Inactive"),
        ("prospect", "Prospect"),
        ("suspect", "Suspect"),
        ("other", "Other"),
    ]
)
ACTIVE_LEVELS = ["top", "big", "medium", "small"]

# Chromium flags: no sandbox (root in a container), nothing that phones home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT = {"width": 1280, "height": 800}
ERROR_DIALOGS = ".o_dialog_error, .o_error_dialog, .o_dialog_warning"


class Rpc:
    """``rpc(model, method, *args, **kwargs)`` over /xmlrpc/2 as one user."""

    def __init__(self, url, db, login, password):
        self.url, self.db, self.login, self.password = url, db, login, password
        common = xmlrpc.client.ServerProxy(url + "/xmlrpc/2/common", allow_none=True)
        self.uid = common.authenticate(db, login, password, {})
        if not self.uid:
            raise AssertionError("cannot log in to %s as %s" % (db, login))
        self.models = xmlrpc.client.ServerProxy(
            url + "/xmlrpc/2/object", allow_none=True
        )

    def __call__(self, model, method, *args, **kwargs):
        return self.models.execute_kw(
            self.db, self.uid, self.password, model, method, list(args), kwargs
        )

    def ref(self, xmlid):
        return self("ir.model.data", "xmlid_to_res_id", xmlid, True)


def fault_message(fault):
    """The human message of an XML-RPC fault. Odoo 11 sends user errors and
    access errors as their message, but a ValidationError as the server's
    traceback text ending in ``odoo.exceptions.ValidationError: ('msg',
    None)``: take the message out of it."""
    text = fault.faultString.strip()
    last = text.splitlines()[-1] if text else ""
    match = re.match(r"^[\w.]*(?:Error|Warning|except_orm): (.*)$", last, re.S)
    if "Traceback (most recent call last)" in text and match:
        text = match.group(1)
    if text.startswith("("):
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            return text
        if isinstance(value, tuple) and value:
            return str(value[0])
    return text


def money(amount):
    """The amount as the en_US web client writes it, without the currency
    symbol: 113,065.92."""
    return "{:,.2f}".format(amount)


def by_level(rows):
    """{level: (count, revenue)} of rows with 'level' and 'revenue'."""
    result = OrderedDict((level, [0, 0.0]) for level in LEVELS)
    for row in rows:
        result[row["level"]][0] += 1
        result[row["level"]][1] += row["revenue"]
    return OrderedDict(
        (k, (count, round(rev, 2))) for k, (count, rev) in result.items()
    )


def top_by_definition(lines, top_pct):
    """The top level by its definition (Curry, count mode): the active
    customers whose rank is at most ceil(N * top %), ties sharing the better
    rank, so the top has ceil(N * top %) customers or more."""
    active = [line for line in lines if line["lifecycle"] == "active"]
    cut = int(math.ceil(len(active) * top_pct / 100.0 - 1e-9))
    return cut, sorted(
        line["partner_id"][1] for line in active if line["rank"] and line["rank"] <= cut
    )


def snapshot_customers(call, snapshot, fields):
    """The customers of a snapshot by the definition, from the raw rows of
    its company: a row holds from its date until ``date_to`` (excluded)."""
    rows = call(
        "relation.pyramid.snapshot.line",
        "search_read",
        [("snapshot_id.company_id", "=", snapshot["company_id"][0])],
        list(fields) + ["date", "date_to"],
    )
    return [
        row
        for row in rows
        if row["date"] <= snapshot["date"]
        and (not row["date_to"] or row["date_to"] > snapshot["date"])
    ]


def settle(page, timeout=60000):
    """Wait until the web client has no RPC in flight (it marks the body
    with ``oe_wait``) and give late errors a moment to show."""
    page.wait_for_function(
        "!document.body.classList.contains('oe_wait')", timeout=timeout
    )
    page.wait_for_timeout(300)


class WebClient:
    """One logged-in Chromium page. Every JavaScript error (uncaught
    exception or console error) and every failed request is recorded;
    ``check`` fails on them and on error dialogs or traceback text."""

    def __init__(self, page, url, screenshots, failures=None):
        self.page, self.url, self.screenshots = page, url, screenshots
        self.failures = failures  # where a failing step leaves a screenshot
        self.errors = []
        page.on("pageerror", lambda error: self.errors.append("page error: %s" % error))
        page.on("console", self._on_console)
        page.on("response", self._on_response)

    def _on_console(self, message):
        where = (message.location or {}).get("url") or "?"
        # The browser's own request for /favicon.ico on pages that name no
        # icon (the report HTML): not the page's doing, Odoo 11 has none there.
        if message.type == "error" and not where.endswith("/favicon.ico"):
            self.errors.append("console error: %s (%s)" % (message.text, where))

    def _on_response(self, response):
        if response.status >= 400:
            self.errors.append("HTTP %s on %s" % (response.status, response.url))

    def login(self, login, password, timeout=240000):
        page = self.page
        page.goto(self.url + "/web/login")
        page.fill("input[name=login]", login)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        # The first load of /web compiles the backend assets (lessc): slow.
        page.wait_for_selector("#oe_main_menu_navbar", timeout=timeout)
        settle(page)
        self.check("logging in as %s" % login)

    def open(self, fragment, ready, what):
        """Load /web#<fragment> from a blank page (so no dialog of the
        previous view survives) and wait for the ``ready`` selector."""
        page = self.page
        page.goto("about:blank")
        page.goto("%s/web#%s" % (self.url, fragment))
        self.wait_for(ready, what)

    def wait_for(self, ready, what):
        """Wait for ``ready`` or an error dialog, whichever comes first, and
        fail with what went wrong (errors first, then a missing view)."""
        page = self.page
        try:
            page.wait_for_selector("%s, %s" % (ready, ERROR_DIALOGS))
            settle(page)
        except Exception:
            self.failure_screenshot(what)
            self.check(what)
            raise
        self.check(what)
        assert page.query_selector(ready), "%s: no %s on the page" % (what, ready)

    def check(self, what):
        page = self.page
        problems = list(self.errors)
        del self.errors[:]
        dialogs = page.query_selector_all(ERROR_DIALOGS)
        for dialog in dialogs:
            problems.append("error dialog: %s" % dialog.inner_text()[:2000])
        body = page.inner_text("body") if page.query_selector("body") else ""
        if "Traceback" in body:
            problems.append("traceback on the page: %s" % body[:2000])
        if problems:
            self.failure_screenshot(what)
        assert not problems, "%s:\n%s" % (what, "\n".join(problems))

    def failure_screenshot(self, what):
        if not self.failures:
            return
        os.makedirs(self.failures, exist_ok=True)
        name = re.sub(r"[^\w]+", "_", what).strip("_") or "step"
        try:
            self.page.screenshot(path=os.path.join(self.failures, name + ".png"))
        except Exception:  # pylint: disable=broad-except
            pass  # the failure itself is what gets reported

    def screenshot(self, name):
        os.makedirs(self.screenshots, exist_ok=True)
        path = os.path.join(self.screenshots, name + ".png")
        self.page.screenshot(path=path)
        return path

    def texts(self, selector, root=None):
        return [
            (element.text_content() or "").strip()
            for element in (root or self.page).query_selector_all(selector)
        ]


def wait_until(predicate, timeout=30.0, step=0.25):
    deadline = time.time() + timeout
    while True:
        value = predicate()
        if value or time.time() > deadline:
            return value
        time.sleep(step)
