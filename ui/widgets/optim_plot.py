"""Charts shared by the chapter-11 widgets: contour lines of a 2-D objective with optimizer trajectories on top, the
1-D curve with its iterates, and loss against step. Every chart is built from a DataFrame (Altair has no contour
mark, so `contour_segments` runs a small vectorised marching squares)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import pandas as pd
import torch

from d2lcore.optim.objectives import Objective2D
from ui.charts import alt

# the four crossing edges of a grid cell, in order bottom, right, top, left; pairs that a 2-crossing cell joins
_PAIRS = [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)]


def _grid(objective: Objective2D, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    xs = np.linspace(*objective.xlim, n)
    ys = np.linspace(*objective.ylim, n)
    X, Y = np.meshgrid(xs, ys)  # (n, n): row i ↔ y_i, column j ↔ x_j
    Z = objective.f(torch.from_numpy(np.stack([X, Y], -1))).numpy()
    return xs, ys, Z


def _crossing(za: np.ndarray, zb: np.ndarray, c: float) -> np.ndarray:
    """Fraction along an edge from za to zb where f = c; NaN where the edge does not cross c."""
    with np.errstate(divide="ignore", invalid="ignore"):
        s = (c - za) / (zb - za)
    return np.where((za > c) != (zb > c), s, np.nan)


def contour_segments(xs: np.ndarray, ys: np.ndarray, Z: np.ndarray, levels: Sequence[float]) -> pd.DataFrame:
    """Line segments (x, y, x2, y2, level) of the level sets {f = c} of a grid Z[i, j] = f(xs[j], ys[i])."""
    z00, z01, z10, z11 = Z[:-1, :-1], Z[:-1, 1:], Z[1:, :-1], Z[1:, 1:]  # (ny-1, nx-1) cell corners
    x0, x1 = np.broadcast_to(xs[None, :-1], z00.shape), np.broadcast_to(xs[None, 1:], z00.shape)
    y0, y1 = np.broadcast_to(ys[:-1, None], z00.shape), np.broadcast_to(ys[1:, None], z00.shape)
    parts: list[np.ndarray] = []
    for c in levels:
        sb, sr, st_, sl = (_crossing(za, zb, c) for za, zb in [(z00, z01), (z01, z11), (z10, z11), (z00, z10)])
        px = [x0 + sb * (x1 - x0), x1, x0 + st_ * (x1 - x0), x0]  # crossing points on bottom, right, top, left
        py = [y0, y0 + sr * (y1 - y0), y1, y0 + sl * (y1 - y0)]
        hit = [~np.isnan(s) for s in (sb, sr, st_, sl)]
        count = hit[0].astype(int) + hit[1] + hit[2] + hit[3]
        pairs = [(p, q, hit[p] & hit[q] & (count == 2)) for p, q in _PAIRS]
        pairs += [(0, 1, count == 4), (2, 3, count == 4)]  # saddle cells: either pairing draws a valid level set
        for p, q, m in pairs:
            if m.any():
                parts.append(np.stack([px[p][m], py[p][m], px[q][m], py[q][m], np.full(m.sum(), float(c))], 1))
    data = np.concatenate(parts) if parts else np.zeros((0, 5))
    return pd.DataFrame(data, columns=["x", "y", "x2", "y2", "level"])


def _levels(Z: np.ndarray, levels: int | Sequence[float]) -> list[float]:
    if isinstance(levels, int):  # quantiles of f on the grid: evenly spread lines whatever the range of f
        return sorted(set(np.quantile(Z, np.linspace(0.02, 0.9, levels) ** 1.5).tolist()))
    return list(levels)


def _contours(name: str, xlim: tuple, ylim: tuple, grid: int, levels: int | tuple, objective: Objective2D
              ) -> pd.DataFrame:
    return _contours_cached(name, xlim, ylim, grid, levels, _Unhashed(objective))


class _Unhashed:
    """Wraps the objective so the cache key is its name and window (the name spells out its parameters)."""

    def __init__(self, objective: Objective2D) -> None:
        self.objective = objective

    def __hash__(self) -> int:
        return 0

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Unhashed)


@lru_cache(maxsize=32)
def _contours_cached(name: str, xlim: tuple, ylim: tuple, grid: int, levels: int | tuple,
                     wrapped: _Unhashed) -> pd.DataFrame:
    xs, ys, Z = _grid(wrapped.objective, grid)
    return contour_segments(xs, ys, Z, _levels(Z, levels))


def paths_frame(paths: dict[str, np.ndarray | torch.Tensor], xlim: tuple[float, float],
                ylim: tuple[float, float]) -> pd.DataFrame:
    """Long frame (path, step, x, y) of trajectories (n, 2); points outside 3× the window or non-finite are dropped."""
    rows = []
    for name, p in paths.items():
        a = np.asarray(p.detach() if isinstance(p, torch.Tensor) else p, dtype=float).reshape(-1, 2)
        rows.append(pd.DataFrame({"path": name, "step": np.arange(len(a)), "x": a[:, 0], "y": a[:, 1]}))
    frame = pd.concat(rows, ignore_index=True)
    wx, wy = xlim[1] - xlim[0], ylim[1] - ylim[0]
    keep = np.isfinite(frame[["x", "y"]]).all(axis=1)
    keep &= frame.x.between(xlim[0] - wx, xlim[1] + wx) & frame.y.between(ylim[0] - wy, ylim[1] + wy)
    return frame[keep]


def contour_chart(objective: Objective2D, paths: dict[str, np.ndarray | torch.Tensor],
                  levels: int | Sequence[float] = 12, grid: int = 60, height: int = 360) -> alt.LayerChart:
    """Contour lines of f over the objective's window plus one trajectory (line + points) per path, with a legend."""
    seg = _contours(objective.name, objective.xlim, objective.ylim, grid,
                    levels if isinstance(levels, int) else tuple(levels), objective)
    x_scale = alt.Scale(domain=list(objective.xlim), clamp=False, nice=False)
    y_scale = alt.Scale(domain=list(objective.ylim), clamp=False, nice=False)
    contours = alt.Chart(seg).mark_rule(opacity=0.6, strokeWidth=1, clip=True).encode(
        x=alt.X("x:Q", scale=x_scale, title="x₁"), y=alt.Y("y:Q", scale=y_scale, title="x₂"), x2="x2:Q", y2="y2:Q",
        color=alt.Color("level:Q", scale=alt.Scale(scheme="greys", reverse=True), legend=None))
    frame = paths_frame(paths, objective.xlim, objective.ylim)
    enc = dict(x=alt.X("x:Q", scale=x_scale), y=alt.Y("y:Q", scale=y_scale),
               color=alt.Color("path:N", title=None, legend=alt.Legend(orient="bottom")))
    lines = alt.Chart(frame).mark_line(clip=True, strokeWidth=2, point=alt.OverlayMarkDef(size=25)).encode(
        order="step:Q", tooltip=["path:N", "step:Q", alt.Tooltip("x:Q", format=".4f"),
                                 alt.Tooltip("y:Q", format=".4f")], **enc)
    best = pd.DataFrame({"x": [float(objective.minimum[0])], "y": [float(objective.minimum[-1])]})
    star = alt.Chart(best).mark_point(shape="cross", size=120, color="#d62728", clip=True).encode(
        x=alt.X("x:Q", scale=x_scale), y=alt.Y("y:Q", scale=y_scale))
    return alt.layer(contours, lines, star).resolve_scale(color="independent").properties(height=height)


def curve_chart(objective: Objective2D, paths: dict[str, np.ndarray | torch.Tensor],
                height: int = 300) -> alt.LayerChart:
    """A 1-D objective (shapes (..., 1)): the curve f(x) with each path's iterates (x_t, f(x_t)) on it."""
    xs = torch.linspace(*objective.xlim, 400, dtype=torch.float64).unsqueeze(-1)
    curve = pd.DataFrame({"x": xs[:, 0].numpy(), "f": objective.f(xs).numpy()})
    rows = []
    for name, p in paths.items():
        x = torch.as_tensor(np.asarray(p, dtype=float)).reshape(-1, 1)
        rows.append(pd.DataFrame({"path": name, "step": np.arange(len(x)), "x": x[:, 0].numpy(),
                                  "f": objective.f(x).numpy()}))
    frame = pd.concat(rows, ignore_index=True)
    frame = frame[np.isfinite(frame[["x", "f"]]).all(axis=1) & frame.x.between(*objective.xlim)]
    x_scale = alt.Scale(domain=list(objective.xlim), nice=False)
    line = alt.Chart(curve).mark_line(color="#888").encode(x=alt.X("x:Q", scale=x_scale, title="x"),
                                                           y=alt.Y("f:Q", title="f(x)"))
    enc = dict(x=alt.X("x:Q", scale=x_scale), y="f:Q", color=alt.Color("path:N", title=None,
                                                                        legend=alt.Legend(orient="bottom")))
    path = alt.Chart(frame).mark_line(point=True, strokeDash=[4, 3], clip=True).encode(
        order="step:Q", tooltip=["path:N", "step:Q", alt.Tooltip("x:Q", format=".4f")], **enc)
    return alt.layer(line, path).properties(height=height)


def loss_chart(losses: dict[str, np.ndarray | torch.Tensor | Sequence[float]], log: bool = False,
               x_title: str = "step", y_title: str = "f(x)", height: int = 240) -> alt.Chart:
    """One line per series: value against step. log=True uses a log y-axis (non-positive values are dropped)."""
    rows = []
    for name, v in losses.items():
        a = np.asarray(v.detach() if isinstance(v, torch.Tensor) else v, dtype=float).reshape(-1)
        rows.append(pd.DataFrame({"series": name, "step": np.arange(len(a)), "value": a}))
    frame = pd.concat(rows, ignore_index=True)
    frame = frame[np.isfinite(frame.value) & ((frame.value > 0) if log else True)]
    scale = alt.Scale(type="log") if log else alt.Scale()
    return alt.Chart(frame).mark_line().encode(
        x=alt.X("step:Q", title=x_title), y=alt.Y("value:Q", scale=scale, title=y_title),
        color=alt.Color("series:N", title=None, legend=alt.Legend(orient="bottom")),
        tooltip=["series:N", "step:Q", alt.Tooltip("value:Q", format=".4g")]).properties(height=height)
