"""Convolutional networks of the book (zh-v2 §6.6): LeNet-5 as the book builds it, for 1×28×28 images."""

from __future__ import annotations

from torch import nn


def lenet() -> nn.Sequential:
    """LeNet (zh-v2 §6.6): two convolution blocks (5×5 kernels, sigmoid, 2×2 average pooling) then three dense layers.

    1×28×28 → conv(6, pad 2) 6×28×28 → pool 6×14×14 → conv(16) 16×10×10 → pool 16×5×5 → 400 → 120 → 84 → 10.
    """
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(),
        nn.Linear(120, 84), nn.Sigmoid(),
        nn.Linear(84, 10))
