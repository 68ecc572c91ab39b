# Copyright 2026 relation_pyramid authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
# pylint: disable=consider-merging-classes-inherited
"""Follow-up activities (issue 18, items 6-7): every day, one activity per
customer due for contact, in the channel of their preferred service, for
their salesperson, at most a daily number per salesperson, the most
valuable customers first. ``relation.pyramid.followup`` keeps what was
scheduled: the open activity (never a second while it is open) and the
count per salesperson and day."""
import logging

from psycopg2 import sql

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.misc import format_date

_logger = logging.getLogger(__name__)


class RelationPyramidFollowup(models.Model):
    """A follow-up activity scheduled by a relation plan."""

    _name = "relation.pyramid.followup"
    _description = "Relation plan follow-up"
    _order = "date desc, id desc"
    _rec_name = "summary"

    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True, ondelete="cascade"
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Assigned To",
        required=True,
        readonly=True,
        ondelete="cascade",
    )
    date = fields.Date(
        string="Scheduled On",
        required=True,
        readonly=True,
        help="The company's day the activity was scheduled (the daily limit "
        "counts per salesperson and day).",
    )
    activity_id = fields.Many2one(
        "mail.activity",
        readonly=True,
        index=True,
        ondelete="set null",
        help="The activity while it is open; empty once done or cancelled.",
    )
    summary = fields.Char(readonly=True)
    level = fields.Char(readonly=True)


class RelationPyramidProfile(models.Model):
    """The relation plans and follow-up settings of a company."""

    _inherit = "relation.pyramid.profile"

    plan_ids = fields.One2many(
        "relation.pyramid.plan", "profile_id", string="Relation Plans"
    )
    followup_active = fields.Boolean(
        string="Schedule Follow-ups",
        default=True,
        help="Every day, an activity for each customer due for contact.",
    )
    followup_user_id = fields.Many2one(
        "res.users",
        string="Fallback Salesperson",
        ondelete="set null",
        help="Follow-ups of customers without a salesperson go to this user; "
        "without one they are not scheduled.",
    )
    followup_daily_limit = fields.Integer(
        string="Follow-ups per Salesperson per Day",
        default=10,
        help="At most this many follow-up activities a day for each "
        "salesperson, the most valuable customers first; the others follow "
        "on the next days.",
    )
    last_followup_summary = fields.Char(
        readonly=True, help="What the last scheduling of follow-ups did."
    )

    @api.constrains("followup_daily_limit")
    def _check_followup_daily_limit(self):
        for profile in self:
            if profile.followup_daily_limit < 1:
                raise ValidationError(
                    _(
                        "The follow-ups per salesperson per day must be at least 1 "
                        "(now %s)."
                    )
                    % profile.followup_daily_limit
                )

    @api.model
    def create(self, vals):
        profile = super().create(vals)
        profile._ensure_plans()
        return profile

    @api.model
    def _ensure_all_plans(self):
        """The default plans of every company that misses some (on install
        and update: profiles made before plans existed)."""
        self._ensure_profiles()._ensure_plans()

    @api.multi
    def _ensure_plans(self):
        plans = self.env["relation.pyramid.plan"].sudo()
        for profile in self.sudo():
            existing = set(profile.plan_ids.mapped("level"))
            for values in plans._default_plan_values(profile):
                if values["level"] not in existing:
                    plans.create(values)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    @api.multi
    def action_schedule_followups(self):
        """Button and scheduled action: the follow-up activities of today
        for each profile's company (see ``_schedule_followups``)."""
        self._check_engine_access()
        for profile in self:
            profile.sudo()._schedule_followups()
        return True

    @api.model
    def _cron_schedule_followups(self):
        """Every company's follow-ups, each in a savepoint: one company's
        failure leaves the others'."""
        for profile in self._ensure_profiles():
            try:
                with self.env.cr.savepoint():
                    profile._schedule_followups()
            except Exception:  # pylint: disable=broad-except
                self.invalidate_cache()
                _logger.exception(
                    "Follow-ups of %s: scheduling failed", profile.company_id.name
                )

    # ------------------------------------------------------------------
    # The business method
    # ------------------------------------------------------------------
    @api.multi
    def _schedule_followups(self):
        """Create today's follow-up activities of the company: one per
        customer due for contact (a due, at-risk or win-back customer, see
        ``relation.pyramid.engine.contact``) without an open follow-up,
        except ``other`` and archived partners; assigned to the customer's
        salesperson, else the fallback user (none: skipped and counted);
        of the type of the customer's preferred service, else the plan's,
        else a to-do; due today; at most ``followup_daily_limit`` a day per
        salesperson, counting those already scheduled today, the most
        valuable first (``contact_priority``, then the most overdue).
        Returns ``{'created', 'skipped', 'deferred'}``."""
        self.ensure_one()
        counts = {"created": 0, "skipped": 0, "deferred": 0}
        if not self.followup_active:
            return counts
        today = self._reference_date()
        self._update_contact_due()
        selected, counts["skipped"], counts["deferred"] = self._select_followups(
            today
        )
        if selected:
            counts["created"] = self._create_followups(selected, today)
        self.last_followup_summary = _(
            "%(date)s: %(created)s follow-ups scheduled, %(deferred)s left for "
            "the next days (daily limit), %(skipped)s customers without a "
            "salesperson skipped."
        ) % dict(counts, date=format_date(self.env, today))
        _logger.info(
            "Follow-ups of %s at %s: %d scheduled, %d deferred (daily limit), "
            "%d skipped (no salesperson and no fallback user)",
            self.company_id.name,
            today,
            counts["created"],
            counts["deferred"],
            counts["skipped"],
        )
        return counts

    @api.multi
    def _select_followups(self, today):
        """The customers to follow up today, per assignee within what is
        left of their daily limit: a list of dicts (the row's figures,
        ``assignee_id``), the number skipped for want of an assignee and the
        number deferred by the limit."""
        self.ensure_one()
        cr = self.env.cr
        params = {
            "company_id": self.company_id.id,
            "today": today,
            "fallback_id": self.followup_user_id.id or None,
            "limit": self.followup_daily_limit,
        }
        candidates = self._followup_candidates_sql(
            sql.SQL(
                """line.id AS line_id, line.partner_id, line.level,
                   line.contact_priority, line.next_contact_date,
                   line.last_contact_date, line.revenue, line.win_back,
                   line.predicted_value,
                   COALESCE(salesperson.id, %(fallback_id)s) AS assignee_id"""
            )
        )
        cr.execute(
            sql.SQL(
                """
            WITH candidates AS ({candidates}), used AS (
                SELECT user_id, COUNT(*) AS used FROM relation_pyramid_followup
                 WHERE company_id = %(company_id)s AND date = %(today)s
                 GROUP BY user_id
            ), ranked AS (
                SELECT candidates.*,
                       ROW_NUMBER() OVER (
                           PARTITION BY assignee_id
                           -- win-back candidates: the most promising first
                           ORDER BY contact_priority,
                                    CASE WHEN win_back THEN predicted_value END
                                        DESC NULLS LAST,
                                    next_contact_date, revenue DESC, partner_id)
                           AS position,
                       COALESCE(used.used, 0) AS used
                  FROM candidates
                  LEFT JOIN used ON used.user_id = candidates.assignee_id
                 WHERE assignee_id IS NOT NULL
            )
            SELECT line_id, partner_id, assignee_id, level, last_contact_date
              FROM ranked
             WHERE position <= %(limit)s - used
             ORDER BY assignee_id, position
            """
            ).format(candidates=candidates),
            params,
        )
        selected = cr.dictfetchall()
        cr.execute(
            self._followup_candidates_sql(
                sql.SQL("COUNT(*) FILTER (WHERE salesperson.id IS NULL), COUNT(*)")
            ),
            params,
        )
        without_salesperson, due = cr.fetchone()
        skipped = 0 if self.followup_user_id else without_salesperson
        return selected, skipped, due - skipped - len(selected)

    @api.model
    def _followup_candidates_sql(self, columns):
        """The query of the rows due for a follow-up today, selecting
        ``columns`` (an ``sql.SQL`` over ``line``, ``partner`` and
        ``salesperson``: the customer's salesperson if active, else null):
        the company's rows due by then, except ``other`` rows and partners
        and archived partners, without an open follow-up. Parameters
        ``company_id`` and ``today``."""
        return sql.SQL(
            """SELECT {columns}
                 FROM relation_pyramid_line line
                 JOIN res_partner partner ON partner.id = line.partner_id
                 LEFT JOIN res_users salesperson
                   ON salesperson.id = partner.user_id AND salesperson.active
                WHERE line.company_id = %(company_id)s
                  AND line.next_contact_date <= %(today)s
                  AND line.level <> 'other'
                  AND partner.relation_qualification IS DISTINCT FROM 'other'
                  AND partner.active
                  AND NOT EXISTS (
                      SELECT 1 FROM relation_pyramid_followup followup
                       WHERE followup.partner_id = line.partner_id
                         AND followup.company_id = %(company_id)s
                         AND followup.activity_id IS NOT NULL)"""
        ).format(columns=columns)

    @api.multi
    def _create_followups(self, selected, today):
        """One activity and its follow-up record per selected customer."""
        self.ensure_one()
        lines = self.env["relation.pyramid.line"].browse(
            [row["line_id"] for row in selected]
        )
        lines.read(["partner_id", "level"])  # prefetch in one query
        users = self.env["res.users"].browse(
            {row["assignee_id"] for row in selected}
        )
        plans = {plan.level: plan for plan in self.plan_ids}
        todo = self.env.ref("mail.mail_activity_data_todo", raise_if_not_found=False)
        partner_model = self.env["ir.model"]._get("res.partner")
        activities = self.env["mail.activity"].sudo()
        followups = self.env["relation.pyramid.followup"].sudo()
        for row in selected:
            line = lines.browse(row["line_id"])
            user = users.browse(row["assignee_id"])
            plan = plans.get(self._plan_level(line))
            activity_type = (
                line.partner_id.preferred_service_preference_id.activity_type_id
                or (plan and plan.activity_type_id)
                or todo
            )
            summary = self.with_context(lang=user.lang)._followup_summary(line, plan)
            activity = activities.create(
                {
                    "res_model_id": partner_model.id,
                    "res_id": line.partner_id.id,
                    "user_id": user.id,
                    "activity_type_id": activity_type.id if activity_type else False,
                    "summary": summary,
                    "date_deadline": today,
                }
            )
            followups.create(
                {
                    "company_id": self.company_id.id,
                    "partner_id": line.partner_id.id,
                    "user_id": user.id,
                    "date": today,
                    "activity_id": activity.id,
                    "summary": summary,
                    "level": self._plan_level(line),
                }
            )
        return len(selected)

    @api.model
    def _plan_level(self, line):
        """The plan a row follows: ``win_back`` for a win-back candidate."""
        if line.win_back:
            return "win_back"
        return line.level

    @api.multi
    def _followup_summary(self, line, plan):
        """Why the customer is to be contacted, in the context's language:
        'At risk: revenue −35 %', 'Win back: was Big until 31/03/2026',
        'Top customer: last contact 02/09/2026, every 30 days'."""
        if line.win_back:
            if line.best_level:
                return _("Win back: was %(level)s until %(date)s") % {
                    "level": self._selection_label(line, "best_level"),
                    "date": format_date(self.env, line.best_level_date),
                }
            return _("Win back: was a top or big customer")
        if line.risk:
            if (
                line.previous_revenue > 0
                and line.revenue_change_pct <= -self.risk_drop_pct
            ):
                return _("At risk: revenue %s %%") % (
                    "\u2212%d" % round(-line.revenue_change_pct)
                )
            if "risk_reason" in line._fields and line.risk_reason:
                return _("At risk: %s") % line.risk_reason
            return _("At risk: level dropped")
        interval = line.partner_id.relation_contact_interval_days or (
            plan.interval_days if plan else 0
        )
        who = self._plan_labels().get(line.level) or self._selection_label(
            line, "level"
        )
        if not line.last_contact_date:
            return _("%(who)s: never contacted, every %(days)s days") % {
                "who": who,
                "days": interval,
            }
        return _("%(who)s: last contact %(date)s, every %(days)s days") % {
            "who": who,
            "date": format_date(self.env, line.last_contact_date),
            "days": interval,
        }

    @api.model
    def _plan_labels(self):
        return {
            "top": _("Top customer"),
            "big": _("Big customer"),
            "medium": _("Medium customer"),
            "small": _("Small customer"),
            "prospect": _("Prospect"),
        }

    @api.model
    def _selection_label(self, record, field_name):
        selection = dict(record._fields[field_name]._description_selection(self.env))
        return selection.get(record[field_name], record[field_name])
