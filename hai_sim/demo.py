"""The engine's demonstration experiment [X]: a phase diagram whose boundary is known exactly.

The order parameter ``P(x, y) = Phi((x + y - 1) / w)`` has its P = 1/2 contour on the line
``x + y = 1``. The experiment sweeps it over the unit square with :func:`hai_sim.engine.sweep`,
finds the crossing of each level along x for every y with the engine's vectorised bisection, and
compares the 0.5 crossing with the closed form ``x = 1 - y`` and the window width with
``2 w Phi^{-1}(0.8)``. It stands in for the model experiments until they are registered.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.stats import norm

from .engine.experiment import Result, Row, experiment
from .engine.phase import transition_window
from .engine.sweep import sweep

WIDTH = 0.05


def order_parameter(x, y, w=WIDTH):
    """``Phi((x + y - 1) / w)``: 0 below the line x + y = 1, 1 above, a band of width ~w.

    Written as ``erfc(-z / sqrt 2) / 2``, which is accurate in the lower tail (where the value is
    small) and several times faster on CPU than ``jax.scipy.stats.norm.cdf``'s piecewise form.
    """
    z = (x + y - 1.0) / w
    return 0.5 * jax.lax.erfc(-z / np.sqrt(2.0))


@experiment("engine.demo-phase", title="Engine demonstration: a phase diagram with a known boundary", tag="X")
def demo_phase(quick: bool = False) -> Result:
    """A closed-form phase diagram swept on a grid; its boundary checked against x + y = 1."""
    from . import plot

    n = 101 if quick else 401
    xs = np.linspace(0.0, 1.0, n)
    ys = np.linspace(0.0, 1.0, n)
    ds = sweep(order_parameter, {"x": xs, "y": ys}, progress=False, metadata={"w": WIDTH})
    lo, mid, hi = transition_window(lambda x, y: order_parameter(x, y), 0.0, 1.0, (0.2, 0.5, 0.8),
                                    args=(jnp.asarray(ys),))
    ds["x_0.2"] = ("y", np.asarray(lo))
    ds["x_0.5"] = ("y", np.asarray(mid))
    ds["x_0.8"] = ("y", np.asarray(hi))
    inside = (ys > 0.0) & (ys < 1.0)  # the 0.5 level is crossed inside [0, 1] only there
    err_boundary = float(np.nanmax(np.abs(np.asarray(mid)[inside] - (1.0 - ys[inside]))))
    ok = np.isfinite(lo) & np.isfinite(hi)
    width = float(np.median(np.asarray(hi)[ok] - np.asarray(lo)[ok]))
    exact_width = float(2 * WIDTH * norm.ppf(0.8))

    fig, (ax,) = plot.new_figure(1, width=4.8)
    plot.phase_diagram(ax, ds["order_parameter"].values, xs, ys, xlabel="x", ylabel="y", label="P")
    plot.overlay_curve(ax, 1 - ys, ys, "x + y = 1 (exact)", color="white", ls="--")
    plot.overlay_curve(ax, np.asarray(lo), ys, "P = 0.2 (bisection)", color="0.8", lw=0.8)
    plot.overlay_curve(ax, np.asarray(hi), ys, "P = 0.8 (bisection)", color="0.8", lw=0.8)
    ax.legend(fontsize=7, loc="lower left")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    plot.provenance_note(fig, "[X] engine demonstration; no paper values.")
    caption = (
        f"[X] Engine demonstration, not a paper figure. P(x, y) = Phi((x + y - 1)/{WIDTH}) swept on a "
        f"{n} x {n} grid; dashed: the exact boundary x + y = 1; grey: the 0.2 and 0.8 crossings from the "
        "engine's vectorised bisection."
    )
    table = [
        Row("max |x_0.5(y) - (1 - y)|", err_boundary, paper=0.0, tol=1e-12, tag="D", note="closed form"),
        Row("window width x_0.8 - x_0.2", width, paper=exact_width, tol=1e-12, tag="D",
            note="2 w Phi^-1(0.8), closed form"),
    ]
    return Result(data=ds, figure=fig, caption=caption, table=table)


__all__ = ["order_parameter", "demo_phase"]
