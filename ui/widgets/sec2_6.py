"""Section 2.6 widgets: running dice estimates (2.6.1), union/intersection bounds on a to-scale Venn strip (2.6.2),
a two-state Markov chain (2.6.3) and, as the section demo and for 2.6.4, the Bayes calculator of the HIV tests."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from d2lcore import probability as prob
from ui.charts import alt
from ui.i18n import t
from ui.widgets import initial_value

BOOK_HIV = {"prior": 0.0015, "s1": 1.0, "f1": 0.01, "s2": 0.98, "f2": 0.03, "rho": 0.5}
BOOK_CHAIN = {"a": 0.3, "b0": 0.2, "b1": 0.7, "c0": 0.1, "c1": 0.6}
MAX_CHART_POINTS = 300  # x positions per line: a 5000-group run is thinned, the last group is always kept


# --- 2.6.4 and the section demo: Bayes' theorem for two HIV tests --------------------------------------------------

def _hiv_controls(key: str, initial: dict[str, Any]) -> dict[str, float]:
    c0, c1, c2 = st.columns(3)
    prior = c0.number_input(t("w2_6_prior"), 0.0001, 0.5, initial_value(initial, "prior", BOOK_HIV["prior"], 1e-4, 0.5),
                            step=0.0005, format="%.4f", key=f"{key}-prior")
    c1.markdown(f"**{t('w2_6_test1')}**")
    s1 = c1.slider(t("w2_6_sens"), 0.5, 1.0, initial_value(initial, "s1", BOOK_HIV["s1"], 0.5, 1.0), 0.005,
                   format="%.3f", key=f"{key}-s1")
    f1 = c1.slider(t("w2_6_fpr"), 0.001, 0.3, initial_value(initial, "f1", BOOK_HIV["f1"], 0.001, 0.3), 0.001,
                   format="%.3f", key=f"{key}-f1")
    c2.markdown(f"**{t('w2_6_test2')}**")
    s2 = c2.slider(t("w2_6_sens"), 0.5, 1.0, initial_value(initial, "s2", BOOK_HIV["s2"], 0.5, 1.0), 0.005,
                   format="%.3f", key=f"{key}-s2")
    f2 = c2.slider(t("w2_6_fpr"), 0.001, 0.3, initial_value(initial, "f2", BOOK_HIV["f2"], 0.001, 0.3), 0.001,
                   format="%.3f", key=f"{key}-f2")
    rho = st.slider(t("w2_6_rho"), 0.0, 1.0, initial_value(initial, "rho", BOOK_HIV["rho"], 0.0, 1.0), 0.01,
                    help=t("w2_6_rho_help"), key=f"{key}-rho")
    return {"prior": float(prior), "s1": float(s1), "f1": float(f1), "s2": float(s2), "f2": float(f2),
            "rho": float(rho)}


def _rho_chart(p: dict[str, float], post12: float, rho_star: float) -> alt.Chart:
    rhos = np.linspace(0, 1, 101)
    curve = pd.DataFrame({"rho": rhos, "posterior": [prob.posterior_repeat(p["prior"], p["s1"], p["f1"], r)
                                                     for r in rhos]})
    line = alt.Chart(curve).mark_line(strokeWidth=3, color="#1f77b4").encode(
        x=alt.X("rho:Q", title=t("w2_6_axis_rho")), y=alt.Y("posterior:Q", title=t("w2_6_axis_post"),
                                                             scale=alt.Scale(domain=[0, 1])),
        tooltip=[alt.Tooltip("rho:Q", format=".2f"), alt.Tooltip("posterior:Q", format=".4f")])
    level = alt.Chart(pd.DataFrame({"y": [post12], "who": [t("w2_6_plan12")]})).mark_rule(
        strokeDash=[6, 4], color="#ff7f0e", strokeWidth=2).encode(y="y:Q", tooltip=["who:N",
                                                                                  alt.Tooltip("y:Q", format=".4f")])
    now = alt.Chart(pd.DataFrame({"rho": [p["rho"]]})).mark_rule(color="#444").encode(x="rho:Q")
    layers = [line, level, now]
    if 0 < rho_star < 1:
        layers.append(alt.Chart(pd.DataFrame({"rho": [rho_star], "posterior": [post12]})).mark_point(
            size=120, filled=True, color="#d62728").encode(x="rho:Q", y="posterior:Q"))
    return alt.layer(*layers).properties(height=240)


def _natural_frequencies(p: dict[str, float], people: int = 100_000) -> pd.DataFrame:
    """Expected counts among `people`: who is positive under each plan, infected vs healthy."""
    sick, healthy = p["prior"] * people, (1 - p["prior"]) * people
    plans = {
        t("w2_6_plan1"): (p["s1"], p["f1"]),
        t("w2_6_plan12"): (p["s1"] * p["s2"], p["f1"] * p["f2"]),
        t("w2_6_plan11"): (prob.repeat_positive_rate(p["s1"], p["rho"]), prob.repeat_positive_rate(p["f1"], p["rho"])),
    }
    rows = [{t("w2_6_col_plan"): name, t("w2_6_col_sick"): round(ps * sick, 1),
             t("w2_6_col_healthy"): round(pf * healthy, 1),
             t("w2_6_col_post"): round(ps * sick / (ps * sick + pf * healthy), 4)} for name, (ps, pf) in plans.items()]
    return pd.DataFrame(rows)


def _bayes_calculator(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    p = _hiv_controls(key, initial)
    post1 = prob.posterior(p["prior"], p["s1"], p["f1"])
    post12 = prob.posterior_two_tests(p["prior"], p["s1"], p["f1"], p["s2"], p["f2"])
    post11 = prob.posterior_repeat(p["prior"], p["s1"], p["f1"], p["rho"])
    rho_star = prob.break_even_correlation(p["s1"], p["f1"], p["s2"], p["f2"])
    m1, m2, m3 = st.columns(3)
    m1.metric(t("w2_6_post1"), f"{post1:.4f}")
    m2.metric(t("w2_6_post12"), f"{post12:.4f}", delta=f"{post12 - post1:+.4f}")
    m3.metric(t("w2_6_post11", rho=f"{p['rho']:.2f}"), f"{post11:.4f}", delta=f"{post11 - post12:+.4f}",
              help=t("w2_6_post11_help"))
    st.altair_chart(_rho_chart(p, post12, rho_star), width="stretch")
    if rho_star <= 0:
        st.caption(t("w2_6_verdict_test2_always"))
    else:
        better = t("w2_6_plan12") if p["rho"] > rho_star else t("w2_6_plan11")
        st.caption(t("w2_6_verdict", rho_star=f"{rho_star:.4f}", better=better))
    st.markdown(t("w2_6_freq_heading"))
    st.dataframe(_natural_frequencies(p), hide_index=True)
    return p


def hiv_tests(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Posterior after test 1, after tests 1 and 2, and after test 1 repeated with correlation ρ (exercise 2.6.4)."""
    return _bayes_calculator(key, initial)


def section_demo(key: str) -> None:
    """The section's live demo: the Bayes calculator of the book's HIV example."""
    st.caption(t("w2_6_demo_intro"))
    _bayes_calculator(key, {})


# --- 2.6.1: running estimates of a fair die ------------------------------------------------------------------------

@st.cache_data(max_entries=32, show_spinner=False)
def _dice_frame(m: int, n: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    estimates = prob.roll_dice(m, n, seed)  # (m, 6)
    keep = np.unique(np.concatenate([np.linspace(0, m - 1, min(m, MAX_CHART_POINTS)).round().astype(int), [m - 1]]))
    groups = keep + 1
    lines = pd.DataFrame({"group": np.repeat(groups, 6), "face": np.tile(np.arange(1, 7), len(keep)),
                          "estimate": estimates[keep].ravel()})
    se = prob.standard_error(1 / 6, groups * n)
    band = pd.DataFrame({"group": groups, "low": 1 / 6 - 2 * se, "high": 1 / 6 + 2 * se})
    return lines, band, estimates[-1]


def dice_running_estimates(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """m groups × n rolls of a fair die: running estimates of the six faces inside the ±2·se band (exercise 2.6.1)."""
    c1, c2, c3 = st.columns(3)
    m = c1.slider(t("w2_6_m"), 1, 5000, initial_value(initial, "m", 500, 1, 5000), key=f"{key}-m")
    n = c2.slider(t("w2_6_n"), 1, 200, initial_value(initial, "n", 10, 1, 200), key=f"{key}-n")
    seed = c3.number_input(t("w2_6_seed"), 0, 9999, initial_value(initial, "seed", 0, 0, 9999), key=f"{key}-seed")
    lines, band, final = _dice_frame(int(m), int(n), int(seed))
    x = alt.X("group:Q", title=t("w2_6_axis_groups"))
    area = alt.Chart(band).mark_area(opacity=0.2, color="#888").encode(x=x, y=alt.Y("low:Q", title=t(
        "w2_6_axis_estimate"), scale=alt.Scale(domain=[0, 0.5], clamp=True)), y2="high:Q")
    curves = alt.Chart(lines).mark_line(strokeWidth=1.5).encode(
        x=x, y="estimate:Q", color=alt.Color("face:N", title=t("w2_6_face"), scale=alt.Scale(scheme="category10")))
    truth = alt.Chart(pd.DataFrame({"y": [1 / 6]})).mark_rule(strokeDash=[4, 4], color="#000").encode(y="y:Q")
    st.altair_chart((area + curves + truth).properties(height=260), width="stretch")
    N = int(m) * int(n)
    se = float(prob.standard_error(1 / 6, N))
    inside = int((np.abs(final - 1 / 6) <= 2 * se).sum())
    k1, k2, k3 = st.columns(3)
    k1.metric(t("w2_6_total"), f"{N:,}")
    k2.metric(t("w2_6_se"), f"{se:.4f}")
    k3.metric(t("w2_6_maxdev"), f"{np.abs(final - 1 / 6).max():.4f}")
    st.caption(t("w2_6_dice_caption", inside=inside, N=f"{N:,}"))
    return {"m": int(m), "n": int(n), "seed": int(seed)}


# --- 2.6.2: bounds on the union and the intersection ---------------------------------------------------------------

def _strip_picture(pA: float, pB: float, c: float) -> alt.Chart:
    """A Venn diagram on a line, areas to scale: Ω = [0, 1], A = [0, pA], B shifted so that |A ∩ B| = c."""
    b_start = pA - c
    rows = [(t("w2_6_omega"), 0.0, 1.0), ("A", 0.0, pA), ("B", b_start, b_start + pB), ("A ∩ B", b_start, pA),
            ("A ∪ B", 0.0, max(pA, b_start + pB))]
    data = pd.DataFrame([{"row": r, "start": s, "end": e, "length": round(e - s, 4)} for r, s, e in rows])
    order = [r for r, _, _ in rows]
    return alt.Chart(data).mark_bar(height=22).encode(
        x=alt.X("start:Q", title=None, scale=alt.Scale(domain=[0, 1])), x2="end:Q",
        y=alt.Y("row:N", sort=order, title=None),
        color=alt.Color("row:N", sort=order, legend=None,
                        scale=alt.Scale(range=["#dddddd", "#1f77b4", "#ff7f0e", "#9467bd", "#2ca02c"])),
        tooltip=["row:N", "length:Q"]).properties(height=alt.Step(30))


def _range_chart(pA: float, pB: float, union: float, inter: float) -> alt.Chart:
    """The feasible interval of P(A ∪ B) and of P(A ∩ B) (green) with the current value (black tick)."""
    (u_lo, u_hi), (i_lo, i_hi) = prob.union_bounds(pA, pB), prob.intersection_bounds(pA, pB)
    data = pd.DataFrame([{"what": "P(A ∪ B)", "low": u_lo, "high": u_hi, "now": union},
                         {"what": "P(A ∩ B)", "low": i_lo, "high": i_hi, "now": inter}])
    y = alt.Y("what:N", title=None, sort=["P(A ∪ B)", "P(A ∩ B)"])
    span = alt.Chart(data).mark_bar(height=14, opacity=0.35, color="#2ca02c").encode(
        x=alt.X("low:Q", title=t("w2_6_axis_feasible"), scale=alt.Scale(domain=[0, 1])), x2="high:Q", y=y,
        tooltip=["what:N", alt.Tooltip("low:Q", format=".2f"), alt.Tooltip("high:Q", format=".2f")])
    tick = alt.Chart(data).mark_tick(thickness=3, size=22, color="#000").encode(x="now:Q", y=y)
    return (span + tick).properties(height=alt.Step(36))


def venn_bounds(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """P(A), P(B) and where the overlap sits in its feasible range → union and intersection (exercise 2.6.2)."""
    c1, c2, c3 = st.columns(3)
    pA = c1.slider("P(A)", 0.0, 1.0, initial_value(initial, "pA", 0.7, 0.0, 1.0), 0.01, key=f"{key}-pA")
    pB = c2.slider("P(B)", 0.0, 1.0, initial_value(initial, "pB", 0.5, 0.0, 1.0), 0.01, key=f"{key}-pB")
    pos = c3.slider(t("w2_6_overlap"), 0.0, 1.0, initial_value(initial, "pos", 0.5, 0.0, 1.0), 0.01,
                    help=t("w2_6_overlap_help"), key=f"{key}-pos")
    lo, hi = prob.intersection_bounds(float(pA), float(pB))
    c = lo + float(pos) * (hi - lo)
    union = float(pA) + float(pB) - c
    st.altair_chart(_strip_picture(float(pA), float(pB), c), width="stretch")
    st.altair_chart(_range_chart(float(pA), float(pB), union, c), width="stretch")
    atoms = prob.venn_atoms(float(pA), float(pB), c)
    k = st.columns(4)
    for col, (name, value) in zip(k, atoms.items(), strict=True):
        col.metric(t(f"w2_6_atom_{name}"), f"{max(value, 0.0):.2f}")
    st.caption(t("w2_6_venn_caption", union=f"{union:.2f}", inter=f"{c:.2f}"))
    return {"pA": float(pA), "pB": float(pB), "pos": float(pos)}


# --- 2.6.3: a two-state Markov chain A → B → C ---------------------------------------------------------------------

@st.cache_data(max_entries=32, show_spinner=False)
def _chain_table(a: float, b0: float, b1: float, c0: float, c1: float, N: int, seed: int) -> pd.DataFrame:
    tables = prob.binary_chain_tables(a, b0, b1, c0, c1)
    joint = prob.markov_chain_joint(*tables)  # (2, 2, 2)
    samples = prob.sample_chain(tables, N, seed)  # (N, 3)
    freq = np.zeros((2, 2, 2))
    np.add.at(freq, (samples[:, 0], samples[:, 1], samples[:, 2]), 1.0)
    freq /= N
    cells = [(i, j, k) for i in range(2) for j in range(2) for k in range(2)]
    return pd.DataFrame([{"A": i, "B": j, "C": k, "factorised": joint[i, j, k], "sampled": freq[i, j, k],
                          "band": 2 * float(prob.standard_error(joint[i, j, k], N))} for i, j, k in cells])


def markov_chain_tables(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Edit P(A), P(B|A), P(C|B); the eight cells P(A)P(B|A)P(C|B) against ancestral samples (exercise 2.6.3)."""
    cols = st.columns(5)
    labels = {"a": "P(A=1)", "b0": "P(B=1 | A=0)", "b1": "P(B=1 | A=1)", "c0": "P(C=1 | B=0)", "c1": "P(C=1 | B=1)"}
    v = {name: float(col.slider(label, 0.0, 1.0, initial_value(initial, name, BOOK_CHAIN[name], 0.0, 1.0), 0.01,
                                key=f"{key}-{name}"))
         for col, (name, label) in zip(cols, labels.items(), strict=True)}
    d1, d2 = st.columns(2)
    sizes = [100, 1_000, 10_000, 100_000]
    N0 = initial_value(initial, "N", 10_000, 100, 100_000)
    N = d1.select_slider(t("w2_6_samples"), sizes, N0 if N0 in sizes else 10_000, key=f"{key}-N")
    seed = d2.number_input(t("w2_6_seed"), 0, 9999, initial_value(initial, "seed", 0, 0, 9999), key=f"{key}-seed")
    table = _chain_table(v["a"], v["b0"], v["b1"], v["c0"], v["c1"], int(N), int(seed))
    table["cell"] = [f"{a}{b}{c}" for a, b, c in zip(table.A, table.B, table.C, strict=True)]
    long = table.melt(id_vars=["cell"], value_vars=["factorised", "sampled"], var_name="how", value_name="P")
    long["how"] = long["how"].map({"factorised": t("w2_6_factorised"), "sampled": t("w2_6_sampled")})
    st.altair_chart(alt.Chart(long).mark_bar().encode(
        x=alt.X("cell:N", title=t("w2_6_axis_cell"), axis=alt.Axis(labelAngle=0)), xOffset="how:N",
        y=alt.Y("P:Q", title="P"), color=alt.Color("how:N", title=None, legend=alt.Legend(orient="bottom")),
        tooltip=["cell:N", "how:N", alt.Tooltip("P:Q", format=".4f")],
    ).properties(height=220), width="stretch")
    inside = int((np.abs(table.sampled - table.factorised) <= table.band + 1e-12).sum())
    pC = prob.chain_marginal_C(v["a"], v["b0"], v["b1"], v["c0"], v["c1"])
    k1, k2, k3 = st.columns(3)
    k1.metric("P(A=1, B=1, C=0)", f"{table.factorised[6]:.4f}")
    k2.metric("P(C=1)", f"{pC:.4f}")
    k3.metric(t("w2_6_inside"), f"{inside} / 8")
    st.caption(t("w2_6_chain_caption", N=f"{int(N):,}"))
    return {**v, "N": int(N), "seed": int(seed)}
