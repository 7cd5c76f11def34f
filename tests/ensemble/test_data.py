"""The admissions generator against the rules of spec §2.6 (checked on the drawn sample)."""

import jax
import numpy as np

from hai_sim import ensemble as E


def test_generator_rules():
    n = 40_000
    d = E.make_admissions(jax.random.key(0), n, p=0.3, delta=0.2, alpha=0.8, alpha_c=0.5, conf_width=0.1)
    X, y, h, a, c = map(np.asarray, d)
    assert X.shape == (n, 2) and y.dtype == np.int32 and a.dtype == bool
    gpa, score = X[:, 0], X[:, 1]
    rule_a = (0.7 * score + 0.3 * gpa >= 0.5).astype(int)
    rule_c = (0.7 * gpa + 0.3 * score >= 0.5).astype(int)
    np.testing.assert_array_equal(y, np.where(a, rule_a, rule_c))
    se = lambda q, m: 4 * np.sqrt(q * (1 - q) / m)  # noqa: E731
    assert abs(a.mean() - 0.3) < se(0.3, n)
    assert abs((h == y)[a].mean() - 0.8) < se(0.8, a.sum())
    assert abs((h == y)[~a].mean() - 0.5) < se(0.5, (~a).sum())
    assert set(np.unique(h)) <= {0, 1}
    assert c[a].min() >= 0.7 and c[a].max() <= 0.9 and c[~a].min() >= 0.4 and c[~a].max() <= 0.6
    assert abs(X.mean() - 0.5) < 4 * np.sqrt(1 / 12 / (2 * n))


def test_confidence_clipped_at_alpha_one():
    d = E.make_admissions(jax.random.key(1), 10_000, alpha=1.0)
    c = np.asarray(d.conf)[np.asarray(d.in_Da)]
    assert c.max() == 1.0 and c.min() >= 0.9
    assert 0.4 < np.mean(c == 1.0) < 0.6  # U[0.9, 1.1] clipped: half the mass sits on 1
