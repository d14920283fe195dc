"""Optimisation algorithms of chapter 11, written from scratch as pure update rules.

Every rule has the form  update(x, g, state=(), *, lr, …) -> (x_new, state_new):  it never mutates its inputs, starts
from an empty state, and works on tensors of any shape (a batch of starting points runs at once).
"""
