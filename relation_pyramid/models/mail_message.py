# Copyright 2026 relation_pyramid authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models

# Message types that are a contact with the customer (see
# ``relation_pyramid_engine_contact.CONTACT_MESSAGE_WHERE``).
CONTACT_MESSAGE_TYPES = ("email", "comment")


class MailMessage(models.Model):
    _inherit = "mail.message"

    @api.model
    def create(self, values):
        """An e-mail, a logged note or a done activity on a customer or one
        of their contacts moves the customer's last contact at once."""
        message = super().create(values)
        if message.model == "res.partner" and message.res_id and (
            message.message_type in CONTACT_MESSAGE_TYPES
            or message.mail_activity_type_id
        ):
            partner = self.env["res.partner"].sudo().browse(message.res_id).exists()
            if partner:
                self.env["relation.pyramid.profile"]._refresh_contact_dates(
                    partner.commercial_partner_id.ids
                )
        return message
