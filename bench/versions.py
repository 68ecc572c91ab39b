"""Two versions of the addon on the same bench database, side by side:
the engine split (issue 17 item 1: the figures must stay within noise) and
the prediction step's time and memory (issue 20 item 6).

Each ``--rev`` is checked out in a worktree of its own (``git worktree add
--detach``; ``.`` is the working tree as it is) with an Odoo configuration
whose addons path is that worktree; the versions then run in turn, A B A B
..., each run a process of its own that loads the registry from its
worktree and measures in transactions that are rolled back:

``--measure recompute``: empties the pyramid tables (as the bench's full
recompute does), recomputes company 1 at the data's last day (the full
recompute), then the next day (the nightly run: a new snapshot).

``--measure prediction``: the nightly run at the data's last day (on the
pyramid of the day before, as ``signals.py`` leaves it committed): the time
of the prediction step (``_predict``) and of the run, the growth of the
process's resident high-water mark over the step; then the same run again
under ``tracemalloc``: the peak of the memory Python allocated in the step
(numpy's arrays included), and the number of customers it predicted.

``--measure refresh``: what the refresh adds to the order changes that must
refresh a customer (``order_changes.py``: confirm, cancel, amount, customer;
``--changes`` samples each, the median of the differences with - without).

``--measure nightly``: the nightly run at the data's last day (on the
pyramid the database holds, as ``nightly_steps.py --as-is``), each step of
the engine timed (``nightly_steps.STEPS``); the result's digest (rows,
revenue, probability alive, predicted value) must be the same.

``--measure matrix``: the migration matrices and a cell's customers
(``measure.history_calls``: the last two snapshots, the oldest to the
newest, the cells small -> medium and small -> small), ``--repeats`` calls
each; each run first makes its version's view of a matrix's customers
(committed: the database keeps the last version's) and, where the version
keeps totals per snapshot, counts them (``count_totals_s``, what a
matrix's first opening after the update costs) and commits them.

``--measure ui``: the web client's calls on the pyramid rows
(``measure.ui_calls``: kanban, list, pivot, search by level, a customer's
form), ``--repeats`` calls each; the rules and indexes are the database's.

The two versions must share the database's schema: use revisions of the
same data model (the bench database is the newest version's; older code
leaves the newer columns alone). Printed: each run's figures, then per
version the medians and the ratios B/A pair by pair.

Usage (Odoo venv Python, the project's environment):
    versions.py --db rp_bench_m --rev 8b61464^ --rev 8b61464 [--pairs 5]
    versions.py --db rp_bench_m --measure prediction --rev HEAD --rev .
    versions.py --db rp_bench_m --measure refresh --rev HEAD --rev . --pairs 3
    versions.py --db rp_bench_m --measure nightly --rev HEAD --rev . --pairs 3
    versions.py --db rp_bench_l --measure matrix --rev HEAD --rev . --pairs 3
"""
import argparse
import configparser
import datetime
import json
import os
import gc
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
from measure import reset_pyramid  # noqa: E402

_logger = benchlib.setup_logging("versions")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--rev", action="append", default=[])
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument(
        "--measure",
        choices=["recompute", "prediction", "nightly", "refresh", "matrix", "ui"],
        default="recompute",
    )
    parser.add_argument("--changes", type=int, default=30)
    parser.add_argument(
        "--repeats", type=int, default=5, help="--measure matrix, ui: calls per run"
    )
    parser.add_argument("--out", help="write the results as JSON here")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def child_recompute(dbname):
    """One run of the version whose configuration ``RP_LOCAL`` names: the
    seconds of the full recompute and of the next day's, as JSON."""
    params = benchlib.get_params(dbname)
    last = datetime.datetime.strptime(params["end_date"], "%Y-%m-%d").date()
    with benchlib.odoo_registry(dbname) as registry:
        with benchlib.odoo_env(registry) as env:
            profile = env["relation.pyramid.profile"].search(
                [("company_id", "=", env.ref("base.main_company").id)]
            )
            reset_pyramid(env.cr)
            timings = {}
            for label, day in (
                ("full", last),
                ("nightly", last + datetime.timedelta(days=1)),
            ):
                start = time.perf_counter()
                profile.action_recompute(day)
                env.cr.execute("SELECT 1")
                timings[label] = round(time.perf_counter() - start, 3)
            env.cr.execute(
                "SELECT COUNT(*), SUM(revenue) FROM relation_pyramid_line "
                "WHERE company_id = %s",
                (profile.company_id.id,),
            )
            rows, revenue = env.cr.fetchone()
            timings["rows"] = rows
            timings["revenue"] = str(revenue)
            env.cr.rollback()
    print(json.dumps(timings))


def child_prediction(dbname):
    """The nightly run of the version whose configuration ``RP_LOCAL``
    names, twice, rolled back: the prediction step's time and memory."""
    params = benchlib.get_params(dbname)
    last = datetime.datetime.strptime(params["end_date"], "%Y-%m-%d").date()
    with benchlib.odoo_registry(dbname) as registry:
        profile_class = registry["relation.pyramid.profile"]
        original = profile_class._predict
        figures = {}

        def measured(self, *args, **kwargs):
            gc.collect()
            maxrss_before = benchlib.maxrss_mb()
            start = time.perf_counter()
            try:
                return original(self, *args, **kwargs)
            finally:
                figures["step_s"] = round(time.perf_counter() - start, 3)
                figures["maxrss_growth_mb"] = round(
                    benchlib.maxrss_mb() - maxrss_before, 1
                )
                if tracemalloc.is_tracing():
                    peak = tracemalloc.get_traced_memory()[1]
                    figures["traced_peak_mb"] = round(peak / 1048576.0, 2)

        profile_class._predict = measured
        result = {}
        for traced in (False, True):
            with benchlib.odoo_env(registry) as env:
                profile = env["relation.pyramid.profile"].search(
                    [("company_id", "=", env.ref("base.main_company").id)]
                )
                if traced:
                    tracemalloc.start()
                start = time.perf_counter()
                profile.action_recompute(last)
                env.cr.execute("SELECT 1")
                seconds = round(time.perf_counter() - start, 3)
                if traced:
                    tracemalloc.stop()
                    result["traced_peak_mb"] = figures["traced_peak_mb"]
                else:
                    result.update(
                        run_s=seconds,
                        step_s=figures["step_s"],
                        maxrss_growth_mb=figures["maxrss_growth_mb"],
                    )
                env.cr.execute(
                    "SELECT COUNT(p_alive), SUM(p_alive), SUM(predicted_value) "
                    "FROM relation_pyramid_line WHERE company_id = %s",
                    (profile.company_id.id,),
                )
                rows, p_alive, value = env.cr.fetchone()
                result.update(rows=rows, revenue="%.6g %.6g" % (p_alive, value))
                env.cr.rollback()
    print(json.dumps(result))


def child_nightly(dbname):
    """The nightly run of the version whose configuration ``RP_LOCAL``
    names, rolled back: the run's seconds and each step's
    (``nightly_steps.time_nightly``)."""
    from nightly_steps import time_nightly

    params = benchlib.get_params(dbname)
    last = datetime.datetime.strptime(params["end_date"], "%Y-%m-%d").date()
    with benchlib.odoo_registry(dbname) as registry:
        with benchlib.odoo_env(registry) as env:
            profile_id = (
                env["relation.pyramid.profile"]
                .search([("company_id", "=", env.ref("base.main_company").id)])
                .id
            )
        run = time_nightly(registry, profile_id, last, 1)[0]
    run["run_s"] = run.pop("run")
    run["revenue"] = run.pop("digest")
    print(json.dumps(run))


def child_matrix(dbname, repeats):
    """The migration matrices and their cells by the version whose
    configuration ``RP_LOCAL`` names (``measure.history_calls``, as the
    bench's sales manager). The version's own view of a matrix's customers
    is made first and committed (the database keeps the last version's);
    where the version keeps totals per snapshot, they are counted first
    (the time of that once-per-snapshot count is ``count_totals_s``) and
    committed, as the version's nightly run would have kept them."""
    from measure import history_calls, pyramid_views

    with benchlib.odoo_registry(dbname) as registry:
        result = {}
        with benchlib.odoo_env(registry) as env:
            env["relation.pyramid.migration.line"].init()
            snapshots = env["relation.pyramid.snapshot"].search([], order="date")
            if "level_totals" in snapshots._fields:
                env.cr.execute(
                    "UPDATE relation_pyramid_snapshot SET level_totals = NULL"
                )
                snapshots.invalidate_cache()
                start = time.perf_counter()
                for snapshot in snapshots:
                    snapshot._level_totals()
                result["count_totals_s"] = round(time.perf_counter() - start, 3)
            env.cr.commit()
        calls = history_calls(registry, repeats, matrix_only=True)["calls"]
        for label, figures in calls.items():
            result[label] = figures["median_s"]
        uid = pyramid_views(registry)["uid"]
        with benchlib.odoo_env(registry, uid) as env:
            snapshots = env["relation.pyramid.snapshot"].search([], order="date")
            migration = env["relation.pyramid.migration"].create(
                {
                    "snapshot_from_id": snapshots[0].id,
                    "snapshot_to_id": snapshots[-1].id,
                }
            )
            matrix = migration._matrix()
            result["rows"] = matrix["customer_count"]
            result["revenue"] = json.dumps(
                [
                    [cell["count"], round(cell["revenue"], 2)]
                    for row in matrix["rows"]
                    for cell in row["cells"]
                ]
            )
    print(json.dumps(result))


def child_ui(dbname, repeats):
    """The web client's calls on the pyramid rows (``measure.ui_calls``) by
    the version whose configuration ``RP_LOCAL`` names, in seconds."""
    from measure import ui_calls

    with benchlib.odoo_registry(dbname) as registry:
        out = ui_calls(registry, repeats)
    calls = out["calls"]
    result = {label: figures["median_s"] for label, figures in calls.items()}
    count = calls["list: search_count"]
    result["rows"] = count.get("count")
    result["revenue"] = calls["list: search_read first 80 (model _order)"].get(
        "first_rank"
    )
    print(json.dumps(result))


def child_refresh(dbname, count):
    """The refresh's cost of each order change, by the version whose
    configuration ``RP_LOCAL`` names (``order_changes.measure``)."""
    import order_changes

    with benchlib.odoo_registry(dbname) as registry:
        results = order_changes.measure(registry, count)
    costs = {
        name: figures["refresh_cost_median_ms"] for name, figures in results.items()
    }
    print(json.dumps(costs))


def worktree(rev, base):
    """A detached worktree of ``rev`` under ``base`` and the directory of
    its Odoo configuration (the project's, with the addons path moved)."""
    path = os.path.join(base, rev.replace("^", "-parent").replace("/", "-"))
    if rev == ".":
        # the working tree as it is: the addon copied
        path = os.path.join(base, "working-tree")
        shutil.copytree(benchlib.ADDON, os.path.join(path, "relation_pyramid"))
    else:
        subprocess.check_call(
            ["git", "-C", benchlib.ROOT, "worktree", "add", "--detach", path, rev],
            stdout=subprocess.DEVNULL,
        )
    local = os.path.join(path, ".local-versions")
    os.makedirs(local)
    config = configparser.ConfigParser()
    config.read(benchlib.CONF)
    config["options"]["addons_path"] = path
    with open(os.path.join(local, "odoo.conf"), "w") as handle:
        config.write(handle)
    commit = "working tree"
    if rev != ".":
        commit = subprocess.check_output(
            ["git", "-C", path, "rev-parse", "--short", "HEAD"],
            universal_newlines=True,
        ).strip()
    return path, local, commit


def run_version(dbname, local, measure, changes, repeats):
    env = dict(os.environ, RP_LOCAL=local)
    output = subprocess.check_output(
        [
            sys.executable,
            os.path.abspath(__file__),
            "--child",
            "--db",
            dbname,
            "--measure",
            measure,
            "--changes",
            str(changes),
            "--repeats",
            str(repeats),
        ],
        env=env,
        universal_newlines=True,
    )
    return json.loads(output.strip().splitlines()[-1])


def figure_labels(measure, run):
    """The figures a run of ``measure`` gives, in the order printed."""
    if measure == "prediction":
        return ["step_s", "run_s", "maxrss_growth_mb", "traced_peak_mb"]
    if measure == "refresh":
        return ["confirm", "cancel", "amount", "customer"]
    if measure == "nightly":
        from nightly_steps import PARTS, STEPS

        return (
            ["run_s"]
            + [step for step, _floor in STEPS]
            + [part for part, _step in PARTS]
        )
    if measure in ("matrix", "ui"):
        return sorted(label for label in run if label not in ("rows", "revenue"))
    return ["full", "nightly"]


def main():
    args = parse_args()
    if args.child:
        if args.measure == "refresh":
            child_refresh(args.db, args.changes)
        elif args.measure == "matrix":
            child_matrix(args.db, args.repeats)
        elif args.measure == "ui":
            child_ui(args.db, args.repeats)
        else:
            {
                "recompute": child_recompute,
                "prediction": child_prediction,
                "nightly": child_nightly,
            }[args.measure](args.db)
        return
    if len(args.rev) != 2:
        sys.exit("give two --rev")
    base = tempfile.mkdtemp(prefix="rp-versions-")
    trees = [worktree(rev, base) for rev in args.rev]
    runs = {rev: [] for rev in args.rev}
    try:
        for pair in range(args.pairs):
            for rev, (_path, local, _commit) in zip(args.rev, trees):
                run = run_version(
                    args.db, local, args.measure, args.changes, args.repeats
                )
                runs[rev].append(run)
                _logger.info("pair %d, %s: %s", pair + 1, rev, run)
    finally:
        for (path, _local, _commit), rev in zip(trees, args.rev):
            if rev != ".":
                subprocess.call(
                    ["git", "-C", benchlib.ROOT, "worktree", "remove", "--force", path]
                )
        shutil.rmtree(base, ignore_errors=True)
    first, second = args.rev
    result = {"db": args.db, "measure": args.measure, "revs": {}, "ratios": {}}
    labels = figure_labels(args.measure, runs[first][0])
    for rev, (_path, _local, commit) in zip(args.rev, trees):
        result["revs"][rev] = {"commit": commit, "runs": runs[rev]}
        for label in labels:
            figures = [run[label] for run in runs[rev] if label in run]
            if figures:
                result["revs"][rev][label + "_median"] = statistics.median(figures)
    for label in labels:
        ratios = benchlib.pair_ratios(runs[first], runs[second], label)
        if ratios:
            result["ratios"][label] = ratios
    if args.measure != "refresh":
        result["same_result"] = all(
            (a["rows"], a["revenue"]) == (b["rows"], b["revenue"])
            for a, b in zip(runs[first], runs[second])
        )
    benchlib.print_result(result, args.out, indent=2)


if __name__ == "__main__":
    main()
