# Copyright 2026 relation_pyramid authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Which companies' rows a user's record rules surely show whole.

Totals kept per company and level (a snapshot's ``level_totals``, the
current rows' ``relation.pyramid.line.total``) may answer a user only if
their record rules show every row of a company or none of it. The rules'
domain is read with three values per company: a leaf that holds for every
row (``(1, '=', 1)``) is true, a leaf on the company is true or false as
the company meets it, any other leaf (the salesperson of "Own Documents",
a rule an integrator added) is unknown; ``&``, ``|`` and ``!`` combine them
as in three-valued logic."""
from odoo.osv import expression


def companies_seen(env, model_name, company_ids):
    """{company id: True if the user sees every row of ``model_name`` of
    the company, False if none, None if the rules do not say}. The rows'
    company field is ``company_id``."""
    domain = env["ir.rule"]._compute_domain(model_name, "read")
    if not domain:
        return {company_id: True for company_id in company_ids}
    domain = expression.normalize_domain(domain)
    leaves = {}
    for term in domain:
        if expression.is_leaf(term) and term[0] == "company_id":
            key = (term[1], repr(term[2]))
            if key not in leaves:
                leaves[key] = set(
                    env["res.company"]
                    .sudo()
                    .with_context(active_test=False)
                    .search([("id", term[1], term[2])])
                    .ids
                )
    return {
        company_id: _evaluate(domain, lambda leaf, c=company_id: _leaf(leaf, c, leaves))
        for company_id in company_ids
    }


def _leaf(leaf, company_id, leaves):
    if tuple(leaf) == expression.TRUE_LEAF:
        return True
    if tuple(leaf) == expression.FALSE_LEAF:
        return False
    if leaf[0] == "company_id":
        return company_id in leaves[(leaf[1], repr(leaf[2]))]
    return None


def _evaluate(domain, leaf_value):
    """The value (True, False, None for unknown) of a normalized domain
    (prefix notation, every operator explicit), each leaf valued by
    ``leaf_value``."""
    values = []
    for term in reversed(domain):
        if term == expression.NOT_OPERATOR:
            value = values.pop()
            values.append(None if value is None else not value)
        elif term in (expression.AND_OPERATOR, expression.OR_OPERATOR):
            first, second = values.pop(), values.pop()
            values.append(
                _and(first, second)
                if term == expression.AND_OPERATOR
                else _or(first, second)
            )
        else:
            values.append(leaf_value(term))
    return values.pop()


def _and(first, second):
    if first is False or second is False:
        return False
    if first is None or second is None:
        return None
    return True


def _or(first, second):
    if first is True or second is True:
        return True
    if first is None or second is None:
        return None
    return False
