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
from scipy.special import betaln, digamma, gammaln, hyp2f1

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

    def _terms(self, params):
        """The likelihood's two terms per customer in log space, the one
        every customer has (S, survived) and the one of a drop-out after
        the last repeat transaction (D, -inf for x = 0), with the common
        factor and log(alpha + T), log(alpha + t_x) they are made of."""
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
        log_alpha_t = np.log(alpha + self.T)
        log_alpha_t_x = np.log(alpha + self.t_x)
        survived = survived_x[index] - (r + x) * log_alpha_t
        dropped = np.where(
            self.repeat, dropped_x[index] - (r + x) * log_alpha_t_x, -np.inf
        )
        return common[index], survived, dropped, log_alpha_t, log_alpha_t_x

    def log_likelihood(self, params):
        common, survived, dropped, _log_t, _log_t_x = self._terms(params)
        return common + np.logaddexp(survived, dropped)

    def log_likelihood_gradient(self, params):
        """The log-likelihood per customer and its four derivatives by r,
        alpha, a and b per customer. With S and D the two terms of the
        likelihood in log space (``_terms``) and w = exp(S - logaddexp(S,
        D)) the share of S (1 for x = 0), psi the digamma function:

        d/dr     = psi(r + x) - psi(r) + log alpha
                   - w log(alpha + T) - (1 - w) log(alpha + t_x)
        d/dalpha = r / alpha - (r + x) (w / (alpha + T)
                                        + (1 - w) / (alpha + t_x))
        d/da     = psi(a + b) - psi(a + b + x)
                   + (1 - w) (psi(a + 1) - psi(a))
        d/db     = psi(a + b) - psi(a + b + x) - psi(b)
                   + w psi(b + x) + (1 - w) psi(b + x - 1)"""
        r, alpha, a, b = params
        common, survived, dropped, log_alpha_t, log_alpha_t_x = self._terms(params)
        ux, index, x = self.unique_x, self.index, self.x
        with np.errstate(invalid="ignore"):
            # psi(b + x - 1) for x > 0 only: its weight is 0 for x = 0
            digamma_dropped_b = np.where(ux > 0, digamma(b + ux - 1), 0.0)
        both = np.logaddexp(survived, dropped)
        share = np.exp(survived - both)  # w
        rest = 1.0 - share
        by_ab = digamma(a + b) - digamma(a + b + ux)
        gradient = (
            (digamma(r + ux) - digamma(r) + np.log(alpha))[index]
            - share * log_alpha_t
            - rest * log_alpha_t_x,
            r / alpha
            - (r + x) * (share / (alpha + self.T) + rest / (alpha + self.t_x)),
            by_ab[index] + rest * (digamma(a + 1) - digamma(a)),
            (by_ab - digamma(b))[index]
            + share * digamma(b + ux)[index]
            + rest * digamma_dropped_b[index],
        )
        return common + both, gradient


def _mean_negative(weights, total, log_params, value, gradient):
    """The weighted mean of minus the log-likelihood ``value`` and its
    gradient by the logarithms of the parameters (the chain rule: the
    derivative by a parameter times the parameter), as the optimiser takes
    them: the mean keeps its tolerances independent of the number of
    customers; a value that is not finite is inf, with no direction."""
    value = -np.dot(weights, value)
    if not np.isfinite(value):
        return np.inf, np.zeros(len(log_params))
    slope = np.array([-np.dot(weights, part) for part in gradient])
    return value / total, slope * np.exp(log_params) / total


def _fit(neg_log_likelihood, start):
    """Maximum likelihood on the logarithms of the parameters (they stay
    positive). ``neg_log_likelihood(log_params)`` gives the value to
    minimise and its gradient (``_mean_negative``): L-BFGS-B on that
    gradient, Nelder-Mead (value only, robust, slower) where it does not
    converge. Parameters that run away (beyond the bounds) are not a fit."""
    low, high = PARAMETER_BOUNDS
    limit = np.log(high) + 2  # the search stops well past the bounds

    def bounded(log_params):
        if np.any(np.abs(log_params) > limit):
            return np.inf, np.zeros(len(log_params))
        return neg_log_likelihood(log_params)

    # quasi-Newton first (few evaluations), Nelder-Mead where it fails; a
    # step past the bounds gives inf, which the line search steps back from
    with np.errstate(invalid="ignore", over="ignore"):
        result = minimize(
            bounded,
            start,
            jac=True,
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
            result = minimize(
                lambda log_params: bounded(log_params)[0],
                start,
                method="Nelder-Mead",
                options=options,
            )
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
        value, gradient = data.log_likelihood_gradient(np.exp(log_params))
        return _mean_negative(weights, total, log_params, value, gradient)

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
    x, m_x = _arrays(x, m_x)
    return _GammaGammaData(x, m_x).log_likelihood(params)


class _GammaGammaData(object):
    """Repeat customers' (x, m_x), x > 0 and m_x > 0, with what the
    likelihood needs per distinct x computed once per evaluation."""

    def __init__(self, x, m_x):
        self.unique_x, self.index = np.unique(x, return_inverse=True)
        self.x = x
        self.log_m_x, self.log_x, self.x_m_x = np.log(m_x), np.log(x), x * m_x

    def log_likelihood(self, params):
        p, q, gamma = params
        pux = p * self.unique_x
        by_x = gammaln(pux + q) - gammaln(pux) - gammaln(q) + q * np.log(gamma)
        px = p * self.x
        return (
            by_x[self.index]
            + (px - 1) * self.log_m_x
            + px * self.log_x
            - (px + q) * np.log(gamma + self.x_m_x)
        )

    def log_likelihood_gradient(self, params):
        """The log-likelihood per customer and its three derivatives by p,
        q and gamma per customer (psi the digamma function):

        d/dp     = x (psi(px + q) - psi(px) + log m_x + log x
                      - log(gamma + x m_x))
        d/dq     = psi(px + q) - psi(q) + log gamma - log(gamma + x m_x)
        d/dgamma = q / gamma - (px + q) / (gamma + x m_x)"""
        p, q, gamma = params
        pux = p * self.unique_x
        index, x = self.index, self.x
        log_gamma_x_m_x = np.log(gamma + self.x_m_x)
        digamma_pxq = digamma(pux + q)[index]
        gradient = (
            x
            * (
                digamma_pxq
                - digamma(pux)[index]
                + self.log_m_x
                + self.log_x
                - log_gamma_x_m_x
            ),
            digamma_pxq - digamma(q) + np.log(gamma) - log_gamma_x_m_x,
            q / gamma - (p * x + q) / (gamma + self.x_m_x),
        )
        return self.log_likelihood(params), gradient


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
    data = _GammaGammaData(x, m_x)

    def neg_log_likelihood(log_params):
        value, gradient = data.log_likelihood_gradient(np.exp(log_params))
        return _mean_negative(weights, total, log_params, value, gradient)

    params, converged, message = _fit(neg_log_likelihood, np.log(start))
    return GammaGammaFit(
        *params,
        float(np.dot(weights, data.log_likelihood(params))),
        converged,
        message
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
