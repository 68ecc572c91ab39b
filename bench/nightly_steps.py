"""The nightly run step by step, each step against its own floor (issue 21
item 3), in one run on a bench database (see generate.py).

1. A recompute of company 1 the day before the data's last day, committed
   (``--as-is`` keeps the pyramid the database has): the rows and the
   snapshot a nightly run finds.
2. The floors, each ``--repeats`` times in a transaction of its own, the
   result materialised in PostgreSQL as the engine's steps do:
   - a2: the two periods' revenue per customer in one GROUP BY (what any
     run has to read at the least, ``measure.TWO_PERIOD_FLOOR_SQL``);
   - a': the same over the whole history, with "bought before"
     (``measure.HISTORY_FLOOR_SQL``): what a step that reads every order
     of the company reads at the least (the revenue step does: "bought
     before" and the first order date; the prediction step too);
   - rank: the company's rows ranked by revenue in one window;
   - history: the company's snapshot rows read in one sort by customer
     and date;
   - rewrite: every row of the company updated once in one bare UPDATE
     (rolled back); ``_write_lines`` is held to its share for the rows the
     run wrote (rewrite × rows written / rows of the company).
3. The nightly run at the last day, ``--repeats`` times, each rolled back,
   every step of the engine timed (``measure.StepTimer``).

Printed: per step its median, the floor it is held to and the ratio (and
parts of a step, ``PARTS``: the prediction's fit and its figures written);
the run's median against a2; what any design has to do at the least
(``DESIGN_FLOOR``: a2, the fit, rank, history and the rows' rewrite)
against a2.

Usage (Odoo venv Python, the project's environment):
    nightly_steps.py --db rp_bench_m [--repeats 5] [--as-is] [--out FILE]
"""
import argparse
import datetime
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
from measure import (  # noqa: E402
    HISTORY_FLOOR_SQL,
    TWO_PERIOD_FLOOR_SQL,
    StepTimer,
    floor_params,
)

_logger = benchlib.setup_logging("nightly_steps")

# Every step of a nightly run, in the order they run, and the floor each is
# held to (None: no floor of its own, a share of the run).
STEPS = [
    ("_gather_currency_factors", None),
    ("_gather_revenue", "a'"),
    ("_classify", "rank"),
    ("_compute_signals", "history"),
    ("_predict", "a'"),
    ("_compute_contact_dates", None),
    ("_write_lines", "rewrite (rows written)"),
    ("_write_standing", None),
    ("_write_snapshot", None),
]

# Parts of a step timed on their own too (inside the step's time, not added
# up with the steps): the prediction's fit, which a nightly run that refits
# every night (the profile's default) has to make whatever its design, and
# the figures it writes to the result.
PARTS = [("_fit_prediction_models", "_predict"), ("_write_predictions", "_predict")]

# What any design of the nightly run has to do at the least, by the floors
# above and the fit: read the two periods (a2), fit the model, rank, read
# the levels' history and rewrite the rows that changed.
DESIGN_FLOOR = [
    "a2",
    "_fit_prediction_models",
    "rank",
    "history",
    "rewrite (rows written)",
]

RANK_FLOOR_SQL = """
CREATE TEMP TABLE bench_floor ON COMMIT DROP AS
SELECT partner_id, RANK() OVER (ORDER BY revenue DESC) AS rank
  FROM relation_pyramid_line
 WHERE company_id = %(company_id)s
"""

HISTORY_ROWS_FLOOR_SQL = """
CREATE TEMP TABLE bench_floor ON COMMIT DROP AS
SELECT line.partner_id, line.date, line.date_to, line.level, line.revenue
  FROM relation_pyramid_snapshot_line line
  JOIN relation_pyramid_snapshot snapshot ON snapshot.id = line.snapshot_id
 WHERE snapshot.company_id = %(company_id)s
 ORDER BY line.partner_id, line.date
"""

REWRITE_FLOOR_SQL = """
UPDATE relation_pyramid_line SET rank = rank WHERE company_id = %(company_id)s
"""

FLOORS = [
    ("a2", TWO_PERIOD_FLOOR_SQL),
    ("a'", HISTORY_FLOOR_SQL),
    ("rank", RANK_FLOOR_SQL),
    ("history", HISTORY_ROWS_FLOOR_SQL),
    ("rewrite", REWRITE_FLOOR_SQL),
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--as-is", action="store_true")
    parser.add_argument("--out")
    return parser.parse_args()


def prepare(registry, last, as_is):
    """Company 1's profile id, its pyramid computed the day before."""
    with benchlib.odoo_env(registry) as env:
        profile = env["relation.pyramid.profile"].search(
            [("company_id", "=", env.ref("base.main_company").id)]
        )
        if not as_is:
            profile.action_recompute(last - datetime.timedelta(days=1))
            env.cr.commit()
        return profile.id, profile.company_id.id, profile._period_bounds(last)


def time_floors(registry, company_id, bounds, repeats):
    params = floor_params({"company_id": company_id, "bounds": bounds})
    floors = {}
    for name, query in FLOORS:
        times = []
        for _repeat in range(repeats + 1):
            with benchlib.odoo_env(registry) as env:
                start = time.perf_counter()
                env.cr.execute(query, params)
                times.append(time.perf_counter() - start)
                env.cr.rollback()
        floors[name] = round(statistics.median(times[1:]), 3)
        _logger.info("floor %-8s %.3f s", name, floors[name])
    return floors


def time_nightly(registry, profile_id, day, repeats):
    profile_class = registry["relation.pyramid.profile"]
    timer = StepTimer(
        profile_class, [s for s, _f in STEPS] + [p for p, _s in PARTS]
    )
    counted = {}
    timed_write_lines = profile_class._write_lines

    def write_lines(self, *args, **kwargs):
        counts = timed_write_lines(self, *args, **kwargs)
        counted.update(counts)
        return counts

    profile_class._write_lines = write_lines
    runs = []
    for _repeat in range(repeats):
        with benchlib.odoo_env(registry) as env:
            profile = env["relation.pyramid.profile"].browse(profile_id)
            timer.take()
            start = time.perf_counter()
            profile.action_recompute(day)
            env.cr.execute("SELECT 1")
            run = {"run": round(time.perf_counter() - start, 3)}
            run.update(timer.take())
            run["rows_written"] = counted.get("written", 0)
            # what the run computed, to compare two versions' runs
            env.cr.execute(
                "SELECT COUNT(*), SUM(revenue), SUM(p_alive), SUM(predicted_value) "
                "FROM relation_pyramid_line WHERE company_id = %s",
                (profile.company_id.id,),
            )
            run["rows"], revenue, p_alive, value = env.cr.fetchone()
            run["digest"] = "%s %s %s" % (revenue, p_alive, value)
            env.cr.rollback()
        runs.append(run)
        _logger.info("nightly run at %s: %s", day, run)
    return runs


def summarize(runs, floors):
    """Per step: its median over the runs, its share of the median run, its
    floor and the ratio; the rest of each run (locks, the queries between
    the steps) as one more line. Adds the write floor scaled to the rows
    the runs wrote to ``floors``."""
    run_s = statistics.median(run["run"] for run in runs)
    written = statistics.median(run["rows_written"] for run in runs)
    floors["rewrite (rows written)"] = round(
        floors["rewrite"] * written / max(runs[0]["rows"], 1), 3
    )
    names = [step for step, _floor in STEPS]
    for run in runs:
        run["other"] = round(run["run"] - sum(run.get(name, 0.0) for name in names), 3)
    steps = []
    for step, floor in STEPS + [("other", None)]:
        seconds = statistics.median(run.get(step, 0.0) for run in runs)
        steps.append(
            {
                "step": step,
                "median_s": round(seconds, 3),
                "share": round(seconds / run_s, 3),
                "floor": floor,
                "floor_s": floors.get(floor),
                "ratio": round(seconds / floors[floor], 2)
                if floor and floors[floor]
                else None,
            }
        )
    for part, step in PARTS:
        seconds = statistics.median(run.get(part, 0.0) for run in runs)
        steps.append(
            {
                "step": part,
                "part_of": step,
                "median_s": round(seconds, 3),
                "share": round(seconds / run_s, 3),
            }
        )
    return steps


def design_floor(steps, floors):
    """``DESIGN_FLOOR`` added up (the fit's median from ``steps``), and
    against a2."""
    seconds = dict(floors)
    seconds.update((step["step"], step["median_s"]) for step in steps)
    total = sum(seconds[name] for name in DESIGN_FLOOR)
    return {
        "parts": {name: seconds[name] for name in DESIGN_FLOOR},
        "total_s": round(total, 3),
        "over_a2": round(total / floors["a2"], 2),
    }


def main():
    args = parse_args()
    params = benchlib.get_params(args.db)
    last = datetime.datetime.strptime(params["end_date"], "%Y-%m-%d").date()
    with benchlib.odoo_registry(args.db) as registry:
        profile_id, company_id, bounds = prepare(registry, last, args.as_is)
        floors = time_floors(registry, company_id, bounds, args.repeats)
        runs = time_nightly(registry, profile_id, last, args.repeats)
    run_s = statistics.median(run["run"] for run in runs)
    steps = summarize(runs, floors)
    result = {
        "db": args.db,
        "day": str(last),
        "floors_s": floors,
        "run_median_s": run_s,
        "run_over_a2": round(run_s / floors["a2"], 2),
        "steps": steps,
        "design_floor": design_floor(steps, floors),
        "runs": runs,
    }
    benchlib.print_result(result, args.out, indent=2)


if __name__ == "__main__":
    main()
