"""Network and training configuration (spec §1.3, §2.3) and its presets.

:class:`Config` is an engine :class:`~hai_sim.engine.Params` whose fields are all static (they
fix shapes and the training loop). Build one with :func:`config`; ``.replace(**changes)``
validates and rejects unknown names.
"""

from __future__ import annotations

from hai_sim.engine import InputError, Params, static
from hai_sim.engine.validate import check_choice, check_range

__all__ = ["CAPABILITY_MODES", "Config", "PRESETS", "TASK_EMBEDDINGS", "config"]

CAPABILITY_MODES = ("learnable", "fixed", "none")
TASK_EMBEDDINGS = ("trainable", "frozen", "absent")


class Config(Params):
    """Transformer and training hyper-parameters.

    Attributes:
        d, layers, heads, d_ff: encoder width, depth, attention heads, feed-forward width.
        d_cap: capability-vector size (a ``Dense(d_cap→d)`` aligns it when ≠ d).
        dropout: dropout rate (post-LN encoder, BERT-style embedding dropout) [R].
        capability: ``"learnable"`` W_c, ``"fixed"`` (frozen N(0,1) codes) or ``"none"``
            (per-slot embeddings, no capability content) (§1.4).
        task_embedding: feature extractor ``"trainable"``, ``"frozen"`` or ``"absent"``.
        lr, batch, epochs: Adam learning rate, batch size, epochs.
        lr_capability, lr_task, lr_scale: per-group Adam learning rates (Table 8 trains its
            generator and backbone at different rates [P]) for the capability table and its
            projection (or the slot embeddings), the task feature extractor, and the output
            scale λ; None uses ``lr``. Every other parameter (embeddings, encoder, weight head:
            the "generator") uses ``lr``.
        trials: independent trainings (seeds ``seed .. seed + trials − 1``) behind
            :func:`~hai_sim.capability.train_trials`'s median (5 in the paper [P], spec §2.3).
        logit_scale: ``"learnable"`` (logits ``s_f·exp(λ)``, E8' [R]), ``"paper"``
            (λ ≡ 0, the literal softmax of s_f) or a float 1/T > 0.
        scale_init: start of a learnable λ: a float λ0 (default 0.0, the spec's start, §2.3) or
            ``"calibrated"`` (temperature scaling of the untrained model's fusion on training
            data [R]). From λ = 0 the weights collapse to AI-only before λ grows in CPU-length
            runs, so the ``offline_cpu`` preset starts calibrated; the paper presets keep 0.
    """

    d: int = static(default=64)
    layers: int = static(default=2)
    heads: int = static(default=4)
    d_ff: int = static(default=256)
    d_cap: int = static(default=64)
    dropout: float = static(default=0.1)
    capability: str = static(default="learnable")
    task_embedding: str = static(default="trainable")
    lr: float = static(default=1e-3)
    batch: int = static(default=256)
    epochs: int = static(default=30)
    logit_scale: str | float = static(default="learnable")
    scale_init: str | float = static(default=0.0)
    lr_capability: float | None = static(default=None)
    lr_task: float | None = static(default=None)
    lr_scale: float | None = static(default=None)
    trials: int = static(default=1)

    def _validate(self):
        for name in ("d", "layers", "heads", "d_ff", "d_cap", "batch", "epochs", "trials"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise InputError(f"{name}={v!r} is outside the allowed range integers >= 1")
        if self.d % self.heads:
            raise InputError(f"heads={self.heads!r}: must divide d={self.d}")
        check_range("dropout", self.dropout, 0.0, 1.0, hi_open=True)
        check_range("lr", self.lr, 0.0, lo_open=True)
        for name in ("lr_capability", "lr_task", "lr_scale"):
            if getattr(self, name) is not None:
                check_range(name, getattr(self, name), 0.0, lo_open=True)
        check_choice("capability", self.capability, CAPABILITY_MODES)
        check_choice("task_embedding", self.task_embedding, TASK_EMBEDDINGS)
        if isinstance(self.logit_scale, str):
            check_choice("logit_scale", self.logit_scale, ("learnable", "paper"))
        else:
            check_range("logit_scale", self.logit_scale, 0.0, lo_open=True)
        if isinstance(self.scale_init, str):
            check_choice("scale_init", self.scale_init, ("calibrated",))
        else:
            check_range("scale_init", self.scale_init, -20.0, 20.0)
        return self


PRESETS: dict[str, dict] = {
    # Sec 3.3 defaults [P]; d_ff = 4d [R]; lr 1e-5, batch 64, 200 epochs, 5 trials [P].
    "paper_default": dict(d=512, layers=6, heads=8, d_ff=2048, d_cap=512, lr=1e-5, batch=64, epochs=200, trials=5),
    # Table 3: two fixed experts with 2-d codes [P].
    "two_expert": dict(d=512, layers=4, heads=8, d_ff=2048, d_cap=2, lr=1e-5, batch=64, epochs=200, trials=5),
    # Table 4 "Small" / "Large" [R, spec A13].
    "vocab_small": dict(d=16, layers=2, heads=2, d_ff=64, d_cap=16, lr=1e-5, batch=64, epochs=200, trials=5),
    "vocab_large": dict(d=512, layers=4, heads=8, d_ff=2048, d_cap=16, lr=1e-5, batch=64, epochs=200, trials=5),
    # Table 8 (CIFAR-10H / GalaxyZoo): generator 1e-4, backbone 1e-5, effective batch 128,
    # 50 epochs, 5 seeds [P]; the paper_default architecture [R].
    "table8": dict(d=512, layers=6, heads=8, d_ff=2048, d_cap=512, lr=1e-4, lr_task=1e-5, batch=128, epochs=50,
                   trials=5),
    # Synthetic reproductions on 2 CPU cores [R]: Adam 1e-3, batch 256, 30 epochs; λ starts
    # calibrated, since from 0 short runs collapse to AI-only weights (Table 5 analog ablation).
    "offline_cpu": dict(d=64, layers=2, heads=4, d_ff=256, d_cap=64, lr=1e-3, batch=256, epochs=30,
                        scale_init="calibrated"),
}


def config(preset: str = "offline_cpu", **overrides) -> Config:
    """The ``preset``'s :class:`Config` with ``overrides`` applied (validated)."""
    check_choice("preset", preset, tuple(PRESETS))
    return Config(**PRESETS[preset])._validate().replace(**overrides)
