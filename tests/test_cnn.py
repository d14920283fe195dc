import pytest
import torch

from d2lcore.cnn import lenet

SHAPES = [(torch.Size([2, 6, 28, 28]), 0), (torch.Size([2, 6, 14, 14]), 2), (torch.Size([2, 16, 10, 10]), 3),
          (torch.Size([2, 16, 5, 5]), 5), (torch.Size([2, 400]), 6), (torch.Size([2, 10]), 11)]


@pytest.mark.parametrize(("shape", "layer"), SHAPES)
def test_lenet_layer_shapes_match_the_book(shape, layer):
    assert lenet()[: layer + 1](torch.zeros(2, 1, 28, 28)).shape == shape


def test_lenet_parameter_count_matches_the_layer_sizes():
    expected = (6 * 25 + 6) + (16 * 6 * 25 + 16) + (400 * 120 + 120) + (120 * 84 + 84) + (84 * 10 + 10)
    assert sum(p.numel() for p in lenet().parameters()) == expected == 61_706
