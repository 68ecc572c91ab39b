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
the first words of their text).

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
        cr.rollback()
    return seconds, statements


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--refreshes", type=int, default=14)
    parser.add_argument("--top", type=int, default=12)
    parser.add_argument("--out")
    args = parser.parse_args()
    with benchlib.odoo_registry(args.db) as registry:
        partners = active_customers(registry, 1, args.refreshes)
        totals, per_kind, counts = [], collections.defaultdict(list), {}
        per_place = collections.defaultdict(list)
        for number, partner_id in enumerate(partners):
            seconds, statements = timed_refresh(registry, partner_id)
            if number < WARM_UP:
                continue
            totals.append(seconds)
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
    result = {
        "db": args.db,
        "refreshes": len(totals),
        "refresh_median_ms": round(refresh_ms, 1),
        "kinds": kinds,
        "sql_ms": round(sql_ms, 1),
        "python_ms": round(refresh_ms - sql_ms, 1),
        "slowest": slowest,
    }
    benchlib.print_result(result, args.out, indent=2)


if __name__ == "__main__":
    main()
