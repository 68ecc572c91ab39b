# Copyright 2026 relation_pyramid authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The engine's contact step: when each customer was last contacted and
when they are due again (issue 18, item 5).

The last contact is the latest of: a done activity, an e-mail or a logged
note (``mail.message`` of type ``email``/``comment``, or the message Odoo
posts when an activity is marked done; not tracking notifications) on the
customer or any of their contacts, kept on the commercial partner as
``relation_last_message_date`` when the message is made (see
``mail_message.py``; the nightly run does not read the chatter), the last
confirmed order (the row's ``last_order_date``), and the date a salesperson
set by hand (``res.partner.relation_last_contact_manual``); each the
company's local day.

The next contact is the last contact plus the interval: the customer's own
(``relation_contact_interval_days``) else their plan's (the ``win_back``
plan for win-back candidates, their level's otherwise; none for ``other``,
archived partners, suspects and inactive customers without an own
interval; none either for a partner qualified ``other`` whose orders make
them active). A customer never contacted is due from the day they entered
their level (``level_since``, else today); a customer at risk since a day
after their last contact is due on that day (``risk_since``). A customer is
due (``contact_due``) when the next contact is today (the company's) or
earlier. ``contact_priority`` orders the due customers, most valuable first:
by level, at risk before not, then the most overdue.

The full recompute and the refresh of a few customers fill the columns in
``RESULT_TABLE``; between recomputes, a message, a done activity or a
manual date moves the rows at once (``_refresh_contact_dates``).
"""
from psycopg2 import sql

from odoo import api, models

from .relation_pyramid_engine import RESULT_TABLE

CONTACT_COLUMNS = [
    "last_contact_date",
    "next_contact_date",
    "contact_due",
    "contact_priority",
]
# The order of the due customers: by level from the top (win-back candidates
# are inactive), then the risk customers, then the most overdue.
PRIORITY_LEVELS = ["top", "big", "medium", "small", "inactive", "prospect"]


class RelationPyramidEngineContact(models.AbstractModel):
    """The contact step, mixed into ``relation.pyramid.profile`` before the
    other steps (its ``_complete_result`` runs after theirs: it reads the
    levels, risk and win-back of the result)."""

    _name = "relation.pyramid.engine.contact"
    _description = "Customer pyramid engine: last and next contact"

    # ------------------------------------------------------------------
    # Engine hooks
    # ------------------------------------------------------------------
    @api.model
    def _result_columns(self):
        return super()._result_columns() + CONTACT_COLUMNS

    @api.multi
    def _complete_result(self, reference_date, bounds, partner_ids=None):
        result = super()._complete_result(reference_date, bounds, partner_ids)
        self._compute_contact_dates(partner_ids)
        return result

    # ------------------------------------------------------------------
    # The step
    # ------------------------------------------------------------------
    @api.multi
    def _compute_contact_dates(self, partner_ids=None):
        """Add ``CONTACT_COLUMNS`` to ``RESULT_TABLE`` and fill them."""
        self.ensure_one()
        cr = self.env.cr
        cr.execute(
            sql.SQL(
                "ALTER TABLE {} ADD COLUMN last_contact_date date, "
                "ADD COLUMN next_contact_date date, "
                "ADD COLUMN contact_due boolean NOT NULL DEFAULT FALSE, "
                "ADD COLUMN contact_priority integer"
            ).format(sql.SQL(RESULT_TABLE))
        )
        cr.execute(
            """
            UPDATE {result_table} result
               SET last_contact_date = contact.last_contact_date,
                   next_contact_date = contact.next_contact_date,
                   contact_due = contact.contact_due,
                   contact_priority = contact.contact_priority
              FROM ({contact_sql}) contact
             WHERE contact.partner_id = result.partner_id
               AND (contact.last_contact_date IS NOT NULL
                    OR contact.next_contact_date IS NOT NULL)
            """.format(
                result_table=RESULT_TABLE,
                contact_sql=self._contact_sql(RESULT_TABLE),
            ),
            self._contact_params(partner_ids),
        )

    @api.multi
    def _contact_params(self, partner_ids=None):
        self.ensure_one()
        return {
            "profile_id": self.id,
            "company_id": self.company_id.id,
            "today": self._reference_date(),
            "tz": self._company_tz(),
            "all_partners": partner_ids is None,
            "partner_ids": tuple(partner_ids or [0]),
            "priority_levels": PRIORITY_LEVELS,
        }

    @api.model
    def _contact_signal_sql(self, source_table):
        """The risk and level figures the dates follow, as SQL on the
        ``source`` rows: their columns where ``source_table`` has them (the
        signals step fills them in ``RESULT_TABLE``), else none (not at
        risk, no win-back, level since unknown)."""
        defaults = {
            "risk": "FALSE",
            "risk_since": "NULL::date",
            "win_back": "FALSE",
            "level_since": "NULL::date",
        }
        if source_table == RESULT_TABLE:
            self.env.cr.execute(
                "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass "
                "AND attnum > 0 AND NOT attisdropped",
                (RESULT_TABLE,),
            )
            present = {row[0] for row in self.env.cr.fetchall()}
        else:
            present = set(self.env["relation.pyramid.line"]._fields)
        return {
            name: "source.%s" % name if name in present else default
            for name, default in defaults.items()
        }

    @api.multi
    def _contact_sql(self, source_table):
        """SELECT per customer of ``source_table`` (``RESULT_TABLE`` or the
        stored rows, with ``partner_id``, ``level``, ``last_order_date``,
        ``risk``, ``risk_since``, ``win_back``, ``level_since``): their
        ``CONTACT_COLUMNS``. Parameters: ``_contact_params``."""
        signal = self._contact_signal_sql(source_table)
        return """
            WITH contacts AS (
                SELECT source.partner_id, source.level,
                       {risk} AS risk, {risk_since} AS risk_since,
                       GREATEST({message_day}, source.last_order_date,
                                partner.relation_last_contact_manual)
                           AS last_contact_date,
                       CASE WHEN source.level = 'other' OR NOT partner.active
                                 OR partner.relation_qualification = 'other'
                            THEN NULL
                            WHEN partner.relation_contact_interval_days > 0
                            THEN partner.relation_contact_interval_days
                            ELSE plan.interval_days END AS interval_days,
                       COALESCE({level_since}, %(today)s) AS entry_date
                  FROM {source_table} source
                  JOIN res_partner partner ON partner.id = source.partner_id
                  LEFT JOIN relation_pyramid_plan plan
                    ON plan.profile_id = %(profile_id)s
                   AND plan.level = CASE WHEN {win_back} THEN 'win_back'
                                         ELSE source.level END
                 WHERE %(all_partners)s OR source.partner_id IN %(partner_ids)s
            ), dated AS (
                SELECT contacts.*,
                       CASE WHEN interval_days IS NULL THEN NULL
                            WHEN risk AND risk_since IS NOT NULL
                                 AND (last_contact_date IS NULL
                                      OR last_contact_date < risk_since)
                            THEN LEAST(COALESCE(last_contact_date + interval_days,
                                                entry_date),
                                       risk_since)
                            ELSE COALESCE(last_contact_date + interval_days,
                                          entry_date)
                       END AS next_contact_date
                  FROM contacts
            )
            SELECT partner_id, last_contact_date, next_contact_date,
                   COALESCE(next_contact_date <= %(today)s, FALSE) AS contact_due,
                   CASE WHEN next_contact_date IS NOT NULL
                        THEN 10 * COALESCE(array_position(%(priority_levels)s,
                                                          level::text), 9)
                             + CASE WHEN risk THEN 0 ELSE 5 END
                   END AS contact_priority
              FROM dated
            """.format(
            source_table=source_table,
            message_day=self._local_day_sql("partner.relation_last_message_date"),
            **signal
        )

    # ------------------------------------------------------------------
    # At once, between recomputes
    # ------------------------------------------------------------------
    @api.model
    def _refresh_contact_dates(self, partner_ids):
        """Bring the contact dates of these customers (commercial partners)
        up to date in every company that has a row for them, after a
        message, a done activity or a change of their manual date or
        interval. Written as the superuser, whoever made the contact: a
        salesperson who may not write the rows still moves the dates."""
        partner_ids = sorted({pid for pid in partner_ids if pid})
        if not partner_ids:
            return
        cr = self.env.cr
        cr.execute(
            "SELECT DISTINCT company_id FROM relation_pyramid_line "
            "WHERE partner_id IN %s",
            (tuple(partner_ids),),
        )
        company_ids = {row[0] for row in cr.fetchall()}
        if not company_ids:
            return
        profiles = (
            self.sudo()
            ._ensure_profiles()
            .filtered(lambda profile: profile.company_id.id in company_ids)
        )
        for profile in profiles:
            profile._lock_rows_for_refresh()
            profile._write_contact_dates(partner_ids)

    @api.multi
    def _write_contact_dates(self, partner_ids=None):
        """Recompute ``CONTACT_COLUMNS`` of the company's stored rows (of
        ``partner_ids``, else all) from those rows; rows that did not change
        are not written."""
        self.ensure_one()
        source = (
            "(SELECT * FROM relation_pyramid_line "
            "WHERE company_id = %(company_id)s)"
        )
        self.env.cr.execute(
            """
            UPDATE relation_pyramid_line line
               SET last_contact_date = contact.last_contact_date,
                   next_contact_date = contact.next_contact_date,
                   contact_due = contact.contact_due,
                   contact_priority = contact.contact_priority
              FROM ({contact_sql}) contact
             WHERE line.company_id = %(company_id)s
               AND line.partner_id = contact.partner_id
               AND (line.last_contact_date, line.next_contact_date,
                    line.contact_due, line.contact_priority)
                   IS DISTINCT FROM
                   (contact.last_contact_date, contact.next_contact_date,
                    contact.contact_due, contact.contact_priority)
            """.format(contact_sql=self._contact_sql(source)),
            self._contact_params(partner_ids),
        )
        written = self.env.cr.rowcount
        self.env["relation.pyramid.line"].invalidate_cache()
        return written

    @api.multi
    def _update_contact_due(self):
        """The due flag of the company's rows at the company's today (days
        pass between recomputes)."""
        self.ensure_one()
        self.env.cr.execute(
            """
            UPDATE relation_pyramid_line
               SET contact_due = COALESCE(next_contact_date <= %(today)s, FALSE)
             WHERE company_id = %(company_id)s
               AND contact_due IS DISTINCT FROM
                   COALESCE(next_contact_date <= %(today)s, FALSE)
            """,
            {"company_id": self.company_id.id, "today": self._reference_date()},
        )
        self.env["relation.pyramid.line"].invalidate_cache()
