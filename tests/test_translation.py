"""The Dutch translation: complete on paper (the template against nl.po) and
in use (an Odoo database with Dutch loaded shows labels, selection values,
menus, views, reports and error messages in Dutch).

The template is regenerated with ``scripts/i18n.sh`` (``make pot``); a string
added to the addon fails the completeness test until it is translated.
The database must have Dutch installed: scripts/test.sh creates it with
``--load-language=nl_NL``.
"""
import collections
import os
import re

import polib

from odoo.exceptions import ValidationError
from odoo.tests.common import TransactionCase

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
I18N = os.path.join(REPO_ROOT, "relation_pyramid", "i18n")
POT = os.path.join(I18N, "relation_pyramid.pot")
NL_PO = os.path.join(I18N, "nl.po")
LANG = "nl_NL"

# Python format placeholders: %(name)s, %s, %d and the escaped %%.
PLACEHOLDER = re.compile(r"%\([^)]+\)[sdr]|%[sdr]|%%")
# HTML tags and entities (action help texts, report and view fragments).
MARKUP = re.compile(r"</?[a-zA-Z][^>]*>|&[a-zA-Z]+;|&#\d+;")


def _catalogues():
    return polib.pofile(POT), polib.pofile(NL_PO)


def test_nl_po_header():
    nl = polib.pofile(NL_PO)
    assert nl.metadata.get("Language") == "nl"
    assert "charset=UTF-8" in nl.metadata.get("Content-Type", "")
    assert nl.metadata.get("Plural-Forms", "").startswith("nplurals=2;")


def test_every_template_string_is_translated():
    pot, nl = _catalogues()
    assert len(pot) > 100, "the template looks empty: run scripts/i18n.sh"
    translations = {entry.msgid: entry for entry in nl if not entry.obsolete}
    missing = [entry.msgid for entry in pot if entry.msgid not in translations]
    empty = [
        entry.msgid
        for entry in pot
        if entry.msgid in translations and not translations[entry.msgid].msgstr.strip()
    ]
    fuzzy = [
        entry.msgid
        for entry in pot
        if entry.msgid in translations and "fuzzy" in translations[entry.msgid].flags
    ]
    assert not missing, "not in nl.po (run scripts/i18n.sh): %r" % missing
    assert not empty, "untranslated in nl.po: %r" % empty
    assert not fuzzy, "fuzzy in nl.po (review, then drop the flag): %r" % fuzzy


def test_placeholders_and_markup_are_kept():
    _pot, nl = _catalogues()
    problems = []
    for entry in nl.translated_entries():
        for pattern in (PLACEHOLDER, MARKUP):
            source = collections.Counter(pattern.findall(entry.msgid))
            target = collections.Counter(pattern.findall(entry.msgstr))
            if source != target:
                problems.append((entry.msgid, sorted(source), sorted(target)))
    assert not problems, problems


class TestDutchInOdoo(TransactionCase):
    # Failure messages name what is missing, without whole views or reports.
    longMessage = False

    def setUp(self):
        super().setUp()
        lang = self.env["res.lang"].search([("code", "=", LANG)])
        self.assertTrue(
            lang.active,
            "Dutch is not installed in this database: create it with "
            "--load-language=%s (scripts/test.sh does)" % LANG,
        )
        self.nl_env = self.env(context=dict(self.env.context, lang=LANG))

    def test_partner_field_labels_and_selection_values(self):
        fields = self.nl_env["res.partner"].fields_get(
            [
                "service_preference_ids",
                "relation_motive_ids",
                "pyramid_level",
                "relation_lifecycle",
                "relation_qualification",
            ]
        )
        self.assertEqual(
            fields["service_preference_ids"]["string"], "Contactvoorkeuren"
        )
        self.assertEqual(fields["relation_motive_ids"]["string"], "Relatiemotieven")
        self.assertEqual(fields["pyramid_level"]["string"], "Piramideniveau")
        self.assertEqual(
            fields["service_preference_ids"]["help"],
            "Hoe deze klant bediend en benaderd wil worden.",
        )
        levels = dict(fields["pyramid_level"]["selection"])
        self.assertEqual(
            [levels[key] for key in ("top", "big", "medium", "small")],
            ["Top", "Groot", "Middel", "Klein"],
        )
        lifecycles = dict(fields["relation_lifecycle"]["selection"])
        self.assertEqual(
            [lifecycles[key] for key in ("active", "inactive", "other")],
            ["Actief", "Inactief", "Overig"],
        )
        qualifications = dict(fields["relation_qualification"]["selection"])
        self.assertEqual(qualifications["other"], "Overig (nooit geïnteresseerd)")

    def test_menus(self):
        menu = self.nl_env.ref("relation_pyramid.relation_pyramid_menu")
        self.assertEqual(menu.name, "Klantenpiramide")
        config = self.nl_env.ref("relation_pyramid.relation_configuration_menu")
        self.assertEqual(config.name, "Relaties")
        preferences = self.nl_env.ref(
            "relation_pyramid.relation_service_preference_menu"
        )
        self.assertEqual(preferences.name, "Contactvoorkeuren")

    def test_views(self):
        kanban_view = self.env.ref("relation_pyramid.relation_pyramid_line_view_kanban")
        kanban = self.nl_env["relation.pyramid.line"].fields_view_get(
            view_id=kanban_view.id, view_type="kanban"
        )["arch"]
        self.assertIn("Omzet tot hoger niveau", kanban, "kanban view not in Dutch")
        self.assertNotIn("Up-sell Gap", kanban, "kanban view not in Dutch")
        form = self.nl_env["res.partner"].fields_view_get(
            view_id=self.env.ref("base.view_partner_form").id, view_type="form"
        )["arch"]
        self.assertIn('string="Relatie"', form, "partner form not in Dutch")
        self.assertIn(
            "Het relatieprofiel hoort bij het bedrijf",
            form,
            "partner form not in Dutch",
        )

    def test_configuration_data(self):
        motive = self.nl_env.ref("relation_pyramid.relation_motive_price")
        self.assertEqual(motive.name, "Lage prijs")
        visit = self.nl_env.ref("relation_pyramid.service_preference_visit")
        self.assertEqual(visit.name, "Persoonlijk bezoek")

    def test_validation_errors(self):
        with self.assertRaises(ValidationError) as raised:
            self.nl_env["relation.motive"].create({"name": "   "})
        self.assertIn(
            "De naam mag niet leeg zijn of alleen uit spaties bestaan",
            raised.exception.name,
        )
        partner = self.nl_env["res.partner"].create(
            {"name": "Bakkerij de Korenaar", "is_company": True}
        )
        with self.assertRaises(ValidationError) as raised:
            partner.write({"relation_qualification": "x"})
        self.assertIn(
            "Onbekende kwalificatie 'x': gebruik een van", raised.exception.name
        )
        with self.assertRaises(ValidationError) as raised:
            partner.write({"relation_qualification": "other"})
        self.assertEqual(
            raised.exception.name,
            "Geef een reden waarom Bakkerij de Korenaar nooit geïnteresseerd zal zijn.",
        )

    def test_pyramid_report(self):
        company = self.env.ref("base.main_company")
        profile = self.env["relation.pyramid.profile"]._ensure_profiles().filtered(
            lambda p: p.company_id == company
        )
        profile.action_recompute("2026-06-30")
        snapshot = self.env["relation.pyramid.snapshot"].search(
            [("company_id", "=", company.id), ("date", "=", "2026-06-30")]
        )
        # The report is printed in the language of the user who prints it.
        report = self.nl_env.ref("relation_pyramid.action_report_pyramid")
        html = report.render_qweb_html(snapshot.ids)[0].decode()
        self.assertIn("Klantenpiramide van", html, "report title not in Dutch")
        self.assertIn("Peildatum:", html, "report not in Dutch")
        self.assertNotIn("Reference date:", html, "report not in Dutch")
        data = snapshot.with_context(lang=LANG)._report_data()
        labels = [row["label"] for row in data["rows"]]
        self.assertEqual(labels[:4], ["Top", "Groot", "Middel", "Klein"])
