"""Bench of the revenue bases and the margin measure (issue 19) on a copy of
a bench database (``rp_bench_<size>``, never the original):

    python bench/basis.py --db rp_bench_copy_m --prepare   # once, ~3 min at M
    bin/odoo -d rp_bench_copy_m -u relation_pyramid --stop-after-init
    python bench/basis.py --db rp_bench_copy_m --out bench/results/basis-M.json

``--prepare`` adds in bulk SQL what the generator does not make: Sales
Margin's columns (a cost of 70 % of the price on every order line, so the
margin is 30 % of the untaxed amount; made before the module update so that
Odoo finds them and computes nothing), an account and a sales journal, and
a customer invoice per confirmed order of both companies (dated by the
confirmation day, paid, or open when younger than 60 days; 8 % cancelled
invoices beside them) plus a credit note of 30 % for one order in 20, ten
days later. Then the measurements, company 1 at the generator's last day,
each rolled back, one warm-up then ``--repeats`` runs: the steps the basis
and the measure change, ``_gather_revenue`` (the sources) and ``_classify``
(ranks, cut-offs, shares, gaps on revenue or margin), for the order basis by
revenue, the order basis by margin and the invoice basis (the later steps,
rows, snapshot and the additions' figures, are the same for all three);
each basis' floor:
its own GROUP BY of the period's revenue per commercial partner,
materialised as the engine's steps are."""
import argparse
import os
import statistics
import sys

from dateutil.relativedelta import relativedelta

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

# The Odoo configuration to load (its addons path): the project's by default.
benchlib.CONF = os.environ.get("RP_BENCH_CONF", benchlib.CONF)

_logger = benchlib.setup_logging("basis")

PREPARE_SQL = [
    # Sales Margin's stored columns, filled as its computes would fill them
    "ALTER TABLE sale_order_line ADD COLUMN IF NOT EXISTS purchase_price numeric",
    "ALTER TABLE sale_order_line ADD COLUMN IF NOT EXISTS margin numeric",
    "ALTER TABLE sale_order ADD COLUMN IF NOT EXISTS margin numeric",
    "UPDATE sale_order_line SET purchase_price = ROUND(price_unit * 0.7, 2), "
    "margin = ROUND(price_subtotal - ROUND(price_unit * 0.7, 2) * product_uom_qty, 2)",
    """UPDATE sale_order so SET margin = lines.margin
         FROM (SELECT order_id, SUM(margin) AS margin FROM sale_order_line
                WHERE state <> 'cancel' GROUP BY order_id) lines
        WHERE lines.order_id = so.id""",
    """INSERT INTO account_invoice
           (reference_type, partner_id, commercial_partner_id, account_id,
            currency_id, journal_id, company_id, type, state, date_invoice,
            origin, amount_untaxed, amount_untaxed_signed, amount_tax,
            amount_total, amount_total_signed, amount_total_company_signed,
            residual, residual_signed, residual_company_signed, reconciled,
            create_uid, write_uid, create_date, write_date)
    SELECT 'none', so.partner_id, partner.commercial_partner_id,
           %(account_id)s, pricelist.currency_id, %(journal_id)s,
           so.company_id, 'out_invoice',
           CASE WHEN so.state = 'cancel' THEN 'cancel'
                WHEN so.confirmation_date > %(last_day)s::date - 60 THEN 'open'
                ELSE 'paid' END,
           COALESCE(so.confirmation_date, so.date_order)::date,
           so.name, so.amount_untaxed, so.amount_untaxed, so.amount_tax,
           so.amount_total, so.amount_total, so.amount_total, 0, 0, 0,
           TRUE, 1, 1, so.create_date, so.write_date
      FROM sale_order so
      JOIN res_partner partner ON partner.id = so.partner_id
      JOIN product_pricelist pricelist ON pricelist.id = so.pricelist_id
     WHERE so.state IN ('sale', 'done')
        OR (so.state = 'cancel' AND so.confirmation_date IS NOT NULL)
     ORDER BY COALESCE(so.confirmation_date, so.date_order), so.id""",
    """INSERT INTO account_invoice
           (reference_type, partner_id, commercial_partner_id, account_id,
            currency_id, journal_id, company_id, type, state, date_invoice,
            origin, refund_invoice_id, amount_untaxed, amount_untaxed_signed,
            amount_tax, amount_total, amount_total_signed,
            amount_total_company_signed, residual, residual_signed,
            residual_company_signed, reconciled, create_uid, write_uid,
            create_date, write_date)
    SELECT 'none', inv.partner_id, inv.commercial_partner_id, inv.account_id,
           inv.currency_id, inv.journal_id, inv.company_id, 'out_refund',
           inv.state, LEAST(inv.date_invoice + 10, %(last_day)s::date),
           inv.origin, inv.id, ROUND(inv.amount_untaxed * 0.3, 2),
           -ROUND(inv.amount_untaxed * 0.3, 2), 0,
           ROUND(inv.amount_untaxed * 0.3, 2),
           -ROUND(inv.amount_untaxed * 0.3, 2),
           -ROUND(inv.amount_untaxed * 0.3, 2), 0, 0, 0, TRUE, 1, 1,
           inv.create_date, inv.write_date
      FROM account_invoice inv
     WHERE inv.type = 'out_invoice' AND inv.state <> 'cancel' AND inv.id %% 20 = 0
     ORDER BY inv.id""",
    "ANALYZE account_invoice",
    "ANALYZE sale_order",
]

CONFIGURATIONS = [
    ("sale_order", "revenue"),
    ("sale_order", "margin"),
    ("invoice", "revenue"),
]

FLOORS = {
    "sale_order": """
CREATE TEMP TABLE bench_floor ON COMMIT DROP AS
SELECT partner.commercial_partner_id AS partner_id,
       SUM(so.amount_untaxed) AS revenue
  FROM sale_order so
  JOIN res_partner partner ON partner.id = so.partner_id
 WHERE so.company_id = %(company_id)s
   AND so.state IN ('sale', 'done')
   AND so.confirmation_date >= %(start)s AND so.confirmation_date < %(end_next)s
 GROUP BY partner.commercial_partner_id""",
    "sale_order_margin": """
CREATE TEMP TABLE bench_floor ON COMMIT DROP AS
SELECT partner.commercial_partner_id AS partner_id,
       SUM(so.amount_untaxed) AS revenue, SUM(so.margin) AS margin
  FROM sale_order so
  JOIN res_partner partner ON partner.id = so.partner_id
 WHERE so.company_id = %(company_id)s
   AND so.state IN ('sale', 'done')
   AND so.confirmation_date >= %(start)s AND so.confirmation_date < %(end_next)s
 GROUP BY partner.commercial_partner_id""",
    "invoice": """
CREATE TEMP TABLE bench_floor ON COMMIT DROP AS
SELECT partner.commercial_partner_id AS partner_id,
       SUM(inv.amount_untaxed_signed) AS revenue
  FROM account_invoice inv
  JOIN res_partner partner ON partner.id = inv.partner_id
 WHERE inv.company_id = %(company_id)s
   AND inv.type IN ('out_invoice', 'out_refund')
   AND inv.state IN ('open', 'paid')
   AND inv.date_invoice >= %(start)s AND inv.date_invoice < %(end_next)s
 GROUP BY partner.commercial_partner_id""",
}


def summarize(times):
    return {
        "median_s": round(statistics.median(times), 3),
        "min_s": round(min(times), 3),
        "runs": [round(t, 3) for t in times],
    }


def prepare(registry):
    with benchlib.odoo_env(registry) as env:
        cr = env.cr
        cr.execute("SELECT COUNT(*) FROM account_invoice")
        if cr.fetchone()[0]:
            _logger.info("invoices already there: nothing to prepare")
            return
        company = env.ref("base.main_company")
        account = env["account.account"].create(
            {
                "name": "Bench debtors",
                "code": "BENCH1300",
                "user_type_id": env.ref("account.data_account_type_receivable").id,
                "reconcile": True,
                "company_id": company.id,
            }
        )
        journal = env["account.journal"].create(
            {"name": "Bench invoices", "code": "BINV", "type": "sale"}
        )
        params = dict(
            account_id=account.id,
            journal_id=journal.id,
            last_day=benchlib.get_params(cr.dbname)["end_date"],
        )
        for statement in PREPARE_SQL:
            with benchlib.Timer() as timer:
                cr.execute(statement, params)
            _logger.info("%s ... %d rows, %.1f s", statement.split("\n")[0][:70],
                         cr.rowcount, timer.seconds)
        cr.commit()


def measure(registry, repeats):
    import datetime

    with benchlib.odoo_env(registry) as env:
        company = env.ref("base.main_company")
        profile = env["relation.pyramid.profile"].search(
            [("company_id", "=", company.id)]
        )
        reference = datetime.datetime.strptime(
            benchlib.get_params(env.cr.dbname)["end_date"], "%Y-%m-%d"
        ).date()
        bounds = profile._period_bounds(reference)
        env.cr.execute(
            "SELECT type, state, COUNT(*) FROM account_invoice "
            "WHERE company_id = %s GROUP BY 1, 2 ORDER BY 1, 2",
            (company.id,),
        )
        invoices = ["%s %s %d" % row for row in env.cr.fetchall()]
        profile_id = profile.id
    floor_params = {
        "company_id": company.id,
        "start": bounds["start"],
        "end_next": bounds["end"] + relativedelta(days=1),
    }
    result = {"reference_date": str(reference), "invoices": invoices, "floors": {}}
    for name, sql in FLOORS.items():
        times = []
        for run in range(repeats + 1):
            with benchlib.odoo_env(registry) as env:
                with benchlib.Timer() as timer:
                    env.cr.execute(sql, floor_params)
                rows = env.cr.rowcount
            if run:
                times.append(timer.seconds)
        result["floors"][name] = dict(summarize(times), rows=rows)
        _logger.info("floor %s: %s", name, result["floors"][name])
    # Round robin over the configurations, so that a machine whose load
    # changes during the run weighs on all three alike.
    times = {config: ([], []) for config in CONFIGURATIONS}
    summaries = {}
    for run in range(repeats + 1):
        for config in CONFIGURATIONS:
            basis, measure_name = config
            with benchlib.odoo_env(registry) as env:
                profile = env["relation.pyramid.profile"].browse(profile_id)
                profile.write({"revenue_basis": basis, "level_measure": measure_name})
                env.cr.execute("SET LOCAL jit = off")
                profile._gather_currency_factors(bounds)
                with benchlib.Timer() as gather_timer:
                    profile._gather_revenue(bounds)
                with benchlib.Timer() as classify_timer:
                    profile._classify()
                summaries[config] = profile._result_summary()
            if run:
                times[config][0].append(gather_timer.seconds)
                times[config][1].append(classify_timer.seconds)
    for config in CONFIGURATIONS:
        gather, classify = times[config]
        key = "%s/%s" % config
        result[key] = {
            "_gather_revenue": summarize(gather),
            "_classify": summarize(classify),
            "gather_and_classify": summarize(
                [g + c for g, c in zip(gather, classify)]
            ),
            "result": summaries[config],
        }
        _logger.info("%s: %s", key, result[key])
    base = result["sale_order/revenue"]["gather_and_classify"]["median_s"]
    base_step = result["sale_order/revenue"]["_gather_revenue"]["median_s"]
    for key in ("sale_order/margin", "invoice/revenue"):
        result[key]["ratio"] = round(
            result[key]["gather_and_classify"]["median_s"] / base, 2
        )
        result[key]["gather_ratio"] = round(
            result[key]["_gather_revenue"]["median_s"] / base_step, 2
        )
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--prepare", action="store_true")
    parser.add_argument("--out")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    if args.db in ("rp_bench_s", "rp_bench_m", "rp_bench_l"):
        parser.error("run it on a copy of %s, not on the original" % args.db)
    with benchlib.odoo_registry(args.db) as registry:
        if args.prepare:
            prepare(registry)
            return
        result = measure(registry, args.repeats)
    benchlib.print_result(result, args.out, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
