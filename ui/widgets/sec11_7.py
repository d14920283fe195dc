"""Section 11.7 widgets: AdaGrad on the book's quadratic (section demo), the rotated problem (11.7.2, also used by
11.8.2), Gershgorin discs (11.7.3, 11.7.4), a small deep network (11.7.5) and gentler rate decay (11.7.6)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import streamlit as st
import torch

from d2lcore.optim.adagrad import adagrad, effective_rate
from d2lcore.optim.gd import gd
from d2lcore.optim.momentum import ill_conditioned_quadratic
from d2lcore.optim.trajectory import trajectory
from solutions import variant_params
from solutions.ch11_s7 import NET, gershgorin, preconditioned, rotation_runs, train_net
from ui.charts import alt
from ui.i18n import t, translated
from ui.widgets import dataset_source, initial_value
from ui.widgets.optim_plot import contour_chart, loss_chart

X0 = torch.tensor([-5.0, -2.0], dtype=torch.float64)


def rotation_compare(key: str, initial: dict[str, Any], update, lr_default: float, **hyper) -> dict[str, Any]:
    """The optimiser on the original quadratic and on the pure 45° rotation mapped back (plus GD for reference)."""
    c1, c2 = st.columns(2)
    lr = c1.slider(t("w11_7_lr"), 0.05, 1.0, initial_value(initial, "lr", lr_default, 0.05, 1.0), 0.05,
                   key=f"{key}-lr")
    rotate = c2.toggle(t("w11_7_rotate"), bool(initial.get("rotate", True)), key=f"{key}-rotate")
    f = ill_conditioned_quadratic()
    runs = rotation_runs(update, 20, lr=lr, **hyper)
    paths = {t("w11_7_original"): runs["original"]}
    if rotate:
        paths[t("w11_7_pure")] = runs["pure"]
        gd_lr = min(lr, 0.45)
        g = rotation_runs(gd, 20, lr=gd_lr)
        gap = float((g["original"] - g["pure"]).abs().max())
        st.caption(t("w11_7_gd_gap", gap=f"{gap:.1e}", lr=gd_lr))
    st.altair_chart(contour_chart(f, paths), width="stretch")
    book = ill_conditioned_quadratic(rotated=True)
    k = st.columns(3)
    k[0].metric(t("w11_7_f_orig"), f"{float(f.f(runs['original'][-1])):.4g}")
    k[1].metric(t("w11_7_f_pure"), f"{float(f.f(runs['pure'][-1])):.4g}")
    k[2].metric(t("w11_7_f_book"), f"{float(book.f(runs['rotated'][-1])):.4g}")
    return {"lr": float(lr), "rotate": bool(rotate)}


def rotated_adagrad(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """AdaGrad, original against rotated (exercise 11.7.2)."""
    return rotation_compare(key, initial, adagrad, 0.4)


def _discs_chart(M: torch.Tensor, title: str) -> alt.LayerChart:
    centre, radius = gershgorin(M)
    phi = np.linspace(0, 2 * np.pi, 73)
    circles = pd.DataFrame([{"disc": f"j = {j + 1}", "k": i, "re": float(c) + float(r) * np.cos(p),
                             "im": float(r) * np.sin(p)} for j, (c, r) in enumerate(zip(centre, radius, strict=True))
                            for i, p in enumerate(phi)])
    eig = torch.linalg.eigvals(M)
    points = pd.DataFrame({"re": eig.real.numpy(), "im": eig.imag.numpy()})
    lines = alt.Chart(circles).mark_line().encode(x=alt.X("re:Q", title="Re"), y=alt.Y("im:Q", title="Im"),
                                                  color=alt.Color("disc:N", title=None), order="k:Q")
    dots = alt.Chart(points).mark_point(shape="cross", size=120, color="black").encode(x="re:Q", y="im:Q")
    return alt.layer(lines, dots).properties(height=260, title=title)


def gershgorin_discs(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Discs of the exercise's M with the off-diagonal part scaled by s, and the eigenvalues (exercise 11.7.3)."""
    s = st.slider(t("w11_7_offdiag"), 0.0, 3.0, initial_value(initial, "s", 1.0, 0.0, 3.0), 0.1, key=f"{key}-s")
    M = torch.tensor(variant_params("11.7.3", 0)["M"], dtype=torch.float64)
    D = torch.diag(torch.diagonal(M))
    Ms = D + s * (M - D)
    st.altair_chart(_discs_chart(Ms, t("w11_7_discs")), width="stretch")
    centre, radius = gershgorin(Ms)
    eig = torch.linalg.eigvals(Ms)
    inside = all(bool(((z - centre).abs() <= radius + 1e-9).any()) for z in eig)
    k = st.columns(2)
    k[0].metric(t("w11_7_bound"), f"{float((centre + radius).max()):.3g}")
    k[1].metric(t("w11_7_inside"), t("w11_7_yes") if inside else t("w11_7_no"))
    return {"s": float(s)}


def preconditioned_discs(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Discs before and after diag^{-1/2} M diag^{-1/2} (exercise 11.7.4)."""
    scale = st.slider(t("w11_7_scale"), 0.0, 3.0, initial_value(initial, "scale", 2.0, 0.0, 3.0), 0.5,
                      key=f"{key}-scale")
    M = torch.tensor(variant_params("11.7.4", 0)["M"], dtype=torch.float64)
    d = torch.tensor([10.0 ** (scale / 2), 1.0, 10.0 ** (-scale / 2)], dtype=torch.float64)
    d = d / torch.diagonal(M).sqrt()  # rescale coordinate j so that M_jj becomes 10^{±scale}
    Mx = d[:, None] * M * d[None, :]
    c1, c2 = st.columns(2)
    c1.altair_chart(_discs_chart(Mx, t("w11_7_before")), width="stretch")
    c2.altair_chart(_discs_chart(preconditioned(Mx), t("w11_7_after")), width="stretch")
    ev, evp = torch.linalg.eigvalsh(Mx), torch.linalg.eigvalsh(preconditioned(Mx))
    k = st.columns(2)
    k[0].metric(t("w11_7_kappa_before"), f"{float(ev[-1] / ev[0]):.3g}")
    k[1].metric(t("w11_7_kappa_after"), f"{float(evp[-1] / evp[0]):.3g}")
    return {"scale": float(scale)}


@st.cache_data(max_entries=16, show_spinner=False)
def _net_cached(optimizer: str, lr: float, epochs: int) -> dict:
    bar = st.progress(0.0, text=f"0 / {epochs}")
    return train_net(optimizer, lr, epochs, NET["batch_size"], NET["n_train"], NET["n_test"],
                     callback=lambda e, h: bar.progress(e / epochs, text=f"{e} / {epochs}"))


def deep_network(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """SGD against AdaGrad on the small network, cached per configuration (exercise 11.7.5)."""
    rates = [0.01, 0.03, 0.1, 0.3]
    c1, c2 = st.columns(2)
    lr = c1.select_slider(t("w11_7_lr"), rates, initial.get("lr", 0.1) if initial.get("lr") in rates else 0.1,
                          key=f"{key}-lr")
    epochs = c2.slider(t("w11_7_epochs"), 2, 16, initial_value(initial, "epochs", NET["epochs"], 2, 16),
                       key=f"{key}-epochs")
    runs = {}
    with st.status(t("w11_7_training"), expanded=False) as status:
        for name in ("sgd", "adagrad"):
            runs[name] = _net_cached(name, float(lr), int(epochs))
        status.update(label=t("w11_7_trained"), state="complete")
    st.caption(dataset_source(runs["sgd"]["name"]))
    label = translated("w11_7_opt_")
    st.altair_chart(loss_chart({label(n): r["train_loss"] for n, r in runs.items()}, log=True,
                               x_title=t("w11_7_epoch"), y_title=t("w11_7_train_loss")), width="stretch")
    k = st.columns(2)
    for col, name in zip(k, runs, strict=True):
        col.metric(t("w11_7_acc", opt=label(name)), f"{runs[name]['test_acc'][-1]:.3f}")
    return {"lr": float(lr), "epochs": int(epochs)}


def gentler_decay(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """The rate η/(Σ g² + ε)^p of AdaGrad (p = ½), a smaller power, and RMSProp's leaky average (exercise 11.7.6)."""
    c1, c2 = st.columns(2)
    p = c1.slider(t("w11_7_power"), 0.1, 0.5, initial_value(initial, "p", 0.25, 0.1, 0.5), 0.05, key=f"{key}-p")
    gamma = c2.slider(t("w11_7_gamma"), 0.5, 0.999, initial_value(initial, "gamma", 0.9, 0.5, 0.999), 0.001,
                      key=f"{key}-gamma")
    gen = torch.Generator().manual_seed(0)
    g = 1.0 + 0.3 * torch.randn(500, generator=gen, dtype=torch.float64)  # gradients of size about 1
    s_leaky = torch.zeros(501, dtype=torch.float64)
    for i in range(500):
        s_leaky[i + 1] = gamma * s_leaky[i] + (1 - gamma) * g[i] ** 2
    series = {"AdaGrad (p = 0.5)": effective_rate(g, 1.0), f"p = {p:g}": effective_rate(g, 1.0, power=p),
              f"RMSProp (γ = {gamma:g})": 1.0 / (s_leaky[1:] + 1e-6).sqrt()}
    st.altair_chart(loss_chart(series, log=True, y_title="ηₜ / η"), width="stretch")
    st.caption(t("w11_7_decay_caption"))
    return {"p": float(p), "gamma": float(gamma)}


def section_demo(key: str) -> None:
    """AdaGrad against gradient descent on 0.1x₁² + 2x₂² (the section's figure), with the learner's η."""
    lr = st.slider(t("w11_7_lr"), 0.1, 2.0, 0.4, 0.1, key=f"{key}-lr")
    f = ill_conditioned_quadratic()
    paths = {"AdaGrad": trajectory(adagrad, f.grad, X0, 20, lr=lr), t("w11_7_gd"): trajectory(gd, f.grad, X0, 20,
                                                                                              lr=min(lr, 0.45))}
    st.altair_chart(contour_chart(f, paths), width="stretch")
    st.caption(t("w11_7_demo_caption"))
