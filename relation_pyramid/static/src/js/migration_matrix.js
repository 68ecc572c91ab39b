/* Copyright 2026 relation_pyramid authors
 * License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
odoo.define("relation_pyramid.migration_matrix", function (require) {
    "use strict";

    var AbstractField = require("web.AbstractField");
    var fieldRegistry = require("web.field_registry");

    /**
     * The migration matrix on its form (an Html field rendered by the
     * template relation_pyramid.migration_matrix_table): every cell, and
     * every movement of the legend, opens its customers through the
     * matrix's action_open_customers, the cell named in the context.
     */
    var MigrationMatrix = AbstractField.extend({
        className: "o_relation_pyramid_matrix_field",
        supportedFieldTypes: ["html"],
        events: _.extend({}, AbstractField.prototype.events, {
            "click a.o_relation_pyramid_cell": "_onCellClick",
        }),

        _render: function () {
            this.$el.html(this.value || "");
        },

        _onCellClick: function (ev) {
            ev.preventDefault();
            ev.stopPropagation();
            var data = $(ev.currentTarget).data();
            var context = _.extend({}, this.record.getContext(), {
                migration_from_level: data.from || false,
                migration_to_level: data.to || false,
                migration_movement: data.movement || false,
            });
            var self = this;
            // as a button of the form: the call_button route prepares the
            // action for the web client (its 'tree' views become 'list')
            return this._rpc({
                route: "/web/dataset/call_button",
                params: {
                    model: this.model,
                    method: "action_open_customers",
                    args: [[this.res_id], context],
                },
            }).then(function (action) {
                return self.do_action(action);
            });
        },
    });

    fieldRegistry.add("relation_pyramid_matrix", MigrationMatrix);
    return MigrationMatrix;
});
