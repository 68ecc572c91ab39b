"""What keeping the pyramid's totals costs the writers of its rows (issue 21
item 5): the nightly run, a full recompute and the refresh of one
customer, with the totals' triggers (``relation.pyramid.line.total``) and
without them, in turn on one bench database.

1. A recompute of company 1 the day before the data's last day, committed
   (``--as-is`` keeps the pyramid the database has).
2. ``--pairs`` times, without the triggers then with them, each in a
   transaction rolled back (the triggers are disabled inside it):
   - the nightly run at the last day (``_write_lines``, where the triggers
     fire, timed on its own);
   - with ``--full``: the company's rows deleted first (triggers off, not
     timed), then the recompute at the last day writes them all anew;
   - ``--refreshes`` refreshes of one active customer each
     (``_refresh_partners``, the engine's refresh after an order change).

Printed: each run's figures, then per variant the medians and the ratios
with / without pair by pair.

Usage (Odoo venv Python, the project's environment):
    line_totals.py --db rp_bench_m [--pairs 3] [--full] [--refreshes 20]
        [--as-is] [--out FILE]
"""
import argparse
import datetime
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
from measure import StepTimer  # noqa: E402
from nightly_steps import prepare  # noqa: E402

_logger = benchlib.setup_logging("line_totals")

VARIANTS = ("without triggers", "with triggers")
TRIGGERS = (
    "relation_pyramid_line_total_insert",
    "relation_pyramid_line_total_delete",
    "relation_pyramid_line_total_update",
)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--refreshes", type=int, default=20)
    parser.add_argument("--as-is", action="store_true")
    parser.add_argument("--out")
    return parser.parse_args()


def set_triggers(cr, enabled):
    for name in TRIGGERS:
        cr.execute(
            "ALTER TABLE relation_pyramid_line %s TRIGGER %s"
            % ("ENABLE" if enabled else "DISABLE", name)
        )


def active_customers(registry, company_id, count):
    """``count`` active customers of the company, spread over the ranks."""
    with benchlib.odoo_env(registry) as env:
        env.cr.execute(
            """SELECT partner_id FROM relation_pyramid_line
                WHERE company_id = %s AND lifecycle = 'active'
                ORDER BY md5(partner_id::text) LIMIT %s""",
            (company_id, count),
        )
        return [row[0] for row in env.cr.fetchall()]


def timed_recompute(env, profile_id, day, timer):
    """The recompute's seconds and those of its ``_write_lines``."""
    profile = env["relation.pyramid.profile"].browse(profile_id)
    timer.take()
    start = time.perf_counter()
    profile.action_recompute(day)
    env.cr.execute("SELECT 1")
    return round(time.perf_counter() - start, 3), timer.take().get("_write_lines")


def run_variant(registry, profile_id, company_id, partners, day, triggers, full):
    timer = StepTimer(registry["relation.pyramid.profile"], ["_write_lines"])
    figures = {}
    with benchlib.odoo_env(registry) as env:
        set_triggers(env.cr, triggers)
        figures["nightly_s"], figures["nightly_write_lines_s"] = timed_recompute(
            env, profile_id, day, timer
        )
        env.cr.rollback()
    if full:
        with benchlib.odoo_env(registry) as env:
            set_triggers(env.cr, False)
            env.cr.execute(
                "DELETE FROM relation_pyramid_line WHERE company_id = %s",
                (company_id,),
            )
            set_triggers(env.cr, triggers)
            figures["full_s"], figures["full_write_lines_s"] = timed_recompute(
                env, profile_id, day, timer
            )
            env.cr.rollback()
    times = []
    for partner_id in partners:
        with benchlib.odoo_env(registry) as env:
            set_triggers(env.cr, triggers)
            start = time.perf_counter()
            env["relation.pyramid.profile"]._refresh_partners(
                {company_id: {partner_id}}
            )
            env.cr.execute("SELECT 1")
            times.append(time.perf_counter() - start)
            env.cr.rollback()
    if times:
        # the first refresh warms the caches
        figures["refresh_ms"] = round(1000 * statistics.median(times[1:] or times), 2)
    return figures


def main():
    args = parse_args()
    params = benchlib.get_params(args.db)
    last = datetime.datetime.strptime(params["end_date"], "%Y-%m-%d").date()
    runs = {variant: [] for variant in VARIANTS}
    with benchlib.odoo_registry(args.db) as registry:
        profile_id, company_id, _bounds = prepare(registry, last, args.as_is)
        partners = active_customers(registry, company_id, args.refreshes)
        for pair in range(args.pairs):
            for variant in VARIANTS:
                figures = run_variant(
                    registry,
                    profile_id,
                    company_id,
                    partners,
                    last,
                    variant == "with triggers",
                    args.full,
                )
                runs[variant].append(figures)
                _logger.info("pair %d, %s: %s", pair + 1, variant, figures)
    labels = sorted(runs[VARIANTS[0]][0])
    result = {
        "db": args.db,
        "day": str(last),
        "runs": runs,
        "medians": {
            variant: {
                label: statistics.median(run[label] for run in variant_runs)
                for label in labels
                if all(run.get(label) is not None for run in variant_runs)
            }
            for variant, variant_runs in runs.items()
        },
        "ratios_with_over_without": {
            label: benchlib.pair_ratios(runs[VARIANTS[0]], runs[VARIANTS[1]], label)
            for label in labels
        },
    }
    benchlib.print_result(result, args.out, indent=2)


if __name__ == "__main__":
    main()
