"""The app page: the icon and the description the Apps menu shows
(static/description/), with every screenshot it names shipped."""
import os

from lxml import html as lxml_html
from PIL import Image

from odoo.modules.module import get_module_resource
from odoo.tests.common import TransactionCase


class TestAppPage(TransactionCase):
    def setUp(self):
        super().setUp()
        self.module = self.env["ir.module.module"].search(
            [("name", "=", "relation_pyramid")]
        )

    def test_icon_is_a_square_png_that_the_apps_menu_shows(self):
        path = get_module_resource("relation_pyramid", "static/description", "icon.png")
        self.assertTrue(path)
        with Image.open(path) as icon:
            self.assertEqual((icon.format, icon.size), ("PNG", (128, 128)))
        self.assertEqual(
            self.module.icon, "/relation_pyramid/static/description/icon.png"
        )
        self.assertTrue(self.module.icon_image)

    def test_description_page_names_only_shipped_screenshots(self):
        path = get_module_resource(
            "relation_pyramid", "static/description", "index.html"
        )
        with open(path, "rb") as page:
            document = lxml_html.document_fromstring(page.read())
        sources = [img.get("src") for img in document.iter("img")]
        local = [src for src in sources if "//" not in src]
        self.assertGreaterEqual(len(local), 5)
        for src in local:
            self.assertTrue(
                os.path.isfile(os.path.join(os.path.dirname(path), src)), src
            )
        # as the Apps menu shows it: sanitized, images under the addon's path
        shown = self.module.description_html
        self.assertIn("Relation Pyramid", shown)
        self.assertIn("migration matrix", shown)
        for src in local:
            self.assertIn("/relation_pyramid/static/description/%s" % src, shown)
        self.assertNotIn("img.screenshot", shown)  # the style sheet is not text
