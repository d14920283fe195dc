"""Section 2.7: the documentation viewer resolves torch names safely (never eval), describes them as help() and
dir() would, and the chapter page's demo survives hostile input."""

import inspect

import pytest
import torch
from streamlit.testing.v1 import AppTest

from d2lcore import docs
from tests.apptest import all_text, open_app


@pytest.mark.parametrize("name, expected", [
    ("torch.ones", torch.ones), ("torch.nn.Linear", torch.nn.Linear), ("torch.distributions", torch.distributions),
    ("torch.nn.functional.relu", torch.nn.functional.relu), ("torch.utils.data.DataLoader",
                                                             torch.utils.data.DataLoader),
    ("  torch.Tensor.reshape ", torch.Tensor.reshape), ("torch.float32", torch.float32),
])
def test_resolves_the_same_object_as_attribute_access(name, expected):
    assert docs.resolve_torch_name(name) is expected


HOSTILE = {
    "__import__('os')": "syntax", "torch.__class__": "syntax", "torch._C": "syntax", "torch.ones(1)": "syntax",
    "torch.ones; import os": "syntax", "torch..ones": "syntax", "torch.ones[0]": "syntax", "x" * 10_000: "syntax",
    "torch." + ".".join(["nn"] * 20): "syntax", "": "syntax", "os.system": "outside", "os": "outside",
    "torch.os.system": "outside", "torch.sys.modules": "outside", "torch.builtins.eval": "outside",
    "torch.importlib.import_module": "outside", "torch.no_such_thing": "unknown", "torch.nn.Linear.no_attr": "unknown",
    "torсh.ones": "syntax",  # a Cyrillic 'с': not an ASCII identifier
}


@pytest.mark.parametrize("name, reason", HOSTILE.items(), ids=[repr(k[:30]) for k in HOSTILE])
def test_hostile_or_unknown_names_are_refused(name, reason):
    with pytest.raises(docs.DocLookupError) as err:
        docs.resolve_torch_name(name)
    assert err.value.reason == reason
    assert all(s.startswith("torch.") and not s.startswith(("torch.os", "torch.sys")) for s in err.value.suggestions)


def test_resolving_never_evaluates(monkeypatch):
    def refuse(*_args, **_kwargs):
        raise AssertionError("eval/exec must not be used")

    monkeypatch.setattr("builtins.eval", refuse)
    monkeypatch.setattr("builtins.exec", refuse)
    assert docs.resolve_torch_name("torch.nn.Linear") is torch.nn.Linear
    with pytest.raises(docs.DocLookupError):
        docs.resolve_torch_name("__import__('os').system('true')")


@pytest.mark.parametrize("typo, meant", [("torch.onse", "torch.ones"), ("torch.nn.Lineer", "torch.nn.Linear"),
                                         ("torch.nn.functinal", "torch.nn.functional"),
                                         ("torch.distributions.Normla", "torch.distributions.Normal")])
def test_typos_get_close_matches(typo, meant):
    with pytest.raises(docs.DocLookupError) as err:
        docs.resolve_torch_name(typo)
    assert meant in err.value.suggestions


def test_a_name_without_torch_prefix_is_pointed_at_torch():
    with pytest.raises(docs.DocLookupError) as err:
        docs.resolve_torch_name("ones")
    assert err.value.reason == "outside" and err.value.suggestions == ["torch.ones"]


def test_describe_matches_inspect_and_dir():
    linear = docs.describe(torch.nn.Linear, "torch.nn.Linear")
    assert linear.kind == "class" and linear.signature == str(inspect.signature(torch.nn.Linear))
    assert linear.doc == inspect.getdoc(torch.nn.Linear) and "forward" in linear.members
    ones = docs.describe(torch.ones, "torch.ones")
    assert ones.kind == "function" and ones.signature is None and ones.doc.startswith("ones(*size")
    dist = docs.describe(torch.distributions, "torch.distributions")
    assert dist.kind == "module" and list(dist.members) == [n for n in dir(torch.distributions) if n[0] != "_"]
    assert {"Normal", "Bernoulli", "Multinomial"} <= set(dist.members)
    assert docs.describe(torch.float32).value == "torch.float32"


def demo_script():
    from ui.widgets.sec2_7 import section_demo

    section_demo("demo-2.7")


@pytest.mark.parametrize("typed", ["__import__('os')", "torch.__class__", "os.system", "torch.ones(1)", "x" * 10_000,
                                   "torch.os.system"])
def test_demo_refuses_hostile_input(typed):
    at = AppTest.from_function(demo_script, default_timeout=60).run()
    at.text_input(key="demo-2.7-name").set_value(typed).run()  # max_chars cuts a long input; it is still refused
    assert not at.exception and at.warning and not at.code


def test_documentation_demo_on_the_chapter_page():
    at = open_app("pages/ch02.py", lang="en")
    assert not at.exception and "ones(*size" in all_text(at)  # torch.ones is shown first
    at.text_input(key="demo-2.7-name").set_value("torch.onse").run()
    assert not at.exception and any("torch.onse" in w.value for w in at.warning)
    at.button(key="demo-2.7-sug-torch.ones").click().run()  # the suggestion button fills the name in
    assert not at.exception and at.text_input(key="demo-2.7-name").value == "torch.ones"


def test_demo_lists_and_filters_public_names():
    at = AppTest.from_function(demo_script, default_timeout=60).run()
    at.button(key="demo-2.7-ex-torch.distributions").click().run()
    (names,) = [c.value.split(", ") for c in at.code if "Bernoulli" in c.value]
    assert not at.exception and "Normal" in names and not any(n.startswith("_") for n in names)
    at.text_input(key="demo-2.7-filter").set_value("bern").run()
    listing = [c.value for c in at.code if "Bernoulli" in c.value]
    assert not at.exception and listing and "Normal" not in listing[-1]
    at.button(key="demo-2.7-ex-torch.nn.Linear").click().run()
    assert not at.exception and any(c.value.startswith("torch.nn.Linear(in_features") for c in at.code)
