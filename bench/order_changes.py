"""What the refresh adds to the order changes that must refresh a customer
(issue 21, item 2): on a bench database whose pyramid of company 1 is
computed (``run.py`` leaves it so; else ``--recompute`` computes it first,
committed), each change is made as the sales manager would make it, through
the ORM's real entry points, once with the refresh and once without it
(``relation.pyramid.profile._refresh_partners`` switched off for that
call), alternating which comes first, each in its own transaction, rolled
back, the rollback timed with it (the temporary tables a refresh makes are
dropped where its transaction ends, commit or rollback):

- **confirm**: ``action_confirm()`` of a quotation of company 1;
- **cancel**: ``action_cancel()`` of a confirmed order;
- **amount**: the first line's unit price raised by 10 % through the
  order's ``write`` with a line command, as the order form saves it;
- **customer**: a confirmed order moved to another customer (``write``).

One customer per change and sample (``--count`` of them, picked by a hash
of their ids, so the same ones at every run). Reported per change: the
medians with and without the refresh, and the median of the paired
differences (the refresh's cost, what the target bounds).

Usage (Odoo venv Python, the project's environment):
    order_changes.py --db rp_bench_m [--count 50] [--recompute] [--out FILE]
"""
import argparse
import datetime
import hashlib
import json
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

_logger = benchlib.setup_logging("order_changes")

PROFILE = "relation.pyramid.profile"
REFRESH = "_refresh_partners"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--count", type=int, default=50)
    parser.add_argument(
        "--recompute",
        action="store_true",
        help="recompute company 1's pyramid first (committed)",
    )
    parser.add_argument("--out", help="write the results as JSON here")
    return parser.parse_args(argv)


class RefreshSwitch(object):
    """Switches the refresh of the profile's model class off and on."""

    def __init__(self, registry):
        self.model_class = registry[PROFILE]
        self.original = getattr(self.model_class, REFRESH)

    def set(self, enabled):
        if enabled:
            setattr(self.model_class, REFRESH, self.original)
        else:
            setattr(self.model_class, REFRESH, lambda self, *args, **kwargs: None)


def sample_orders(env, company_id, states, count, distinct_from=()):
    """``count`` orders of company 1 in ``states`` with a line, of distinct
    customers (not in ``distinct_from``), by a hash of their ids."""
    env.cr.execute(
        """
        SELECT DISTINCT ON (partner.commercial_partner_id)
               so.id, partner.commercial_partner_id
          FROM sale_order so
          JOIN res_partner partner ON partner.id = so.partner_id
         WHERE so.company_id = %s AND so.state IN %s
           AND EXISTS (SELECT 1 FROM sale_order_line line
                        WHERE line.order_id = so.id)
           AND partner.commercial_partner_id NOT IN %s
         ORDER BY partner.commercial_partner_id, md5(so.id::text)
        """,
        (company_id, tuple(states), tuple(distinct_from) or (0,)),
    )
    rows = env.cr.fetchall()
    rows.sort(key=lambda row: hashlib.md5(str(row[0]).encode()).hexdigest())
    return rows[:count]


def changes(targets):
    """The changes timed, each a function of (env, order id, sample index)."""

    def confirm(env, order_id, _index):
        env["sale.order"].browse(order_id).action_confirm()

    def cancel(env, order_id, _index):
        env["sale.order"].browse(order_id).action_cancel()

    def amount(env, order_id, _index):
        order = env["sale.order"].browse(order_id)
        line = order.order_line[0]
        raised = {"price_unit": line.price_unit * 1.1}
        order.write({"order_line": [(1, line.id, raised)]})

    def customer(env, order_id, index):
        env["sale.order"].browse(order_id).write({"partner_id": targets[index]})

    return [
        ("confirm", ("draft", "sent"), confirm),
        ("cancel", ("sale",), cancel),
        ("amount", ("sale",), amount),
        ("customer", ("sale",), customer),
    ]


def time_change(registry, switch, uid, change, order_id, index, enabled):
    switch.set(enabled)
    try:
        with benchlib.odoo_env(registry, uid, {"tz": "Europe/Brussels"}) as env:
            with benchlib.Timer() as timer:
                change(env, order_id, index)
                env["sale.order"].recompute()
                env.cr.rollback()
        return timer.seconds
    finally:
        switch.set(True)


def measure(registry, count):
    with benchlib.odoo_env(registry) as env:
        company_id = env.ref("base.main_company").id
        manager = env["res.users"].search([("login", "=", "bench_manager")])
        uid = manager.id or env.ref("base.user_root").id
        user = env["res.users"].browse(uid)
        if not user.email:
            # confirming sends the customer a message from the user
            user.partner_id.email = "%s@bench.example.com" % user.login
            env.cr.commit()
        env.cr.execute(
            "SELECT COUNT(*) FROM relation_pyramid_line WHERE company_id = %s",
            (company_id,),
        )
        if not env.cr.fetchone()[0]:
            raise SystemExit(
                "the pyramid of company 1 is not computed: run with --recompute"
            )
        # the customers the 'customer' change moves orders to: active ones
        env.cr.execute(
            """
            SELECT partner_id FROM relation_pyramid_line
             WHERE company_id = %s AND lifecycle = 'active'
             ORDER BY md5(partner_id::text) LIMIT %s
            """,
            (company_id, count),
        )
        targets = [row[0] for row in env.cr.fetchall()]
        samples = {}
        for name, states, _change in changes(targets):
            samples[name] = [
                order_id
                for order_id, _partner in sample_orders(
                    env, company_id, states, count, targets
                )
            ]
    switch = RefreshSwitch(registry)
    results = {}
    for name, _states, change in changes(targets):
        with_refresh, without, differences = [], [], []
        for index, order_id in enumerate(samples[name]):
            # the first run of a sample warms the caches: alternate
            order = [True, False] if index % 2 else [False, True]
            seconds = {
                enabled: time_change(
                    registry, switch, uid, change, order_id, index, enabled
                )
                for enabled in order
            }
            with_refresh.append(seconds[True])
            without.append(seconds[False])
            differences.append(seconds[True] - seconds[False])
        results[name] = {
            "samples": len(differences),
            "median_with_ms": round(1000 * statistics.median(with_refresh), 2),
            "median_without_ms": round(1000 * statistics.median(without), 2),
            "refresh_cost_median_ms": round(1000 * statistics.median(differences), 2),
        }
        _logger.info(
            "%-8s %d samples: with the refresh %.1f ms, without %.1f ms, "
            "refresh costs %.1f ms (median of the differences)",
            name,
            len(differences),
            results[name]["median_with_ms"],
            results[name]["median_without_ms"],
            results[name]["refresh_cost_median_ms"],
        )
    return results


def recompute(registry):
    with benchlib.odoo_env(registry) as env:
        params = benchlib.get_params(env.cr.dbname)
        profile = env[PROFILE].search(
            [("company_id", "=", env.ref("base.main_company").id)]
        )
        profile._lock_company(wait_for_refreshes=True)
        profile._recompute(
            datetime.datetime.strptime(params["end_date"], "%Y-%m-%d").date()
        )
        env.cr.commit()


def main():
    args = parse_args()
    with benchlib.odoo_registry(args.db) as registry:
        if args.recompute:
            recompute(registry)
        results = measure(registry, args.count)
    if args.out:
        with open(args.out, "w") as out:
            json.dump(results, out, indent=2)


if __name__ == "__main__":
    main()
