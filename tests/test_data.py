"""d2lcore.data: synthetic regression data against least squares, the iterators against plain slicing and DataLoader,
the Fashion-MNIST loader on small IDX files written here (no download), the scikit-learn digits fallback."""

import struct

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader, TensorDataset

from d2lcore import data

W_TRUE, B_TRUE = torch.tensor([2.0, -3.4]), 4.2


def write_idx(path, array: np.ndarray) -> None:
    """The IDX format of (Fashion-)MNIST: big-endian magic 0x0000_08_ndim (2051 images, 2049 labels), dims, uint8."""
    path.write_bytes(struct.pack(">I", 0x0800 + array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
                     + array.astype(np.uint8).tobytes())


@pytest.fixture
def fashion_root(tmp_path):
    """A cache dir laid out as torchvision expects: <root>/FashionMNIST/raw/{train,t10k}-{images,labels}-idx*-ubyte."""
    raw = tmp_path / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    rng = np.random.default_rng(0)
    arrays = {"train": (rng.integers(0, 256, (30, 28, 28)), np.arange(30) % 10),
              "t10k": (rng.integers(0, 256, (12, 28, 28)), (np.arange(12) * 7) % 10)}
    for split, (images, labels) in arrays.items():
        write_idx(raw / f"{split}-images-idx3-ubyte", images)
        write_idx(raw / f"{split}-labels-idx1-ubyte", labels)
    return tmp_path, arrays


# --- synthetic data and iterators ----------------------------------------------------------------------------------

def test_synthetic_data_shapes_and_least_squares_recovers_w_and_b():
    X, y = data.synthetic_data(W_TRUE, B_TRUE, 2000, noise=0.01, generator=torch.Generator().manual_seed(0))
    assert X.shape == (2000, 2) and y.shape == (2000, 1)
    A = torch.cat([X, torch.ones(2000, 1)], dim=1).double()
    coef = torch.linalg.lstsq(A, y.double()).solution.squeeze()
    assert torch.allclose(coef, torch.tensor([2.0, -3.4, 4.2], dtype=torch.float64), atol=2e-3)


@pytest.mark.parametrize("noise", [0.01, 0.5])
def test_synthetic_noise_has_the_requested_standard_deviation(noise):
    X, y = data.synthetic_data(W_TRUE, B_TRUE, 20_000, noise=noise, generator=torch.Generator().manual_seed(1))
    residual = y.squeeze() - (X @ W_TRUE + B_TRUE)
    assert residual.std().item() == pytest.approx(noise, rel=0.03)


@pytest.mark.parametrize("n,batch_size", [(100, 10), (103, 10), (5, 7), (1, 1)])
def test_data_iter_visits_every_example_once_and_the_last_batch_holds_the_rest(n, batch_size):
    X, y = torch.arange(n).float().reshape(n, 1), torch.arange(n)
    batches = list(data.data_iter(batch_size, X, y, generator=torch.Generator().manual_seed(0)))
    assert sorted(torch.cat([b for _, b in batches]).tolist()) == list(range(n))
    rest = [n % batch_size] if n % batch_size else []
    assert [len(b) for _, b in batches] == [batch_size] * (n // batch_size) + rest
    assert all(torch.equal(Xb.squeeze(1).long(), yb) for Xb, yb in batches)  # features stay paired with labels


@pytest.mark.parametrize("n,batch_size", [(100, 10), (103, 16), (7, 50)])
def test_load_array_in_order_matches_torch_dataloader(n, batch_size):
    X, y = torch.randn(n, 3), torch.arange(n)
    ours = list(data.load_array((X, y), batch_size, is_train=False))
    reference = list(DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=False))
    assert len(ours) == len(reference)
    assert all(torch.equal(a[0], b[0]) and torch.equal(a[1], b[1]) for a, b in zip(ours, reference, strict=True))


def test_load_array_shuffles_each_epoch_and_covers_every_example():
    torch.manual_seed(0)
    X, y = torch.arange(200).float().reshape(200, 1), torch.arange(200)
    loader = data.load_array((X, y), 32)
    first, second = (torch.cat([b for _, b in loader]) for _ in range(2))
    assert sorted(first.tolist()) == list(range(200)) and not torch.equal(first, second)
    assert [len(b) for _, b in loader] == [32] * 6 + [8]


# --- Fashion-MNIST from IDX files written here, the digits fallback ------------------------------------------------

def test_fashion_mnist_loader_reads_the_idx_files(fashion_root):
    root, arrays = fashion_root
    d = data.load_image_classification(None, None, root=root)
    assert d.name == data.FASHION_MNIST and d.classes[0] == "t-shirt" and d.classes[9] == "ankle boot"
    assert d.n_inputs == 784 and d.n_classes == 10 and d.image_shape == (1, 28, 28)
    X, y = d.train.tensors
    assert X.dtype == torch.float32 and y.dtype == torch.int64 and X.shape == (30, 1, 28, 28)
    # the subset is a permutation: match every image back to the file by its label-independent pixel content
    images = torch.tensor(arrays["train"][0], dtype=torch.float32) / 255
    index = [int(torch.argmin(((images - x[0]) ** 2).sum(dim=(1, 2)))) for x in X]
    assert sorted(index) == list(range(30))
    assert y.tolist() == [int(arrays["train"][1][i]) for i in index]
    assert len(d.test) == 12 and X.min() >= 0.0 and X.max() <= 1.0


def test_fashion_mnist_loader_uses_the_environment_cache_dir(fashion_root, monkeypatch):
    monkeypatch.setenv("D2L_DATA_DIR", str(fashion_root[0]))
    assert data.data_dir() == fashion_root[0] and data.fashion_mnist_available()
    d = data.load_image_classification(10, 5, seed=3)
    assert d.name == data.FASHION_MNIST and len(d.train) == 10 and len(d.test) == 5
    assert "FashionMNIST" in d.source


def test_text_labels_names_the_classes():
    assert data.text_labels([0, 9, 5]) == ["t-shirt", "ankle boot", "sandal"]
    assert data.text_labels(torch.tensor([3]), ["a", "b", "c", "d"]) == ["d"]


def test_without_fashion_mnist_the_loader_falls_back_to_the_bundled_digits(tmp_path):
    from sklearn.datasets import load_digits

    d = data.load_image_classification(None, None, root=tmp_path)
    assert d.name == data.DIGITS and "load_digits" in d.source and d.n_inputs == 64 and d.image_shape == (1, 8, 8)
    assert len(d.train) + len(d.test) == 1797
    digits = load_digits()
    pixels = np.concatenate([d.train.tensors[0].numpy(), d.test.tensors[0].numpy()]).reshape(1797, 64) * 16
    labels = np.concatenate([d.train.tensors[1].numpy(), d.test.tensors[1].numpy()])
    assert np.allclose(np.sort(pixels.sum(axis=1)), np.sort(digits.data.sum(axis=1)))
    assert np.array_equal(np.bincount(labels), np.bincount(digits.target))
    assert float(d.train.tensors[0].max()) == 1.0


def test_subsets_are_seeded(tmp_path):
    a, b, c = (data.load_image_classification(100, 50, seed=s, root=tmp_path) for s in (0, 0, 1))
    assert len(a.train) == 100 and len(a.test) == 50
    assert torch.equal(a.train.tensors[0], b.train.tensors[0])
    assert not torch.equal(a.train.tensors[0], c.train.tensors[0])


def test_a_failed_download_falls_back_to_the_digits(tmp_path, monkeypatch):
    from torchvision.datasets import FashionMNIST

    def no_network(self):
        raise RuntimeError("no network")

    monkeypatch.setattr(FashionMNIST, "download", no_network)
    d = data.load_image_classification(20, 10, root=tmp_path, download=True)
    assert d.name == data.DIGITS and len(d.train) == 20


def test_batch_size_one_reads_slower_than_minibatches_of_256(tmp_path):
    d = data.load_image_classification(None, None, root=tmp_path)
    one = min(data.read_epoch_seconds(data.per_example_loader(d.train, 1), max_batches=512) for _ in range(3))
    big = min(data.read_epoch_seconds(data.per_example_loader(d.train, 256), max_batches=2) for _ in range(3))
    assert 0 < big < one  # the same 512 examples, one at a time vs two minibatches


@pytest.mark.parametrize("batch_size", [1, 64, 500])
def test_batched_loader_yields_a_shuffled_pass_like_the_per_example_loader(batch_size, tmp_path):
    X, y = torch.arange(1000.0).reshape(1000, 1), torch.arange(1000)
    dataset = TensorDataset(X, y)
    for loader in (data.batched_loader(dataset, batch_size, seed=1), data.per_example_loader(dataset, batch_size)):
        batches = list(loader)
        assert [len(b) for _, b in batches] == [len(b) for b in torch.arange(1000).split(batch_size)]
        labels = torch.cat([b for _, b in batches])
        assert sorted(labels.tolist()) == list(range(1000)) and not torch.equal(labels, y)
        assert all(torch.equal(Xb.squeeze(1).long(), yb) for Xb, yb in batches)
