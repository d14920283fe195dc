"""Optimisation algorithms of chapter 11, written from scratch as pure update rules.

Every rule has the form  update(x, g, state=(), *, lr, …) -> (x_new, state_new):  it never mutates its inputs, starts
from an empty state, and works on tensors of any shape (a batch of starting points runs at once).
"""

from d2lcore.optim.adadelta import adadelta
from d2lcore.optim.adagrad import adagrad
from d2lcore.optim.adam import adam, yogi
from d2lcore.optim.gd import gd, newton, preconditioned_gd, sgd
from d2lcore.optim.momentum import momentum, momentum_stable
from d2lcore.optim.rmsprop import rmsprop

__all__ = ["adadelta", "adagrad", "adam", "gd", "momentum", "momentum_stable", "newton", "preconditioned_gd",
           "rmsprop", "sgd", "yogi"]
