"""Risk, win-back and RFM at scale (issue 18, item 9): on a bench database
(see generate.py), the nightly run of company 1 with the signals step and
without it, same run.

1. History: snapshots backfilled at the last ``--history`` month ends before
   the data's last day (once, committed), so the step reads a history of
   changes per customer as a year of nightly runs leaves it.
2. A first recompute the day before the last day (committed): the rows and
   the snapshot a nightly run finds.
3. The nightly run at the last day, ``--repeats`` times with the step and
   as many without it (the context key ``relation_pyramid_skip_signals``
   leaves its columns empty), alternating, each rolled back: per run the
   wall time and the step's own time (``_compute_signals``); the medians and
   their ratio.

Usage (Odoo venv Python, the project's environment):
    signals.py --db rp_bench_m [--history 12] [--repeats 5] [--out FILE]
"""
import argparse
import datetime
import os
import statistics
import sys
import time

from dateutil.relativedelta import relativedelta

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
from measure import StepTimer  # noqa: E402

_logger = benchlib.setup_logging("signals")

SIGNALS_STEP = "_compute_signals"
# Other steps timed alongside: the contact dates (issue 18) and the
# predictions (issue 20), whose model fit can dominate a run.
OTHER_STEPS = ["_compute_contact_dates", "_predict"]
SKIP_KEY = "relation_pyramid_skip_signals"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--history", type=int, default=12)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", help="write the results as JSON here")
    return parser.parse_args(argv)


def prepare(registry, last, months):
    """Month-end snapshots before ``last`` (unless there) and a recompute
    the day before ``last``, committed."""
    with benchlib.odoo_env(registry) as env:
        profile = env["relation.pyramid.profile"].search(
            [("company_id", "=", env.ref("base.main_company").id)]
        )
        month_ends = [
            last.replace(day=1) - relativedelta(months=back) - relativedelta(days=1)
            for back in range(months - 1, -1, -1)
        ]
        have = set(
            env["relation.pyramid.snapshot"]
            .search([("company_id", "=", profile.company_id.id)])
            .mapped("date")
        )
        missing = [day for day in month_ends if str(day) not in have]
        start = time.perf_counter()
        if missing:
            profile.action_backfill_snapshots([str(day) for day in missing])
            env.cr.commit()
        backfill_s = time.perf_counter() - start
        start = time.perf_counter()
        profile.action_recompute(last - datetime.timedelta(days=1))
        env.cr.commit()
        env.cr.execute(
            """
            SELECT COUNT(*) FROM relation_pyramid_snapshot_line line
              JOIN relation_pyramid_snapshot snapshot
                ON snapshot.id = line.snapshot_id
             WHERE snapshot.company_id = %s
            """,
            (profile.company_id.id,),
        )
        history_rows = env.cr.fetchone()[0]
        return {
            "profile_id": profile.id,
            "backfilled": [str(day) for day in missing],
            "backfill_s": round(backfill_s, 1),
            "first_recompute_s": round(time.perf_counter() - start, 3),
            "snapshot_rows": history_rows,
        }


def nightly(registry, profile_id, day, repeats):
    timer = StepTimer(
        registry["relation.pyramid.profile"], [SIGNALS_STEP] + OTHER_STEPS
    )
    runs = {"with": [], "without": []}
    for _repeat in range(repeats):
        for label in ("with", "without"):
            with benchlib.odoo_env(registry) as env:
                context = {SKIP_KEY: True} if label == "without" else {}
                profile = (
                    env["relation.pyramid.profile"]
                    .browse(profile_id)
                    .with_context(**context)
                )
                timer.take()
                start = time.perf_counter()
                profile.action_recompute(day)
                env.cr.execute("SELECT 1")  # the statements have all run
                seconds = time.perf_counter() - start
                steps = timer.take()
                env.cr.execute(
                    "SELECT COUNT(*) FILTER (WHERE risk), COUNT(*) FILTER "
                    "(WHERE win_back) FROM relation_pyramid_line "
                    "WHERE company_id = %s",
                    (profile.company_id.id,),
                )
                risk, win_back = env.cr.fetchone()
                env.cr.rollback()
            run = {
                "seconds": round(seconds, 3),
                "step_s": steps.get(SIGNALS_STEP, 0.0),
                "steps": steps,
                "risk": risk,
                "win_back": win_back,
            }
            runs[label].append(run)
            _logger.info("nightly run at %s %s the step: %s", day, label, run)
    with_s = statistics.median(run["seconds"] for run in runs["with"])
    without_s = statistics.median(run["seconds"] for run in runs["without"])
    step_s = statistics.median(run["step_s"] for run in runs["with"])
    # the same runs without the prediction step's time (its fit varies)
    predict_with = statistics.median(
        run["steps"].get("_predict", 0.0) for run in runs["with"]
    )
    predict_without = statistics.median(
        run["steps"].get("_predict", 0.0) for run in runs["without"]
    )
    contact_s = statistics.median(
        run["steps"].get("_compute_contact_dates", 0.0) for run in runs["with"]
    )
    contact_without = statistics.median(
        run["steps"].get("_compute_contact_dates", 0.0) for run in runs["without"]
    )
    # the target's baseline: the run without the signals *and* without the
    # contact dates (the "without" runs still compute the contact dates)
    base_s = without_s - contact_without
    bare_with = with_s - predict_with
    bare_without = without_s - predict_without
    return {
        "runs": runs,
        "with_median_s": round(with_s, 3),
        "without_median_s": round(without_s, 3),
        "step_median_s": round(step_s, 3),
        "contact_step_median_s": round(contact_s, 3),
        "ratio": round(with_s / without_s, 3) if without_s else None,
        "ratio_signals_and_contact": round(with_s / base_s, 3)
        if base_s > 0
        else None,
        "predict_median_s": round(predict_with, 3),
        "ratio_without_predict": round(bare_with / bare_without, 3)
        if bare_without > 0
        else None,
        "ratio_signals_and_contact_without_predict": round(
            bare_with / (bare_without - contact_without), 3
        )
        if bare_without - contact_without > 0
        else None,
    }


def main():
    args = parse_args()
    with benchlib.odoo_registry(args.db) as registry:
        params = benchlib.get_params(args.db)
        last = datetime.datetime.strptime(params["end_date"], "%Y-%m-%d").date()
        result = {"db": args.db, "day": str(last)}
        result["prepare"] = prepare(registry, last, args.history)
        result["nightly"] = nightly(
            registry, result["prepare"]["profile_id"], last, args.repeats
        )
    benchlib.print_result(result, args.out, indent=2, default=str)


if __name__ == "__main__":
    main()
