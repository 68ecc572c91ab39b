"""The prediction fit's Python cost at M (100 000 customers): customers drawn
from BG/NBD with the CDNOW parameters in days (r 0.243, alpha 30.9, a 0.793,
b 2.426), first orders over 3 000 days, observed 3 650 days; then the
engine's steps on them: grouping, BG/NBD fit, Gamma-Gamma fit, each
customer's three figures. The SQL that summarises the orders per customer
is not in this measure.

Usage: .local/venv/bin/python bench/prediction_fit.py [customers]
"""
import os
import sys
import time

import numpy as np

sys.path.insert(
    0,
    os.path.join(
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
        "relation_pyramid",
        "models",
    ),
)
import bgnbd  # noqa: E402  (the module alone, without Odoo)


def simulate(n, rng):
    r, alpha, a, b = 0.243, 30.9, 0.793, 2.426
    rate = rng.gamma(r, 1 / alpha, n)
    drop = rng.beta(a, b, n)
    age = (3650 - rng.integers(0, 3000, n)).astype(float)
    x, t_x = np.zeros(n), np.zeros(n)
    for i in range(n):
        t = 0.0
        while rate[i] > 0:
            t += rng.exponential(1 / rate[i])
            if t > age[i]:
                break
            x[i] += 1
            t_x[i] = np.floor(t)
            if rng.random() < drop[i]:
                break
    own_mean = rng.gamma(3.74, 1 / 15.44, n)  # nu ~ Gamma(q, gamma)
    value = np.where(x > 0, rng.gamma(6.25 * np.maximum(x, 1), 1 / own_mean) /
                     np.maximum(x, 1), 0.0)
    return x, t_x, age, value


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
    x, t_x, age, value = simulate(n, np.random.default_rng(1))
    timings = {}
    start = time.time()
    groups, counts = np.unique(np.column_stack([x, t_x, age]), axis=0,
                               return_counts=True)
    timings["grouping"] = time.time() - start
    start = time.time()
    fit = bgnbd.fit_bgnbd(groups[:, 0], groups[:, 1], groups[:, 2], counts)
    timings["BG/NBD fit"] = time.time() - start
    start = time.time()
    value_fit = bgnbd.fit_gamma_gamma(x[x > 0], value[x > 0])
    timings["Gamma-Gamma fit"] = time.time() - start
    start = time.time()
    params = (fit.r, fit.alpha, fit.a, fit.b)
    bgnbd.bgnbd_p_alive(params, x, t_x, age)
    expected = bgnbd.bgnbd_expected_transactions(params, 365, x, t_x, age)
    expected * bgnbd.gamma_gamma_expected_value(
        (value_fit.p, value_fit.q, value_fit.gamma), x, value
    )
    timings["figures"] = time.time() - start
    print("%d customers, %d repeat, %d groups" % (n, (x > 0).sum(), len(groups)))
    print(fit)
    print(value_fit)
    for name, seconds in timings.items():
        print("%-16s %.2f s" % (name, seconds))
    print("%-16s %.2f s" % ("total", sum(timings.values())))


if __name__ == "__main__":
    main()
