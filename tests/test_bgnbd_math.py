"""The BG/NBD and Gamma-Gamma module on its own (no Odoo, no database),
against the published fits on the CDNOW 1/10 sample and against the
formulas worked out by hand."""
import importlib.util
import math
import os
import unittest

import numpy as np

from . import cdnow

MODULE_PATH = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    "relation_pyramid",
    "models",
    "bgnbd.py",
)
_spec = importlib.util.spec_from_file_location("bgnbd_alone", MODULE_PATH)
bgnbd = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bgnbd)

# Fader, Hardie & Lee (2005), table 1 / section 5, time unit weeks.
PAPER_BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PAPER_LOG_LIKELIHOOD = -9582.4
# Fader & Hardie, "The Gamma-Gamma Model of Monetary Value" (2013).
PAPER_GAMMA_GAMMA = {"p": 6.25, "q": 3.74, "gamma": 15.44}


class TestBgnbdMath(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.summary = np.array(cdnow.calibration_summary())
        cls.x, cls.t_x, cls.T, cls.m_x = cls.summary.T

    def assertClose(self, value, expected, relative):
        self.assertLessEqual(
            abs(value - expected),
            abs(expected) * relative,
            "%r is not within %s %% of %r" % (value, relative * 100, expected),
        )

    def test_module_has_no_odoo_import(self):
        with open(MODULE_PATH) as source:
            text = source.read()
        self.assertNotIn("import odoo", text)
        self.assertNotIn("from odoo", text)

    def test_cdnow_summary_is_the_papers(self):
        # 2,357 customers, 946 of them with a repeat transaction, 2,457
        # repeat transactions in the 39 weeks (the paper's section 5)
        self.assertEqual(len(self.summary), 2357)
        self.assertEqual(int((self.x > 0).sum()), 946)
        self.assertEqual(int(self.x.sum()), 2457)

    def test_bgnbd_fit_matches_published(self):
        fit = bgnbd.fit_bgnbd(self.x, self.t_x, self.T)
        self.assertTrue(fit.converged, fit.message)
        for name, expected in PAPER_BGNBD.items():
            self.assertClose(getattr(fit, name), expected, 0.01)
        self.assertClose(fit.log_likelihood, PAPER_LOG_LIKELIHOOD, 0.01)
        # the paper's own rounding: -9582.4
        self.assertAlmostEqual(fit.log_likelihood, PAPER_LOG_LIKELIHOOD, delta=0.05)

    def test_bgnbd_fit_in_days_scales_alpha_only(self):
        """In days alpha is 7 times the weekly one; r, a, b do not move; the
        log-likelihood (a density in time) moves by -log(7) per repeat
        transaction: -9582.4 - 2457 log 7 = -14363.5."""
        x, t_x, T, _m = np.array(cdnow.calibration_summary(unit_days=1.0)).T
        fit = bgnbd.fit_bgnbd(x, t_x, T)
        self.assertClose(fit.alpha, PAPER_BGNBD["alpha"] * 7, 0.01)
        for name in ("r", "a", "b"):
            self.assertClose(getattr(fit, name), PAPER_BGNBD[name], 0.01)
        self.assertAlmostEqual(
            fit.log_likelihood, PAPER_LOG_LIKELIHOOD - 2457 * math.log(7), delta=0.5
        )

    def test_grouped_fit_equals_customer_fit(self):
        """Customers with equal (x, t_x, T) grouped with their count as
        weight give the same likelihood and fit."""
        keys, counts = np.unique(self.summary[:, :3], axis=0, return_counts=True)
        self.assertLess(len(keys), len(self.summary))
        params = tuple(PAPER_BGNBD.values())
        self.assertAlmostEqual(
            float(np.dot(counts, bgnbd.bgnbd_log_likelihood(params, *keys.T))),
            float(bgnbd.bgnbd_log_likelihood(params, self.x, self.t_x, self.T).sum()),
            places=6,
        )
        fit = bgnbd.fit_bgnbd(*keys.T, weights=counts)
        self.assertClose(fit.r, PAPER_BGNBD["r"], 0.01)
        self.assertAlmostEqual(fit.log_likelihood, PAPER_LOG_LIKELIHOOD, delta=0.05)

    def test_gamma_gamma_fit_matches_published(self):
        repeat = self.x > 0
        fit = bgnbd.fit_gamma_gamma(self.x[repeat], self.m_x[repeat])
        self.assertTrue(fit.converged, fit.message)
        for name, expected in PAPER_GAMMA_GAMMA.items():
            self.assertClose(getattr(fit, name), expected, 0.02)
        # customers without repeat transactions are left out of the fit
        everyone = bgnbd.fit_gamma_gamma(self.x, self.m_x)
        self.assertAlmostEqual(everyone.p, fit.p, places=6)

    def assertGradientIsDerivative(self, data, points):
        """The summed gradient of ``data.log_likelihood_gradient`` equals
        the central difference of the summed ``data.log_likelihood`` by
        each parameter (to 1e-5 of it, or 1e-5 where it is below 1: near
        the optimum), at each point; the per-customer values equal
        ``log_likelihood``'s."""
        for point in points:
            point = np.array(point, dtype=float)
            values, gradient = data.log_likelihood_gradient(point)
            np.testing.assert_array_equal(values, data.log_likelihood(point))
            for which, slope in enumerate(gradient):
                step = np.zeros_like(point)
                step[which] = point[which] * 1e-6
                difference = (
                    data.log_likelihood(point + step).sum()
                    - data.log_likelihood(point - step).sum()
                ) / (2 * step[which])
                self.assertLessEqual(
                    abs(float(slope.sum()) - difference),
                    1e-5 * max(abs(difference), 1.0),
                    "parameter %d at %s: %r against %r"
                    % (which, point, float(slope.sum()), difference),
                )

    def test_bgnbd_gradient_is_the_likelihoods_derivative(self):
        """The fit follows this gradient (no numerical one): at the
        published parameters (near the optimum, where the derivatives are
        small) and at two points far from it."""
        data = bgnbd._BgnbdData(self.x, self.t_x, self.T)
        self.assertGradientIsDerivative(
            data,
            [
                (0.243, 4.414, 0.793, 2.426),
                (1.5, 30.0, 0.2, 8.0),
                (0.05, 0.5, 3.0, 0.6),
            ],
        )

    def test_gamma_gamma_gradient_is_the_likelihoods_derivative(self):
        repeat = self.x > 0
        data = bgnbd._GammaGammaData(self.x[repeat], self.m_x[repeat])
        self.assertGradientIsDerivative(
            data, [(6.25, 3.74, 15.44), (1.0, 1.5, 100.0), (20.0, 9.0, 2.0)]
        )

    def test_p_alive_by_hand(self):
        r, alpha, a, b = params = (0.243, 4.414, 0.793, 2.426)
        # no repeat transaction: the model lets a customer drop out only
        # after a repeat transaction, so 1 whatever the age
        self.assertEqual(
            list(bgnbd.bgnbd_p_alive(params, [0, 0], [0, 0], [1, 50])), [1, 1]
        )
        # x = 2, t_x = 30.43, T = 38.86 (the paper's example customer):
        # 1 / (1 + a / (b + 1) * ((alpha + T) / (alpha + t_x))^(r + 2))
        expected = 1 / (
            1 + a / (b + 1) * ((alpha + 38.86) / (alpha + 30.43)) ** (r + 2)
        )
        self.assertAlmostEqual(
            float(bgnbd.bgnbd_p_alive(params, 2, 30.43, 38.86)), expected
        )
        self.assertAlmostEqual(expected, 0.7266, places=4)
        # last transaction at T: alive with probability 1 / (1 + a / (b + x - 1))
        self.assertAlmostEqual(
            float(bgnbd.bgnbd_p_alive(params, 1, 10, 10)), 1 / (1 + a / b)
        )

    def test_expected_transactions_matches_paper_example(self):
        params = tuple(PAPER_BGNBD.values())
        # the paper (section 5): expected purchases in the next 39 weeks of
        # the customer x = 2, t_x = 30.43, T = 38.86 is 1.226
        self.assertAlmostEqual(
            float(bgnbd.bgnbd_expected_transactions(params, 39, 2, 30.43, 38.86)),
            1.226,
            places=3,
        )
        # a customer just born (x = 0, T = 0) expects what a new one does
        # (equation 7)
        self.assertAlmostEqual(
            float(bgnbd.bgnbd_expected_transactions(params, 39, 0, 0, 0)),
            float(bgnbd.bgnbd_expected_population(params, 39)),
            places=10,
        )
        # the longer a one-time buyer stays silent, the fewer orders expected
        silent = bgnbd.bgnbd_expected_transactions(params, 39, [0, 0], [0, 0], [5, 38])
        self.assertGreater(silent[0], silent[1])

    def test_gamma_gamma_expected_value_by_hand(self):
        p, q, gamma = params = (6.25, 3.74, 15.44)
        # x = 3 repeat transactions of mean 40: p (gamma + 3 * 40) / (3p + q - 1)
        self.assertAlmostEqual(
            float(bgnbd.gamma_gamma_expected_value(params, 3, 40.0)),
            p * (gamma + 120) / (3 * p + q - 1),
        )
        # no repeat transaction: the population mean p gamma / (q - 1) = 35.22
        population = p * gamma / (q - 1)
        self.assertAlmostEqual(population, 35.2190, places=3)
        self.assertAlmostEqual(
            float(bgnbd.gamma_gamma_expected_value(params, 0, 0.0)), population
        )
        self.assertAlmostEqual(bgnbd.gamma_gamma_population_value(params), population)

    def test_runaway_fit_is_not_converged(self):
        """Sixty customers who all bought every 10 days for 100 days and are
        still buying: no spread of rates and no drop-out to fit, the
        parameters run away (a towards 0), which is no fit."""
        fit = bgnbd.fit_bgnbd([10] * 60, [100] * 60, [100] * 60)
        self.assertFalse(fit.converged)
        self.assertIn("out of bounds", fit.message)
