"""d2lcore.train: accuracy against scikit-learn, the engine's running loss against a separate evaluation, the book's
from-scratch sgd against torch.optim.SGD, mean and per-example losses alike, bands for real training runs."""

import copy
import math

import pytest
import torch
from sklearn.metrics import accuracy_score
from torch import nn

from d2lcore import data, train


def digits_loaders(n_train=600, n_test=300, batch_size=64, seed=0, tmp_path=None):
    d = data.load_image_classification(n_train, n_test, seed=seed, root=tmp_path)
    return d, data.load_array(d.train.tensors, batch_size), data.load_array(d.test.tensors, 256, is_train=False)


def softmax_net(n_inputs=64, seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Flatten(), nn.Linear(n_inputs, 10))


@pytest.mark.parametrize("seed", range(4))
def test_accuracy_matches_sklearn(seed):
    g = torch.Generator().manual_seed(seed)
    y_hat, y = torch.randn(50, 10, generator=g), torch.randint(0, 10, (50,), generator=g)
    assert train.accuracy(y_hat, y) == pytest.approx(accuracy_score(y.numpy(), y_hat.argmax(1).numpy()))
    assert train.accuracy(y_hat.argmax(1), y) == train.accuracy(y_hat, y)  # labels given directly


def test_evaluate_accuracy_over_minibatches_equals_accuracy_of_the_whole_set(tmp_path):
    d, _, test_iter = digits_loaders(tmp_path=tmp_path)
    net = softmax_net()
    X, y = d.test.tensors
    assert train.evaluate_accuracy(net, test_iter) == pytest.approx(train.accuracy(net(X), y))
    assert net.training  # restored after evaluation


@pytest.mark.parametrize("reduction", ["none", "mean"])
def test_with_zero_learning_rate_the_running_loss_and_accuracy_equal_a_separate_evaluation(reduction, tmp_path):
    d, train_iter, _ = digits_loaders(tmp_path=tmp_path)
    net = softmax_net()
    loss = nn.CrossEntropyLoss(reduction=reduction)
    h = train.train(net, loss, torch.optim.SGD(net.parameters(), lr=0.0), train_iter, epochs=1)
    X, y = d.train.tensors
    with torch.no_grad():
        assert h.train_loss[0] == pytest.approx(nn.functional.cross_entropy(net(X), y).item(), rel=1e-5)
        assert h.train_acc[0] == pytest.approx(train.accuracy(net(X), y))
    assert math.isnan(h.test_acc[0]) and h.examples_per_s[0] > 0 and h.seconds > 0


def test_books_from_scratch_sgd_equals_torch_sgd_on_the_mean_loss(tmp_path):
    d = data.load_image_classification(256, 10, root=tmp_path)
    batches = data.load_array(d.train.tensors, 32, is_train=False)  # the same minibatches for both runs
    net_a = softmax_net()
    net_b = copy.deepcopy(net_a)
    lr = 0.3

    def sgd(batch_size):  # the book's updater: param -= lr * grad / batch_size on the summed loss, then zero grads
        with torch.no_grad():
            for param in net_b.parameters():
                param -= lr * param.grad / batch_size
                param.grad.zero_()

    h_a = train.train(net_a, nn.CrossEntropyLoss(), torch.optim.SGD(net_a.parameters(), lr=lr), batches, epochs=2)
    h_b = train.train(net_b, nn.CrossEntropyLoss(reduction="none"), sgd, batches, epochs=2)
    for p_a, p_b in zip(net_a.parameters(), net_b.parameters(), strict=True):
        assert torch.allclose(p_a, p_b, atol=1e-6)
    assert h_a.train_loss == pytest.approx(h_b.train_loss, rel=1e-5)


def test_regression_recovers_w_and_b_and_reports_no_accuracy():
    g = torch.Generator().manual_seed(0)
    X, y = data.synthetic_data(torch.tensor([2.0, -3.4]), 4.2, 1000, generator=g)
    torch.manual_seed(0)
    net = nn.Linear(2, 1)
    calls = []
    h = train.train(net, nn.MSELoss(reduction="none"), torch.optim.SGD(net.parameters(), lr=0.03),
                    data.load_array((X, y), 10), data.load_array((X, y), 100, False), epochs=3, task="regression",
                    callback=lambda epoch, hist: calls.append((epoch, len(hist.train_loss))))
    assert calls == [(1, 1), (2, 2), (3, 3)]
    assert h.train_loss[-1] < 1e-3 and h.test_loss[-1] < 1e-3 and h.train_loss[0] > h.train_loss[-1]
    assert all(math.isnan(a) for a in h.train_acc + h.test_acc)
    assert torch.allclose(net.weight.detach().squeeze(), torch.tensor([2.0, -3.4]), atol=0.01)
    assert abs(net.bias.item() - 4.2) < 0.01


def test_softmax_regression_on_digits_learns(tmp_path):
    _, train_iter, test_iter = digits_loaders(tmp_path=tmp_path)
    net = softmax_net()
    h = train.train(net, nn.CrossEntropyLoss(reduction="none"), torch.optim.SGD(net.parameters(), lr=0.5),
                    train_iter, test_iter, epochs=6)
    assert h.epoch == list(range(1, 7)) and h.train_loss[-1] < 0.6 * h.train_loss[0]
    assert h.train_acc[-1] > 0.85 and h.test_acc[-1] > 0.8 and len(h.examples_per_s) == 6


def test_an_epoch_reads_the_device_once_not_per_minibatch(tmp_path, monkeypatch):
    _, loader, _ = digits_loaders(tmp_path=tmp_path, batch_size=16)
    train_iter = list(loader)  # read the minibatches first: the sampler itself calls .item() and .tolist()
    net = softmax_net()
    reads = []
    for method in ("item", "__float__", "tolist"):
        original = getattr(torch.Tensor, method)
        monkeypatch.setattr(torch.Tensor, method, lambda self, *a, _f=original, _m=method: reads.append(_m) or _f(self))
    train.train(net, nn.CrossEntropyLoss(reduction="none"), torch.optim.SGD(net.parameters(), lr=0.1), train_iter)
    assert len(train_iter) > 30 and len(reads) == 1  # one tolist() for the whole epoch


def test_unknown_task_is_rejected():
    with pytest.raises(ValueError, match="task"):
        train.train(nn.Linear(1, 1), nn.MSELoss(), lambda n: None, [], task="ranking")
