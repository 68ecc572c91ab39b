"""Where the refresh of one customer spends its time, by kind of statement
(issue 21 item 2): the engine's refresh (``_refresh_partners``) of
``--refreshes`` active customers of company 1, each in a transaction rolled
back, every SQL statement timed; the first two refreshes warm the caches and
are not counted.

Printed: the median refresh, per kind of statement (the temporary tables'
``CREATE ... AS`` with their queries, their ``DROP``, ``ALTER`` and
``ANALYZE``, then the other statements by their first word) the median time
and the number of statements, what is left for Odoo's Python, and the
``--top`` slowest statements (median time at their place in the refresh,
the first words of their text); then the rollback that ends each
refresh's transaction (where its temporary tables are dropped) and what
the fixed costs of its design, each measured in the same run (median of
50, same connection) and multiplied by the refresh's count: a statement
(``SELECT 1`` through Odoo's cursor, its round trip to PostgreSQL), and a
temporary table by itself (one made from a one-row query as the engine
makes them and dropped at the transaction's end, less the same query and
end without it). Last, the same refreshes once more, each query's planning
and execution time as PostgreSQL reports them (``EXPLAIN (ANALYZE,
SUMMARY)`` of the query in a savepoint rolled back, then the query itself):
their medians per refresh, and the queries that plan longest.

Usage (Odoo venv Python, the project's environment):
    refresh_statements.py --db rp_bench_m [--refreshes 14] [--top 12] [--out FILE]
"""
import argparse
import collections
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
from line_totals import active_customers  # noqa: E402

DDL = ("CREATE TEMP TABLE", "DROP TABLE", "ANALYZE", "ALTER TABLE")
WARM_UP = 2
PLAN_TOP = 5


def kind(query):
    words = query.split()
    head = " ".join(words[:3]).upper()
    for prefix in DDL:
        if head.startswith(prefix):
            return prefix
    return words[0].upper() if words else ""


def timed_refresh(registry, partner_id):
    """The refresh's seconds and its statements' (seconds, kind, text)."""
    statements = []
    with benchlib.odoo_env(registry) as env:
        cr = env.cr
        cursor_class = type(cr)
        original = cursor_class.execute

        def execute(self, query, params=None, log_exceptions=None):
            start = time.perf_counter()
            result = original(self, query, params, log_exceptions)
            text = query if isinstance(query, str) else query.as_string(self._obj)
            statements.append((time.perf_counter() - start, kind(text), text))
            return result

        cursor_class.execute = execute
        try:
            start = time.perf_counter()
            env["relation.pyramid.profile"]._refresh_partners({1: {partner_id}})
            seconds = time.perf_counter() - start
        finally:
            cursor_class.execute = original
        start = time.perf_counter()
        cr.rollback()
        end_seconds = time.perf_counter() - start
    return seconds, end_seconds, statements


def one_statement_seconds(registry, repeats=50):
    """What one statement costs by itself through Odoo's cursor: the median
    of ``repeats`` ``SELECT 1``."""
    times = []
    with benchlib.odoo_env(registry) as env:
        for _repeat in range(repeats):
            start = time.perf_counter()
            env.cr.execute("SELECT 1")
            env.cr.fetchall()
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def temp_table_seconds(registry, repeats=50):
    """What one temporary table costs by itself, made as the engine makes
    them (``DROP TABLE IF EXISTS``, ``CREATE TEMP TABLE ... ON COMMIT DROP
    AS`` a one-row query) and dropped at the transaction's end, less the
    same query and end without the table: the median of ``repeats``."""
    with_table, without = [], []
    with benchlib.odoo_env(registry) as env:
        cr = env.cr
        for _repeat in range(repeats):
            start = time.perf_counter()
            cr.execute("DROP TABLE IF EXISTS pg_temp.relation_pyramid_bench_floor")
            cr.execute(
                "CREATE TEMP TABLE pg_temp.relation_pyramid_bench_floor "
                "ON COMMIT DROP AS SELECT 1 AS partner_id, 2.0 AS revenue"
            )
            cr.rollback()
            with_table.append(time.perf_counter() - start)
            start = time.perf_counter()
            cr.execute("SELECT 1 AS partner_id, 2.0 AS revenue")
            cr.rollback()
            without.append(time.perf_counter() - start)
    return statistics.median(with_table) - statistics.median(without)


def planned_refresh(registry, partner_id, per_query):
    """The refresh of ``partner_id`` with every query that PostgreSQL can
    explain first explained (analyzed, in a savepoint rolled back): the sum
    of the planning and of the execution times in seconds; each query's
    (planning, execution) appended to ``per_query`` under its first words."""
    spent = [0.0, 0.0]
    with benchlib.odoo_env(registry) as env:
        cursor_class = type(env.cr)
        original = cursor_class.execute

        def execute(self, query, params=None, log_exceptions=None):
            text = query if isinstance(query, str) else query.as_string(self._obj)
            if explainable(text):
                raw = self._obj
                raw.execute("SAVEPOINT relation_pyramid_bench_plan")
                raw.execute(
                    "EXPLAIN (ANALYZE, SUMMARY, TIMING OFF, FORMAT JSON) "
                    + raw.mogrify(text, params).decode()
                )
                summary = raw.fetchone()[0][0]
                raw.execute("ROLLBACK TO SAVEPOINT relation_pyramid_bench_plan")
                planning = summary["Planning Time"] / 1000.0
                execution = summary["Execution Time"] / 1000.0
                spent[0] += planning
                spent[1] += execution
                per_query[" ".join(text.split())[:100]].append((planning, execution))
            return original(self, query, params, log_exceptions)

        cursor_class.execute = execute
        try:
            env["relation.pyramid.profile"]._refresh_partners({1: {partner_id}})
        finally:
            cursor_class.execute = original
    return spent


def explainable(text):
    """A query whose plan EXPLAIN reports: a ``SELECT``, ``WITH``,
    ``INSERT``, ``UPDATE`` or ``DELETE`` (the ORM's included) or a table
    made from a query; not an advisory lock, a server-side cursor's
    statements or other DDL."""
    words = text.upper().split()
    head = " ".join(words[:4])
    if head.startswith("CREATE TEMP TABLE"):
        return "AS" in words[:8]
    return head.startswith(("SELECT", "WITH", "UPDATE", "INSERT", "DELETE")) and (
        "pg_advisory" not in text
    )


def plan_figures(registry, partners):
    """Medians per refresh of the queries' planning and execution (ms), and
    the ``PLAN_TOP`` queries that plan longest."""
    per_query = collections.defaultdict(list)
    planning, execution = [], []
    for number, partner_id in enumerate(partners):
        spent = planned_refresh(registry, partner_id, per_query)
        if number >= WARM_UP:
            planning.append(spent[0])
            execution.append(spent[1])
    longest = sorted(
        (
            {
                "planning_ms": round(1000 * statistics.median(p for p, _e in times), 2),
                "execution_ms": round(
                    1000 * statistics.median(e for _p, e in times), 2
                ),
                "statement": text,
            }
            for text, times in per_query.items()
        ),
        key=lambda row: -row["planning_ms"],
    )[:PLAN_TOP]
    return {
        "planning_ms": round(1000 * statistics.median(planning), 1),
        "execution_ms": round(1000 * statistics.median(execution), 1),
        "planning_longest": longest,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--refreshes", type=int, default=14)
    parser.add_argument("--top", type=int, default=12)
    parser.add_argument("--out")
    args = parser.parse_args()
    with benchlib.odoo_registry(args.db) as registry:
        partners = active_customers(registry, 1, args.refreshes)
        totals, ends, per_kind, counts = [], [], collections.defaultdict(list), {}
        per_place = collections.defaultdict(list)
        for number, partner_id in enumerate(partners):
            seconds, end_seconds, statements = timed_refresh(registry, partner_id)
            if number < WARM_UP:
                continue
            totals.append(seconds)
            ends.append(end_seconds)
            spent = collections.defaultdict(float)
            for place, (statement_seconds, statement_kind, text) in enumerate(
                statements
            ):
                spent[statement_kind] += statement_seconds
                per_place[place, " ".join(text.split())[:100]].append(
                    statement_seconds
                )
            for statement_kind, kind_seconds in spent.items():
                per_kind[statement_kind].append(kind_seconds)
            counts = collections.Counter(kind for _s, kind, _t in statements)
        table_ms = 1000 * temp_table_seconds(registry)
        one_statement_ms = 1000 * one_statement_seconds(registry)
        plans = plan_figures(registry, partners)
    refresh_ms = 1000 * statistics.median(totals)
    kinds = sorted(
        (
            {
                "kind": statement_kind,
                "median_ms": round(1000 * statistics.median(values), 1),
                "statements": counts.get(statement_kind, 0),
            }
            for statement_kind, values in per_kind.items()
        ),
        key=lambda row: -row["median_ms"],
    )
    sql_ms = sum(row["median_ms"] for row in kinds)
    slowest = sorted(
        (
            {
                "place": place,
                "median_ms": round(1000 * statistics.median(values), 2),
                "statement": text,
            }
            for (place, text), values in per_place.items()
            if len(values) == len(totals)
        ),
        key=lambda row: -row["median_ms"],
    )[: args.top]
    tables = counts.get("CREATE TEMP TABLE", 0)
    statements = sum(counts.values())
    result = {
        "db": args.db,
        "refreshes": len(totals),
        "refresh_median_ms": round(refresh_ms, 1),
        "kinds": kinds,
        "sql_ms": round(sql_ms, 1),
        "python_ms": round(refresh_ms - sql_ms, 1),
        "rollback_median_ms": round(1000 * statistics.median(ends), 2),
        "statements": statements,
        "statement_ms": round(one_statement_ms, 3),
        "statements_floor_ms": round(statements * one_statement_ms, 1),
        "temp_tables": tables,
        "temp_table_ms": round(table_ms, 2),
        "temp_tables_floor_ms": round(tables * table_ms, 1),
        "queries_planning_ms": plans["planning_ms"],
        "queries_execution_ms": plans["execution_ms"],
        "planning_longest": plans["planning_longest"],
        "slowest": slowest,
    }
    benchlib.print_result(result, args.out, indent=2)


if __name__ == "__main__":
    main()
