# Run inside `odoo shell` (scripts/demo.sh pipes it in; `env` exists):
# recompute the customer pyramid of every company, commit, and print per
# company the levels with their customers and revenue, the Pareto line, the
# risk customers and the biggest customers. Python 3.5: no f-strings.
ACTIVE_LEVELS = ["top", "big", "medium", "small"]
LEVEL_ORDER = ACTIVE_LEVELS + ["inactive", "prospect", "suspect", "other"]
PARETO_PCT = 20
BIGGEST = 5
WIDTH = 78

profiles = env["relation.pyramid.profile"]._ensure_profiles()  # noqa: F821
profiles.action_recompute()
env.cr.commit()  # noqa: F821

# The summary is in English, whatever the language of the admin user.
Line = env["relation.pyramid.line"].with_context(lang="en_US")  # noqa: F821
company_ids = profiles.mapped("company_id").ids
level_labels = dict(Line._fields["level"]._description_selection(Line.env))
mode_labels = dict(
    profiles._fields["level_mode"]._description_selection(Line.env)
)

# Customers and revenue per company and level: one query.
by_level = {}
for group in Line.read_group(
    [("company_id", "in", company_ids)],
    ["company_id", "level", "revenue", "previous_revenue"],
    ["company_id", "level"],
    lazy=False,
):
    by_level[(group["company_id"][0], group["level"])] = group

# Per company: the top PARETO_PCT % of the active customers (by row number,
# so ties do not stretch the group), the customers at risk (the rows' flag)
# and the revenue at risk (what they lost against the previous period).
env.cr.execute(  # noqa: F821
    """
    SELECT line.company_id,
           COUNT(*) AS active_count,
           COUNT(*) FILTER (WHERE line.place <= line.pareto_size) AS pareto_count,
           COALESCE(SUM(line.revenue) FILTER (
               WHERE line.place <= line.pareto_size), 0) AS pareto_revenue,
           COALESCE(SUM(line.revenue), 0) AS revenue,
           COUNT(*) FILTER (WHERE line.risk) AS risk_count,
           -- what the risk customers lost against the previous period
           COALESCE(SUM(GREATEST(line.previous_revenue - line.revenue, 0))
                    FILTER (WHERE line.risk), 0) AS revenue_at_risk
      FROM (SELECT company_id, revenue, previous_revenue, risk,
                   ROW_NUMBER() OVER (PARTITION BY company_id
                                      ORDER BY revenue DESC, partner_id) AS place,
                   CEIL(COUNT(*) OVER (PARTITION BY company_id)
                        * %(pct)s / 100.0) AS pareto_size
              FROM relation_pyramid_line
             WHERE lifecycle = 'active' AND company_id IN %(company_ids)s) line
     GROUP BY line.company_id
    """,
    {"pct": PARETO_PCT, "company_ids": tuple(company_ids) or (0,)},
)
pareto = {row[0]: row[1:] for row in env.cr.fetchall()}  # noqa: F821


# Amounts the Dutch way when the company's partner reads Dutch: the symbol
# first, dots between thousands, a decimal comma (€ 113.065,92); otherwise
# the English way, the symbol where the currency puts it.
DUTCH = ("nl_NL", "nl_BE")


def money(amount, currency, lang=None):
    text = "{:,.{digits}f}".format(amount or 0.0, digits=currency.decimal_places)
    if lang and lang.code in DUTCH:
        text = text.replace(",", " ").replace(".", ",").replace(" ", ".")
        return "%s %s" % (currency.symbol, text)
    if currency.position == "after":
        return "%s %s" % (text, currency.symbol)
    return "%s %s" % (currency.symbol, text)


def pct(part, whole):
    if not whole:
        return "-"
    return "%.1f %%" % (100.0 * part / whole)


def print_company(profile):
    company = profile.company_id
    currency = company.currency_id
    lang = env["res.lang"]._lang_get(company.partner_id.lang or "en_US")  # noqa: F821
    print("")
    print("=" * WIDTH)
    print("Customer pyramid of %s (%s)" % (company.name, currency.name))
    print("=" * WIDTH)
    if not profile.last_reference_date:
        print("Not computed yet.")
        return
    reference = profile._reference_date(profile.last_reference_date)
    bounds = profile._period_bounds(reference)
    print(
        "Reference date %s, period %s .. %s (%d months), previous period %s .. %s"
        % (
            reference,
            bounds["start"],
            bounds["end"],
            profile.period_months,
            bounds["previous_start"],
            bounds["previous_end"],
        )
    )
    cut_offs = {
        "count": "top %g %%, big %g %%, medium %g %% of the active customers"
        " (cumulative)"
        % (profile.top_count_pct, profile.big_count_pct, profile.medium_count_pct),
        "share": "top %g %%, big %g %%, medium %g %% of revenue (cumulative)"
        % (profile.top_share_pct, profile.big_share_pct, profile.medium_share_pct),
        "threshold": "top from %s, big from %s, medium from %s"
        % tuple(
            money(amount, currency, lang)
            for amount in (
                profile.top_min_revenue,
                profile.big_min_revenue,
                profile.medium_min_revenue,
            )
        ),
    }
    print(
        "Levels by %s: %s"
        % (
            mode_labels.get(profile.level_mode, profile.level_mode),
            cut_offs.get(profile.level_mode, ""),
        )
    )
    groups = [by_level.get((company.id, level), {}) for level in LEVEL_ORDER]
    if not any(groups):
        print("No customers yet.")
        return
    active_count = sum(g.get("__count", 0) for g in groups[: len(ACTIVE_LEVELS)])
    active_revenue = sum(g.get("revenue") or 0.0 for g in groups[: len(ACTIVE_LEVELS)])
    previous_total = sum(g.get("previous_revenue") or 0.0 for g in groups)
    row = "  %-10s %9s %9s %18s %9s %18s"
    print("")
    rule = "  " + "-" * (WIDTH - 2)
    print(
        row
        % ("Level", "Customers", "% active", "Revenue", "% revenue", "Previous period")
    )
    print(rule)
    for level, group in zip(LEVEL_ORDER, groups):
        count = group.get("__count", 0)
        revenue = group.get("revenue") or 0.0
        is_active = level in ACTIVE_LEVELS
        print(
            row
            % (
                level_labels.get(level, level),
                count,
                pct(count, active_count) if is_active else "",
                money(revenue, currency, lang),
                pct(revenue, active_revenue) if is_active else "",
                money(group.get("previous_revenue"), currency, lang),
            )
        )
        if level == ACTIVE_LEVELS[-1]:
            print(rule)
            print(
                row
                % (
                    "Active",
                    active_count,
                    pct(active_count, active_count),
                    money(active_revenue, currency, lang),
                    pct(active_revenue, active_revenue),
                    "",
                )
            )
            print(rule)
    print(
        row
        % (
            "All",
            sum(group.get("__count", 0) for group in groups),
            "",
            money(active_revenue, currency, lang),
            "",
            money(previous_total, currency, lang),
        )
    )

    figures = pareto.get(company.id)
    print("")
    if figures and figures[3]:
        active, top_count, top_revenue, revenue, risk_count, at_risk = figures
        print(
            "Pareto: the top %d %% of active customers (%d of %d) bring %s of "
            "revenue." % (PARETO_PCT, top_count, active, pct(top_revenue, revenue))
        )
        print(
            "Risk: %d customers at risk (revenue down %g %% or more against the "
            "previous period, or a lower level than at the previous snapshot); "
            "revenue at risk %s."
            % (risk_count, profile.risk_drop_pct, money(at_risk, currency, lang))
        )
    else:
        print("Pareto: no revenue in the period.")
    print_history(company)

    biggest = Line.search_read(
        [("company_id", "=", company.id), ("lifecycle", "=", "active")],
        ["partner_id", "level", "revenue", "previous_revenue", "revenue_share"],
        order="revenue desc, rank, id",
        limit=BIGGEST,
    )
    if biggest:
        print("")
        print("The %d biggest customers:" % len(biggest))
        for position, line in enumerate(biggest, 1):
            print(
                "  %d. %-36s %-7s %16s %8s  (previous %s)"
                % (
                    position,
                    line["partner_id"][1][:36],
                    level_labels.get(line["level"], line["level"]),
                    money(line["revenue"], currency, lang),
                    pct(line["revenue"], active_revenue),
                    money(line["previous_revenue"], currency, lang),
                )
            )


def print_history(company):
    """Snapshots, saved migration matrices and win-back candidates (inactive
    now, top or big in an earlier snapshot)."""
    snapshots = env["relation.pyramid.snapshot"].search(  # noqa: F821
        [("company_id", "=", company.id)], order="date"
    )
    migrations = env["relation.pyramid.migration"].search(  # noqa: F821
        [("company_id", "=", company.id)]
    )
    env.cr.execute(  # noqa: F821
        """
        SELECT COUNT(DISTINCT line.partner_id)
          FROM relation_pyramid_line line
          JOIN relation_pyramid_snapshot_line row
            ON row.partner_id = line.partner_id AND row.level IN ('top', 'big')
          JOIN relation_pyramid_snapshot snapshot
            ON snapshot.id = row.snapshot_id
           AND snapshot.company_id = line.company_id
         WHERE line.company_id = %s AND line.lifecycle = 'inactive'
        """,
        (company.id,),
    )
    win_back_count = env.cr.fetchone()[0]  # noqa: F821
    print(
        "History: %d snapshots (%s), %d saved migration matrices (%s); "
        "%d win-back candidates."
        % (
            len(snapshots),
            ", ".join(snapshots.mapped("date")),
            len(migrations),
            ", ".join(migrations.mapped("name")),
            win_back_count,
        )
    )


for summary_profile in profiles.sorted(lambda p: p.company_id.id):
    print_company(summary_profile)
print("")
