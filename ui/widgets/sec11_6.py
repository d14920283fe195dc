"""Section 11.6 widgets: the stability region of momentum (section demo), learning rate and momentum on the book's
quadratic (11.6.1), per-coordinate decay (11.6.2) and the noise floor of SGD with momentum (11.6.4)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import streamlit as st
import torch

from d2lcore.optim.gd import gd
from d2lcore.optim.momentum import effective_lr, ill_conditioned_quadratic, momentum, momentum_stable, spectral_radius
from d2lcore.optim.trajectory import trajectory
from solutions.ch11_s6 import LAM_MAX, decay_rates, noise_floor
from ui.charts import alt
from ui.i18n import t
from ui.widgets import initial_value
from ui.widgets.optim_plot import contour_chart, loss_chart

X0 = torch.tensor([-5.0, -2.0], dtype=torch.float64)


def _verdict(ok: bool) -> str:
    return t("w11_6_converges") if ok else t("w11_6_diverges")


def lr_momentum(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """GD and momentum on 0.1x₁² + 2x₂² with the learner's η and β (exercise 11.6.1)."""
    c1, c2, c3 = st.columns(3)
    lr = c1.slider(t("w11_6_lr"), 0.05, 1.0, initial_value(initial, "lr", 0.6, 0.05, 1.0), 0.05, key=f"{key}-lr")
    beta = c2.slider(t("w11_6_beta"), 0.0, 0.95, initial_value(initial, "beta", 0.5, 0.0, 0.95), 0.05,
                     key=f"{key}-beta")
    steps = c3.slider(t("w11_6_steps"), 5, 60, initial_value(initial, "steps", 20, 5, 60), key=f"{key}-steps")
    f = ill_conditioned_quadratic()
    paths = {t("w11_6_gd"): trajectory(gd, f.grad, X0, steps, lr=lr),
             t("w11_6_momentum"): trajectory(momentum, f.grad, X0, steps, lr=lr, beta=beta)}
    st.altair_chart(contour_chart(f, paths), width="stretch")
    k = st.columns(4)
    k[0].metric(t("w11_6_gd"), _verdict(momentum_stable(lr, 0.0, LAM_MAX)))
    k[1].metric(t("w11_6_momentum"), _verdict(momentum_stable(lr, beta, LAM_MAX)))
    k[2].metric(t("w11_6_lr_max"), f"{(2 + 2 * beta) / LAM_MAX:.3g}")
    k[3].metric(t("w11_6_eff_lr"), f"{effective_lr(lr, beta):.3g}")
    final = {name: float(f.f(p[-1])) for name, p in paths.items()}
    st.caption(t("w11_6_final", gd=f"{final[t('w11_6_gd')]:.3g}", mom=f"{final[t('w11_6_momentum')]:.3g}"))
    return {"lr": float(lr), "beta": float(beta), "steps": int(steps)}


def eigen_decay(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """|x_i(t)| for every coordinate of ½ Σ 2⁻ⁱ xᵢ² under GD and momentum (exercise 11.6.2)."""
    c1, c2, c3 = st.columns(3)
    d = c1.slider(t("w11_6_dim"), 2, 12, initial_value(initial, "d", 8, 2, 12), key=f"{key}-d")
    lr = c2.slider(t("w11_6_lr"), 0.1, 3.0, initial_value(initial, "lr", 1.0, 0.1, 3.0), 0.1, key=f"{key}-lr")
    beta = c3.slider(t("w11_6_beta"), 0.0, 0.99, initial_value(initial, "beta", 0.9, 0.0, 0.99), 0.01,
                     key=f"{key}-beta")
    lam = 2.0 ** -torch.arange(1, d + 1, dtype=torch.float64)  # (d,)

    def grad(x: torch.Tensor) -> torch.Tensor:
        return lam * x

    x0 = torch.ones(d, dtype=torch.float64)
    runs = {t("w11_6_gd"): trajectory(gd, grad, x0, 100, lr=lr), t("w11_6_momentum"): trajectory(
        momentum, grad, x0, 100, lr=lr, beta=beta)}
    series = {f"{name}, i = {i}": runs[name][:, i - 1].abs() for name in runs for i in (1, d // 2, d)}
    st.altair_chart(loss_chart(series, log=True, y_title="|xᵢ(t)|"), width="stretch")
    gd_rate, mom_rate = decay_rates(d, lr, beta)
    k = st.columns(2)
    k[0].metric(t("w11_6_rate_gd"), f"{gd_rate[-1]:.5f}")
    k[1].metric(t("w11_6_rate_mom"), f"{mom_rate[-1]:.5f}")
    return {"d": int(d), "lr": float(lr), "beta": float(beta)}


def noisy_momentum(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Noise floor of SGD with momentum against plain SGD (exercise 11.6.4), 300 chains at once."""
    c1, c2, c3 = st.columns(3)
    lr = c1.select_slider(t("w11_6_lr"), [0.005, 0.01, 0.02, 0.05, 0.1, 0.2], initial_value(initial, "lr", 0.05),
                          key=f"{key}-lr")
    beta = c2.slider(t("w11_6_beta"), 0.0, 0.95, initial_value(initial, "beta", 0.9, 0.0, 0.95), 0.05,
                     key=f"{key}-beta")
    sigma = c3.slider(t("w11_6_sigma"), 0.0, 3.0, initial_value(initial, "sigma", 1.0, 0.0, 3.0), 0.25,
                      key=f"{key}-sigma")
    common = dict(sigma=sigma, chains=300, steps=300, burn=100)
    sgd_floor, mom_floor = noise_floor(lr, 0.0, **common), noise_floor(lr, beta, **common)
    eff_floor = noise_floor(lr * (1 - beta), beta, **common)
    k = st.columns(4)
    k[0].metric(t("w11_6_floor_sgd"), f"{sgd_floor:.4f}")
    k[1].metric(t("w11_6_floor_mom"), f"{mom_floor:.4f}")
    k[2].metric(t("w11_6_floor_ratio"), f"{mom_floor / sgd_floor:.2f}" if sgd_floor > 0 else "—")
    k[3].metric(t("w11_6_floor_eff"), f"{eff_floor:.4f}")
    st.caption(t("w11_6_noise_caption", inv=f"{1 / (1 - beta):.3g}"))
    return {"lr": float(lr), "beta": float(beta), "sigma": float(sigma)}


@st.cache_data(max_entries=4, show_spinner=False)
def _stability_grid() -> pd.DataFrame:
    """Spectral radius on a grid of (ηλ, β) and whether 60 simulated steps of momentum on λx²/2 blew up."""
    eta_lam, beta = np.meshgrid(np.linspace(0.05, 4.5, 46), np.linspace(0.0, 0.95, 20))
    rho = spectral_radius(eta_lam, beta)
    x = torch.ones(eta_lam.shape, dtype=torch.float64)
    el, b = torch.from_numpy(eta_lam), torch.from_numpy(beta)
    xs = trajectory(momentum, lambda z: z, x, 400, lr=el, beta=b)  # λ = 1, η = ηλ: one chain per grid point
    grew = (xs[-1].abs() > 1.0).numpy()
    return pd.DataFrame({"eta_lam": eta_lam.ravel(), "beta": beta.ravel(), "rho": np.minimum(rho, 1.5).ravel(),
                         "simulated": np.where(grew, "diverged", "converged").ravel()})


def section_demo(key: str) -> None:
    """The stability region 0 < ηλ < 2 + 2β over (ηλ, β), coloured by the spectral radius, with simulated runs."""
    frame = _stability_grid()
    frame = frame.assign(simulated=frame.simulated.map({"diverged": t("w11_6_sim_div"),
                                                        "converged": t("w11_6_sim_conv")}))
    heat = alt.Chart(frame).mark_rect().encode(
        x=alt.X("eta_lam:Q", bin=alt.Bin(maxbins=46), title="ηλ"), y=alt.Y("beta:Q", bin=alt.Bin(maxbins=20),
                                                                            title="β"),
        color=alt.Color("rho:Q", scale=alt.Scale(scheme="redblue", reverse=True, domainMid=1.0),
                        title=t("w11_6_rho")), tooltip=["eta_lam:Q", "beta:Q", "rho:Q", "simulated:N"])
    line = pd.DataFrame({"beta": np.linspace(0, 0.95, 20)}).assign(eta_lam=lambda d: 2 + 2 * d.beta)
    bound = alt.Chart(line).mark_line(color="black", strokeDash=[6, 3]).encode(x="eta_lam:Q", y="beta:Q")
    st.altair_chart(alt.layer(heat, bound).properties(height=300), width="stretch")
    agree = ((frame.rho < 1) == (frame.simulated == t("w11_6_sim_conv"))).mean()
    st.metric(t("w11_6_agree"), f"{100 * agree:.1f}%")
    st.caption(t("w11_6_demo_caption"))
