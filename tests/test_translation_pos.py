"""The Dutch translation of the point of sale bridge relation_pyramid_pos:
complete against its template, placeholders and markup kept, and in use in
a database with Dutch loaded and the bridge installed (scripts/test.sh
installs point_of_sale, so the bridge installs itself).

The template is exported with Odoo from a database where the bridge is
installed: ``bin/odoo -d DB --i18n-export=relation_pyramid_pos.po
--modules=relation_pyramid_pos --stop-after-init``, then merged into nl.po
with ``msgmerge``.
"""
import collections
import os

import polib

from odoo.tests.common import TransactionCase

from .test_translation import LANG, MARKUP, PLACEHOLDER

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
I18N = os.path.join(REPO_ROOT, "relation_pyramid_pos", "i18n")
POT = os.path.join(I18N, "relation_pyramid_pos.pot")
NL_PO = os.path.join(I18N, "nl.po")


def test_every_template_string_is_translated():
    pot, nl = polib.pofile(POT), polib.pofile(NL_PO)
    assert nl.metadata.get("Language") == "nl"
    assert len(pot) >= 4, "the template looks empty"
    translations = {
        entry.msgid: entry
        for entry in nl
        if not entry.obsolete and entry.msgstr.strip() and "fuzzy" not in entry.flags
    }
    missing = [entry.msgid for entry in pot if entry.msgid not in translations]
    assert not missing, "untranslated in relation_pyramid_pos/i18n/nl.po: %r" % missing


def test_placeholders_and_markup_are_kept():
    problems = []
    for entry in polib.pofile(NL_PO).translated_entries():
        for pattern in (PLACEHOLDER, MARKUP):
            source = collections.Counter(pattern.findall(entry.msgid))
            target = collections.Counter(pattern.findall(entry.msgstr))
            if source != target:
                problems.append((entry.msgid, sorted(source), sorted(target)))
    assert not problems, problems


class TestDutchPointOfSale(TransactionCase):
    def test_pos_order_field_in_dutch(self):
        if "pos.order" not in self.env.registry:
            self.skipTest("point_of_sale is not installed in this database")
        lang = self.env["res.lang"].search([("code", "=", LANG)])
        self.assertTrue(lang.active, "Dutch is not installed in this database")
        field = (
            self.env["pos.order"]
            .with_context(lang=LANG)
            .fields_get(["pyramid_amount_untaxed"])["pyramid_amount_untaxed"]
        )
        self.assertEqual(field["string"], "Bedrag excl. BTW (piramide)")
        self.assertEqual(
            field["help"],
            "Het bedrag excl. BTW van de order in de valuta van de prijslijst, "
            "zoals de klantenpiramide het telt.",
        )
