"""Optimisation algorithms of chapter 11, written from scratch as pure update rules.

Every rule has the form  update(x, g, state=(), *, lr, …) -> (x_new, state_new):  it never mutates its inputs, starts
from an empty state, and works on tensors of any shape (a batch of starting points runs at once).

One module per rule, named after it (`from d2lcore.optim.adam import adam`): gd (gd, sgd, newton, preconditioned_gd),
momentum, adagrad, rmsprop, adadelta, adam (adam, yogi); objectives (2-D test functions), trajectory (running a rule),
minibatch (the section-11.5 regression data and training loop).
"""
