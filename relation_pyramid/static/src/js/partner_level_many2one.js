/* Copyright 2026 relation_pyramid authors
 * License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
odoo.define("relation_pyramid.partner_level_many2one", function (require) {
    "use strict";

    var fieldRegistry = require("web.field_registry");
    var relationalFields = require("web.relational_fields");

    /**
     * The customer field of a quotation: its dropdown shows each customer's
     * pyramid level as a coloured badge (and the lifecycle beside an active
     * customer's level), read in one call per search from
     * res.partner.read_pyramid_badges, which gives nothing the user may not
     * see (another salesperson's customers for own documents only).
     * Everything else is Odoo's many2one.
     */
    var PartnerLevelMany2One = relationalFields.FieldMany2One.extend({
        _search: function (searchValue) {
            var self = this;
            var result = $.Deferred();
            this._super.apply(this, arguments).then(function (values) {
                var ids = _.compact(_.pluck(values, "id"));
                if (!ids.length) {
                    return result.resolve(values);
                }
                self._rpc({
                    model: "res.partner",
                    method: "read_pyramid_badges",
                    args: [ids],
                    context: self.record.getContext(self.recordParams),
                }).then(function (badges) {
                    var byId = _.indexBy(badges, "id");
                    _.each(values, function (value) {
                        var badge = value.id && byId[value.id];
                        if (badge) {
                            value.label += self._badgeHtml(badge);
                        }
                    });
                    result.resolve(values);
                }, function () {
                    // no badges rather than no dropdown
                    result.resolve(values);
                });
            });
            return result;
        },

        _badgeHtml: function (badge) {
            var html = ' <span class="label label-rp-' + _.escape(badge.level) +
                ' o_relation_pyramid_dropdown_badge" title="' +
                _.escape(badge.lifecycle_label) + '">' +
                _.escape(badge.level_label) + "</span>";
            if (badge.lifecycle !== badge.level) {
                html += ' <small class="text-muted o_relation_pyramid_dropdown_lifecycle">' +
                    _.escape(badge.lifecycle_label) + "</small>";
            }
            return html;
        },
    });

    fieldRegistry.add("relation_pyramid_partner", PartnerLevelMany2One);

    return {PartnerLevelMany2One: PartnerLevelMany2One};
});
