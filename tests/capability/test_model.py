"""The capability transformer, its data, training and checkpoints, on tiny sizes."""

from __future__ import annotations

import pickle

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from hai_sim import InputError
from hai_sim import capability as cap

TINY = dict(d=8, layers=1, heads=2, d_ff=16, d_cap=8, batch=64, epochs=2)


def _model(M=5, n=4, d_x=6, **over):
    cfg = cap.config("offline_cpu", **{**TINY, **over})
    with jax.numpy_dtype_promotion("standard"):
        return cap.CapabilityModel(cfg, n_agents=M, n_classes=n, d_task=d_x, rngs=nnx.Rngs(0))


def _batch(B=3, m=3, M=5, n=4, d_x=6, seed=0):
    rng = np.random.default_rng(seed)
    task = rng.normal(size=(B, 1, d_x)).astype(np.float32)
    ids = np.stack([rng.permutation(M)[:m] for _ in range(B)]).astype(np.int32)
    mask = np.ones((B, m), bool)
    mask[0, -1] = False  # one padded slot
    scores = rng.dirichlet(np.ones(n), size=(B, m)).astype(np.float32)
    return task, ids, mask, scores


def test_shapes_dtypes_and_weights():
    model = _model()
    model.eval()
    task, ids, mask, scores = _batch()
    out = model(task, ids, mask, scores)
    assert out.w.shape == (3, 3) and out.s_f.shape == (3, 4)
    assert out.w.dtype == jnp.float32 and out.s_f.dtype == jnp.float32
    w = np.asarray(out.w)
    assert np.all(w >= 0) and w[0, -1] == 0.0
    np.testing.assert_allclose(w.sum(axis=1), 1.0, atol=1e-6)
    np.testing.assert_allclose(out.s_f, np.einsum("bm,bmn->bn", w, scores), atol=1e-6)


@pytest.mark.parametrize("capability", ["learnable", "fixed", "none"])
def test_C11_permutation_equivariance(capability):
    model = _model(capability=capability)
    model.eval()
    task, ids, mask, scores = _batch()
    mask[:] = True
    perm = np.array([2, 0, 1])
    a = model(task, ids, mask, scores)
    b = model(task, ids[:, perm], mask[:, perm], scores[:, perm])
    if capability == "none":
        # Slot embeddings break the symmetry by design: weights follow slots, not agents.
        assert not np.allclose(np.asarray(a.w)[:, perm], b.w, atol=1e-5)
    else:
        np.testing.assert_allclose(np.asarray(a.w)[:, perm], b.w, atol=1e-5)
        np.testing.assert_allclose(a.s_f, b.s_f, atol=1e-5)


@pytest.mark.parametrize("capability", ["learnable", "fixed"])
def test_C12_capability_gradient_only_on_present_agents(capability):
    model = _model(M=6, capability=capability)
    model.eval()
    task, ids, mask, scores = _batch(M=4)  # agents 4 and 5 never appear

    def loss(m):
        return jnp.sum(m.logits(m(task, ids, mask, scores)) ** 2)

    grads = nnx.grad(loss)(model)
    g = np.asarray(grads["cap_table"][...])
    assert np.all(g[4:] == 0.0)
    if capability == "learnable":
        assert np.any(g[:4] != 0.0)
    else:
        assert np.all(g == 0.0)  # frozen codes


def test_task_embedding_modes_and_scales():
    task, ids, mask, scores = _batch()
    for mode in ("frozen", "absent"):
        m = _model(task_embedding=mode)
        m.eval()
        out = m(task, ids, mask, scores)
        np.testing.assert_allclose(np.asarray(out.w).sum(axis=1), 1.0, atol=1e-6)
    m = _model(logit_scale=10.0)
    fus = cap.Fusion(jnp.ones((1, 1)), jnp.array([[0.1, 0.2]], jnp.float32))
    np.testing.assert_allclose(m.logits(fus), [[1.0, 2.0]], rtol=1e-6)
    assert float(_model(logit_scale="paper").output_scale()) == 1.0


def test_lce_loss_against_numpy():
    rng = np.random.default_rng(3)
    logits = rng.normal(size=(5, 4))
    y = np.array([0, 1, 2, 1, 0])
    h = np.array([0, 2, 2, 0, 1])
    for alpha in (1.0, 0.3):
        g = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        right = (h == y).astype(float)
        want = np.mean(-(alpha * right + 1 - right) * np.log(g[np.arange(5), y]) - right * np.log(g[:, 3]))
        assert float(cap.lce_loss(logits, h, y, alpha)) == pytest.approx(want, rel=1e-12)
    with pytest.raises(InputError, match="alpha=1.5"):
        cap.lce_loss(logits, h, y, 1.5)
    with pytest.raises(InputError, match="y=3"):
        cap.lce_loss(logits, h, np.array([0, 1, 2, 3, 0]))
    with pytest.raises(InputError, match="human_pred has shape"):
        cap.lce_loss(logits, h[:3], y)


@pytest.mark.slow
def test_scenario_matches_closed_forms_and_expert_rules():
    sc = cap.ai_expert_scenario(seed=1, n=10, k=5, n_train=200, n_val=200, n_test=6000)
    t = sc.test
    assert t.task.shape == (6000, 1, 32) and t.task.dtype == np.float32 and t.y.dtype == np.int32
    ai = np.mean(np.argmax(t.ai_scores, axis=1) == t.y)
    se = np.sqrt(0.9454 * 0.0546 / 6000)
    assert abs(ai - 0.9454) < 4 * se  # sigma calibrated exactly (ERRATA 2)
    H = float(cap.human_accuracy(10, 5, 0.0, "ms"))
    assert abs(np.mean(t.votes == t.y) - H) < 4 * np.sqrt(H * (1 - H) / 6000)
    assert np.all(t.votes[t.y < 5] == t.y[t.y < 5])
    # paper41 guesses never fall inside E
    v = np.asarray(cap.expert_votes(jax.random.key(0), jnp.asarray(t.y), jnp.arange(10) < 5, 0.0, "paper41"))
    assert np.all(v[t.y >= 5] >= 5)


@pytest.mark.slow
def test_digits_scenario():
    sc = cap.ai_expert_scenario(seed=0, data="digits")
    total = sc.info["ai_train"] + sum(sc.info[f"n_{s}"] for s in ("train", "val", "test"))
    assert total == 1797 and sc.train.task.shape[-1] == 64
    assert 0.8 < np.mean(np.argmax(sc.test.ai_scores, axis=1) == sc.test.y) < 1.0
    with pytest.raises(InputError, match="ai_acc=0.9"):
        cap.ai_expert_scenario(data="digits", ai_acc=0.9)


@pytest.mark.slow
def test_train_is_reproducible_and_evaluate_and_checkpoint(tmp_path):
    sc = cap.ai_expert_scenario(seed=0, n=4, k=2, n_train=256, n_val=128, n_test=128, d_x=6)
    cfg = cap.config("offline_cpu", **TINY)
    a = cap.train(cfg, sc, seed=3)
    b = cap.train(cfg, sc, seed=3)
    np.testing.assert_array_equal(a.history.val_loss, b.history.val_loss)
    assert a.history.val_loss.dims == ("epoch",) and a.history.sizes["epoch"] == 2
    ev = cap.evaluate(a.model, sc)
    assert all(0.0 <= v <= 1.0 for v in ev)
    assert ev.acc_oracle >= max(ev.acc_ai, ev.acc_human) - 1e-12
    path = cap.save_model(a.model, tmp_path / "m")
    back = cap.load_model(path)
    args = (sc.test.task[:8], np.tile(np.arange(2, dtype=np.int32), (8, 1)), np.ones((8, 2), bool),
            np.stack([sc.test.ai_scores[:8], np.eye(4, dtype=np.float32)[sc.test.votes[:8]]], axis=1))
    np.testing.assert_array_equal(a.model(*args).w, back(*args).w)
    with pytest.raises(InputError, match="already exists"):
        cap.save_model(a.model, path)


def test_config_presets_and_bad_fields():
    assert cap.config("paper_default").d == 512 and cap.config("vocab_small").d_cap == 16
    c = cap.config("offline_cpu")
    assert (c.lr, c.batch, c.epochs, c.logit_scale) == (1e-3, 256, 30, "learnable")
    with pytest.raises(InputError, match="preset='huge'"):
        cap.config("huge")
    with pytest.raises(InputError, match="unknown parameter"):
        cap.config("offline_cpu", width=3)
    with pytest.raises(InputError, match="capability='random'"):
        cap.config(capability="random")
    with pytest.raises(InputError, match="heads=3"):
        cap.config(heads=3)


def test_model_bad_inputs():
    model = _model()
    task, ids, mask, scores = _batch()
    with pytest.raises(InputError, match="agent_ids=7"):
        model(task, np.where(ids == ids[0, 0], 7, ids).astype(np.int32), mask, scores)
    bad = mask.copy()
    bad[1] = False
    with pytest.raises(InputError, match="row 1 has no active agent"):
        model(task, ids, bad, scores)
    with pytest.raises(InputError, match="scores has shape"):
        model(task, ids, mask, scores[..., :3])


def test_loaders_on_fixtures(tmp_path):
    rng = np.random.default_rng(0)
    for i in (1, 2):
        batch = {b"data": rng.integers(0, 256, size=(5, 3072), dtype=np.uint8), b"labels": list(range(5))}
        with open(tmp_path / f"data_batch_{i}", "wb") as f:
            pickle.dump(batch, f)
    images, labels = cap.load_cifar10_batches(tmp_path)
    assert images.shape == (10, 32, 32, 3) and images.dtype == np.uint8 and labels.dtype == np.int32
    raw = pickle.load(open(tmp_path / "data_batch_1", "rb"))[b"data"]
    assert images[0, 0, 1, 2] == raw[0, 2 * 1024 + 1]  # channel-major rows -> HWC
    np.save(tmp_path / "feats.npy", rng.normal(size=(7, 3)))
    assert cap.load_features(tmp_path / "feats.npy").shape == (7, 3)
    np.save(tmp_path / "bad.npy", rng.normal(size=(7,)))
    with pytest.raises(InputError, match="expected \\(N, d\\)"):
        cap.load_features(tmp_path / "bad.npy")
    probs = rng.dirichlet(np.ones(10), size=4)
    np.save(tmp_path / "cifar10h-probs.npy", probs)
    np.testing.assert_allclose(cap.load_cifar10h_probs(tmp_path / "cifar10h-probs.npy"), probs, rtol=1e-6)
    np.save(tmp_path / "notprobs.npy", probs * 2)
    with pytest.raises(InputError, match="probability vectors"):
        cap.load_cifar10h_probs(tmp_path / "notprobs.npy")


@pytest.mark.slow  # two compilations of the whole model (about 7 s): over the default budget
def test_per_group_learning_rates_first_adam_step():
    # Oracle: Adam's first step moves every parameter with a non-zero gradient by lr·g/(|g| + eps),
    # i.e. by its group's learning rate (to 1e-8/|g|) in the gradient's opposite direction.
    import optax

    from hai_sim.capability.fit import _transform

    rates = dict(lr=1e-3, lr_capability=1e-2, lr_task=1e-4, lr_scale=5e-2)
    model = _model(**rates)
    model.eval()
    task, ids, mask, scores = _batch()
    y = jnp.array([0, 1, 2])
    before = jax.tree_util.tree_map(jnp.copy, nnx.state(model, nnx.Param))

    def loss(m):
        return optax.softmax_cross_entropy_with_integer_labels(m.logits(m(task, ids, mask, scores)), y).mean()

    grads = nnx.jit(nnx.grad(loss))(model)  # jitted: an eager transformer backward pass is slow
    opt = nnx.Optimizer(model, _transform(model.cfg), wrt=nnx.Param)
    nnx.jit(lambda o, m, g: o.update(m, g))(opt, model, grads)  # one compile instead of many eager ops
    after = nnx.state(model, nnx.Param)
    want = {"cap_table": 1e-2, "feat1": 1e-4, "feat2": 1e-4, "log_scale": 5e-2, "head": 1e-3, "layers": 1e-3,
            "type_emb": 1e-3}
    for name, lr in want.items():
        checked = 0
        for (path, b), a, g in zip(jax.tree_util.tree_leaves_with_path(before[name]),
                                   jax.tree_util.tree_leaves(after[name]), jax.tree_util.tree_leaves(grads[name])):
            step, g = np.asarray(a) - np.asarray(b), np.asarray(g)
            big = np.abs(g) > 1e-4  # eps = 1e-8 then shifts the step by < 1e-4 relative
            np.testing.assert_allclose(step[big], -lr * np.sign(g[big]), rtol=1e-3, err_msg=f"{name}{path}")
            checked += int(big.sum())
        assert checked > 0, name
    with pytest.raises(InputError, match="lr_task=-1"):
        cap.config(lr_task=-1.0)
    with pytest.raises(InputError, match="trials=0"):
        cap.config(trials=0)
    with pytest.raises(InputError, match="scale_init='zero'"):
        cap.config(scale_init="zero")


def test_orbax_checkpoint_roundtrip(tmp_path):
    model = _model(capability="fixed", logit_scale="learnable")
    model.eval()
    args = _batch()
    path = cap.save_model(model, tmp_path / "ckpt")
    assert (path / "params").is_dir() and (path / "config.json").is_file()
    back = cap.load_model(path)
    assert back.cfg == model.cfg and back.spec == model.spec
    a, b = model(*args), back(*args)
    np.testing.assert_array_equal(a.w, b.w)
    np.testing.assert_array_equal(a.s_f, b.s_f)
    assert float(back.output_scale()) == float(model.output_scale())
    with pytest.raises(InputError, match="already exists"):
        cap.save_model(model, path)
    with pytest.raises(InputError, match="not a saved model"):
        cap.load_model(tmp_path / "nothing")


def test_group_expert_monte_carlo_against_its_accuracy_law():
    # Table 7's law: P(right) = p + (1 - p)/n in the AAE group, q + (1 - q)/n elsewhere; wrong
    # votes uniform over the n classes; y in E always right. 4 standard errors, N = 200k.
    N, n, p, q = 200_000, 3, 0.75, 0.9
    rng = np.random.default_rng(7)
    y = rng.integers(0, n, N)
    g = rng.random(N) < 0.55
    v = np.asarray(cap.expert_votes(jax.random.key(1), y, jnp.zeros(n, bool), p, "group", q=q, group=g))
    for mask, acc in ((g, p + (1 - p) / n), (~g, q + (1 - q) / n)):
        got = np.mean(v[mask] == y[mask])
        assert abs(got - acc) < 4 * np.sqrt(acc * (1 - acc) / mask.sum())
        for j in range(1, n):  # a given wrong class gets (1 - p)/n of the instances of class 0
            sel = mask & (y == 0)
            want = (1 - (p if mask is g else q)) / n
            assert abs(np.mean(v[sel] == j) - want) < 4 * np.sqrt(want * (1 - want) / sel.sum())
    f = g.mean()
    table7 = f * (p + (1 - p) / 3) + (1 - f) * (q + (1 - q) / 3)
    assert abs(np.mean(v == y) - table7) < 4 * np.sqrt(table7 * (1 - table7) / N)
    v_e = np.asarray(cap.expert_votes(jax.random.key(2), y, jnp.arange(n) < 1, 0.0, "group", q=0.0, group=g))
    assert np.all(v_e[y == 0] == 0)
    with pytest.raises(InputError, match="q=None"):
        cap.expert_votes(jax.random.key(0), y, jnp.zeros(n, bool), p, "group", group=g)
    with pytest.raises(InputError, match="q=1.5"):
        cap.expert_votes(jax.random.key(0), y, jnp.zeros(n, bool), p, "group", q=1.5, group=g)
    with pytest.raises(InputError, match="expert='oracle'"):
        cap.expert_votes(jax.random.key(0), y, jnp.zeros(n, bool), p, "oracle")


def test_crowd_expert_monte_carlo_against_its_accuracy_law():
    # pi_i = (1 - eps_i) e_y + eps_i C[y], eps_i ~ Beta(1, 15): E[pi_iy] = 1 - (1 - C_yy)/16 and a
    # wrong class j gets C_yj/16 of the votes; eps follows scipy's Beta(1, 15) cdf. 4 standard
    # errors, N = 100k.
    from scipy.stats import beta

    N, n = 100_000, 10
    y = np.random.default_rng(3).integers(0, n, N)
    probs, C = cap.crowd_probs(jax.random.key(5), y, n)
    probs, C = np.asarray(probs, np.float64), np.asarray(C, np.float64)
    assert probs.shape == (N, n) and C.shape == (n, n)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(C.sum(axis=1), 1.0, atol=1e-5)
    sd_eps = np.sqrt(15 / (16**2 * 17))  # Beta(1, 15)
    eps = (1 - probs[np.arange(N), y]) / (1 - C[y, y])  # each instance's confusion share
    for x in (0.01, 0.05, 0.1, 0.2):
        F = beta(1, 15).cdf(x)
        assert abs(np.mean(eps <= x) - F) < 4 * np.sqrt(F * (1 - F) / N)
    v = np.asarray(cap.expert_votes(jax.random.key(6), y, jnp.zeros(n, bool), 0.0, "crowd", probs=probs))
    for c in range(n):
        sel = y == c
        law = 1 - (1 - C[c, c]) / 16
        assert abs(probs[sel, c].mean() - law) < 4 * sd_eps * (1 - C[c, c]) / np.sqrt(sel.sum())
        assert abs(np.mean(v[sel] == c) - law) < 4 * np.sqrt(law * (1 - law) / sel.sum())
    sel = y == 0
    for j in range(1, n):
        want = C[0, j] / 16
        assert abs(np.mean(v[sel] == j) - want) < 4 * np.sqrt(want * (1 - want) / sel.sum()) + 1e-12
    with pytest.raises(InputError, match="probs=None"):
        cap.expert_votes(jax.random.key(0), y, jnp.zeros(n, bool), 0.0, "crowd")
    with pytest.raises(InputError, match="probability vectors"):
        cap.expert_votes(jax.random.key(0), y[:4], jnp.zeros(n, bool), 0.0, "crowd", probs=2 * probs[:4])


def test_calibrated_scale_start_minimises_cross_entropy():
    # Oracle: scipy's bounded scalar minimiser of the NumPy cross-entropy of exp(lam)·s_f for the
    # untrained model's fusion; the 0.05-step grid must land within half a step of it.
    from scipy.optimize import minimize_scalar

    from hai_sim.capability.fit import _calibrated_log_scale, _inputs

    rng = np.random.default_rng(2)
    N, n = 512, 4
    y = rng.integers(0, n, N).astype(np.int32)
    task = rng.normal(size=(N, 1, 6)).astype(np.float32)
    ai = rng.dirichlet(np.ones(n), N).astype(np.float32)
    ai[np.arange(N), y] += 2.0  # an informative AI row
    ai /= ai.sum(axis=1, keepdims=True)
    votes = np.where(rng.random(N) < 0.6, y, rng.integers(0, n, N)).astype(np.int32)
    model = _model(M=2, n=n, d_x=6)
    model.eval()
    lam = float(_calibrated_log_scale(model, *_inputs(task, ai, votes, n), y))
    s_f = np.asarray(model(*_inputs(task, ai, votes, n)).s_f, np.float64)

    def ce(l):
        z = np.exp(l) * s_f
        z -= z.max(axis=1, keepdims=True)
        return np.mean(np.log(np.exp(z).sum(axis=1)) - z[np.arange(len(z)), y])

    best = minimize_scalar(ce, bounds=(-3, 8), method="bounded", options={"xatol": 1e-6}).x
    assert abs(lam - best) <= 0.025 + 1e-6
    assert lam > 1.0  # the literal start (lam = 0) is far from calibrated


def test_group_scenario_bad_inputs():
    with pytest.raises(InputError, match="q=None"):
        cap.ai_expert_scenario(n=3, k=0, expert="group")
    with pytest.raises(InputError, match="q=0.5"):
        cap.ai_expert_scenario(n=3, k=0, expert="ms", q=0.5)
    with pytest.raises(InputError, match="q=2"):
        cap.ai_expert_scenario(n=3, k=0, expert="group", q=2.0)


@pytest.mark.slow
def test_group_scenario_votes_follow_the_group_law():
    sc = cap.ai_expert_scenario(seed=3, n=3, k=0, p=0.75, q=0.9, expert="group", ai_acc=0.928, n_train=64,
                                n_val=64, n_test=40_000)
    t = sc.test
    assert t.task.shape == (40_000, 1, 33) and np.array_equal(t.task[:, 0, -1], t.group.astype(np.float32))
    assert abs(t.group.mean() - 0.55) < 4 * np.sqrt(0.55 * 0.45 / 40_000)
    for mask, a in ((t.group, 0.75), (~t.group, 0.9)):
        law = a + (1 - a) / 3
        assert abs(np.mean(t.votes[mask] == t.y[mask]) - law) < 4 * np.sqrt(law * (1 - law) / mask.sum())
    assert sc.q == 0.9 and sc.train.group.shape == (64,)
