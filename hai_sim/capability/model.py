"""The capability-vector transformer (spec §1.2-1.4) in Flax NNX, float32.

Tokens: task tokens (+ a learnable positional embedding), one separator, then one token per
agent carrying only its capability vector and a token-type embedding, so that the weights
permute with the agents (E6/E7). A post-LN encoder (PyTorch defaults [R, A5]) reads them; each
agent's own output token gives its logit, a softmax over the active agents its weight, and the
fused score is ``s_f = w S``.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from hai_sim.engine import InputError, named_result
from hai_sim.engine.validate import check_shape, is_concrete

from .params import Config

__all__ = ["CapabilityModel", "Fusion"]

_F32 = jnp.float32
_MASKED = -1e9


@named_result
class Fusion(NamedTuple):
    """``w`` (B, m) agent weights (≥ 0, sum 1, 0 on padding); ``s_f`` (B, n) fused scores."""

    w: jax.Array
    s_f: jax.Array


def _normal(key, shape, std):
    return std * jax.random.normal(key, shape, _F32)


class _EncoderLayer(nnx.Module):
    """Post-LN transformer layer: ``LN(z + Drop(MHA z))``, then ``LN(z + Drop(FF z))``, ReLU."""

    def __init__(self, cfg: Config, rngs: nnx.Rngs):
        self.attn = nnx.MultiHeadAttention(cfg.heads, cfg.d, cfg.d, cfg.d, dropout_rate=cfg.dropout, decode=False,
                                           deterministic=False, rngs=rngs)
        self.ln1 = nnx.LayerNorm(cfg.d, rngs=rngs)
        self.ln2 = nnx.LayerNorm(cfg.d, rngs=rngs)
        self.ff1 = nnx.Linear(cfg.d, cfg.d_ff, rngs=rngs)
        self.ff2 = nnx.Linear(cfg.d_ff, cfg.d, rngs=rngs)
        self.drop = nnx.Dropout(cfg.dropout, deterministic=False, rngs=rngs)

    def __call__(self, z, mask):
        z = self.ln1(z + self.drop(self.attn(z, mask=mask)))
        return self.ln2(z + self.drop(self.ff2(self.drop(nnx.relu(self.ff1(z))))))


class CapabilityModel(nnx.Module):
    """Weights the agents of each instance from the task and their capability vectors.

    Args:
        cfg: a :class:`~hai_sim.capability.Config`.
        n_agents: vocabulary size M (rows of the capability table W_c).
        n_classes: options n (width of each score row).
        d_task: feature width d_x of the task input.
        rngs: ``nnx.Rngs`` (``params`` and ``dropout`` streams come from it).
        max_agents: most agents per instance (slot embeddings of ``capability="none"``);
            default M.
        max_task_tokens: most task tokens k_tok (positional embeddings); default 1.

    Call ``model(task, agent_ids, agent_mask, scores)`` with ``task`` (B, k_tok, d_x) float32,
    ``agent_ids`` (B, m) int32 in [0, M), ``agent_mask`` (B, m) bool (False = padding, at least
    one True per row), ``scores`` (B, m, n) float32; returns :class:`Fusion`. ``model.eval()``
    turns dropout off (a new model is in training mode); :meth:`logits` applies the output scale (E8').
    """

    def __init__(self, cfg: Config, *, n_agents: int, n_classes: int, d_task: int, rngs: nnx.Rngs,
                 max_agents: int | None = None, max_task_tokens: int = 1):
        for name, v in (("n_agents", n_agents), ("n_classes", n_classes), ("d_task", d_task),
                        ("max_task_tokens", max_task_tokens)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
                raise InputError(f"{name}={v!r} is outside the allowed range integers >= 1")
        max_agents = int(n_agents if max_agents is None else max_agents)
        self.cfg = cfg
        # A tuple, not a dict: nnx.jit hashes the module's static attributes to reuse compiled
        # steps, and an unhashable attribute makes every new model recompile.
        self._spec = tuple(dict(n_agents=int(n_agents), n_classes=int(n_classes), d_task=int(d_task),
                                max_agents=max_agents, max_task_tokens=int(max_task_tokens)).items())
        d = cfg.d
        if cfg.task_embedding != "absent":
            # Offline feature extractor (§1.3 item 1): a 2-layer MLP, then the projection to d.
            self.feat1 = nnx.Linear(d_task, d, rngs=rngs)
            self.feat2 = nnx.Linear(d, d, rngs=rngs)
        if cfg.capability == "none":
            self.slot_emb = nnx.Param(_normal(rngs.params(), (max_agents, d), 0.02))
        else:
            std = 1.0 if cfg.capability == "fixed" else 0.02  # frozen codes must stay distinguishable
            self.cap_table = nnx.Param(_normal(rngs.params(), (int(n_agents), cfg.d_cap), std))
            if cfg.d_cap != d:
                self.cap_proj = nnx.Linear(cfg.d_cap, d, rngs=rngs)
        self.sep = nnx.Param(_normal(rngs.params(), (d,), 0.02))
        self.type_emb = nnx.Param(_normal(rngs.params(), (3, d), 0.02))
        self.pos_emb = nnx.Param(_normal(rngs.params(), (int(max_task_tokens), d), 0.02))
        self.ln_emb = nnx.LayerNorm(d, rngs=rngs)
        self.drop = nnx.Dropout(cfg.dropout, deterministic=False, rngs=rngs)
        self.layers = nnx.List([_EncoderLayer(cfg, rngs) for _ in range(cfg.layers)])
        self.head = nnx.Linear(d, 1, rngs=rngs)
        if cfg.logit_scale == "learnable":
            self.log_scale = nnx.Param(jnp.zeros((), _F32))

    @property
    def spec(self) -> dict:
        """The constructor's sizes: n_agents, n_classes, d_task, max_agents, max_task_tokens."""
        return dict(self._spec)

    # -- host checks ----------------------------------------------------------------------
    def _check(self, task, agent_ids, agent_mask, scores):
        B, m = np.shape(agent_ids) if np.ndim(agent_ids) == 2 else (None, None)
        check_shape("agent_ids", agent_ids, (None, None))
        check_shape("task", task, (B, None, self.spec["d_task"]))
        check_shape("agent_mask", agent_mask, (B, m))
        check_shape("scores", scores, (B, m, self.spec["n_classes"]))
        if np.shape(task)[1] > self.spec["max_task_tokens"]:
            raise InputError(f"task has {np.shape(task)[1]} tokens: allowed at most {self.spec['max_task_tokens']}")
        if m > self.spec["max_agents"]:
            raise InputError(f"agent_ids has {m} agents per row: allowed at most {self.spec['max_agents']}")
        if is_concrete(agent_ids):
            ids = np.asarray(agent_ids)
            M = self.spec["n_agents"]
            if not np.issubdtype(ids.dtype, np.integer) or ids.min(initial=0) < 0 or ids.max(initial=0) >= M:
                bad = ids[(ids < 0) | (ids >= M)] if np.issubdtype(ids.dtype, np.integer) else ids
                raise InputError(f"agent_ids={bad.reshape(-1)[0].item()!r} is outside the allowed range integers in [0, {M})")
        if is_concrete(agent_mask):
            mask = np.asarray(agent_mask, dtype=bool)
            if not mask.any(axis=1).all():
                row = int(np.flatnonzero(~mask.any(axis=1))[0])
                raise InputError(f"agent_mask row {row} has no active agent: need at least one True per row")

    # -- forward ----------------------------------------------------------------------------
    def __call__(self, task, agent_ids, agent_mask, scores) -> Fusion:
        self._check(task, agent_ids, agent_mask, scores)
        cfg = self.cfg
        task = jnp.asarray(task, _F32)
        scores = jnp.asarray(scores, _F32)
        agent_mask = jnp.asarray(agent_mask, bool)
        B, m = agent_ids.shape
        types = self.type_emb[...]
        parts, n_front = [], 1
        if cfg.task_embedding != "absent":
            t = self.feat2(nnx.relu(self.feat1(task)))
            if cfg.task_embedding == "frozen":
                t = jax.lax.stop_gradient(t)
            k = task.shape[1]
            parts.append(t + types[0][None, None, :] + self.pos_emb[...][None, :k, :])
            n_front += k
        parts.append(jnp.broadcast_to((self.sep[...] + types[1])[None, None, :], (B, 1, cfg.d)))
        if cfg.capability == "none":
            c = jnp.broadcast_to(self.slot_emb[...][None, :m, :], (B, m, cfg.d))
        else:
            table = self.cap_table[...]
            if cfg.capability == "fixed":
                table = jax.lax.stop_gradient(table)
            c = table[agent_ids]  # (E4): a gather, so absent agents' rows get exactly zero gradient
            if cfg.d_cap != cfg.d:
                c = self.cap_proj(c)
        parts.append(c + types[2][None, None, :])
        z = self.drop(self.ln_emb(jnp.concatenate(parts, axis=1)))
        keys = jnp.concatenate([jnp.ones((B, n_front), bool), agent_mask], axis=1)
        mask = nnx.make_attention_mask(jnp.ones((B, n_front + m), bool), keys)
        for layer in self.layers:
            z = layer(z, mask)
        u = self.head(z[:, n_front:, :])[..., 0]
        u = jnp.where(agent_mask, u, _MASKED)
        w = jnp.where(agent_mask, jax.nn.softmax(u, axis=-1), 0.0)
        return Fusion(w, jnp.einsum("bm,bmn->bn", w, scores))

    def output_scale(self):
        """The factor on s_f in the loss: exp(λ) (learnable), 1 (paper) or the fixed 1/T."""
        if self.cfg.logit_scale == "learnable":
            return jnp.exp(self.log_scale[...])
        return jnp.asarray(1.0 if self.cfg.logit_scale == "paper" else float(self.cfg.logit_scale), _F32)

    def logits(self, fusion: Fusion):
        """Training logits ``s_f · scale`` (E8'); the argmax, hence predictions, ignore the scale."""
        return fusion.s_f * self.output_scale()
