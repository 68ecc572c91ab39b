# Copyright 2026 relation_pyramid authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Buy-till-you-die models, in plain numpy and scipy (no Odoo here).

BG/NBD (Fader, Hardie & Lee, "Counting Your Customers the Easy Way: An
Alternative to the Pareto/NBD Model", Marketing Science 24(2), 2005): while
alive, a customer buys at a Poisson rate lambda ~ Gamma(r, alpha); after each
transaction they drop out with probability p ~ Beta(a, b). A customer is
summarised by x (transactions after the first), t_x (time of the last
transaction, from the first) and T (time from the first transaction to the
end of observation), all in one time unit (the engine uses days; the paper
weeks: alpha scales with the unit, r, a and b do not).

Gamma-Gamma (Fader, Hardie & Lee, "RFM and CLV", JMR 2005; Fader & Hardie,
"The Gamma-Gamma Model of Monetary Value", 2013): the values of a customer's
transactions are Gamma(p, nu) around their own mean, nu ~ Gamma(q, gamma)
across customers; fitted on the mean value m_x of the x > 0 repeat
transactions of each repeat customer.

Every function takes arrays (one entry per customer or per group of equal
customers, ``weights`` = the group sizes) and is vectorised: the cost of a
likelihood is a few array operations, whatever the number of customers.
"""
import collections

import numpy as np
from scipy.optimize import minimize
from scipy.special import betaln, gammaln, hyp2f1

BgnbdFit = collections.namedtuple(
    "BgnbdFit", ["r", "alpha", "a", "b", "log_likelihood", "converged", "message"]
)
GammaGammaFit = collections.namedtuple(
    "GammaGammaFit", ["p", "q", "gamma", "log_likelihood", "converged", "message"]
)

# Parameters outside these bounds are a fit that ran away, not a fit (e.g.
# customers who all buy at one rhythm and never leave: r and alpha grow
# without end, a goes to 0). Wide enough for alpha in days of customers who
# buy once in decades.
PARAMETER_BOUNDS = (1e-4, 1e5)


def _arrays(*values):
    return [np.asarray(value, dtype=float) for value in values]


def bgnbd_log_likelihood(params, x, t_x, T):
    """Per-customer log-likelihood of BG/NBD (the paper's equation 6):

    L = B(a, b + x) / B(a, b) * Gamma(r + x) alpha^r
            / (Gamma(r) (alpha + T)^(r + x))
        + [x > 0] B(a + 1, b + x - 1) / B(a, b) * Gamma(r + x) alpha^r
            / (Gamma(r) (alpha + t_x)^(r + x))

    summed in log space (log-sum-exp of the two terms)."""
    x, t_x, T = _arrays(x, t_x, T)
    return _BgnbdData(x, t_x, T).log_likelihood(params)


class _BgnbdData(object):
    """Customers' (x, t_x, T), with what the likelihood needs per distinct
    x computed once per evaluation over those few values only: a
    likelihood costs a few array operations per customer."""

    def __init__(self, x, t_x, T):
        self.unique_x, self.index = np.unique(x, return_inverse=True)
        self.x, self.t_x, self.T = x, t_x, T
        self.repeat = x > 0

    def log_likelihood(self, params):
        r, alpha, a, b = params
        ux = self.unique_x
        # per distinct x
        common = gammaln(r + ux) - gammaln(r) + r * np.log(alpha)
        survived_x = betaln(a, b + ux) - betaln(a, b)
        with np.errstate(invalid="ignore", divide="ignore"):
            dropped_x = np.where(
                ux > 0, betaln(a + 1, b + ux - 1) - betaln(a, b), -np.inf
            )
        index, x = self.index, self.x
        survived = survived_x[index] - (r + x) * np.log(alpha + self.T)
        dropped = np.where(
            self.repeat,
            dropped_x[index] - (r + x) * np.log(alpha + self.t_x),
            -np.inf,
        )
        return common[index] + np.logaddexp(survived, dropped)


def _fit(neg_log_likelihood, start):
    """Maximum likelihood on the logarithms of the parameters (they stay
    positive): L-BFGS-B on a numerical gradient, Nelder-Mead (no gradient,
    robust, slower) where it does not converge. Parameters that run away
    (beyond the bounds) are not a fit."""
    low, high = PARAMETER_BOUNDS
    limit = np.log(high) + 2  # the search stops well past the bounds

    def bounded(log_params):
        if np.any(np.abs(log_params) > limit):
            return np.inf
        return neg_log_likelihood(log_params)

    # quasi-Newton first (few evaluations), Nelder-Mead where it fails; a
    # step past the bounds gives inf, and inf - inf a harmless nan there
    with np.errstate(invalid="ignore", over="ignore"):
        result = minimize(
            bounded,
            start,
            method="L-BFGS-B",
            options={"ftol": 1e-12, "gtol": 1e-8, "maxiter": 500},
        )
        if not result.success or not np.isfinite(result.fun):
            options = {
                "xatol": 1e-6,
                "fatol": 1e-9,
                "maxiter": 2000,
                "maxfev": 4000,
            }
            result = minimize(bounded, start, method="Nelder-Mead", options=options)
    params = np.exp(result.x)
    converged = bool(
        result.success
        and np.all(np.isfinite(params))
        and np.all((params > low) & (params < high))
        and np.isfinite(result.fun)
    )
    message = str(result.message)
    if result.success and not converged:
        message = "parameters out of bounds: %s" % ", ".join(
            "%.6g" % value for value in params
        )
    return params, converged, message


def fit_bgnbd(x, t_x, T, weights=None, start=None):
    """Maximum likelihood BG/NBD parameters (``BgnbdFit``), on customers or
    on groups of equal customers (``weights``: their sizes)."""
    x, t_x, T = _arrays(x, t_x, T)
    weights = np.ones_like(x) if weights is None else np.asarray(weights, float)
    total = weights.sum()
    data = _BgnbdData(x, t_x, T)
    if start is None:
        # alpha of the order of the observation time keeps the start sane
        # whatever the time unit
        start = (1.0, max(float(np.average(T, weights=weights)), 1e-3), 1.0, 1.0)

    def neg_log_likelihood(log_params):
        value = -np.dot(weights, data.log_likelihood(np.exp(log_params)))
        # the mean keeps the optimiser's tolerances independent of the size
        return value / total if np.isfinite(value) else np.inf

    params, converged, message = _fit(neg_log_likelihood, np.log(start))
    log_likelihood = float(np.dot(weights, data.log_likelihood(params)))
    return BgnbdFit(*params, log_likelihood, converged, message)


def bgnbd_p_alive(params, x, t_x, T):
    """Probability that a customer with (x, t_x, T) is still alive
    (the paper's equation 12): 1 for x = 0 (the model lets a customer drop
    out only right after a repeat transaction), else
    1 / (1 + a / (b + x - 1) * ((alpha + T) / (alpha + t_x))^(r + x))."""
    r, alpha, a, b = params
    x, t_x, T = _arrays(x, t_x, T)
    result = np.ones_like(x)
    repeat = x > 0
    xr = x[repeat]
    log_odds = (
        np.log(a)
        - np.log(b + xr - 1)
        + (r + xr) * (np.log(alpha + T[repeat]) - np.log(alpha + t_x[repeat]))
    )
    result[repeat] = 1.0 / (1.0 + np.exp(log_odds))
    return result


def bgnbd_expected_transactions(params, t, x, t_x, T):
    """Expected number of transactions in the next ``t`` time units of a
    customer with (x, t_x, T) (the paper's equation 10):

    ((a + b + x - 1) / (a - 1)) * (1 - ((alpha + T) / (alpha + T + t))^(r + x)
        * 2F1(r + x, b + x; a + b + x - 1; t / (alpha + T + t)))
    / (1 + [x > 0] a / (b + x - 1) * ((alpha + T) / (alpha + t_x))^(r + x))"""
    r, alpha, a, b = params
    x, t_x, T = _arrays(x, t_x, T)
    if abs(a - 1.0) < 1e-9:
        a = 1.0 + 1e-9  # the limit a -> 1 is finite; the formula divides by a - 1
    ratio = (alpha + T) / (alpha + T + t)
    hyper = hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + T + t))
    numerator = (a + b + x - 1) / (a - 1) * (1 - ratio ** (r + x) * hyper)
    return numerator * bgnbd_p_alive(params, x, t_x, T)


def bgnbd_expected_population(params, t):
    """Expected transactions of a new customer in a period of ``t``
    (the paper's equation 7)."""
    r, alpha, a, b = params
    if abs(a - 1.0) < 1e-9:
        a = 1.0 + 1e-9
    return (a + b - 1) / (a - 1) * (
        1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, t / (alpha + t))
    )


def gamma_gamma_log_likelihood(params, x, m_x):
    """Per-customer log-likelihood of Gamma-Gamma for a customer with
    x > 0 repeat transactions of mean value m_x > 0:

    Gamma(px + q) / (Gamma(px) Gamma(q)) * gamma^q * m_x^(px - 1) * x^(px)
        / (gamma + x m_x)^(px + q)"""
    p, q, gamma = params
    x, m_x = _arrays(x, m_x)
    px = p * x
    return (
        gammaln(px + q)
        - gammaln(px)
        - gammaln(q)
        + q * np.log(gamma)
        + (px - 1) * np.log(m_x)
        + px * np.log(x)
        - (px + q) * np.log(gamma + x * m_x)
    )


def fit_gamma_gamma(x, m_x, weights=None, start=None):
    """Maximum likelihood Gamma-Gamma parameters (``GammaGammaFit``) on the
    repeat customers (x > 0, m_x > 0: the others carry no information about
    the spread of their values)."""
    x, m_x = _arrays(x, m_x)
    weights = np.ones_like(x) if weights is None else np.asarray(weights, float)
    keep = (x > 0) & (m_x > 0)
    x, m_x, weights = x[keep], m_x[keep], weights[keep]
    total = weights.sum()
    if start is None:
        start = (1.0, 1.0, max(float(np.average(m_x, weights=weights)), 1e-3))
    unique_x, index = np.unique(x, return_inverse=True)
    log_m_x, log_x, x_m_x = np.log(m_x), np.log(x), x * m_x

    def log_likelihood(params):
        p, q, gamma = params
        pux = p * unique_x
        by_x = gammaln(pux + q) - gammaln(pux) - gammaln(q) + q * np.log(gamma)
        px = p * x
        return (
            by_x[index]
            + (px - 1) * log_m_x
            + px * log_x
            - (px + q) * np.log(gamma + x_m_x)
        )

    def neg_log_likelihood(log_params):
        value = -np.dot(weights, log_likelihood(np.exp(log_params)))
        return value / total if np.isfinite(value) else np.inf

    params, converged, message = _fit(neg_log_likelihood, np.log(start))
    return GammaGammaFit(
        *params, float(np.dot(weights, log_likelihood(params))), converged, message
    )


def gamma_gamma_expected_value(params, x, m_x):
    """Expected value of a customer's future transactions:
    (p (gamma + x m_x)) / (p x + q - 1), a weighted mean of the population
    mean p gamma / (q - 1) and the customer's own mean; for x = 0 (no repeat
    transaction) the population mean. Needs q > 1 (else the population mean
    is infinite: None values come back as nan)."""
    p, q, gamma = params
    x, m_x = _arrays(x, m_x)
    m_x = np.where(x > 0, m_x, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(
            p * x + q - 1 > 0, p * (gamma + x * m_x) / (p * x + q - 1), np.nan
        )


def gamma_gamma_population_value(params):
    """The population mean value of a transaction, p gamma / (q - 1)."""
    p, q, gamma = params
    return p * gamma / (q - 1) if q > 1 else float("nan")
