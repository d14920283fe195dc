"""Sharing safety between sessions: what st.cache_resource hands out is never mutated by a session, and two
sessions training at the same time each get only their own run."""

from __future__ import annotations

import ast
import math
import re
import threading
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pytest
import torch
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
UI = ROOT / "ui"


def _cache_resource_functions() -> dict[str, list[str]]:
    """{file relative to the repo: [names of functions decorated with st.cache_resource]} over ui/."""
    found: dict[str, list[str]] = {}
    for path in sorted(UI.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for dec in node.decorator_list:
                    target = dec.func if isinstance(dec, ast.Call) else dec
                    if ast.unparse(target).endswith("cache_resource"):
                        found.setdefault(str(path.relative_to(ROOT)), []).append(node.name)
    return found


def _root_name(node: ast.AST) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _mutations_of_results(tree: ast.AST, fn_name: str) -> list[str]:
    """Statements that may mutate what `fn_name()` returned: assignment to an attribute or item of a name bound to
    its result (or of something reached from it), augmented assignment, del, or a torch in-place call (`x.add_()`),
    `.copy_()`, `.append()` etc. on it."""
    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and \
                ast.unparse(node.value.func) == fn_name:
            bound |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    # names unpacked from it, e.g. `X, y = d.train.tensors`
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and _root_name(node.value) in bound:
            for t in node.targets:
                for n in ast.walk(t):
                    if isinstance(n, ast.Name):
                        bound.add(n.id)
    problems = []
    mutators = {"append", "extend", "insert", "pop", "remove", "clear", "update", "sort", "reverse", "setdefault",
                "popitem", "add", "discard", "fill"}
    for node in ast.walk(tree):
        targets: list[ast.AST] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        elif isinstance(node, ast.Delete):
            targets = node.targets
        for t in targets:
            if isinstance(t, (ast.Attribute, ast.Subscript)) and _root_name(t) in bound:
                problems.append(f"line {node.lineno}: {ast.unparse(node)}")
            if isinstance(node, ast.AugAssign) and isinstance(t, ast.Name) and t.id in bound:
                problems.append(f"line {node.lineno}: {ast.unparse(node)}")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                _root_name(node.func.value) in bound:
            attr = node.func.attr
            if (attr.endswith("_") and not attr.startswith("_")) or attr in mutators:
                problems.append(f"line {node.lineno}: {ast.unparse(node)}")
    return problems


def test_cache_resource_is_only_the_read_only_dataset():
    """A new st.cache_resource must be reviewed for sharing safety: add it here with a test like the ones below."""
    assert _cache_resource_functions() == {"ui/widgets/sec3_5.py": ["_dataset"]}


def test_no_session_code_mutates_the_shared_dataset():
    for rel, names in _cache_resource_functions().items():
        text = (ROOT / rel).read_text(encoding="utf-8")
        tree = ast.parse(text)
        for name in names:
            assert _mutations_of_results(tree, name) == [], f"{rel}: {name}() result mutated"
        # nobody outside the module reaches the shared object
        for other in UI.rglob("*.py"):
            if other != ROOT / rel:
                for name in names:
                    assert not re.search(rf"\b{name}\b", other.read_text(encoding="utf-8")), (other, name)


def test_mutation_finder_catches_mutations():
    tree = ast.parse("d = _dataset()\nX, y = d.train.tensors\nX[0] = 1\nd.classes.append('x')\ny.add_(1)\n"
                     "d.name = 'n'\nok = X[0] * 2\n")
    assert len(_mutations_of_results(tree, "_dataset")) == 4


def _browser_script() -> None:
    import streamlit as st

    from ui.widgets.sec3_5 import dataset_browser

    st.session_state["lang"] = "en"
    dataset_browser("t")


def test_dataset_browser_leaves_the_shared_dataset_unchanged():
    from ui.widgets.sec3_5 import _dataset

    shared = _dataset()
    snapshot = ([t.clone() for t in shared.train.tensors], [t.clone() for t in shared.test.tensors],
                list(shared.classes), shared.name)
    at = AppTest.from_function(_browser_script, default_timeout=60).run()
    assert not at.exception
    at.slider(key="t-count").set_value(36).run()
    at.number_input(key="t-seed").set_value(7).run()
    at.multiselect(key="t-classes").select(shared.classes[1]).select(shared.classes[3]).run()
    assert not at.exception
    assert any(type(e).__name__ == "Image" for e in at.main)  # the grid was drawn
    again = _dataset()
    assert again is shared  # one object shared by every session ...
    for now, before in zip([*again.train.tensors, *again.test.tensors], [*snapshot[0], *snapshot[1]], strict=True):
        assert torch.equal(now, before)  # ... and no session changed it
    assert again.classes == snapshot[2] and again.name == snapshot[3]


# --- two sessions training at the same time ------------------------------------------------------------------------

TINY = {"implementation": "concise", "batch_size": 32, "lr": 0.1, "epochs": 4, "n_train": 240, "n_test": 120,
        "weight_decay": 0.0, "seed": 0, "dataset": "digits"}
CONFIGS = [TINY, {**TINY, "implementation": "scratch", "lr": 0.5, "batch_size": 16, "seed": 3}]
TIMING = ("seconds", "examples_per_s")


def _train_script(config: dict, barrier) -> None:
    import time

    import streamlit as st

    from d2lcore import softmax_regression as sr
    from ui.widgets.sec3_6 import run_with_progress

    st.session_state["lang"] = "en"
    barrier.wait(timeout=30)  # both sessions start training together
    start = time.perf_counter()
    st.session_state["result"] = run_with_progress(sr.SoftmaxConfig(**config))
    st.session_state["span"] = (start, time.perf_counter())


def _solo(config: dict) -> dict:
    from d2lcore import softmax_regression as sr

    fit = sr.fit_softmax_regression(sr.SoftmaxConfig(**config))
    X, y = fit.data.test.tensors
    y_pred = sr.predict(fit.model, X)
    return {"history": asdict(fit.history), "pred": y_pred[:8].tolist(),
            "confusion": sr.confusion_matrix(y, y_pred, fit.data.n_classes).numpy()}


def _same_run(a: dict, b: dict) -> bool:
    ha, hb = a["history"], b["history"]
    for k in ha:
        if k in TIMING:
            continue
        for x, y in zip(ha[k], hb[k], strict=True):
            if not (x == y or (math.isnan(x) and math.isnan(y))):
                return False
    return a["pred"] == b["pred"] and np.array_equal(a["confusion"], b["confusion"])


def test_two_sessions_train_at_once_and_each_gets_its_own_run():
    from ui.widgets.sec3_6 import train_cached

    train_cached.clear()  # both sessions really train, at the same time
    barrier = threading.Barrier(len(CONFIGS))
    apps = [AppTest.from_function(_train_script, kwargs={"config": c, "barrier": barrier}, default_timeout=120)
            for c in CONFIGS]
    errors: list[BaseException] = []

    def run(at: AppTest) -> None:
        try:
            at.run()
        except BaseException as e:  # surfaced below
            errors.append(e)

    threads = [threading.Thread(target=run, args=(at,)) for at in apps]
    t0 = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=120)
    assert not errors and not any(th.is_alive() for th in threads), errors
    assert time.perf_counter() - t0 < 60
    for at in apps:
        assert not at.exception, at.exception[0].message if at.exception else ""
    results = [at.session_state["result"] for at in apps]
    (s0, e0), (s1, e1) = (at.session_state["span"] for at in apps)
    assert s0 < e1 and s1 < e0  # the two trainings overlapped in time

    # each session saw its own run: the histories differ where the configs differ ...
    assert results[0]["history"]["train_loss"] != results[1]["history"]["train_loss"]
    assert len(results[0]["history"]["epoch"]) == CONFIGS[0]["epochs"]
    # ... and each is exactly the run of its configuration trained alone
    for config, result in zip(CONFIGS, results, strict=True):
        assert _same_run(result, _solo(config)), config

    # what the cache hands a session is its own copy: mutating it does not reach the next session
    results[0]["history"]["train_loss"][0] = -1.0
    results[0]["confusion"][0, 0] = -1
    fresh = train_cached(**CONFIGS[0])
    assert fresh["history"]["train_loss"][0] != -1.0 and fresh["confusion"][0, 0] != -1
    assert _same_run(fresh, _solo(CONFIGS[0]))


GLOBAL_STATE_CALLS = ("torch.manual_seed", "torch.set_num_threads", "torch.set_default_dtype", "np.random.seed",
                      "random.seed(", "torch.use_deterministic_algorithms")


@pytest.mark.parametrize("package", ["d2lcore", "solutions", "ui", "exercises"])
def test_app_code_never_sets_process_wide_state(package):
    """Sessions share one process: a seed or thread count set by one session would change every other session's run
    (the app's randomness goes through torch.Generator / numpy default_rng objects instead)."""
    root = Path(__file__).resolve().parents[1] / package
    found = [f"{p.relative_to(root.parent)}:{i}" for p in root.rglob("*.py")
             for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if any(call in line for call in GLOBAL_STATE_CALLS) and not line.lstrip().startswith("#")]
    assert found == []
