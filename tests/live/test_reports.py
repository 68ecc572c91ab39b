"""The printable pyramid of today's snapshot: its HTML in the browser, with
the figures read over XML-RPC, and its PDF."""

import io
import os

from pypdf import PdfReader

from .live_common import ACTIVE_LEVELS, LEVELS, by_level, money, snapshot_customers

REPORT = "relation_pyramid.report_pyramid"


def test_pyramid_report_html(web, admin, pyramid):
    snapshot = pyramid.today_snapshot
    rows = snapshot_customers(admin, snapshot, ["level", "revenue"])
    expected = by_level(rows)
    active_count = sum(expected[level][0] for level in ACTIVE_LEVELS)
    total = sum(revenue for _count, revenue in expected.values())
    page = web.page
    page.goto("about:blank")
    page.goto("%s/report/html/%s/%d" % (web.url, REPORT, snapshot["id"]))
    web.wait_for(".o_relation_pyramid_table", "the pyramid report (HTML)")
    shown = {}
    for key in LEVELS:
        cells = web.texts(".o_relation_pyramid_row_%s td" % key)
        assert len(cells) == 6, key
        shown[key] = cells
    for key, (count, revenue) in expected.items():
        label, count_cell, count_pct, revenue_cell, revenue_pct, average = shown[key]
        assert label == LEVELS[key]
        assert count_cell == str(count), key
        assert money(revenue) in revenue_cell, key
        if key in ACTIVE_LEVELS:
            assert count_pct == "%.1f %%" % (100.0 * count / active_count), key
            assert money(revenue / count if count else 0.0) in average, key
        else:
            assert count_pct == "", key
        assert revenue_pct == "%.1f %%" % (100.0 * revenue / total if total else 0), key
    foot = page.inner_text(".o_relation_pyramid_table tfoot")
    assert str(active_count) in foot and money(total) in foot
    # The drawing: a band per level, labelled with its count.
    labels = web.texts(".o_relation_pyramid_drawing text")
    assert labels == [
        "%s (%d)" % (LEVELS[key], count) for key, (count, _rev) in expected.items()
    ]
    assert len(page.query_selector_all(".o_relation_pyramid_drawing polygon")) == 8
    web.screenshot("pyramid_report")


def test_pyramid_report_pdf(web, live, pyramid):
    url = "%s/report/pdf/%s/%d" % (web.url, REPORT, pyramid.today_snapshot["id"])
    response = web.page.request.get(url, timeout=180000)
    body = response.body()
    assert response.status == 200, body[:2000]
    assert response.headers["content-type"].split(";")[0] == "application/pdf"
    assert body.startswith(b"%PDF-") and len(body) > 1024, len(body)
    path = os.path.join(live.local, "live", "report_pyramid.pdf")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as pdf:
        pdf.write(body)
    # numbered at the foot of each page (stamped on the finished PDF)
    pages = PdfReader(io.BytesIO(body)).pages
    for number, page in enumerate(pages, 1):
        assert "Page %d of %d" % (number, len(pages)) in page.extract_text(), number
