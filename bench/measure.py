"""Measurements on one bench database, in a process of its own (so the
memory high-water mark is the recompute's):

``--mode engine``: (a) the SQL floor, (b) the full recompute of company 1
through ``action_recompute`` (wall time, steps, peak memory), a re-run at
the same date and the next day's run, the web client's calls on the
pyramid, the refresh of one customer, EXPLAIN ANALYZE of the engine's
statements and the ``sale_order`` index experiments (rolled back);
``--mode naive``: (c) the per-customer ORM loop on a sample of customers,
rolled back, scaled linearly to every customer; ``--mode calls``: the web
client's calls, the order changes and the history's screens on the pyramid
as it is.

Writes one JSON document to ``--out``."""
import argparse
import datetime
import gc
import json
import os
import statistics
import sys
import time

from dateutil.relativedelta import relativedelta

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
import order_changes  # noqa: E402

_logger = benchlib.setup_logging("measure")

PYRAMID_TABLES = [
    "relation_pyramid_line",
    "relation_pyramid_snapshot_line",
    "relation_pyramid_snapshot",
]
STEPS = ["_gather_revenue", "_classify", "_write_lines", "_write_snapshot"]
INDEX_VARIANTS = [
    (
        "+ index sale_order (company_id, state, confirmation_date)",
        [
            "CREATE INDEX bench_so_company_state_confirmation "
            "ON sale_order (company_id, state, confirmation_date)"
        ],
    ),
    (
        "+ index sale_order (company_id, (COALESCE(confirmation_date, "
        "date_order)::date)) INCLUDE (state, partner_id, pricelist_id, "
        "amount_untaxed)",
        [
            "CREATE INDEX bench_so_company_day ON sale_order "
            "(company_id, (COALESCE(confirmation_date, date_order)::date)) "
            "INCLUDE (state, partner_id, pricelist_id, amount_untaxed)"
        ],
    ),
]
# The floors: one GROUP BY of the confirmed orders per commercial partner,
# materialised into a temporary table as the engine's steps are; they differ
# only in what they sum and from which day they read.
FLOOR_TEMPLATE = """
CREATE TEMP TABLE bench_floor ON COMMIT DROP AS
SELECT partner.commercial_partner_id AS partner_id,
       {columns}
  FROM sale_order so
  JOIN res_partner partner ON partner.id = so.partner_id
 WHERE so.company_id = %(company_id)s
   AND so.state IN ('sale', 'done')
   AND {first_day}so.confirmation_date < %(end_next)s
 GROUP BY partner.commercial_partner_id
"""

# (a) the period's revenue
FLOOR_SQL = FLOOR_TEMPLATE.format(
    columns="SUM(so.amount_untaxed) AS revenue",
    first_day="so.confirmation_date >= %(start)s AND ",
)

# (a2) what any recompute in one pass has to read at the least under
# DOMAIN.md: the period and the previous period (a risk customer is one whose
# revenue fell against the previous period), still without the history
# before them, currency conversion, ranking or writing.
TWO_PERIOD_FLOOR_SQL = FLOOR_TEMPLATE.format(
    columns="""SUM(so.amount_untaxed) FILTER (
           WHERE so.confirmation_date >= %(start)s) AS revenue,
       SUM(so.amount_untaxed) FILTER (
           WHERE so.confirmation_date < %(start)s) AS previous_revenue""",
    first_day="so.confirmation_date >= %(previous_start)s AND ",
)

# (a') what the engine has to read at the least: the same aggregate over the
# whole history up to the reference date, with the previous period and
# "bought before" (still no currency conversion, ranking or writing).
HISTORY_FLOOR_SQL = FLOOR_TEMPLATE.format(
    columns="""SUM(so.amount_untaxed) FILTER (
           WHERE so.confirmation_date >= %(start)s) AS revenue,
       SUM(so.amount_untaxed) FILTER (
           WHERE so.confirmation_date >= %(previous_start)s
             AND so.confirmation_date < %(start)s) AS previous_revenue,
       BOOL_OR(so.confirmation_date < %(start)s) AS bought_before""",
    first_day="",
)

LINE_CHECKSUM_SQL = """
SELECT COUNT(*), md5(string_agg(
           (to_jsonb(line) - 'id' - 'create_date' - 'write_date' - 'create_uid'
                           - 'write_uid')::text, ',' ORDER BY partner_id))
  FROM relation_pyramid_line line
 WHERE company_id = %s
"""


def install_cursor_hook(cr, plans):
    """Wrap ``cr.execute``: the engine's big statements (the temporary
    tables, and the INSERT, UPDATE and DELETE statements that read its
    result) run under EXPLAIN (ANALYZE, BUFFERS) (they still execute) and
    their plans are appended to ``plans``. Returns the original ``execute``."""
    execute = cr.execute

    def hooked(query, params=None, log_exceptions=None):
        text = query.strip()
        big = text.startswith("CREATE TEMP TABLE relation_pyramid") or (
            text.startswith(("INSERT", "UPDATE", "DELETE"))
            and "relation_pyramid_result" in text
        )
        if not big:
            return execute(query, params, log_exceptions)
        start = time.perf_counter()
        execute("EXPLAIN (ANALYZE, BUFFERS) " + query, params, log_exceptions)
        plans.append(
            {
                "statement": " ".join(text.split())[:90],
                "seconds": round(time.perf_counter() - start, 3),
                "plan": "\n".join(row[0] for row in cr.fetchall()),
            }
        )
        return None

    cr.execute = hooked
    return execute


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--mode", choices=["engine", "naive", "calls"], required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--sample", type=int, default=1000)
    parser.add_argument(
        "--slow",
        type=float,
        default=120.0,
        help="seconds: when the engine's full recompute takes longer, its "
        "next-day run is skipped",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=1200.0,
        help="seconds: cap on the engine's full recompute (statement timeout)",
    )
    parser.add_argument(
        "--history-days",
        type=int,
        default=30,
        help="nightly runs after the next day, one day each, before the "
        "history is read (fewer if --history-budget runs out)",
    )
    parser.add_argument(
        "--history-budget",
        type=float,
        default=120.0,
        help="seconds: no further nightly run of the history once spent",
    )
    parser.add_argument(
        "--no-experiments",
        action="store_true",
        help="skip EXPLAIN ANALYZE and the index experiments",
    )
    parser.add_argument(
        "--changes",
        type=int,
        default=50,
        help="order changes per kind timed with and without the refresh",
    )
    return parser.parse_args(argv)


def summarize(times):
    return {
        "runs": len(times),
        "median_s": round(statistics.median(times), 4),
        "min_s": round(min(times), 4),
        "max_s": round(max(times), 4),
    }


class StepTimer(object):
    """Wraps the engine's steps on the registry's model class to time them."""

    def __init__(self, model_class, names):
        self.seconds = {}
        for name in names:
            original = getattr(model_class, name, None)
            if original is not None:
                setattr(model_class, name, self._wrap(name, original))

    def _wrap(self, name, original):
        def timed(record, *args, **kwargs):
            start = time.perf_counter()
            try:
                return original(record, *args, **kwargs)
            finally:
                self.seconds[name] = self.seconds.get(name, 0.0) + (
                    time.perf_counter() - start
                )

        timed.__name__ = name
        return timed

    def take(self):
        seconds, self.seconds = self.seconds, {}
        return {name: round(value, 3) for name, value in seconds.items()}


def bench_context(registry):
    """Company 1, its profile, the reference date and some counts."""
    with benchlib.odoo_env(registry) as env:
        params = benchlib.get_params(env.cr.dbname)
        company = env.ref("base.main_company")
        profile = env["relation.pyramid.profile"].search(
            [("company_id", "=", company.id)]
        )
        reference = datetime.datetime.strptime(params["end_date"], "%Y-%m-%d").date()
        bounds = profile._period_bounds(reference)
        cr = env.cr
        counts = {}
        for key, sql in (
            ("orders", "SELECT COUNT(*) FROM sale_order"),
            ("order_lines", "SELECT COUNT(*) FROM sale_order_line"),
            ("partners", "SELECT COUNT(*) FROM res_partner"),
            (
                "customers",
                "SELECT COUNT(*) FROM res_partner WHERE id = commercial_partner_id "
                "AND customer AND active AND id NOT IN "
                "(SELECT partner_id FROM res_company)",
            ),
            (
                "company_orders",
                "SELECT COUNT(*) FROM sale_order WHERE company_id = %d" % company.id,
            ),
        ):
            cr.execute(sql)
            counts[key] = cr.fetchone()[0]
        return {
            "company_id": company.id,
            "company": company.name,
            "profile_id": profile.id,
            "reference_date": reference,
            "bounds": bounds,
            "counts": counts,
            "params": params,
        }


def floor_params(ctx):
    bounds = ctx["bounds"]
    return {
        "company_id": ctx["company_id"],
        "start": bounds["start"],
        "previous_start": bounds["previous_start"],
        "end_next": bounds["end"] + relativedelta(days=1),
    }


def time_floor(registry, ctx, sql, repeats):
    """One warm-up, then ``repeats`` timed runs, each in its own
    transaction; the result is materialised in PostgreSQL (a temporary
    table, as the engine's steps do), not fetched."""
    times, rows = [], None
    for run in range(repeats + 1):
        with benchlib.odoo_env(registry) as env:
            with benchlib.Timer() as timer:
                env.cr.execute(sql, floor_params(ctx))
                rows = env.cr.rowcount
            if run:
                times.append(timer.seconds)
    result = summarize(times)
    result["rows"] = rows
    return result


def _write_floor_once(env, table, scope_sql, params, foreign_keys):
    """Seconds and row count of one bare ``INSERT ... SELECT`` of the rows
    of ``table`` in ``scope_sql`` (as the engine left them) into a fresh,
    empty table of the same shape and indexes, with or without the foreign
    keys of ``table``. The caller rolls back."""
    cr = env.cr
    cr.execute(
        "CREATE TEMP TABLE bench_write_source AS SELECT * FROM {table} "
        "WHERE {scope}".format(table=table, scope=scope_sql),
        params,
    )
    # A regular (logged) table, as the engine's: a temporary one writes no WAL.
    cr.execute(
        "CREATE TABLE bench_write_target "
        "(LIKE {table} INCLUDING DEFAULTS INCLUDING INDEXES)".format(table=table)
    )
    if foreign_keys:
        cr.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f'",
            (table,),
        )
        for (definition,) in cr.fetchall():
            cr.execute("ALTER TABLE bench_write_target ADD " + definition)
    with benchlib.Timer() as timer:
        cr.execute("INSERT INTO bench_write_target SELECT * FROM bench_write_source")
    return timer.seconds, cr.rowcount


def time_write_floor(registry, ctx, repeats):
    """(w) the write floor: what writing the rows and the snapshot rows the
    full recompute wrote costs at the least, a bare ``INSERT ... SELECT`` of
    the same rows into empty tables of the same shape, with Odoo's foreign
    keys (checked row by row by PostgreSQL) and without; rolled back."""
    with benchlib.odoo_env(registry) as env:
        env.cr.execute(
            "SELECT id FROM relation_pyramid_snapshot "
            "WHERE company_id = %s AND date = %s",
            (ctx["company_id"], ctx["reference_date"]),
        )
        snapshot_id = env.cr.fetchone()[0]
    params = {"company_id": ctx["company_id"], "snapshot_id": snapshot_id}
    targets = [
        ("rows", "relation_pyramid_line", "company_id = %(company_id)s"),
        ("snapshot rows", "relation_pyramid_snapshot_line",
         "snapshot_id = %(snapshot_id)s"),
    ]
    result = {}
    for foreign_keys in (True, False):
        variant = "with_foreign_keys" if foreign_keys else "without_foreign_keys"
        times, counts = [], {}
        for run in range(repeats + 1):
            seconds = 0.0
            for label, table, scope_sql in targets:
                with benchlib.odoo_env(registry) as env:
                    step, counts[label] = _write_floor_once(
                        env, table, scope_sql, params, foreign_keys
                    )
                seconds += step
            if run:
                times.append(seconds)
        result[variant] = summarize(times)
        result[variant]["rows"] = counts
    _logger.info(
        "write floor: INSERT of the %s: median %.3f s with the foreign keys, "
        "%.3f s without",
        ", ".join("%d %s" % (count, label) for label, count in counts.items()),
        result["with_foreign_keys"]["median_s"],
        result["without_foreign_keys"]["median_s"],
    )
    return result


def reset_pyramid(cr):
    cr.execute("TRUNCATE %s CASCADE" % ", ".join(PYRAMID_TABLES))


def pyramid_counts(registry, company_id):
    with benchlib.odoo_env(registry) as env:
        env.cr.execute(
            "SELECT level, COUNT(*) FROM relation_pyramid_line WHERE company_id = %s "
            "GROUP BY level",
            (company_id,),
        )
        levels = dict(env.cr.fetchall())
        env.cr.execute("SELECT COUNT(*) FROM relation_pyramid_snapshot_line")
        snapshot_rows = env.cr.fetchone()[0]
    return {
        "lines": sum(levels.values()),
        "levels": levels,
        "snapshot_lines": snapshot_rows,
    }


def line_checksum(cr, company_id):
    cr.execute(LINE_CHECKSUM_SQL, (company_id,))
    count, digest = cr.fetchone()
    return "%d:%s" % (count, digest)


def recompute(registry, ctx, steps, reference_date, label, timeout=None):
    """``action_recompute`` of company 1 at ``reference_date`` and the
    commit, timed, with the peak memory of this process and of the
    PostgreSQL backend while it runs; ``timeout``: seconds after which
    PostgreSQL cancels the statement (the result then says ``timed_out``)."""
    from psycopg2.extensions import QueryCanceledError

    gc.collect()
    rss_before = benchlib.rss_mb()
    maxrss_before = benchlib.maxrss_mb()
    with benchlib.odoo_env(registry) as env:
        env.cr.execute("SELECT pg_backend_pid()")
        backend_pid = env.cr.fetchone()[0]
        backend_before = benchlib.private_rss_mb(backend_pid)
        profile = env["relation.pyramid.profile"].browse(ctx["profile_id"])
        if timeout:
            env.cr.execute("SET statement_timeout = %d" % int(1000 * timeout))
        steps.take()
        timed_out = False
        with benchlib.PeakSampler(backend_pid) as sampler:
            with benchlib.Timer() as timer:
                try:
                    profile.action_recompute(reference_date)
                    env.cr.commit()
                except QueryCanceledError:
                    timed_out = True
        env.cr.rollback()
        env.cr.execute("SET statement_timeout = 0")
        checksum = line_checksum(env.cr, ctx["company_id"])
    maxrss_after = benchlib.maxrss_mb()
    hwm_growth = maxrss_after - maxrss_before
    sampled_growth = sampler.peak_rss - rss_before
    result = {
        "label": label,
        "timed_out": timed_out,
        "timeout_s": timeout,
        "reference_date": str(reference_date),
        "seconds": round(timer.seconds, 3),
        "steps": steps.take(),
        "rss_before_mb": round(rss_before, 1),
        "maxrss_before_mb": round(maxrss_before, 1),
        "maxrss_after_mb": round(maxrss_after, 1),
        "peak_rss_sampled_mb": round(sampler.peak_rss, 1),
        "memory_growth_mb": round(max(hwm_growth, sampled_growth, 0.0), 1),
        "backend_private_before_mb": backend_before and round(backend_before, 1),
        "backend_private_peak_mb": sampler.peak_backend
        and round(sampler.peak_backend, 1),
        "checksum": checksum,
    }
    result.update(pyramid_counts(registry, ctx["company_id"]))
    if timed_out:
        _logger.warning(
            "recompute (%s) cancelled by the statement timeout after %.0f s %s",
            label,
            timer.seconds,
            result["steps"],
        )
        return result
    _logger.info(
        "recompute (%s) at %s: %.2f s %s; %d rows (%s), %d snapshot rows; "
        "memory +%.1f MB (Odoo process), backend peak %s MB",
        label,
        reference_date,
        timer.seconds,
        result["steps"],
        result["lines"],
        ", ".join("%s %d" % item for item in sorted(result["levels"].items())),
        result["snapshot_lines"],
        result["memory_growth_mb"],
        result["backend_private_peak_mb"],
    )
    return result


def analyze_pyramid(dbname):
    cnx = benchlib.connect(dbname, autocommit=True)
    try:
        with cnx.cursor() as cr:
            for table in PYRAMID_TABLES:
                cr.execute("VACUUM ANALYZE %s" % table)
    finally:
        cnx.close()


# ----------------------------------------------------------------------
# The web client's calls
# ----------------------------------------------------------------------
def view_fields(model, view_type):
    from lxml import etree

    view = model.fields_view_get(view_type=view_type)
    arch = etree.fromstring(view["arch"])
    return view, arch


def pyramid_views(registry):
    """What the web client asks for: the user (the sales manager of company
    1, so record rules apply), the action's domain and the fields of the
    kanban, list and pivot views of the pyramid."""
    from odoo.tools.safe_eval import safe_eval

    with benchlib.odoo_env(registry) as env:
        manager = env["res.users"].search([("login", "=", "bench_manager")])
        uid = manager.id or env.ref("base.user_root").id
        context = {"lang": "en_US", "tz": "Europe/Brussels", "uid": uid}
        lines = env["relation.pyramid.line"].sudo(uid).with_context(context)
        action = env.ref(
            "relation_pyramid.relation_pyramid_line_action", raise_if_not_found=False
        )
        views = {
            "uid": uid,
            "context": context,
            "domain": safe_eval(action.domain or "[]", {"uid": uid}) if action else [],
            "group_by": "level",
            "measures": ["revenue"],
        }
        tree_view, _arch = view_fields(lines, "tree")
        views["tree_fields"] = views["kanban_fields"] = list(tree_view["fields"])
        try:
            kanban_view, kanban_arch = view_fields(lines, "kanban")
            views["kanban_fields"] = list(kanban_view["fields"])
            views["group_by"] = kanban_arch.get("default_group_by") or "level"
        except Exception:  # no kanban view: the list's fields
            _logger.warning("no kanban view on relation.pyramid.line")
        try:
            _pivot_view, pivot_arch = view_fields(lines, "pivot")
            views["measures"] = [
                node.get("name")
                for node in pivot_arch.iter("field")
                if node.get("type") == "measure"
            ] or ["revenue"]
        except Exception:
            _logger.warning("no pivot view on relation.pyramid.line")
    return views


def time_call(registry, uid, context, call, repeats):
    """Median and max of ``call(env)``, each run in a fresh transaction like
    an HTTP request, its answer serialised as the JSON-RPC reply would be
    (the first run, warming the caches, not counted); and the last answer."""
    times = []
    for run in range(repeats + 1):
        with benchlib.odoo_env(registry, uid, context) as env:
            with benchlib.Timer() as timer:
                answer = call(env)
            json.dumps(answer, default=str)
        if run:
            times.append(timer.seconds)
    return summarize(times), answer


def ui_calls(registry, repeats):
    """The calls the web client makes to open the pyramid (kanban grouped by
    level, list, pivot), each in a fresh transaction like an HTTP request."""
    views = pyramid_views(registry)
    uid, context, domain = views["uid"], views["context"], views["domain"]
    kanban_fields, tree_fields = views["kanban_fields"], views["tree_fields"]
    group_by, measures = views["group_by"], views["measures"]

    def model(env):
        return env["relation.pyramid.line"].with_context(context)

    def kanban_read_group(env):
        return model(env).read_group(domain, kanban_fields, [group_by], lazy=True)

    with benchlib.odoo_env(registry, uid, context) as env:
        columns = [
            group["__domain"]
            for group in model(env).read_group(
                domain, [group_by], [group_by], lazy=True
            )
        ]

    def kanban_column(column_domain):
        # the web client then loads the first 40 cards of each column, one
        # call per column, and (web's do_search_read) counts the column's
        # cards when the 40 are full
        def call(env):
            cards = model(env).search_read(column_domain, kanban_fields, limit=40)
            count = model(env).search_count(column_domain) if len(cards) == 40 else 0
            return cards, count

        return call

    def pivot_read_group(env):
        return [
            model(env).read_group(domain, ["level"] + measures, ["level"], lazy=False),
            model(env).read_group(domain, measures, [], lazy=False),
        ]

    def list_search_read(env):
        return model(env).search_read(domain, tree_fields, limit=80)

    def search_count(env):
        return model(env).search_count(domain)

    calls = [("kanban: read_group by %s" % group_by, kanban_read_group)]
    calls += [
        ("kanban: 40 cards of column %d" % number, kanban_column(column_domain))
        for number, column_domain in enumerate(columns, 1)
    ]

    def search_by_level(env):
        # the search view's "Small" filter: the list's first page and count
        level_domain = domain + [("level", "=", "small")]
        return [
            model(env).search_read(level_domain, tree_fields, limit=80),
            model(env).search_count(level_domain),
        ]

    with benchlib.odoo_env(registry, uid, context) as env:
        top = model(env).search(domain, limit=1).partner_id.id
        # the web client loads the form view once and keeps it
        form_fields = list(
            env["res.partner"]
            .with_context(context)
            .fields_view_get(view_type="form")["fields"]
        )

    def partner_form(env):
        # a customer's form opened: the record with the view's fields
        return env["res.partner"].with_context(context).browse(top).read(form_fields)

    calls += [
        ("pivot: read_group by level (+ total)", pivot_read_group),
        ("list: search_read first 80 (model _order)", list_search_read),
        ("list: search_count", search_count),
        ("search by level: first 80 and count", search_by_level),
        ("partner form of the top customer", partner_form),
    ]
    results = {}
    for label, call in calls:
        results[label], answer = time_call(registry, uid, context, call, repeats)
        if label.startswith("list: search_read"):
            results[label]["rows"] = len(answer)
            results[label]["first_rank"] = answer and answer[0].get("rank")
        if label == "list: search_count":
            results[label]["count"] = answer
        _logger.info(
            "web client call %-45s median %6.1f ms, max %6.1f ms",
            label,
            1000 * results[label]["median_s"],
            1000 * results[label]["max_s"],
        )
    card_calls = [
        value for key, value in results.items() if key.startswith("kanban: 40 cards")
    ]
    if card_calls:
        results["kanban: 40 cards, slowest column"] = max(
            card_calls, key=lambda value: value["median_s"]
        )
    return {
        "user": "bench_manager" if uid != 1 else "superuser",
        "domain": domain,
        "calls": results,
    }


# ----------------------------------------------------------------------
# EXPLAIN ANALYZE, the index experiments, the one-customer refresh
# ----------------------------------------------------------------------
def explain_recompute(registry, ctx, extra_sql=None):
    """A cold recompute (empty pyramid tables) under EXPLAIN ANALYZE, rolled
    back; ``extra_sql`` runs first (e.g. CREATE INDEX)."""
    plans = []
    with benchlib.odoo_env(registry) as env:
        reset_pyramid(env.cr)
        for sql in extra_sql or []:
            env.cr.execute(sql)
        env.cr.execute("ANALYZE sale_order")
        for label, sql in (("floor", FLOOR_SQL), ("history floor", HISTORY_FLOOR_SQL)):
            start = time.perf_counter()
            env.cr.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, floor_params(ctx))
            plans.append(
                {
                    "statement": label,
                    "seconds": round(time.perf_counter() - start, 3),
                    "plan": "\n".join(row[0] for row in env.cr.fetchall()),
                }
            )
            env.cr.execute("DROP TABLE pg_temp.bench_floor")
        install_cursor_hook(env.cr, plans)
        profile = env["relation.pyramid.profile"].browse(ctx["profile_id"])
        profile.action_recompute(ctx["reference_date"])
    return plans


def timed_cold_recompute(registry, ctx, steps, extra_sql=None):
    """A cold recompute (empty pyramid tables), rolled back: the
    like-for-like comparison with and without an index."""
    with benchlib.odoo_env(registry) as env:
        reset_pyramid(env.cr)
        for sql in extra_sql or []:
            env.cr.execute(sql)
        env.cr.execute("ANALYZE sale_order")
        floor_times = []
        for _run in range(3):
            with benchlib.Timer() as timer:
                env.cr.execute(FLOOR_SQL, floor_params(ctx))
            env.cr.execute("DROP TABLE pg_temp.bench_floor")
            floor_times.append(timer.seconds)
        profile = env["relation.pyramid.profile"].browse(ctx["profile_id"])
        steps.take()
        with benchlib.Timer() as timer:
            profile.action_recompute(ctx["reference_date"])
        return {
            "recompute_s": round(timer.seconds, 3),
            "steps": steps.take(),
            "floor_median_s": round(statistics.median(floor_times), 4),
        }


def experiments(registry, ctx, steps):
    """EXPLAIN ANALYZE of a cold recompute, then the cold recompute timed
    as is and with each index of INDEX_VARIANTS (with the plans of the
    statements that read ``sale_order``), all rolled back."""
    plans = explain_recompute(registry, ctx)
    for plan in plans:
        _logger.info("EXPLAIN ANALYZE %.2f s  %s", plan["seconds"], plan["statement"])
    index_results = []
    for label, sqls in [("engine as is", [])] + INDEX_VARIANTS:
        result = timed_cold_recompute(registry, ctx, steps, sqls)
        result["index"] = label
        if sqls:
            result["plans"] = [
                plan
                for plan in explain_recompute(registry, ctx, sqls)
                if plan["statement"].startswith(
                    ("floor", "history floor", "CREATE TEMP TABLE relation_pyramid_rev")
                )
            ]
        index_results.append(result)
        _logger.info(
            "experiment [%s]: recompute %.2f s %s, floor %.3f s",
            label,
            result["recompute_s"],
            result["steps"],
            result["floor_median_s"],
        )
    return {"explain": plans, "indexes": index_results}


def refresh_one_customer(registry, ctx, repeats):
    """What confirming an order adds, the engine's part: the refresh of the
    order's customer (``_refresh_partners``: their row, the others' levels),
    rolled back; one customer per run."""
    with benchlib.odoo_env(registry) as env:
        env.cr.execute(
            "SELECT partner_id FROM relation_pyramid_line WHERE company_id = %s "
            "AND lifecycle = 'active' ORDER BY md5(partner_id::text) LIMIT %s",
            (ctx["company_id"], repeats + 1),
        )
        partner_ids = [row[0] for row in env.cr.fetchall()]
    times = []
    for run, partner_id in enumerate(partner_ids):
        with benchlib.odoo_env(registry) as env:
            profiles = env["relation.pyramid.profile"]
            with benchlib.Timer() as timer:
                profiles._refresh_partners({ctx["company_id"]: {partner_id}})
        if run:
            times.append(timer.seconds)
    if not times:
        return {}
    result = summarize(times)
    _logger.info(
        "refresh of one customer (order confirmation): median %.1f ms",
        1000 * result["median_s"],
    )
    return result


# ----------------------------------------------------------------------
# Modes
# ----------------------------------------------------------------------
def engine_mode(args):
    out = {"mode": "engine", "db": args.db}
    started = time.perf_counter()
    with benchlib.odoo_registry(args.db) as registry:
        out["registry_load_s"] = round(time.perf_counter() - started, 2)
        ctx = bench_context(registry)
        _logger.info(
            "%s: %d orders (%d of %s), %d customers, %d partners; reference "
            "date %s, period %s .. %s",
            args.db,
            ctx["counts"]["orders"],
            ctx["counts"]["company_orders"],
            ctx["company"],
            ctx["counts"]["customers"],
            ctx["counts"]["partners"],
            ctx["reference_date"],
            ctx["bounds"]["start"],
            ctx["bounds"]["end"],
        )
        out["context"] = {
            key: ctx[key] for key in ("company", "counts", "reference_date")
        }
        out["context"]["period"] = [ctx["bounds"]["start"], ctx["bounds"]["end"]]
        steps = StepTimer(registry["relation.pyramid.profile"], STEPS)

        # (a) the floor
        out["floor"] = time_floor(registry, ctx, FLOOR_SQL, args.repeats)
        out["two_period_floor"] = time_floor(
            registry, ctx, TWO_PERIOD_FLOOR_SQL, args.repeats
        )
        out["history_floor"] = time_floor(
            registry, ctx, HISTORY_FLOOR_SQL, args.repeats
        )
        _logger.info(
            "floor (period GROUP BY): median %.3f s, %d customers; the same over "
            "the period and the previous period: median %.3f s; over the whole "
            "history: median %.3f s",
            out["floor"]["median_s"],
            out["floor"]["rows"],
            out["two_period_floor"]["median_s"],
            out["history_floor"]["median_s"],
        )

        # (b) the full recompute, the first thing that allocates in this
        # process, on empty pyramid tables; then a re-run at the same date
        # (nothing changed) and the next day's run (new snapshot)
        with benchlib.odoo_env(registry) as env:
            reset_pyramid(env.cr)
            env.cr.commit()
        analyze_pyramid(args.db)
        reference = ctx["reference_date"]
        out["recompute"] = recompute(
            registry, ctx, steps, reference, "full, empty pyramid tables", args.timeout
        )
        slow = out["recompute"]["seconds"] > args.slow
        if not out["recompute"]["timed_out"]:
            out["write_floor"] = time_write_floor(registry, ctx, args.repeats)
        analyze_pyramid(args.db)
        out["recompute_rerun"] = recompute(
            registry, ctx, steps, reference, "re-run, same date: nothing changed"
        )
        if not slow:
            out["recompute_next_day"] = recompute(
                registry,
                ctx,
                steps,
                reference + relativedelta(days=1),
                "next day: new snapshot",
            )
        analyze_pyramid(args.db)

        # the web client, then an order confirmation
        out["ui"] = ui_calls(registry, args.repeats)
        out["refresh_one_customer"] = refresh_one_customer(registry, ctx, args.repeats)
        out["order_changes"] = order_changes.measure(registry, args.changes)

        # a month of nightly runs (or what the budget allows), then the
        # history read back
        if not slow:
            out["history_growth"] = history_growth(
                registry,
                ctx,
                steps,
                reference + relativedelta(days=1),
                args.history_days,
                args.history_budget,
            )
        out["history"] = history_calls(registry, args.repeats)

        if not args.no_experiments:
            out["experiments"] = experiments(registry, ctx, steps)
    return out


def history_growth(registry, ctx, steps, last_day, days, budget):
    """Nightly runs after ``last_day``, a day each, until ``days`` of them
    or ``budget`` seconds spent: what keeping the history costs, in time and
    in snapshot rows against a row per customer and snapshot."""
    times = []
    started = time.time()
    day = last_day
    while len(times) < days and time.time() - started < budget:
        day += relativedelta(days=1)
        times.append(
            recompute(registry, ctx, steps, day, "history: nightly run")["seconds"]
        )
    with benchlib.odoo_env(registry) as env:
        cr = env.cr
        cr.execute(
            "SELECT COUNT(*) FROM relation_pyramid_snapshot WHERE company_id = %s",
            (ctx["company_id"],),
        )
        snapshots = cr.fetchone()[0]
        cr.execute(
            "SELECT COUNT(*), pg_total_relation_size('relation_pyramid_snapshot_line')"
            " FROM relation_pyramid_snapshot_line"
        )
        rows, size = cr.fetchone()
        cr.execute(
            "SELECT COUNT(*) FROM relation_pyramid_line WHERE company_id = %s",
            (ctx["company_id"],),
        )
        customers = cr.fetchone()[0]
    result = {
        "nightly_runs": len(times),
        "nightly": summarize(times) if times else None,
        "snapshots": snapshots,
        "snapshot_rows": rows,
        "snapshot_mb": round(size / 1048576.0, 1),
        "rows_if_full": snapshots * customers,
    }
    _logger.info(
        "history: %d nightly runs (median %.2f s); %d snapshots kept in %d rows "
        "(%.1f MB), against %d rows for a row per customer and snapshot",
        len(times),
        result["nightly"]["median_s"] if times else 0.0,
        snapshots,
        rows,
        result["snapshot_mb"],
        result["rows_if_full"],
    )
    return result


def history_calls(registry, repeats, matrix_only=False):
    """Reading the history the engine kept, as the sales manager's screens
    do: the snapshot list with its customer and change counts, the printed
    pyramid of the oldest and the newest snapshot, and migration matrices
    as their form saves and shows them (their rows written, then rolled
    back)."""
    uid = pyramid_views(registry)["uid"]

    def snapshots(env):
        return env["relation.pyramid.snapshot"].search([], order="date")

    def snapshot_list(env):
        return snapshots(env).read(["date", "customer_count", "change_count"])

    def printed_pyramid(position):
        def call(env):
            return snapshots(env)[position]._report_data()

        return call

    def migration_matrix(older, newer):
        """What saving the matrix form costs: the create, then the form's
        read of the saved record (a request of its own, cache empty)."""

        def call(env):
            kept = snapshots(env)
            migration = env["relation.pyramid.migration"].create(
                {"snapshot_from_id": kept[older].id, "snapshot_to_id": kept[newer].id}
            )
            migration.invalidate_cache()
            return migration.read(
                ["name", "snapshot_from_id", "snapshot_to_id", "matrix_html"]
            )

        return call

    def matrix_cell(older, newer, from_level, to_level):
        """The drill-down from a cell of a saved matrix: the list of its
        customers (first 80 in the list's order, and their count), as
        ``action_open_customers`` opens it."""

        def call(env):
            kept = snapshots(env)
            migration = env["relation.pyramid.migration"].create(
                {"snapshot_from_id": kept[older].id, "snapshot_to_id": kept[newer].id}
            )
            action = migration.with_context(
                migration_from_level=from_level, migration_to_level=to_level
            ).action_open_customers()
            customers = env["relation.pyramid.migration.line"]
            customers.invalidate_cache()
            return [
                customers.search_read(
                    action["domain"],
                    ["partner_id", "from_level", "to_level", "revenue"],
                    limit=80,
                ),
                customers.search_count(action["domain"]),
            ]

        return call

    calls = [
        ("snapshot list: customers and changes", snapshot_list),
        ("printed pyramid of the oldest snapshot", printed_pyramid(0)),
        ("printed pyramid of the newest snapshot", printed_pyramid(-1)),
        ("migration matrix, the last two snapshots", migration_matrix(-2, -1)),
        ("migration matrix, oldest to newest snapshot", migration_matrix(0, -1)),
        (
            "migration matrix cell small -> medium, its customers",
            matrix_cell(0, -1, "small", "medium"),
        ),
        (
            "migration matrix cell small -> small, its customers",
            matrix_cell(0, -1, "small", "small"),
        ),
    ]
    if matrix_only:
        calls = [call for call in calls if "matrix" in call[0]]
    with benchlib.odoo_env(registry) as env:
        if len(snapshots(env)) < 2:
            _logger.warning("fewer than two snapshots: no migration matrix")
            calls = [call for call in calls if "matrix" not in call[0]]
    results = {}
    answers = {}
    for label, call in calls:
        results[label], answers[label] = time_call(registry, uid, {}, call, repeats)
        _logger.info(
            "history call %-45s median %6.1f ms, max %6.1f ms",
            label,
            1000 * results[label]["median_s"],
            1000 * results[label]["max_s"],
        )
    if matrix_only:
        return {"calls": results, "answers": answers}
    return {"calls": results}


def naive_customer(env, company, bounds, currency_of, partner_id):
    """The way many addons do it, for one customer: search the orders of
    the customer and their contacts, add them up in Python, write."""
    revenue = 0.0
    for order in env["sale.order"].search_read(
        [
            ("partner_id", "child_of", partner_id),
            ("company_id", "=", company.id),
            ("state", "in", ["sale", "done"]),
            ("confirmation_date", ">=", "%s 00:00:00" % bounds["start"]),
            ("confirmation_date", "<=", "%s 23:59:59" % bounds["end"]),
        ],
        ["amount_untaxed", "pricelist_id", "confirmation_date"],
    ):
        currency = currency_of[order["pricelist_id"][0]]
        amount = order["amount_untaxed"]
        if currency != company.currency_id:
            amount = currency.with_context(date=order["confirmation_date"]).compute(
                amount, company.currency_id
            )
        revenue += amount
    lines = env["relation.pyramid.line"]
    line = lines.search(
        [("company_id", "=", company.id), ("partner_id", "=", partner_id)], limit=1
    )
    if line:
        line.write({"revenue": revenue})
    elif revenue:
        lines.create(
            {
                "company_id": company.id,
                "partner_id": partner_id,
                "lifecycle": "active",
                "level": "small",
                "revenue": revenue,
            }
        )
    return revenue


def naive_mode(args):
    """(c) ``naive_customer`` for a sample of customers, timed, rolled back,
    scaled linearly to every customer."""
    out = {"mode": "naive", "db": args.db}
    with benchlib.odoo_registry(args.db) as registry:
        ctx = bench_context(registry)
        with benchlib.odoo_env(registry) as env:
            company = env["res.company"].browse(ctx["company_id"])
            env.cr.execute(
                "SELECT id FROM res_partner WHERE id = commercial_partner_id "
                "AND customer AND active AND id NOT IN "
                "(SELECT partner_id FROM res_company) ORDER BY md5(id::text) "
                "LIMIT %s",
                (args.sample,),
            )
            sample = [row[0] for row in env.cr.fetchall()]
            currency_of = {
                pricelist.id: pricelist.currency_id
                for pricelist in env["product.pricelist"].search([])
            }
            _logger.info(
                "naive loop over a sample of %d of %d customers",
                len(sample),
                ctx["counts"]["customers"],
            )
            found = 0
            with benchlib.Timer() as timer:
                for number, partner_id in enumerate(sample, 1):
                    revenue = naive_customer(
                        env, company, ctx["bounds"], currency_of, partner_id
                    )
                    found += bool(revenue)
                    if number % 250 == 0:
                        _logger.info(
                            "naive loop: %d customers, %.1f ms each so far",
                            number,
                            1000 * timer_elapsed(timer) / number,
                        )
    per_customer = timer.seconds / max(len(sample), 1)
    out.update(
        {
            "sample": len(sample),
            "customers": ctx["counts"]["customers"],
            "with_revenue": found,
            "sample_seconds": round(timer.seconds, 2),
            "per_customer_ms": round(1000 * per_customer, 2),
            "scaled_seconds": round(per_customer * ctx["counts"]["customers"], 1),
            "scaled": len(sample) < ctx["counts"]["customers"],
        }
    )
    _logger.info(
        "naive loop: %.2f ms per customer; x %d customers = %.0f s (%s)",
        out["per_customer_ms"],
        out["customers"],
        out["scaled_seconds"],
        "scaled linearly" if out["scaled"] else "every customer",
    )
    return out


def timer_elapsed(timer):
    return time.perf_counter() - timer.start


def calls_mode(args):
    """What users wait for, on the pyramid as it is (no recompute): the web
    client's calls, an order change with and without the refresh, and the
    history's screens (the migration matrix needs two snapshots). For L,
    where a full bench run takes long, after ``cron.py``."""
    out = {"mode": "calls", "db": args.db}
    with benchlib.odoo_registry(args.db) as registry:
        ctx = bench_context(registry)
        analyze_pyramid(args.db)
        out["ui"] = ui_calls(registry, args.repeats)
        out["refresh_one_customer"] = refresh_one_customer(registry, ctx, args.repeats)
        out["order_changes"] = order_changes.measure(registry, args.changes)
        out["history"] = history_calls(registry, args.repeats)
    return out


def main():
    args = parse_args()
    out = {"engine": engine_mode, "naive": naive_mode, "calls": calls_mode}[
        args.mode
    ](args)
    with open(args.out, "w") as handle:
        json.dump(out, handle, indent=1, default=str)


if __name__ == "__main__":
    main()
