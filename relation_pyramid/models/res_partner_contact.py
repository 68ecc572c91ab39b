# Copyright 2026 relation_pyramid authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
# pylint: disable=consider-merging-classes-inherited
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

# Partner fields whose change moves the customer's next contact at once.
CONTACT_PARTNER_FIELDS = {
    "relation_last_contact_manual",
    "relation_contact_interval_days",
    "active",
}


class ResPartner(models.Model):
    """The customer's own contact interval and the date a salesperson last
    contacted them by hand (relation profile fields: the commercial
    partner's), and their last and next contact in the user's current
    company, read from the commercial partner's pyramid row."""

    _inherit = "res.partner"

    relation_contact_interval_days = fields.Integer(
        string="Contact Every (days)",
        copy=False,
        help="This customer's own contact interval; 0: the interval of the "
        "relation plan of their level.",
    )
    relation_last_contact_manual = fields.Date(
        string="Last Contacted On",
        copy=False,
        help="A contact that left no trace in Odoo (a call, a visit, a chat at "
        "a fair): the last contact counts from this date if it is the latest.",
    )
    relation_last_message_date = fields.Datetime(
        string="Last Message On",
        readonly=True,
        copy=False,
        help="The last e-mail, logged note or done activity on this customer "
        "or one of their contacts (kept on the commercial partner).",
    )
    pyramid_last_contact_date = fields.Date(
        string="Last Contact",
        compute="_compute_pyramid_contact",
        groups="sales_team.group_sale_salesman",
    )
    pyramid_next_contact_date = fields.Date(
        string="Next Contact",
        compute="_compute_pyramid_contact",
        groups="sales_team.group_sale_salesman",
    )
    pyramid_contact_due = fields.Boolean(
        string="Due for Contact",
        compute="_compute_pyramid_contact",
        search="_search_pyramid_contact_due",
        groups="sales_team.group_sale_salesman",
    )

    @api.multi
    def _compute_pyramid_contact(self):
        line_of = self._pyramid_lines()
        for partner in self:
            line = line_of.get(partner)
            if line:
                partner.pyramid_last_contact_date = line.last_contact_date
                partner.pyramid_next_contact_date = line.next_contact_date
                partner.pyramid_contact_due = line.contact_due

    def _search_pyramid_contact_due(self, operator, value):
        return self._search_pyramid_line("contact_due", operator, value)

    @api.constrains("relation_contact_interval_days")
    def _check_relation_contact_interval_days(self):
        for partner in self:
            if not 0 <= partner.relation_contact_interval_days <= 3660:
                raise ValidationError(
                    _(
                        "Contact every %s days: give a number of days from 1 to "
                        "3660, or 0 for the interval of the customer's level."
                    )
                    % partner.relation_contact_interval_days
                )

    @api.constrains("relation_last_contact_manual")
    def _check_relation_last_contact_manual(self):
        for partner in self:
            day = partner.relation_last_contact_manual
            if day and day > fields.Date.context_today(partner):
                raise ValidationError(
                    _(
                        "The last contact with %(partner)s cannot lie in the "
                        "future (%(date)s)."
                    )
                    % {"partner": partner.display_name, "date": day}
                )

    @api.model
    def _relation_profile_fields(self):
        return super()._relation_profile_fields() + [
            "relation_contact_interval_days",
            "relation_last_contact_manual",
        ]

    @api.multi
    def _note_relation_contact(self, when):
        """A message (e-mail, note, done activity) on these commercial
        partners at ``when`` (UTC): their last message moves forward and
        their pyramid rows follow at once, whoever posted it."""
        if not self:
            return
        self.env.cr.execute(
            """
            UPDATE res_partner SET relation_last_message_date = %s
             WHERE id IN %s
               AND (relation_last_message_date IS NULL
                    OR relation_last_message_date < %s)
            """,
            (when, tuple(self.ids), when),
        )
        self.invalidate_cache(["relation_last_message_date"], self.ids)
        self.env["relation.pyramid.profile"]._refresh_contact_dates(self.ids)

    @api.model
    def _init_relation_last_message_dates(self):
        """Every commercial partner's last message from the chatter (on
        install and update: messages made before, or moved by a merge); the
        messages ``mail_message.CONTACT_MESSAGE_TYPES`` describes."""
        self.env.cr.execute(
            """
            UPDATE res_partner SET relation_last_message_date = last.contacted_at
              FROM (SELECT partner.commercial_partner_id AS partner_id,
                           MAX(by_partner.contacted_at) AS contacted_at
                      FROM (SELECT message.res_id,
                                   MAX(message.date) AS contacted_at
                              FROM mail_message message
                             WHERE message.model = 'res.partner'
                               AND (message.message_type IN ('email', 'comment')
                                    OR message.mail_activity_type_id IS NOT NULL)
                             GROUP BY message.res_id) by_partner
                      JOIN res_partner partner ON partner.id = by_partner.res_id
                     GROUP BY partner.commercial_partner_id) last
             WHERE res_partner.id = last.partner_id
               AND res_partner.relation_last_message_date
                   IS DISTINCT FROM last.contacted_at
            """
        )
        self.invalidate_cache(["relation_last_message_date"])

    @api.multi
    def write(self, vals):
        result = super().write(vals)
        if CONTACT_PARTNER_FIELDS & set(vals):
            self.env["relation.pyramid.profile"]._refresh_contact_dates(
                self.mapped("commercial_partner_id").ids
            )
        return result
