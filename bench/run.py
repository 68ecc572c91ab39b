"""``make bench``: for each size, generate the bench database (or reuse it),
measure the engine and the naive baseline, each in a fresh process, and
write the results as JSON and a markdown table into ``bench/results/``.

Usage (see bench.sh): run.py [S] [M] [L] [--regenerate] [--drop]
"""
import argparse
import datetime
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

_logger = benchlib.setup_logging("run")

UI_LIMIT_S = 0.3
STEPS = ["_gather_revenue", "_classify", "_write_lines", "_write_snapshot"]
TARGETS = {
    "recompute_vs_floor": 2.0,
    "naive_vs_recompute": 50.0,
    "memory_growth_s_to_m_mb": 100.0,
    "time_growth_s_to_m": 12.0,
}
# The second round's targets and guards (issue 21), at M and L.
SECOND_ROUND = {
    "full_vs_design_floor": 1.5,
    "nightly_vs_two_period_floor_guard": 3.0,
    "nightly_vs_two_period_floor": 2.0,
    "refresh_cost_ms": {"M": 10.0, "L": 20.0},
    "matrix_s": 0.5,
    "ui_s": 0.1,
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="*", help="S, M and/or L (default: S M)")
    parser.add_argument(
        "--regenerate", action="store_true", help="regenerate kept databases"
    )
    parser.add_argument(
        "--drop", action="store_true", help="drop the bench databases at the end"
    )
    parser.add_argument("--naive-sample", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--slow", type=float, default=120.0)
    parser.add_argument("--no-experiments", action="store_true")
    args = parser.parse_args(argv)
    sizes = []
    for word in args.sizes or ["S", "M"]:
        sizes += [size.strip().upper() for size in word.split() if size.strip()]
    unknown = [size for size in sizes if size not in benchlib.SIZES]
    if unknown:
        parser.error("unknown size(s) %s: use S, M or L" % ", ".join(unknown))
    args.sizes = sizes
    return args


def update_param(dbname, key, value):
    cnx = benchlib.connect(dbname)
    try:
        with cnx.cursor() as cr:
            cr.execute(
                "UPDATE ir_config_parameter SET value = %s WHERE key = %s",
                (value, benchlib.PARAM_PREFIX + key),
            )
        cnx.commit()
    finally:
        cnx.close()


def ensure_database(size, regenerate):
    """The size's database: reused when it holds this generator's data of
    that size (updated with ``-u relation_pyramid`` when the addon changed
    since), else generated from scratch."""
    dbname = benchlib.db_name(size)
    params = {}
    if benchlib.database_exists(dbname):
        try:
            params = benchlib.get_params(dbname)
        except Exception:  # not a bench database (yet)
            params = {}
    reuse = (
        not regenerate
        and params.get("size") == size
        and params.get("generator_version") == benchlib.GENERATOR_VERSION
    )
    started = time.perf_counter()
    if reuse:
        fingerprint = benchlib.addon_fingerprint()
        if params.get("addon_fingerprint") != fingerprint:
            log = os.path.join(benchlib.LOCAL, "log", "bench-update-%s.log" % dbname)
            _logger.info(
                "%s: the addon changed since the data was generated: "
                "updating relation_pyramid (log: %s)",
                dbname,
                os.path.relpath(log, benchlib.ROOT),
            )
            subprocess.check_call(
                [
                    os.path.join(benchlib.ROOT, "bin", "odoo"),
                    "-d",
                    dbname,
                    "-u",
                    "relation_pyramid",
                    "--stop-after-init",
                    "--no-http",
                    "--logfile=%s" % log,
                ]
            )
            update_param(dbname, "addon_fingerprint", fingerprint)
        _logger.info(
            "%s: reusing the data generated at %s (--regenerate to start over)",
            dbname,
            params.get("generated_at"),
        )
    else:
        _logger.info("%s: generating size %s", dbname, size)
        subprocess.check_call(
            [
                sys.executable,
                os.path.join(benchlib.BENCH, "generate.py"),
                "--db",
                dbname,
                "--size",
                size,
                "--create",
            ]
        )
    params = benchlib.get_params(dbname)
    for key in ("counts", "facts"):
        if key in params:
            params[key] = json.loads(params[key])
    return {
        "db": dbname,
        "reused": reuse,
        "seconds": round(time.perf_counter() - started, 1),
        "params": params,
    }


def measure(dbname, mode, args):
    """Run measure.py in a fresh process; returns its JSON."""
    out = os.path.join(benchlib.RESULTS, "%s-%s.tmp" % (dbname, mode))
    command = [
        sys.executable,
        os.path.join(benchlib.BENCH, "measure.py"),
        "--db",
        dbname,
        "--mode",
        mode,
        "--out",
        out,
        "--repeats",
        str(args.repeats),
        "--sample",
        str(args.naive_sample),
        "--slow",
        str(args.slow),
    ]
    if args.no_experiments:
        command.append("--no-experiments")
    started = time.perf_counter()
    subprocess.check_call(command)
    with open(out) as handle:
        result = json.load(handle)
    os.remove(out)
    result["process_seconds"] = round(time.perf_counter() - started, 1)
    return result


def load_average():
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except OSError:
        return None


def derive(engine, naive):
    """The figures the targets are about, for one size."""
    floor = engine["floor"]["median_s"]
    figures = {
        "floor_s": floor,
        "history_floor_s": engine["history_floor"]["median_s"],
        "two_period_floor_s": engine["two_period_floor"]["median_s"],
        "memory_growth_mb": engine["recompute"]["memory_growth_mb"],
        "naive_s": naive["scaled_seconds"],
        "naive_scaled": naive["scaled"],
        "naive_per_customer_ms": naive["per_customer_ms"],
        "ui_max_s": max(
            call["max_s"] for call in engine["ui"]["calls"].values() if "max_s" in call
        ),
        "recompute_timed_out": engine["recompute"].get("timed_out", False),
    }
    for key in ("recompute", "recompute_rerun", "recompute_next_day"):
        if key in engine:
            figures[key + "_s"] = engine[key]["seconds"]
    figures["recompute_vs_floor"] = round(figures["recompute_s"] / floor, 1)
    if "write_floor" in engine:
        write_floor = engine["write_floor"]
        figures["write_floor_s"] = write_floor["with_foreign_keys"]["median_s"]
        figures["write_floor_without_fk_s"] = write_floor["without_foreign_keys"][
            "median_s"
        ]
        # what reading the whole history and writing these rows cost at the least
        figures["design_floor_s"] = (
            figures["history_floor_s"] + figures["write_floor_s"]
        )
        figures["recompute_vs_design_floor"] = round(
            figures["recompute_s"] / figures["design_floor_s"], 1
        )
        # the least any recompute in one pass costs: reading the two
        # periods the definitions compare, writing the rows bare
        figures["one_pass_bound_s"] = (
            figures["two_period_floor_s"] + figures["write_floor_without_fk_s"]
        )
        figures["one_pass_bound_vs_floor"] = round(
            figures["one_pass_bound_s"] / floor, 1
        )
    figures["two_period_floor_vs_floor"] = round(
        figures["two_period_floor_s"] / floor, 1
    )
    figures["naive_vs_recompute"] = round(
        figures["naive_s"] / figures["recompute_s"], 1
    )
    return figures


def evaluate(sizes):
    """Targets at M (or the largest size measured)."""
    largest = "M" if "M" in sizes else sorted(sizes, key=list("SML").index)[-1]
    big = sizes[largest]["figures"]
    small = sizes.get("S", {}).get("figures")
    rows = [
        {
            "target": "recompute <= %gx the floor (%s)"
            % (TARGETS["recompute_vs_floor"], largest),
            "value": big["recompute_vs_floor"],
            "met": big["recompute_vs_floor"] <= TARGETS["recompute_vs_floor"],
        },
    ]
    if "one_pass_bound_vs_floor" in big:
        rows.append(
            {
                "target": "(the same target for the least cost of any one-pass "
                "recompute, a2 + w without foreign keys)",
                "value": big["one_pass_bound_vs_floor"],
                "met": big["one_pass_bound_vs_floor"]
                <= TARGETS["recompute_vs_floor"],
            }
        )
    rows += [
        {
            "target": "naive >= %gx the recompute (%s)"
            % (TARGETS["naive_vs_recompute"], largest),
            "value": big["naive_vs_recompute"],
            "met": big["naive_vs_recompute"] >= TARGETS["naive_vs_recompute"],
        },
    ]
    if small and largest != "S":
        growth = round(big["recompute_s"] / small["recompute_s"], 1)
        rows.append(
            {
                "target": "time S -> %s <= %gx"
                % (largest, TARGETS["time_growth_s_to_m"]),
                "value": growth,
                "met": growth <= TARGETS["time_growth_s_to_m"],
            }
        )
        growth = round(big["memory_growth_mb"] - small["memory_growth_mb"], 1)
        rows.append(
            {
                "target": "peak memory of the recompute grows < %g MB S -> %s"
                % (TARGETS["memory_growth_s_to_m_mb"], largest),
                "value": growth,
                "met": growth < TARGETS["memory_growth_s_to_m_mb"],
            }
        )
    rows.append(
        {
            "target": "web client calls < %d ms (%s, slowest call, max of runs)"
            % (1000 * UI_LIMIT_S, largest),
            "value": round(1000 * big["ui_max_s"], 1),
            "met": big["ui_max_s"] < UI_LIMIT_S,
        }
    )
    for size in ("M", "L"):
        if size in sizes:
            rows += second_round_targets(size, sizes[size])
    return rows


def second_round_targets(size, results):
    """The targets of the second round (issue 21) at M and L."""
    figures, engine = results["figures"], results["engine"]
    rows = []

    def add(target, value, met, unit=""):
        rows.append(
            {"target": "%s (%s)" % (target, size), "value": "%s%s" % (value, unit),
             "met": met}
        )

    if "design_floor_s" in figures:
        add(
            "full recompute <= %gx (a' + w)" % SECOND_ROUND["full_vs_design_floor"],
            figures["recompute_vs_design_floor"],
            figures["recompute_vs_design_floor"]
            <= SECOND_ROUND["full_vs_design_floor"],
            "x",
        )
    nightly = engine.get("history_growth", {}).get("nightly", {}).get("median_s")
    if nightly:
        ratio = round(nightly / figures["two_period_floor_s"], 1)
        for key in ("nightly_vs_two_period_floor_guard", "nightly_vs_two_period_floor"):
            add("nightly run <= %gx a2" % SECOND_ROUND[key], ratio,
                ratio <= SECOND_ROUND[key], "x")
    limit = SECOND_ROUND["refresh_cost_ms"].get(size)
    for change, measured in sorted(engine.get("order_changes", {}).items()):
        cost = measured["refresh_cost_median_ms"]
        add(
            "refresh cost of an order change '%s' <= %g ms (median of %d, with - "
            "without)" % (change, limit, measured["samples"]),
            cost, cost <= limit, " ms",
        )
    if size == "L":
        for label, call in sorted(engine.get("history", {}).get("calls", {}).items()):
            if label.startswith("migration matrix"):
                add(
                    "%s < %g s" % (label, SECOND_ROUND["matrix_s"]),
                    fmt_s(call["median_s"]),
                    call["median_s"] < SECOND_ROUND["matrix_s"],
                )
        slowest = max(
            (call["median_s"], label)
            for label, call in engine["ui"]["calls"].items()
            if "median_s" in call
        )
        add(
            "web client calls < %d ms (slowest median: %s)"
            % (1000 * SECOND_ROUND["ui_s"], slowest[1]),
            fmt_s(slowest[0]), slowest[0] < SECOND_ROUND["ui_s"],
        )
    return rows


# ----------------------------------------------------------------------
# Markdown
# ----------------------------------------------------------------------
def fmt_s(value):
    if value is None:
        return "-"
    if value >= 100:
        return "%.0f s" % value
    if value >= 1:
        return "%.2f s" % value
    return "%.0f ms" % (1000 * value) if value >= 0.01 else "%.1f ms" % (1000 * value)


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _counts(size):
    return size["generation"]["params"]["counts"]


def _steps(result):
    return ", ".join(
        "%s %s" % (name.lstrip("_"), fmt_s(value))
        for name, value in result["steps"].items()
    )


# (label, function of one size's entry); a KeyError shows as "-"
SIZE_ROWS = [
    ("customers / contacts", lambda s: "{companies:,} / {contacts:,}".format(
        **_counts(s))),
    ("orders / order lines", lambda s: "{orders:,} / {order_lines:,}".format(
        **_counts(s))),
    ("orders of company 1", lambda s: "{:,}".format(
        s["engine"]["context"]["counts"]["company_orders"])),
    ("pyramid rows of company 1 (active)", lambda s: "{:,} ({:,})".format(
        s["engine"]["recompute"]["lines"], s["engine"]["floor"]["rows"])),
    ("database size", lambda s: "{:,} MB".format(
        s["generation"]["params"]["facts"]["database_mb"])),
    ("generation: total (bulk SQL)", lambda s: "%s (%s s)" % (
        "reused" if s["generation"]["reused"]
        else "%s s" % s["generation"]["seconds"],
        s["generation"]["params"].get("bulk_seconds"))),
    ("(a) floor: period GROUP BY", lambda s: fmt_s(s["figures"]["floor_s"])),
    ("(a2) the same GROUP BY over the period and the previous period "
     "(what the definitions compare), a2 / a",
     lambda s: "%s, %gx" % (fmt_s(s["figures"]["two_period_floor_s"]),
                            s["figures"]["two_period_floor_vs_floor"])),
    ("(a') the same GROUP BY over the whole history",
     lambda s: fmt_s(s["figures"]["history_floor_s"])),
    ("(w) write floor: bare INSERT of the same rows and snapshot rows into empty "
     "tables, with / without their foreign keys", lambda s: "%s / %s" % (
         fmt_s(s["figures"]["write_floor_s"]),
         fmt_s(s["figures"]["write_floor_without_fk_s"]))),
    ("(b) full recompute", lambda s: (
        "> %s (cancelled)" if s["figures"]["recompute_timed_out"] else "%s") % fmt_s(
        s["figures"]["recompute_s"])),
    ("(b) steps", lambda s: _steps(s["engine"]["recompute"])),
    ("(b) re-run at the same date (nothing changed)",
     lambda s: fmt_s(s["figures"]["recompute_rerun_s"])),
    ("(b) next day (new snapshot, changed rows)",
     lambda s: fmt_s(s["figures"]["recompute_next_day_s"])),
    ("(b) next day: steps", lambda s: _steps(s["engine"]["recompute_next_day"])),
    ("snapshot rows after the two days (first snapshot + next day's changes)",
     lambda s: "{:,} + {:,}".format(
         s["engine"]["recompute"]["snapshot_lines"],
         s["engine"]["recompute_next_day"]["snapshot_lines"]
         - s["engine"]["recompute"]["snapshot_lines"])),
    ("history: nightly runs after the next day (median)", lambda s: "%d (%s)" % (
        s["engine"]["history_growth"]["nightly_runs"],
        fmt_s(s["engine"]["history_growth"]["nightly"]["median_s"]))),
    ("nightly run / a (/ a2)", lambda s: "%.1fx (%.1fx)" % (
        s["engine"]["history_growth"]["nightly"]["median_s"] / s["figures"]["floor_s"],
        s["engine"]["history_growth"]["nightly"]["median_s"]
        / s["figures"]["two_period_floor_s"])),
    ("history: snapshots kept, in rows (MB); a row per customer would be",
     lambda s: "{:,} in {:,} ({} MB); {:,}".format(
         s["engine"]["history_growth"]["snapshots"],
         s["engine"]["history_growth"]["snapshot_rows"],
         s["engine"]["history_growth"]["snapshot_mb"],
         s["engine"]["history_growth"]["rows_if_full"])),
    ("(c) naive ORM loop, scaled from a sample", lambda s: "%s (%s ms x {:,})".format(
        s["naive"]["customers"]) % (
        fmt_s(s["figures"]["naive_s"]), s["figures"]["naive_per_customer_ms"])),
    ("b / a", lambda s: ("> %gx" if s["figures"]["recompute_timed_out"] else "%gx")
     % s["figures"]["recompute_vs_floor"]),
    ("b / (a' + w): against reading the history and writing the rows, bare",
     lambda s: "%gx" % s["figures"]["recompute_vs_design_floor"]),
    ("least cost of any one-pass recompute, a2 + w without foreign keys, / a",
     lambda s: "%s, %gx" % (fmt_s(s["figures"]["one_pass_bound_s"]),
                            s["figures"]["one_pass_bound_vs_floor"])),
    ("c / b", lambda s: ("< %gx" if s["figures"]["recompute_timed_out"] else "%gx")
     % s["figures"]["naive_vs_recompute"]),
    ("peak memory growth of the recompute (Odoo process)",
     lambda s: "%.1f MB" % s["figures"]["memory_growth_mb"]),
    ("PostgreSQL backend private memory, peak",
     lambda s: "%s MB" % s["engine"]["recompute"]["backend_private_peak_mb"]),
    ("refresh of one customer (the engine's part of an order confirmation)",
     lambda s: fmt_s(s["engine"]["refresh_one_customer"]["median_s"])),
    ("order confirmed / cancelled / amount changed / moved to another customer: "
     "what the refresh adds (median of the differences with - without)",
     lambda s: " / ".join(
         "%.1f ms" % s["engine"]["order_changes"][change]["refresh_cost_median_ms"]
         for change in ("confirm", "cancel", "amount", "customer"))),
    ("slowest web client call", lambda s: fmt_s(s["figures"]["ui_max_s"])),
    ("load average before / after",
     lambda s: "%s / %s" % (s["load_before"], s["load_after"])),
]


def size_rows(results):
    sizes = results["sizes"]
    rows = []
    for label, getter in SIZE_ROWS:
        cells = [label]
        for size in sizes.values():
            try:
                cells.append(getter(size))
            except (KeyError, TypeError):
                cells.append("-")
        if any(cell != "-" for cell in cells[1:]):
            rows.append(cells)
    return ["figure"] + list(sizes), rows


def ui_rows(results, key="ui"):
    sizes = results["sizes"]
    names = list(sizes)
    labels = []
    for size in sizes.values():
        for label in size["engine"].get(key, {}).get("calls", {}):
            if label not in labels and not label.startswith("kanban: 40 cards of col"):
                labels.append(label)
    rows = []
    for label in labels:
        cells = [label]
        for name in names:
            call = sizes[name]["engine"].get(key, {}).get("calls", {}).get(label)
            cells.append(
                "%s / %s" % (fmt_s(call["median_s"]), fmt_s(call["max_s"]))
                if call
                else "-"
            )
        rows.append(cells)
    return ["call (median / max of %d runs)" % results["repeats"]] + names, rows


def index_rows(results):
    rows = []
    for name, size in results["sizes"].items():
        for variant in size["engine"].get("experiments", {}).get("indexes", []):
            rows.append(
                [name, variant["index"], fmt_s(variant["floor_median_s"]),
                 fmt_s(variant["recompute_s"])]
                + [fmt_s(variant["steps"].get(step)) for step in STEPS]
            )
    header = ["size", "variant (cold recompute, rolled back)", "floor", "recompute"]
    return header + [step.lstrip("_") for step in STEPS], rows


def markdown(results):
    machine = results["machine"]
    out = [
        "# Customer pyramid benchmark, %s" % results["date"],
        "",
        "Machine: %s, %s CPUs, %s GB RAM; PostgreSQL %s (%s); git %s%s."
        % (
            machine.get("cpu"),
            machine.get("nproc"),
            machine.get("ram_gb"),
            machine.get("postgresql"),
            ", ".join(
                "%s=%s" % item
                for item in sorted(machine.get("postgresql_settings", {}).items())
            ),
            results["git"]["commit"],
            " (uncommitted changes)" if results["git"]["dirty"] else "",
        ),
        "Reference date %s; company 1 (EUR, 80 %% of the customers); (b) is "
        "`action_recompute` on empty pyramid tables (rows and snapshot written); "
        "(c) is scaled linearly from a sample of %d customers."
        % (results["reference_date"], results["naive_sample"]),
        "",
        table(*size_rows(results)),
        "",
        "## Targets",
        "",
        table(
            ["target", "measured", "met"],
            [
                [row["target"], row["value"], "yes" if row["met"] else "**no**"]
                for row in results["targets"]
            ],
        ),
        "",
        "## Web client calls (server time, sales manager of company 1)",
        "",
        table(*ui_rows(results)),
        "",
        "## Reading the history (server time, sales manager of company 1)",
        "",
        "After the recomputes at the reference date, the next day and the "
        "nightly runs of the history figures above: each snapshot after the "
        "first holds only the customers that changed.",
        "",
        table(*ui_rows(results, "history")),
        "",
    ]
    header, rows = index_rows(results)
    if rows:
        out += [
            "## Experiments: sale_order indexes",
            "",
            table(header, rows),
            "",
        ]
    return "\n".join(out)


def git_info():
    def git(*args):
        return subprocess.check_output(("git", "-C", benchlib.ROOT) + args).decode()

    try:
        return {
            "commit": git("rev-parse", "--short", "HEAD").strip(),
            "dirty": bool(git("status", "--porcelain", "--", "relation_pyramid")),
        }
    except (OSError, subprocess.CalledProcessError):
        return {"commit": "?", "dirty": None}


def main():
    args = parse_args()
    os.makedirs(benchlib.RESULTS, exist_ok=True)
    started = datetime.datetime.now()
    results = {
        "date": started.strftime("%Y-%m-%d %H:%M"),
        "machine": benchlib.machine_info(),
        "git": git_info(),
        "naive_sample": args.naive_sample,
        "repeats": args.repeats,
        "sizes": {},
    }
    _logger.info(
        "bench of sizes %s on %s",
        " ".join(args.sizes),
        ", ".join("%s=%s" % item for item in sorted(results["machine"].items())),
    )
    for size in args.sizes:
        entry = {"load_before": load_average()}
        entry["generation"] = ensure_database(size, args.regenerate)
        dbname = entry["generation"]["db"]
        entry["engine"] = measure(dbname, "engine", args)
        entry["naive"] = measure(dbname, "naive", args)
        entry["load_after"] = load_average()
        entry["figures"] = derive(entry["engine"], entry["naive"])
        results["sizes"][size] = entry
        results["reference_date"] = entry["engine"]["context"]["reference_date"]
        _logger.info("%s: %s", size, entry["figures"])
        if args.drop:
            benchlib.drop_database(dbname)
            _logger.info("%s dropped", dbname)
    results["targets"] = evaluate(results["sizes"])
    results["seconds"] = round((datetime.datetime.now() - started).total_seconds())
    stem = os.path.join(
        benchlib.RESULTS,
        "bench-%s-%s" % (started.strftime("%Y%m%d-%H%M"), "".join(args.sizes)),
    )
    with open(stem + ".json", "w") as handle:
        json.dump(results, handle, indent=1, default=str)
    text = markdown(results)
    with open(stem + ".md", "w") as handle:
        handle.write(text)
    print(text)
    _logger.info(
        "results: %s.{json,md} (%d s in all)",
        os.path.relpath(stem, benchlib.ROOT),
        results["seconds"],
    )


if __name__ == "__main__":
    main()
