"""Section 3.5: reading-speed answers re-measured another way (plain loops, counted minibatches), the torchvision
list against the module's own directory, every wrong answer rejected, the widgets and the browser moved on pages."""

import math
import time

import pytest
import torch
import torchvision.datasets as tvd
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from d2lcore import data
from exercises import check, registry
from solutions import solve
from solutions.ch03_s5 import torchvision_datasets
from tests.apptest import all_text, open_app


@pytest.fixture(autouse=True)
def no_cached_fashion_mnist(tmp_path, monkeypatch):
    """An empty cache dir: these tests run on the bundled digits, whatever a developer has downloaded."""
    monkeypatch.setenv("D2L_DATA_DIR", str(tmp_path))


class CountingDataset(TensorDataset):
    """A TensorDataset that counts single-example reads."""

    reads = 0

    def __getitem__(self, index):
        CountingDataset.reads += 1
        return super().__getitem__(index)


def manual_pass_seconds(X, batch_size, repeats=3):
    """One shuffled pass the slow way, written out: per minibatch, index examples one by one and stack them."""
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        order = torch.randperm(len(X)).tolist()
        for k in range(0, len(order), batch_size):
            torch.stack([X[i] for i in order[k:k + batch_size]]).sum()
        best = min(best, time.perf_counter() - start)
    return best


def test_3_5_1_minibatch_count_explains_the_slowdown():
    X, y = torch.rand(1000, 1, 8, 8), torch.arange(1000) % 10
    for batch_size, minibatches in [(1, 1000), (256, 4)]:
        CountingDataset.reads = 0
        n = sum(1 for _ in DataLoader(CountingDataset(X, y), batch_size=batch_size, shuffle=True))
        assert n == minibatches and CountingDataset.reads == 1000  # same examples, 250× the minibatches


def test_3_5_1_reference_lies_in_a_band_of_a_separate_measurement():
    ref = solve("3.5.1").answer
    assert ref["slower"] == "yes" and ref["slowdown"] > 1.5
    X = data.load_image_classification(None, None).train.tensors[0]
    manual = manual_pass_seconds(X, 1) / manual_pass_seconds(X, 256)
    assert manual > 1.5  # the hand-written loop shows the same effect
    assert 1 < ref["slowdown"] < 256  # per-example cost remains: never the full 256×


def test_3_5_2_reference_matches_a_separate_measurement():
    ref = solve("3.5.2")
    d = data.load_image_classification(None, None)
    X, y = d.train.tensors
    read = min(data.read_epoch_seconds(DataLoader(TensorDataset(X, y), 256, shuffle=True)) for _ in range(3))
    batches = [(X[i], y[i]) for i in torch.randperm(len(y)).split(256)]
    net = nn.Linear(d.n_inputs, d.n_classes)
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    train_s = math.inf
    for _ in range(3):
        start = time.perf_counter()
        for Xb, yb in batches:
            opt.zero_grad()
            nn.functional.cross_entropy(net(Xb.flatten(1)), yb).backward()
            opt.step()
        train_s = min(train_s, time.perf_counter() - start)
    assert read / (read + train_s) > 0.1 and ref.answer["enough"] == "no"
    batched = min(data.read_epoch_seconds(data.batched_loader(d.train, 256)) for _ in range(3))
    assert batched < read and ref.answer["fastest"] == "batched"


def test_3_5_3_lists_the_dataset_classes_of_torchvision():
    names = torchvision_datasets()
    by_dir = {n for n in dir(tvd) if isinstance(getattr(tvd, n), type) and hasattr(getattr(tvd, n), "__getitem__")}
    assert {"FashionMNIST", "MNIST", "CIFAR10", "ImageNet", "CocoDetection"} <= set(names) <= by_dir
    text = solve("3.5.3").explanation
    assert "`CIFAR10`" in text["en"] and "`CIFAR10`" in text["zh"] and str(len(names)) in text["en"]


@pytest.mark.parametrize("exercise_id", ["3.5.1", "3.5.2"])
def test_reference_scores_one_and_wrong_answers_are_rejected(exercise_id):
    ref = solve(exercise_id).answer
    assert check(exercise_id, ref).score == 1
    for wrong in registry.get(exercise_id).wrong:
        assert check(exercise_id, {**ref, **wrong.answer}).score < 1, wrong.why


def test_batch_size_widget_moves():
    at = open_app("pages/exercise.py", id="3.5.1", lang="en")
    assert not at.exception and "scikit-learn digits" in all_text(at)
    first = at.metric[0].value
    at.select_slider(key="w-3.5.1-batch").set_value(1024).run()
    assert not at.exception and at.metric[0].label == "t(B = 1024) / t(B = 256)" and at.metric[0].value != first
    assert float(at.metric[0].value.rstrip("×")) < float(first.rstrip("×"))


def test_loader_options_widget_moves():
    at = open_app("pages/exercise.py", id="3.5.2", lang="en")
    assert not at.exception
    book_share = float(at.metric[0].value.rstrip("%"))
    at.radio(key="w-3.5.2-reader").set_value("batched").run()
    assert not at.exception and float(at.metric[0].value.rstrip("%")) < book_share
    at.radio(key="w-3.5.2-reader").set_value("perExample").run()
    at.slider(key="w-3.5.2-workers").set_value(1).run()
    assert not at.exception and at.metric[0].value.endswith("%")


def test_dataset_browser_on_the_chapter_page():
    at = open_app("pages/ch03.py", lang="en")
    assert not at.exception and "**scikit-learn digits** — 1348 training and 449 test images" in all_text(at)
    assert 18 in [len(img.proto.imgs) for img in at.get("image")]
    at.multiselect(key="demo-3.5-classes").set_value(["3"]).run()
    at.slider(key="demo-3.5-count").set_value(12).run()
    at.number_input(key="demo-3.5-seed").set_value(5).run()
    assert not at.exception
    grids = [[i.caption for i in img.proto.imgs] for img in at.get("image")]
    assert ["3"] * 12 in grids
