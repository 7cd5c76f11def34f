"""A user's own experiment module (loaded through HAI_SIM_EXPERIMENTS) for the CLI tests."""

import numpy as np
import xarray as xr

from hai_sim import plot
from hai_sim.engine.experiment import Result, Row, experiment


def parabola(x, c=0.0):
    return x**2 + c


@experiment("usertest.tiny", title="A tiny user experiment", tag="X")
def tiny(quick: bool = False) -> Result:
    """Squares on a grid; one matching and one mismatching row."""
    xs = np.linspace(0, 1, 5 if quick else 9)
    ds = xr.Dataset({"y": ("x", xs**2)}, coords={"x": xs})
    fig, (ax,) = plot.new_figure(1)
    ax.plot(xs, xs**2)
    return Result(ds, fig, "[X] squares.", [Row("y(1)", 1.0, paper=1.0, tol=0.0, tag="D"),
                                             Row("y(0.5)", 0.25, paper=0.3, tol=0.01, tag="P")])


@experiment("usertest.broken", title="An experiment that fails", tag="X")
def broken(quick: bool = False) -> Result:
    """Raises, to show that one failure does not hide the other experiments."""
    raise RuntimeError("deliberate failure")


@experiment("usertest.buggy", title="An experiment with a programming bug", tag="X")
def buggy(quick: bool = False) -> Result:
    """A broadcasting error (a ValueError that is not bad input): the CLI must keep its traceback."""
    return np.ones(3) + np.ones(4)
