"""The web client's calls on the pyramid rows (``measure.ui_calls``) with
the rows' company rule and level index of 11.0.1.5.0 and of 11.0.1.6.0, in
turn on one bench database (issue 21 item 5).

11.0.1.5.0: the rule ``['|', ('company_id', '=', False), ('company_id',
'child_of', [user.company_id.id])]`` and the index ``(company_id, level,
revenue)``; 11.0.1.6.0: the rule without the "or no company" branch and the
index ``(company_id, level, revenue DESC, id)``. Each switch is committed
(the rule's cache cleared, the index built); the database is left as
11.0.1.6.0 has it. Printed: each run's medians, then per version the median
over the runs and the ratios new/old pair by pair.

Usage (Odoo venv Python, the project's environment):
    company_rule.py --db rp_bench_l [--pairs 3] [--repeats 5] [--out FILE]
"""
import argparse
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
from measure import ui_calls  # noqa: E402

_logger = benchlib.setup_logging("company_rule")

RULE = "relation_pyramid_line_rule_company"
VERSIONS = {
    "11.0.1.5.0": {
        "rule": "['|', ('company_id', '=', False), "
        "('company_id', 'child_of', [user.company_id.id])]",
        "index": "relation_pyramid_line_company_level_revenue_index",
        "columns": "company_id, level, revenue",
    },
    "11.0.1.6.0": {
        "rule": "[('company_id', 'child_of', [user.company_id.id])]",
        "index": "relation_pyramid_line_company_level_order_index",
        "columns": "company_id, level, revenue DESC, id",
    },
}


def switch(registry, version):
    """The rule and the index of ``version``, committed."""
    with benchlib.odoo_env(registry) as env:
        cr = env.cr
        for other, setting in VERSIONS.items():
            if other != version:
                cr.execute("DROP INDEX IF EXISTS %s" % setting["index"])
        setting = VERSIONS[version]
        cr.execute(
            "CREATE INDEX IF NOT EXISTS %s ON relation_pyramid_line (%s)"
            % (setting["index"], setting["columns"])
        )
        cr.execute("ANALYZE relation_pyramid_line")
        env.ref("relation_pyramid." + RULE).write({"domain_force": setting["rule"]})
        cr.commit()
    registry.clear_caches()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out")
    args = parser.parse_args()
    runs = {version: [] for version in VERSIONS}
    with benchlib.odoo_registry(args.db) as registry:
        try:
            for pair in range(args.pairs):
                for version in VERSIONS:
                    switch(registry, version)
                    calls = ui_calls(registry, args.repeats)["calls"]
                    medians = {
                        label: round(1000 * figures["median_s"], 1)
                        for label, figures in calls.items()
                    }
                    runs[version].append(medians)
                    _logger.info("pair %d, %s: %s", pair + 1, version, medians)
        finally:
            switch(registry, "11.0.1.6.0")
    old, new = list(VERSIONS)
    result = {"db": args.db, "unit": "ms", "versions": {}, "ratios": {}}
    for version in VERSIONS:
        result["versions"][version] = {
            label: statistics.median(run[label] for run in runs[version])
            for label in runs[version][0]
        }
    for label in runs[old][0]:
        result["ratios"][label] = benchlib.pair_ratios(runs[old], runs[new], label)
    benchlib.print_result(result, args.out, indent=2)


if __name__ == "__main__":
    main()
