"""Relation plans at scale (issue 18, item 9): on a bench database (see
generate.py), the share of the contact-date step in the nightly run, and the
follow-up scheduling's first run with every customer due and its next run.

1. Contact messages: ``--messages`` logged notes and e-mails on random
   customers and contacts (``mail_message``, as the chatter stores them),
   added once and kept, so the step reads a realistic chatter.
2. Nightly runs: company 1 recomputed at ``--days`` consecutive days ending
   at the data's last day (after a first recompute the day before), each
   committed; per run the wall time and the time of the contact step
   (``_compute_contact_dates``), their medians and the share.
3. Follow-ups: every pyramid row of every company made due (next contact
   yesterday), then ``_cron_schedule_followups`` timed twice in the same
   transaction: activities per salesperson (the limit each) and none the
   second time. Rolled back.

Usage (Odoo venv Python, the project's environment):
    followups.py --db rp_bench_m [--messages 200000] [--days 5]
"""
import argparse
import datetime
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
from measure import StepTimer  # noqa: E402

_logger = benchlib.setup_logging("followups")

CONTACT_STEP = "_compute_contact_dates"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--messages", type=int, default=200000)
    parser.add_argument("--days", type=int, default=5)
    parser.add_argument(
        "--skip-signals",
        action="store_true",
        help="nightly runs without the signals step (risk, win-back, RFM): "
        "the contact step's share of the rest",
    )
    parser.add_argument("--out", help="write the results as JSON here")
    return parser.parse_args(argv)


def add_messages(registry, count):
    """``count`` contact messages on partners (customers and contacts),
    dated over the last two years, unless the database has them."""
    with benchlib.odoo_env(registry) as env:
        cr = env.cr
        cr.execute(
            "SELECT COUNT(*) FROM mail_message WHERE model = 'res.partner' "
            "AND message_type IN ('comment', 'email')"
        )
        have = cr.fetchone()[0]
        if have >= count:
            return have
        note = env.ref("mail.mt_note").id
        cr.execute(
            """
            INSERT INTO mail_message (model, res_id, message_type, subtype_id,
                                      body, date, author_id, create_date,
                                      write_date, create_uid, write_uid)
            SELECT 'res.partner', partner.id,
                   CASE WHEN n %% 3 = 0 THEN 'email' ELSE 'comment' END,
                   CASE WHEN n %% 3 = 0 THEN NULL ELSE %(note)s END,
                   '<p>Bench contact</p>',
                   now() - (n %% 730) * INTERVAL '1 day',
                   NULL, now(), now(), 1, 1
              FROM generate_series(1, %(count)s) n
              JOIN LATERAL (
                  SELECT id FROM res_partner
                   WHERE id = (SELECT MIN(id) FROM res_partner)
                              + (n * 7919) %% (SELECT MAX(id) - MIN(id) + 1
                                               FROM res_partner)
              ) partner ON TRUE
            """,
            {"count": count - have, "note": note},
        )
        added = cr.rowcount
        cr.execute("ANALYZE mail_message")
        cr.commit()
        return have + added


def nightly_runs(registry, days, skip_signals=False):
    """Recompute company 1 at ``days`` consecutive days ending at the data's
    last day, after a first recompute the day before; ``skip_signals``:
    without the signals step (its columns stay empty)."""
    context = {}
    if skip_signals:
        from odoo.addons.relation_pyramid.models import (
            relation_pyramid_engine_signals as signals,
        )

        context[signals.SKIP_SIGNALS_KEY] = True
    timer = StepTimer(
        registry["relation.pyramid.profile"],
        [CONTACT_STEP, "_complete_result", "_write_lines"],
    )
    params = None
    with benchlib.odoo_env(registry) as env:
        params = benchlib.get_params(env.cr.dbname)
        profile_id = (
            env["relation.pyramid.profile"]
            .search([("company_id", "=", env.ref("base.main_company").id)])
            .id
        )
    last = datetime.datetime.strptime(params["end_date"], "%Y-%m-%d").date()
    runs = []
    for back in range(days, -1, -1):
        day = last - datetime.timedelta(days=back)
        with benchlib.odoo_env(registry, context=context) as env:
            profile = env["relation.pyramid.profile"].browse(profile_id)
            timer.take()
            start = time.perf_counter()
            profile.action_recompute(day)
            env.cr.commit()
            seconds = time.perf_counter() - start
            steps = timer.take()
        run = {"day": str(day), "seconds": round(seconds, 3), "steps": steps}
        _logger.info("recompute at %s: %.3f s %s", day, seconds, steps)
        if back < days:  # the first one prepares the rows
            runs.append(run)
    total = statistics.median(run["seconds"] for run in runs)
    step = statistics.median(run["steps"].get(CONTACT_STEP, 0.0) for run in runs)
    return {
        "runs": runs,
        "median_s": round(total, 3),
        "contact_step_median_s": round(step, 3),
        "contact_step_share_pct": round(100.0 * step / total, 1) if total else None,
    }


def followups(registry):
    """Every row due, then the scheduled action twice; rolled back."""
    with benchlib.odoo_env(registry) as env:
        cr = env.cr
        cr.execute(
            """
            UPDATE relation_pyramid_line
               SET next_contact_date = CURRENT_DATE - 1, contact_due = TRUE,
                   contact_priority = COALESCE(contact_priority, 95)
             WHERE level <> 'other'
            """
        )
        due = cr.rowcount
        profiles = env["relation.pyramid.profile"]
        result = {"rows_made_due": due, "runs": []}
        for _run in range(2):
            cr.execute("SELECT COALESCE(MAX(id), 0) FROM relation_pyramid_followup")
            last_id = cr.fetchone()[0]
            start = time.perf_counter()
            profiles._cron_schedule_followups()
            seconds = time.perf_counter() - start
            cr.execute(
                """
                SELECT company.name, users.login, COUNT(*)
                  FROM relation_pyramid_followup followup
                  JOIN res_company company ON company.id = followup.company_id
                  JOIN res_users users ON users.id = followup.user_id
                 WHERE followup.id > %s
                 GROUP BY company.name, users.login ORDER BY 1, 2
                """,
                (last_id,),
            )
            per_user = [list(row) for row in cr.fetchall()]
            summaries = [p.last_followup_summary for p in profiles.search([])]
            result["runs"].append(
                {
                    "seconds": round(seconds, 3),
                    "created": sum(row[2] for row in per_user),
                    "per_salesperson": per_user,
                    "summaries": summaries,
                }
            )
            _logger.info(
                "follow-ups run: %.3f s, %d created %s",
                seconds,
                result["runs"][-1]["created"],
                per_user,
            )
        cr.rollback()
        return result


def main():
    args = parse_args()
    with benchlib.odoo_registry(args.db) as registry:
        result = {"db": args.db, "messages": add_messages(registry, args.messages)}
        result["followups"] = followups(registry)
        result["nightly"] = nightly_runs(registry, args.days, args.skip_signals)
    text = json.dumps(result, indent=2, default=str)
    if args.out:
        with open(args.out, "w") as handle:
            handle.write(text)
    print(text)


if __name__ == "__main__":
    main()
