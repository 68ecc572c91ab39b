"""Fill a database with a realistic volume of customers and sale orders,
fast: the reference records (second company, currencies and rates,
pricelists, taxes, products, salespeople) through the ORM, then customers,
contacts and three years of orders and order lines in bulk, in PostgreSQL
(``INSERT ... SELECT`` over ``generate_series``), with every column Odoo
fills itself so the ORM and the views work on the result.

Shape of the data (deterministic for a given seed, no ``random()``):

* customers: companies (``is_company``, ``commercial_partner_id`` = itself)
  of two companies (80 % / 20 %), 0-3 contacts each (commercial partner =
  the company); sizes lognormal (sigma 1.6): a few large, many small;
  relation motives, service preferences, qualifications for those who
  never ordered;
* a customer lives from a start day (55 % from the first day) to an end
  day (30 % churn before the end), so there are inactive customers;
* orders: the total is split over the customers in proportion to their
  size and lifetime; dates uniform over the lifetime; 35 % placed by a
  contact; states draft / sent / sale / done / cancel (more drafts in the
  last 30 days); ids and names increasing with the order date, as in a
  real database; 1-4 lines each, amounts (untaxed, tax, total) the sums of
  the lines; pricelist currency EUR or USD (company 2 keeps its books in
  USD), rates monthly.

Usage (Odoo venv Python, the project's environment, see bench.sh):
    generate.py --db rp_bench_s --size S [--create] [--seed 42]
"""
import argparse
import contextlib
import datetime
import json
import os
import subprocess
import sys

from dateutil.relativedelta import relativedelta

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

_logger = benchlib.setup_logging("generate")

YEARS = 3
COMPANY2_SHARE = 0.2
SIGMA = 1.6
CONTACT_ORDER_SHARE = 0.35
FIRST_NAMES = [
    "Anna", "Bram", "Chloe", "Daan", "Emma", "Finn", "Greta", "Hugo", "Ines",
    "Jan", "Kim", "Lars", "Mila", "Noah", "Olga", "Piet", "Rosa", "Sam",
    "Tess", "Victor",
]
LAST_NAMES = [
    "Peeters", "Janssens", "de Vries", "Jansen", "Muller", "Smith", "Martin",
    "Bakker", "Visser", "Dubois", "Schmidt", "Maes", "Wouters", "Brown",
    "Meyer", "Lambert", "Mertens", "Claes", "Willems", "Jacobs",
]
SUFFIXES = ["BV", "NV", "GmbH", "Ltd", "SARL", "BVBA", "Inc.", "& Zn", "Group", "Co"]
PRODUCTS = [
    ("Consulting hour", 95.0),
    ("Maintenance contract", 450.0),
    ("Spare parts kit", 35.0),
    ("Installation", 220.0),
    ("Training day", 780.0),
    ("Software licence", 120.0),
]
# (country xml id, weight) per company
COUNTRIES = {
    1: [("be", 6), ("nl", 6), ("de", 3), ("fr", 2), ("lu", 1), ("uk", 2)],
    2: [("us", 16), ("ca", 3), ("uk", 1)],
}


# The generated history ends this many days before today: the bench then
# runs the next day and 30 nightly runs, all in the past.
DAYS_BEFORE_TODAY = 32


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--size", choices=sorted(benchlib.SIZES), default="S")
    parser.add_argument("--customers", type=int, help="override the size")
    parser.add_argument("--orders", type=int, help="override the size")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--end-date",
        help="last day of the generated history (default: %d days before "
        "today, UTC, so that the bench's next day and nightly runs lie in the "
        "past: a reference date cannot lie after today); the bench's "
        "reference date" % DAYS_BEFORE_TODAY,
    )
    parser.add_argument(
        "--create",
        action="store_true",
        help="(re)create the database first with scripts/create_db.sh",
    )
    return parser.parse_args(argv)


# ----------------------------------------------------------------------
# Reference records, through the ORM
# ----------------------------------------------------------------------
def orm_setup(env, first_day, end_date):
    """Second company in USD, currencies and rates, a pricelist per
    currency, a sales tax per company, products, salespeople and a sales
    manager; returns the ids the bulk part needs."""
    eur = env.ref("base.EUR")
    usd = env.ref("base.USD")
    (eur | usd).write({"active": True})
    company1 = env.ref("base.main_company")
    if company1.currency_id != eur:
        company1.write({"currency_id": eur.id})
    company2 = env["res.company"].search([("name", "=", "Bench US Inc.")])
    if not company2:
        company2 = env["res.company"].create(
            {"name": "Bench US Inc.", "currency_id": usd.id}
        )
    companies = company1 | company2
    env["relation.pyramid.profile"]._ensure_profiles()
    env.ref("base.user_root").write({"company_ids": [(4, company2.id)]})

    rates = env["res.currency.rate"]
    rates.search([("currency_id", "in", (eur | usd).ids)]).unlink()
    rates.create(
        {"name": "2000-01-01", "rate": 1.0, "currency_id": eur.id, "company_id": False}
    )
    month = first_day.replace(day=1) - relativedelta(months=1)
    index = 0
    while month <= end_date:
        # USD per EUR, drifting between about 1.04 and 1.16
        rate = 1.10 + 0.06 * ((index % 12) - 6) / 6.0
        rates.create(
            {
                "name": str(month),
                "rate": round(rate, 4),
                "currency_id": usd.id,
                "company_id": False,
            }
        )
        month += relativedelta(months=1)
        index += 1

    pricelists = env["product.pricelist"]
    eur_pricelist = pricelists.search([("currency_id", "=", eur.id)], limit=1)
    if not eur_pricelist:
        eur_pricelist = pricelists.create({"name": "EUR", "currency_id": eur.id})
    usd_pricelist = pricelists.search([("currency_id", "=", usd.id)], limit=1)
    if not usd_pricelist:
        usd_pricelist = pricelists.create(
            {"name": "USD Pricelist", "currency_id": usd.id}
        )

    taxes = {}
    for company, name, amount in (
        (company1, "VAT 21%", 21.0),
        (company2, "Sales Tax 8%", 8.0),
    ):
        tax = env["account.tax"].search(
            [("company_id", "=", company.id), ("name", "=", name)]
        )
        if not tax:
            tax = env["account.tax"].create(
                {
                    "name": name,
                    "amount": amount,
                    "amount_type": "percent",
                    "type_tax_use": "sale",
                    "company_id": company.id,
                }
            )
        taxes[company.id] = (tax.id, amount / 100.0)

    products = env["product.product"]
    for name, price in PRODUCTS:
        product = products.search([("name", "=", name)], limit=1)
        if not product:
            product = products.create(
                {
                    "name": name,
                    "type": "service",
                    "list_price": price,
                    "company_id": False,
                    "taxes_id": [(6, 0, [taxes[c.id][0] for c in companies])],
                }
            )
        products |= product

    users = env["res.users"].with_context(no_reset_password=True)
    salesman = env.ref("sales_team.group_sale_salesman")
    manager_group = env.ref("sales_team.group_sale_manager")
    team2 = env["crm.team"].search([("company_id", "=", company2.id)], limit=1)
    if not team2:
        team2 = env["crm.team"].create({"name": "US Sales", "company_id": company2.id})
    salespeople = {company1.id: [], company2.id: []}
    for number in range(1, 7):
        company = company1 if number <= 4 else company2
        login = "bench_sales%d" % number
        user = users.search([("login", "=", login)])
        if not user:
            user = users.create(
                {
                    "name": "Bench Salesperson %d" % number,
                    "login": login,
                    "password": "bench",
                    "company_id": company.id,
                    "company_ids": [(6, 0, companies.ids)],
                    "groups_id": [(6, 0, [salesman.id])],
                }
            )
        salespeople[company.id].append(user.id)
    manager = users.search([("login", "=", "bench_manager")])
    if not manager:
        users.create(
            {
                "name": "Bench Sales Manager",
                "login": "bench_manager",
                "password": "bench",
                "company_id": company1.id,
                "company_ids": [(6, 0, companies.ids)],
                "groups_id": [(6, 0, [manager_group.id])],
            }
        )

    countries = {}
    for company_index, company in ((1, company1), (2, company2)):
        ids = []
        for code, weight in COUNTRIES[company_index]:
            ids += [env.ref("base.%s" % code).id] * weight
        countries[company.id] = ids
    return {
        "company1": company1.id,
        "company2": company2.id,
        "eur": eur.id,
        "usd": usd.id,
        "eur_pricelist": eur_pricelist.id,
        "usd_pricelist": usd_pricelist.id,
        "tax1": taxes[company1.id][0],
        "tax1_rate": taxes[company1.id][1],
        "tax2": taxes[company2.id][0],
        "tax2_rate": taxes[company2.id][1],
        "team1": env.ref("sales_team.team_sales_department").id,
        "team2": team2.id,
        "product_ids": products.ids,
        "product_names": products.mapped("name"),
        "uom": env.ref("product.product_uom_unit").id,
        "users1": salespeople[company1.id],
        "users2": salespeople[company2.id],
        "countries1": countries[company1.id],
        "countries2": countries[company2.id],
        "motive_ids": env["relation.motive"].search([]).ids,
        "preference_ids": env["relation.service.preference"].search([]).ids,
    }


# ----------------------------------------------------------------------
# Bulk part, in PostgreSQL
# ----------------------------------------------------------------------
FUNCTIONS = """
-- uniform in (0, 1), from a key and a stream number: deterministic
CREATE FUNCTION pg_temp.u(k bigint, s integer) RETURNS float8
LANGUAGE sql IMMUTABLE AS $$
    SELECT ((hashint8extended(k, {seed}::bigint * 1000 + s)
             & 9007199254740991)::float8 + 0.5) / 9007199254740992.0
$$;
-- standard normal (Box-Muller)
CREATE FUNCTION pg_temp.z(k bigint, s integer) RETURNS float8
LANGUAGE sql IMMUTABLE AS $$
    SELECT sqrt(-2.0 * ln(pg_temp.u(k, s))) * cos(2.0 * pi() * pg_temp.u(k, s + 500))
$$;
CREATE FUNCTION pg_temp.n_lines(order_id bigint) RETURNS integer
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN pg_temp.u(order_id, 110) < 0.4 THEN 1
                WHEN pg_temp.u(order_id, 110) < 0.7 THEN 2
                WHEN pg_temp.u(order_id, 110) < 0.9 THEN 3 ELSE 4 END
$$;
CREATE FUNCTION pg_temp.line_qty(line_key bigint) RETURNS numeric
LANGUAGE sql IMMUTABLE AS $$
    SELECT (1 + floor(pg_temp.u(line_key, 111) * 4))::numeric
$$;
CREATE FUNCTION pg_temp.line_price(line_key bigint, scale float8) RETURNS numeric
LANGUAGE sql IMMUTABLE AS $$
    SELECT GREATEST(
        0.5, ROUND((scale * exp(0.7 * pg_temp.z(line_key, 112)))::numeric, 2))
$$;
"""

CUSTOMERS = """
CREATE TEMP TABLE bench_customer AS
WITH base AS (
    SELECT i,
           %(partner_base)s + i AS partner_id,
           CASE WHEN pg_temp.u(i, 1) < %(company2_share)s
                THEN %(company2)s ELSE %(company1)s END AS company_id,
           pg_temp.u(i, 2) AS u_currency,
           exp(%(sigma)s * pg_temp.z(i, 3)) AS weight,
           CASE WHEN pg_temp.u(i, 4) < 0.55 THEN 0
                ELSE floor(pg_temp.u(i, 5) * (%(days)s - 30))::int END AS start_day,
           pg_temp.u(i, 6) AS u_churn,
           pg_temp.u(i, 7) AS u_churn_day,
           CASE WHEN pg_temp.u(i, 8) < 0.25 THEN 0
                WHEN pg_temp.u(i, 8) < 0.60 THEN 1
                WHEN pg_temp.u(i, 8) < 0.85 THEN 2 ELSE 3 END AS n_contacts,
           pg_temp.u(i, 9) AS u_user,
           pg_temp.u(i, 10) AS u_country,
           pg_temp.z(i, 11) AS z_price,
           pg_temp.u(i, 12) AS u_qualification,
           pg_temp.u(i, 13) AS u_motives,
           1 + floor(pg_temp.u(i, 14) * %(n_motives)s)::int AS motive_index,
           pg_temp.u(i, 15) AS u_preferences,
           1 + floor(pg_temp.u(i, 16) * %(n_preferences)s)::int AS preference_index,
           1 + floor(pg_temp.u(i, 17) * %(n_suffixes)s)::int AS suffix_index
      FROM generate_series(1, %(customers)s) i
), shaped AS (
    SELECT base.*,
           CASE WHEN company_id = %(company1)s
                THEN CASE WHEN u_currency < 0.9 THEN %(eur_pricelist)s
                          ELSE %(usd_pricelist)s END
                ELSE CASE WHEN u_currency < 0.95 THEN %(usd_pricelist)s
                          ELSE %(eur_pricelist)s END
           END AS pricelist_id,
           CASE WHEN u_churn < 0.3
                THEN start_day + floor(u_churn_day * (%(days)s - 1 - start_day))::int
                ELSE %(days)s - 1 END AS end_day,
           CASE WHEN company_id = %(company1)s
                THEN (%(users1)s::int[])[1 + floor(u_user * %(n_users1)s)::int]
                ELSE (%(users2)s::int[])[1 + floor(u_user * %(n_users2)s)::int]
           END AS user_id,
           CASE WHEN company_id = %(company1)s
                THEN (%(countries1)s::int[])[
                    1 + floor(u_country * %(n_countries1)s)::int]
                ELSE (%(countries2)s::int[])[
                    1 + floor(u_country * %(n_countries2)s)::int]
           END AS country_id,
           CASE WHEN company_id = %(company1)s THEN %(tax1_rate)s
                ELSE %(tax2_rate)s END::numeric AS tax_rate,
           CASE WHEN company_id = %(company1)s THEN %(tax1)s
                ELSE %(tax2)s END AS tax_id,
           CASE WHEN company_id = %(company1)s THEN %(team1)s
                ELSE %(team2)s END AS team_id
      FROM base
), alloc AS (
    SELECT shaped.*,
           weight * (end_day - start_day + 1) / %(days)s::float8 AS alloc_weight
      FROM shaped
), cumulated AS (
    SELECT alloc.*,
           COALESCE(SUM(alloc_weight) OVER w_before, 0) AS weight_before,
           SUM(alloc_weight) OVER () AS total_weight,
           COALESCE(SUM(n_contacts) OVER w_before, 0)::int AS contact_offset
      FROM alloc
    WINDOW w_before AS (ORDER BY i ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
), firsts AS (
    SELECT cumulated.*,
           floor(%(orders)s * weight_before / total_weight)::bigint AS first_order,
           CASE WHEN pricelist_id = %(usd_pricelist)s THEN %(usd)s
                ELSE %(eur)s END AS currency_id
      FROM cumulated
)
SELECT firsts.*,
       LEAD(first_order, 1, %(orders)s::bigint) OVER (ORDER BY i) - first_order
           AS n_orders,
       -- typical line price: grows slowly with the customer's size
       35.0 * power(weight, 0.25) * exp(0.35 * z_price)
           * CASE WHEN pricelist_id = %(usd_pricelist)s THEN 1.1 ELSE 1.0 END
           AS price_scale
  FROM firsts
"""

PARTNER_COLUMNS = """
    id, name, display_name, company_id, lang, active, customer, supplier, employee,
    type, city, zip, street, country_id, email, phone, is_company, color,
    partner_share, parent_id, commercial_partner_id, commercial_partner_country_id,
    commercial_company_name, user_id, team_id, function, credit_limit, debit_limit,
    create_uid, create_date, write_uid, write_date, message_bounce, opt_out,
    invoice_warn, sale_warn, relation_qualification, relation_qualification_reason,
    relation_qualification_user_id, relation_qualification_date,
    preferred_service_preference_id
"""

COMPANY_PARTNERS = """
INSERT INTO res_partner ({columns})
SELECT c.partner_id, c.name, c.name, c.company_id, 'en_US', TRUE, TRUE, FALSE, FALSE,
       'contact', 'City ' || (1 + c.i %% 997), lpad((1000 + c.i %% 8999)::text, 4, '0'),
       'Main Street ' || (1 + c.i %% 211), c.country_id,
       'info@customer' || c.i || '.example.com', '+32 9 ' || lpad(c.i::text, 7, '0'),
       TRUE, 0, TRUE, NULL, c.partner_id, c.country_id, c.name, c.user_id,
       c.team_id, NULL, NULL, NULL,
       1, c.created, 1, c.created, 0, FALSE, 'no-message', 'no-message',
       c.qualification,
       CASE WHEN c.qualification = 'other' THEN 'Bench: never interested' END,
       CASE WHEN c.qualification IS NOT NULL THEN c.user_id END,
       CASE WHEN c.qualification IS NOT NULL THEN c.created END,
       c.preferred_id
  FROM bench_partner c
 ORDER BY c.partner_id
"""

CONTACT_PARTNERS = """
INSERT INTO res_partner ({columns})
SELECT %(contact_base)s + c.contact_offset + j, contact.name,
       c.name || ', ' || contact.name, c.company_id, 'en_US', TRUE, TRUE, FALSE, FALSE,
       'contact', 'City ' || (1 + c.i %% 997), lpad((1000 + c.i %% 8999)::text, 4, '0'),
       'Main Street ' || (1 + c.i %% 211), c.country_id,
       lower(replace(contact.name, ' ', '.')) || '@customer' || c.i || '.example.com',
       '+32 9 ' || lpad(c.i::text, 7, '0') || '-' || j,
       FALSE, 0, TRUE, c.partner_id, c.partner_id, c.country_id, c.name, c.user_id,
       c.team_id, (%(functions)s::varchar[])[1 + (c.i + j) %% 4], 0.0, 0.0,
       1, c.created, 1, c.created, 0, FALSE, 'no-message', 'no-message',
       c.qualification,
       CASE WHEN c.qualification = 'other' THEN 'Bench: never interested' END,
       CASE WHEN c.qualification IS NOT NULL THEN c.user_id END,
       CASE WHEN c.qualification IS NOT NULL THEN c.created END,
       c.preferred_id
  FROM bench_partner c
 CROSS JOIN LATERAL generate_series(1, c.n_contacts) j
 CROSS JOIN LATERAL (
     SELECT (%(first_names)s::varchar[])[1 + floor(pg_temp.u(c.i * 8 + j, 30)
                                                   * %(n_first)s)::int]
            || ' ' ||
            (%(last_names)s::varchar[])[1 + floor(pg_temp.u(c.i * 8 + j, 31)
                                                  * %(n_last)s)::int] AS name
 ) contact
 ORDER BY 1
"""

BENCH_PARTNER = """
CREATE TEMP TABLE bench_partner AS
SELECT c.*,
       'Customer ' || lpad(c.i::text, 7, '0') || ' '
           || (%(suffixes)s::varchar[])[c.suffix_index] AS name,
       %(first_day)s::timestamp + c.start_day * interval '1 day'
           - interval '20 days' + c.u_user * interval '8 hours' AS created,
       CASE WHEN c.n_orders = 0 THEN
                CASE WHEN c.u_qualification < 0.35 THEN 'suspect'
                     WHEN c.u_qualification < 0.55 THEN 'prospect'
                     WHEN c.u_qualification < 0.65 THEN 'other' END
            WHEN c.u_qualification < 0.05 THEN 'prospect'
       END AS qualification,
       CASE WHEN c.u_motives < 0.4 THEN 0 WHEN c.u_motives < 0.8 THEN 1 ELSE 2 END
           AS n_motive,
       CASE WHEN c.u_preferences < 0.5 THEN 0 WHEN c.u_preferences < 0.85 THEN 1
            ELSE 2 END AS n_preference,
       CASE WHEN c.u_preferences < 0.5 THEN NULL
            ELSE (%(preference_ids)s::int[])[c.preference_index] END AS preferred_id
  FROM bench_customer c
"""

# the profile fields belong to the commercial partner and are copied to the
# contacts (Odoo's commercial sync): same rows for the company and contacts
MANY2MANY = """
INSERT INTO {table} (res_partner_id, {column})
SELECT DISTINCT member.id, (%(ids)s::int[])[1 + (c.{index} - 1 + k) %% %(n_ids)s]
  FROM bench_partner c
 CROSS JOIN LATERAL generate_series(0, c.{count} - 1) k
 CROSS JOIN LATERAL (
     SELECT c.partner_id AS id
     UNION ALL
     SELECT %(contact_base)s + c.contact_offset + j
       FROM generate_series(1, c.n_contacts) j
 ) member
 WHERE c.{count} > 0
"""

ORDERS = """
INSERT INTO sale_order (
    id, name, access_token, state, date_order, validity_date, create_date,
    confirmation_date, user_id, partner_id, partner_invoice_id, partner_shipping_id,
    pricelist_id, invoice_status, note, amount_untaxed, amount_tax, amount_total,
    company_id, team_id, create_uid, write_uid, write_date)
WITH raw AS (
    SELECT c.first_order + g AS key, c.partner_id AS customer_partner_id,
           c.n_contacts, c.contact_offset, c.company_id, c.pricelist_id, c.user_id,
           c.team_id, c.price_scale, c.tax_rate,
           c.start_day + floor(pg_temp.u(c.first_order + g, 101)
                               * (c.end_day - c.start_day + 1))::int AS day
      FROM bench_customer c
     CROSS JOIN LATERAL generate_series(1, c.n_orders::int) g
), dated AS (
    SELECT raw.*,
           (%(first_day)s::date + day)::timestamp
               + (6.0 + 12.0 * pg_temp.u(key, 102)) * interval '1 hour' AS ts,
           pg_temp.u(key, 103) AS u_state,
           %(days)s - 1 - day < 30 AS recent
      FROM raw
), stated AS (
    SELECT dated.*,
           CASE WHEN recent THEN
                    CASE WHEN u_state < 0.30 THEN 'draft'
                         WHEN u_state < 0.45 THEN 'sent'
                         WHEN u_state < 0.95 THEN 'sale' ELSE 'cancel' END
                ELSE
                    CASE WHEN u_state < 0.04 THEN 'draft'
                         WHEN u_state < 0.07 THEN 'sent'
                         WHEN u_state < 0.15 THEN 'cancel'
                         WHEN u_state < 0.55 THEN 'sale' ELSE 'done' END
           END AS state,
           CASE WHEN n_contacts > 0 AND pg_temp.u(key, 104) < %(contact_share)s
                THEN %(contact_base)s + contact_offset + 1
                     + floor(pg_temp.u(key, 105) * n_contacts)::int
                ELSE customer_partner_id END AS partner_id
      FROM dated
), numbered AS (
    SELECT stated.*,
           %(order_base)s + ROW_NUMBER() OVER (ORDER BY ts, key) AS id
      FROM stated
)
SELECT o.id, 'SO' || lpad(o.id::text, 3, '0'), md5('bench-' || o.id), o.state, o.ts,
       CASE WHEN o.state IN ('draft', 'sent')
            THEN (o.ts + interval '30 days')::date END,
       o.ts,
       CASE WHEN o.state IN ('sale', 'done')
            THEN LEAST(o.ts + pg_temp.u(o.key, 106) * interval '3 days',
                       %(last_moment)s::timestamp) END,
       o.user_id, o.partner_id, o.customer_partner_id, o.partner_id, o.pricelist_id,
       CASE WHEN o.state IN ('sale', 'done') THEN 'to invoice' ELSE 'no' END, '',
       amounts.untaxed, amounts.tax, amounts.untaxed + amounts.tax,
       o.company_id, o.team_id, 1, 1, o.ts
  FROM numbered o
 CROSS JOIN LATERAL (
     SELECT SUM(sub) AS untaxed, SUM(ROUND(sub * o.tax_rate, 2)) AS tax
       FROM (SELECT pg_temp.line_qty(o.id * 8 + j)
                    * pg_temp.line_price(o.id * 8 + j, o.price_scale) AS sub
               FROM generate_series(1, pg_temp.n_lines(o.id)) j) line
 ) amounts
 ORDER BY o.id
"""

LINES = """
INSERT INTO sale_order_line (
    order_id, name, sequence, invoice_status, price_unit, price_subtotal, price_tax,
    price_total, price_reduce, price_reduce_taxinc, price_reduce_taxexcl, discount,
    product_id, product_uom_qty, product_uom, qty_delivered, qty_to_invoice,
    qty_invoiced, salesman_id, currency_id, company_id, order_partner_id,
    is_downpayment, state, customer_lead, amt_to_invoice, amt_invoiced,
    create_uid, create_date, write_uid, write_date)
SELECT so.id, (%(product_names)s::varchar[])[line.product_index], 10 * line.j,
       so.invoice_status, line.price, line.qty * line.price,
       ROUND(line.qty * line.price * c.tax_rate, 2)::float8,
       line.qty * line.price + ROUND(line.qty * line.price * c.tax_rate, 2),
       line.price, ROUND(line.price * (1 + c.tax_rate), 2), line.price, 0.0,
       (%(product_ids)s::int[])[line.product_index], line.qty, %(uom)s, 0.0,
       CASE WHEN so.state IN ('sale', 'done') THEN line.qty ELSE 0.0 END, 0.0,
       so.user_id, c.currency_id, so.company_id, so.partner_id, FALSE, so.state, 0.0,
       CASE WHEN so.state IN ('sale', 'done') THEN line.qty * line.price ELSE 0.0 END,
       0.0, 1, so.create_date, 1, so.create_date
  FROM sale_order so
  JOIN bench_customer c ON c.partner_id = so.partner_invoice_id
 CROSS JOIN LATERAL (
     SELECT j, pg_temp.line_qty(so.id * 8 + j) AS qty,
            pg_temp.line_price(so.id * 8 + j, c.price_scale) AS price,
            1 + floor(pg_temp.u(so.id * 8 + j, 113) * %(n_products)s)::int
                AS product_index
       FROM generate_series(1, pg_temp.n_lines(so.id)) j
 ) line
 WHERE so.id > %(order_base)s
"""

LINE_TAXES = """
INSERT INTO account_tax_sale_order_line_rel (sale_order_line_id, account_tax_id)
SELECT line.id, CASE WHEN line.company_id = %(company1)s THEN %(tax1)s
                     ELSE %(tax2)s END
  FROM sale_order_line line
 WHERE line.order_id > %(order_base)s
"""

BULK_TABLES = [
    "res_partner",
    "sale_order",
    "sale_order_line",
    "account_tax_sale_order_line_rel",
    "relation_motive_res_partner_rel",
    "relation_service_preference_res_partner_rel",
]

SEQUENCES = [
    ("res_partner_id_seq", "res_partner"),
    ("sale_order_id_seq", "sale_order"),
    ("sale_order_line_id_seq", "sale_order_line"),
]


def drop_constraints(cr, tables):
    """Drop the foreign keys and the plain indexes of ``tables`` for the
    load (a foreign key check per inserted row is most of the cost);
    returns what ``restore_constraints`` needs to put them back."""
    cr.execute(
        """
        SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
          FROM pg_constraint
         WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])
        """,
        (tables,),
    )
    foreign_keys = cr.fetchall()
    cr.execute(
        """
        SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid)
          FROM pg_index
         WHERE indrelid = ANY(%s::regclass[]) AND NOT indisprimary
           AND NOT EXISTS (SELECT 1 FROM pg_constraint
                            WHERE conindid = pg_index.indexrelid)
        """,
        (tables,),
    )
    indexes = cr.fetchall()
    for table, name, _definition in foreign_keys:
        cr.execute('ALTER TABLE %s DROP CONSTRAINT "%s"' % (table, name))
    for name, _definition in indexes:
        cr.execute("DROP INDEX %s" % name)
    return foreign_keys, indexes


def restore_constraints(cr, foreign_keys, indexes):
    for _name, definition in indexes:
        cr.execute(definition)
    for table, name, definition in foreign_keys:
        cr.execute('ALTER TABLE %s ADD CONSTRAINT "%s" %s' % (table, name, definition))


def bulk_load(cnx, ids, customers, orders, seed, first_day, end_date):
    """One transaction: a failure leaves the database as it was."""
    cr = cnx.cursor()
    cr.execute(FUNCTIONS.format(seed=int(seed)))
    cr.execute("SELECT COALESCE(MAX(id), 0) FROM res_partner")
    partner_base = cr.fetchone()[0]
    cr.execute("SELECT COALESCE(MAX(id), 0) FROM sale_order")
    order_base = cr.fetchone()[0]
    days = (end_date - first_day).days + 1
    params = dict(
        ids,
        customers=customers,
        orders=orders,
        days=days,
        first_day=first_day,
        last_moment="%s 23:59:59" % end_date,
        partner_base=partner_base,
        contact_base=partner_base + customers,
        order_base=order_base,
        company2_share=COMPANY2_SHARE,
        sigma=SIGMA,
        contact_share=CONTACT_ORDER_SHARE,
        suffixes=SUFFIXES,
        n_suffixes=len(SUFFIXES),
        first_names=FIRST_NAMES,
        n_first=len(FIRST_NAMES),
        last_names=LAST_NAMES,
        n_last=len(LAST_NAMES),
        functions=["Purchaser", "Director", "Accountant", "Office manager"],
        n_motives=len(ids["motive_ids"]),
        n_preferences=len(ids["preference_ids"]),
        n_users1=len(ids["users1"]),
        n_users2=len(ids["users2"]),
        n_countries1=len(ids["countries1"]),
        n_countries2=len(ids["countries2"]),
        n_products=len(ids["product_ids"]),
        ids=None,
        n_ids=None,
    )

    def step(label, sql, extra=None):
        with benchlib.Timer() as timer:
            cr.execute(sql, dict(params, **(extra or {})))
        _logger.info("%-34s %10d rows  %7.1f s", label, cr.rowcount, timer.seconds)
        return cr.rowcount

    _logger.info(
        "generating %d customers, %d orders over %s .. %s (%d days), seed %d",
        customers,
        orders,
        first_day,
        end_date,
        days,
        seed,
    )
    with benchlib.Timer() as timer:
        foreign_keys, indexes = drop_constraints(cr, BULK_TABLES)
    _logger.info(
        "dropped %d foreign keys and %d indexes for the load (%.1f s)",
        len(foreign_keys),
        len(indexes),
        timer.seconds,
    )
    step("customers (sizes, lifetimes)", CUSTOMERS)
    cr.execute("CREATE INDEX ON bench_customer (partner_id)")
    cr.execute("ANALYZE bench_customer")
    step("customer names, qualifications", BENCH_PARTNER)
    counts = {
        "companies": step(
            "res_partner: customers", COMPANY_PARTNERS.format(columns=PARTNER_COLUMNS)
        )
    }
    counts["contacts"] = step(
        "res_partner: contacts", CONTACT_PARTNERS.format(columns=PARTNER_COLUMNS)
    )
    step(
        "relation motives",
        MANY2MANY.format(
            table="relation_motive_res_partner_rel",
            column="relation_motive_id",
            index="motive_index",
            count="n_motive",
        ),
        {"ids": ids["motive_ids"], "n_ids": len(ids["motive_ids"])},
    )
    step(
        "service preferences",
        MANY2MANY.format(
            table="relation_service_preference_res_partner_rel",
            column="relation_service_preference_id",
            index="preference_index",
            count="n_preference",
        ),
        {"ids": ids["preference_ids"], "n_ids": len(ids["preference_ids"])},
    )
    counts["orders"] = step("sale_order", ORDERS)
    cr.execute("ANALYZE sale_order")
    counts["order_lines"] = step("sale_order_line", LINES)
    step("sale_order_line taxes", LINE_TAXES)
    with benchlib.Timer() as timer:
        restore_constraints(cr, foreign_keys, indexes)
    _logger.info(
        "indexes rebuilt and foreign keys checked again in %.1f s", timer.seconds
    )
    for sequence, table in SEQUENCES:
        cr.execute(
            "SELECT setval(%s, GREATEST((SELECT MAX(id) FROM {}), 1))".format(table),
            (sequence,),
        )
    # the ORM numbers new orders from ir.sequence 'sale.order': continue
    # after the generated names
    cr.execute(
        "SELECT id, implementation FROM ir_sequence WHERE code = 'sale.order'"
    )
    for sequence_id, implementation in cr.fetchall():
        if implementation == "standard":
            cr.execute(
                "SELECT setval(%s, (SELECT MAX(id) FROM sale_order))",
                ("ir_sequence_%03d" % sequence_id,),
            )
        else:
            cr.execute(
                "UPDATE ir_sequence SET number_next = (SELECT MAX(id) + 1 "
                "FROM sale_order) WHERE id = %s",
                (sequence_id,),
            )
    cnx.commit()
    return counts


def summary(cnx, ids, first_day, end_date):
    """What the data looks like: counts per state and the revenue skew."""
    cr = cnx.cursor()
    cr.execute(
        "SELECT state, COUNT(*) FROM sale_order GROUP BY state ORDER BY state"
    )
    states = dict(cr.fetchall())
    period_start = end_date - relativedelta(years=1) + relativedelta(days=1)
    cr.execute(
        """
        WITH revenue AS (
            SELECT p.commercial_partner_id, SUM(so.amount_untaxed) AS revenue
              FROM sale_order so JOIN res_partner p ON p.id = so.partner_id
             WHERE so.company_id = %s AND so.state IN ('sale', 'done')
               AND so.confirmation_date >= %s
             GROUP BY 1
        ), ranked AS (
            SELECT revenue, ROW_NUMBER() OVER (ORDER BY revenue DESC) AS rank,
                   COUNT(*) OVER () AS n, SUM(revenue) OVER () AS total
              FROM revenue
        )
        SELECT MAX(n), MAX(total),
               SUM(revenue) FILTER (WHERE rank <= CEIL(n * 0.01)) / MAX(total),
               SUM(revenue) FILTER (WHERE rank <= CEIL(n * 0.20)) / MAX(total)
          FROM ranked
        """,
        (ids["company1"], period_start),
    )
    active, total, top1, top20 = cr.fetchone()
    cr.execute(
        "SELECT COUNT(*) FILTER (WHERE partner_id <> partner_invoice_id), COUNT(*) "
        "FROM sale_order"
    )
    by_contact, all_orders = cr.fetchone()
    cr.execute("SELECT pg_database_size(current_database())")
    size = cr.fetchone()[0]
    return {
        "states": states,
        "company1_active_customers": active,
        "company1_period_revenue": float(total or 0),
        "top1pct_revenue_share": round(float(top1 or 0), 3),
        "top20pct_revenue_share": round(float(top20 or 0), 3),
        "orders_by_contacts_share": round(by_contact / float(all_orders or 1), 3),
        "database_mb": round(size / 1048576.0),
        "first_day": str(first_day),
        "end_date": str(end_date),
    }


def vacuum_analyze(dbname):
    with contextlib.closing(benchlib.connect(dbname, autocommit=True)) as cnx:
        with cnx.cursor() as cr:
            for table in (
                "res_partner",
                "sale_order",
                "sale_order_line",
                "account_tax_sale_order_line_rel",
                "relation_motive_res_partner_rel",
                "relation_service_preference_res_partner_rel",
                "res_currency_rate",
            ):
                cr.execute("VACUUM ANALYZE %s" % table)


def set_params(cnx, values):
    with cnx.cursor() as cr:
        for key, value in values.items():
            cr.execute(
                """
                INSERT INTO ir_config_parameter
                       (key, value, create_uid, create_date, write_uid, write_date)
                VALUES (%s, %s, 1, NOW() AT TIME ZONE 'UTC', 1,
                        NOW() AT TIME ZONE 'UTC')
                ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value
                """,
                (
                    benchlib.PARAM_PREFIX + key,
                    json.dumps(value) if isinstance(value, dict) else str(value),
                ),
            )
    cnx.commit()


def generate(args):
    customers, orders = benchlib.SIZES[args.size]
    customers = args.customers or customers
    orders = args.orders or orders
    end_date = (
        datetime.datetime.strptime(args.end_date, "%Y-%m-%d").date()
        if args.end_date
        else datetime.datetime.utcnow().date() - relativedelta(days=DAYS_BEFORE_TODAY)
    )
    first_day = end_date - relativedelta(years=YEARS) + relativedelta(days=1)
    started = datetime.datetime.now()
    if args.create:
        with benchlib.Timer() as timer:
            subprocess.check_call(
                [
                    os.path.join(benchlib.ROOT, "scripts", "create_db.sh"),
                    args.db,
                    "--without-demo=all",
                ]
            )
        _logger.info("database %s created in %.0f s", args.db, timer.seconds)
    elif benchlib.get_params(args.db).get("size"):
        sys.exit(
            "%s already holds generated data: use --create to start over" % args.db
        )
    with benchlib.Timer() as timer:
        with benchlib.odoo_registry(args.db) as registry:
            with benchlib.odoo_env(registry) as env:
                ids = orm_setup(env, first_day, end_date)
                env.cr.commit()
    _logger.info("reference records through the ORM in %.1f s", timer.seconds)
    with benchlib.Timer() as bulk_timer:
        with contextlib.closing(benchlib.connect(args.db)) as cnx:
            counts = bulk_load(
                cnx, ids, customers, orders, args.seed, first_day, end_date
            )
    with benchlib.Timer() as vacuum_timer:
        vacuum_analyze(args.db)
    _logger.info("VACUUM ANALYZE in %.1f s", vacuum_timer.seconds)
    with contextlib.closing(benchlib.connect(args.db)) as cnx:
        facts = summary(cnx, ids, first_day, end_date)
        set_params(
            cnx,
            {
                "size": args.size,
                "customers": customers,
                "orders": orders,
                "seed": args.seed,
                "end_date": end_date,
                "generator_version": benchlib.GENERATOR_VERSION,
                "addon_fingerprint": benchlib.addon_fingerprint(),
                "generated_at": started.strftime("%Y-%m-%d %H:%M:%S"),
                "bulk_seconds": round(bulk_timer.seconds, 1),
                "counts": counts,
                "facts": facts,
            },
        )
    _logger.info(
        "done: %d customers, %d contacts, %d orders, %d lines in %.0f s "
        "(bulk %.0f s); database %d MB; company 1: %d active customers, "
        "top 1%% = %.0f%% and top 20%% = %.0f%% of the period revenue; "
        "states %s",
        counts["companies"],
        counts["contacts"],
        counts["orders"],
        counts["order_lines"],
        (datetime.datetime.now() - started).total_seconds(),
        bulk_timer.seconds,
        facts["database_mb"],
        facts["company1_active_customers"],
        100 * facts["top1pct_revenue_share"],
        100 * facts["top20pct_revenue_share"],
        facts["states"],
    )
    return counts, facts


if __name__ == "__main__":
    generate(parse_args())
