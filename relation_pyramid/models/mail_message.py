# Copyright 2026 relation_pyramid authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models

# Messages that are a contact with the customer: e-mails and logged notes,
# and the message Odoo posts when an activity is marked done (it carries the
# activity's type); not tracking notifications.
CONTACT_MESSAGE_TYPES = ("email", "comment")


class MailMessage(models.Model):
    _inherit = "mail.message"

    @api.model
    def create(self, values):
        """An e-mail, a logged note or a done activity on a customer or one
        of their contacts moves the customer's last contact at once."""
        message = super().create(values)
        if (
            message.model == "res.partner"
            and message.res_id
            and (
                message.message_type in CONTACT_MESSAGE_TYPES
                or message.mail_activity_type_id
            )
        ):
            partner = self.env["res.partner"].sudo().browse(message.res_id).exists()
            if partner:
                partner.commercial_partner_id._note_relation_contact(message.date)
        return message
