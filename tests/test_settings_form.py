"""The settings form warns while a setting the levels follow is being
changed, before it is saved (issue 16 point 2): the web client's onchange,
as the form calls it, compares the settings with the last recompute's."""
from .pyramid_common import PyramidCase


class TestSettingsForm(PyramidCase):
    def _onchange(self, profile, field_name, value):
        """What the form shows after the user changed ``field_name``."""
        view = profile.fields_view_get(view_type="form")
        spec = profile._onchange_spec(view_info=view)
        names = [name for name in spec if "." not in name]
        values = profile.read(names)[0]
        values.pop("id", None)
        values[field_name] = value
        return profile.onchange(values, field_name, spec)["value"]

    def test_warning_follows_a_change_before_saving(self):
        self._recompute()
        self.assertFalse(self.profile.settings_changed)
        shown = self._onchange(self.profile, "top_count_pct", 2.0)
        self.assertIs(shown.get("settings_changed"), True)
        # back to the recomputed value: no warning
        shown = self._onchange(self.profile, "top_count_pct", 1.0)
        self.assertFalse(shown.get("settings_changed"))

    def test_no_warning_before_the_first_recompute(self):
        # nothing computed yet: nothing can differ from it
        company = self.env["res.company"].create(
            {"name": "First day", "currency_id": self.eur.id}
        )
        profile = self.env["relation.pyramid.profile"].search(
            [("company_id", "=", company.id)]
        )
        shown = self._onchange(profile, "top_count_pct", 2.0)
        self.assertFalse(shown.get("settings_changed"))
