# Copyright 2026 relation_pyramid authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Page numbers on the addon's prints.

Debian's wkhtmltopdf (unpatched Qt) cannot print Odoo's separate header and
footer, so the letterhead is laid out in the page body
(``relation_pyramid.report_letterhead_layout``); the body cannot know its
page. The numbers are stamped on the finished PDF instead, in the bottom
margin, with the two PDF libraries Odoo itself requires (reportlab draws
the numbers, PyPDF2 lays them over each page)."""
import io

from PyPDF2 import PdfFileReader, PdfFileWriter
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from odoo import _, api, models

# Distance of the page number's baseline from the bottom edge: inside the
# bottom margin of Odoo's paper formats (A4 and Letter: 20 mm and more).
PAGE_NUMBER_BOTTOM = 8 * mm
PAGE_NUMBER_FONT_SIZE = 8


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    @api.multi
    def render_qweb_pdf(self, res_ids=None, data=None):
        content, content_type = super().render_qweb_pdf(res_ids=res_ids, data=data)
        if content_type == "pdf" and self._relation_pyramid_numbers_pages():
            content = self._stamp_page_numbers(content)
        return content, content_type

    @api.multi
    def _relation_pyramid_numbers_pages(self):
        """The addon's own prints (their letterhead is in the body)."""
        return self.report_name.startswith("relation_pyramid.")

    @api.multi
    def _stamp_page_numbers(self, content):
        """``content`` (a PDF) with "Page 2 of 3" centred at the bottom of
        each page, in the user's language."""
        reader = PdfFileReader(io.BytesIO(content), strict=False)
        total = reader.getNumPages()
        writer = PdfFileWriter()
        for index in range(total):
            page = reader.getPage(index)
            text = _("Page %(page)s of %(total)s") % {
                "page": index + 1,
                "total": total,
            }
            page.mergePage(
                self._page_number_overlay(
                    float(page.mediaBox.getWidth()),
                    float(page.mediaBox.getHeight()),
                    text,
                )
            )
            writer.addPage(page)
        result = io.BytesIO()
        writer.write(result)
        return result.getvalue()

    @api.model
    def _page_number_overlay(self, width, height, text):
        """A page of the given size with only ``text`` in its bottom margin."""
        buffer = io.BytesIO()
        overlay = canvas.Canvas(buffer, pagesize=(width, height))
        overlay.setFont("Helvetica", PAGE_NUMBER_FONT_SIZE)
        overlay.setFillGray(0.45)
        overlay.drawCentredString(width / 2.0, PAGE_NUMBER_BOTTOM, text)
        overlay.save()
        return PdfFileReader(io.BytesIO(buffer.getvalue())).getPage(0)
