"""Page numbers on the addon's prints, stamped on the finished PDF (Debian's
wkhtmltopdf cannot print Odoo's footer): "Page 2 of 3" at the foot of each
page, in the reader's language, the page's own content kept."""
import io

from PyPDF2 import PdfFileReader
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from odoo.tests.common import TransactionCase


def _pdf_of_pages(count):
    """A PDF of ``count`` A4 pages, each saying which page it is."""
    buffer = io.BytesIO()
    document = canvas.Canvas(buffer, pagesize=A4)
    for number in range(1, count + 1):
        document.drawString(100, 700, "Content of sheet %d" % number)
        document.showPage()
    document.save()
    return buffer.getvalue()


def _page_texts(content):
    reader = PdfFileReader(io.BytesIO(content))
    return [reader.getPage(i).extractText() for i in range(reader.getNumPages())]


class TestPageNumbers(TransactionCase):
    def setUp(self):
        super().setUp()
        self.env["res.lang"].load_lang("nl_NL")
        self.report = self.env.ref("relation_pyramid.action_report_pyramid")

    def test_every_page_numbered_in_english(self):
        stamped = self.report.with_context(lang="en_US")._stamp_page_numbers(
            _pdf_of_pages(3)
        )
        texts = _page_texts(stamped)
        self.assertEqual(len(texts), 3)
        for number, text in enumerate(texts, 1):
            self.assertIn("Content of sheet %d" % number, text)
            self.assertIn("Page %d of 3" % number, text)

    def test_page_numbers_in_dutch(self):
        stamped = self.report.with_context(lang="nl_NL")._stamp_page_numbers(
            _pdf_of_pages(2)
        )
        texts = _page_texts(stamped)
        self.assertIn("Pagina 1 van 2", texts[0])
        self.assertIn("Pagina 2 van 2", texts[1])

    def test_only_the_addons_prints_are_stamped(self):
        self.assertTrue(self.report._relation_pyramid_numbers_pages())
        self.assertTrue(
            self.env.ref(
                "relation_pyramid.action_report_migration"
            )._relation_pyramid_numbers_pages()
        )
        sale_order = self.env.ref("sale.action_report_saleorder")
        self.assertFalse(sale_order._relation_pyramid_numbers_pages())
