import importlib
import inspect

import pytest

RULES = {"gd": ["gd", "sgd", "newton", "preconditioned_gd"], "momentum": ["momentum"], "adagrad": ["adagrad"],
         "rmsprop": ["rmsprop"], "adadelta": ["adadelta"], "adam": ["adam", "yogi"]}


@pytest.mark.parametrize("module", [*RULES, "objectives", "trajectory", "minibatch"])
def test_optim_submodules_stay_modules_on_the_package(module):
    package = importlib.import_module("d2lcore.optim")
    importlib.import_module(f"d2lcore.optim.{module}")
    assert inspect.ismodule(getattr(package, module))


@pytest.mark.parametrize(("module", "name"), [(m, n) for m, names in RULES.items() for n in names])
def test_every_update_rule_has_the_contract_signature(module, name):
    params = inspect.signature(getattr(importlib.import_module(f"d2lcore.optim.{module}"), name)).parameters
    assert list(params)[:3] == ["x", "g", "state"] and params["lr"].kind is inspect.Parameter.KEYWORD_ONLY
