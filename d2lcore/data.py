"""Data (zh-v2 §3.2, §3.3, §3.5): synthetic regression data, minibatch iterators and the image classification dataset.

Fashion-MNIST is read by torchvision from a cache directory (`D2L_DATA_DIR`, default `~/.cache/d2l-explorer`); it is
downloaded only when a caller asks (`download=True`) and the network allows. Without it the loader falls back to a
real dataset that ships inside scikit-learn: the 1,797 handwritten digits of `load_digits` (8×8 pixels, 10 classes).
Every result says which dataset it holds (`name`) and where it came from (`source`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import Tensor
from torch.utils.data import BatchSampler, DataLoader, RandomSampler, SequentialSampler, TensorDataset

FASHION_MNIST = "Fashion-MNIST"
DIGITS = "scikit-learn digits"
FASHION_CLASSES = ["t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot"]


# --- synthetic regression data and the from-scratch iterator (§3.2, §3.3) ------------------------------------------

def synthetic_data(w: Tensor, b: float, num_examples: int, noise: float = 0.01,
                   generator: torch.Generator | None = None) -> tuple[Tensor, Tensor]:
    """y = X w + b + ε,   X ~ N(0, 1),  ε ~ N(0, noise²)   (zh-v2 §3.2.1). Returns X (n, d) and y (n, 1)."""
    w = torch.as_tensor(w, dtype=torch.float32).reshape(-1)
    X = torch.randn(num_examples, len(w), generator=generator)  # (n, d)
    y = X @ w + b + noise * torch.randn(num_examples, generator=generator)  # (n,)
    return X, y.reshape(-1, 1)


def data_iter(batch_size: int, features: Tensor, labels: Tensor,
              generator: torch.Generator | None = None) -> Iterator[tuple[Tensor, Tensor]]:
    """The book's from-scratch iterator (§3.2.2): shuffle the indices, then yield slices of batch_size examples.

    Every example appears exactly once per pass; the last minibatch holds the n mod batch_size left over (if any).
    """
    n = len(features)
    indices = torch.randperm(n, generator=generator)
    for start in range(0, n, batch_size):
        batch = indices[start:start + batch_size]
        yield features[batch], labels[batch]


def index_batches(dataset: TensorDataset, batch_size: int, shuffle: bool = True,
                  generator: torch.Generator | None = None) -> DataLoader:
    """Minibatches read with one indexing operation each (`X[indices]`), shuffled each epoch or in order.

    Same minibatches as `DataLoader(dataset, batch_size, shuffle=shuffle)`, but each is fetched at once instead of
    batch_size single-example reads stacked together: tens of times faster for in-memory tensors.
    """
    order = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
    return DataLoader(dataset, batch_size=None, sampler=BatchSampler(order, batch_size, drop_last=False))


def load_array(data_arrays: tuple[Tensor, ...], batch_size: int, is_train: bool = True,
               generator: torch.Generator | None = None) -> DataLoader:
    """A PyTorch DataLoader over tensors (§3.3.2): shuffled each epoch when training (seeded by `generator`), in
    order otherwise."""
    return index_batches(TensorDataset(*data_arrays), batch_size, is_train, generator)


# --- the image classification dataset (§3.5) -----------------------------------------------------------------------

@dataclass
class ImageData:
    """A train/test split of labelled images: X float32 in [0, 1] of shape (n, 1, h, w), y int64 class indices."""

    train: TensorDataset
    test: TensorDataset
    classes: list[str]
    name: str
    source: str

    @property
    def image_shape(self) -> tuple[int, ...]:
        return tuple(self.train.tensors[0].shape[1:])

    @property
    def n_inputs(self) -> int:
        """Pixels per image: 784 for Fashion-MNIST (28×28), 64 for the digits (8×8)."""
        C, H, W = self.image_shape
        return C * H * W

    @property
    def n_classes(self) -> int:
        return len(self.classes)

    def text_labels(self, y: Tensor | list[int]) -> list[str]:
        """Class indices → their names (the book's get_fashion_mnist_labels)."""
        return text_labels(y, self.classes)


def text_labels(y: Tensor | list[int], classes: list[str] = FASHION_CLASSES) -> list[str]:
    """Class indices → names: 0 → 't-shirt', 9 → 'ankle boot' for Fashion-MNIST."""
    return [classes[int(i)] for i in y]


def data_dir() -> Path:
    """The cache directory for downloaded datasets: $D2L_DATA_DIR or ~/.cache/d2l-explorer."""
    return Path(os.environ.get("D2L_DATA_DIR") or Path.home() / ".cache" / "d2l-explorer")


def _subset(X: Tensor, y: Tensor, n: int | None, generator: torch.Generator) -> tuple[Tensor, Tensor]:
    """A random subset of n examples (all of them, shuffled, when n is None or larger than the set)."""
    order = torch.randperm(len(X), generator=generator)
    if n is not None:
        order = order[:n]
    return X[order], y[order]


def _fashion_mnist(root: Path, download: bool) -> tuple[Tensor, Tensor, Tensor, Tensor] | None:
    """The raw Fashion-MNIST tensors via torchvision (uint8 images, int64 labels), or None when they are unavailable."""
    from torchvision.datasets import FashionMNIST

    try:
        train = FashionMNIST(str(root), train=True, download=download)
        test = FashionMNIST(str(root), train=False, download=download)
    except (RuntimeError, OSError, ValueError):  # not in the cache and no download, no network, a broken file
        return None
    return train.data, train.targets, test.data, test.targets


def fashion_mnist_available(root: Path | None = None) -> bool:
    """True when the four raw Fashion-MNIST files are in the cache (nothing is downloaded)."""
    raw = (root or data_dir()) / "FashionMNIST" / "raw"
    names = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]
    return all((raw / name).is_file() for name in names)


def load_digits_data(test_fraction: float = 0.25) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """scikit-learn's bundled handwritten digits as (X_train, y_train, X_test, y_test): uint8-like 0..16 → [0, 1].

    A fixed split (the last test_fraction of the file is the test set), so the subsets drawn later are seeded.
    """
    from sklearn.datasets import load_digits

    digits = load_digits()
    X = torch.tensor(digits.images, dtype=torch.float32).unsqueeze(1) / 16.0  # (1797, 1, 8, 8), 16 = white
    y = torch.tensor(digits.target, dtype=torch.int64)
    n_train = round(len(X) * (1 - test_fraction))
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]


def load_image_classification(n_train: int | None = None, n_test: int | None = None, seed: int = 0, *,
                              download: bool = False, root: Path | str | None = None,
                              dataset: str = "auto") -> ImageData:
    """Fashion-MNIST (60,000 + 10,000 images, 28×28) when it is in the cache, else scikit-learn's digits (8×8).

    X float32 in [0, 1] with shape (n, 1, h, w), y int64. n_train / n_test pick a seeded random subset (None = all).
    download=True lets torchvision fetch Fashion-MNIST first; a failure (no network) falls back to the digits.
    dataset="digits" always uses the digits (for answers that must not depend on what a machine has cached).
    """
    if dataset not in ("auto", "digits"):
        raise ValueError(f"dataset must be 'auto' or 'digits', not {dataset!r}")
    root = Path(root) if root is not None else data_dir()
    generator = torch.Generator().manual_seed(seed)
    wanted = dataset == "auto" and (download or fashion_mnist_available(root))
    raw = _fashion_mnist(root, download) if wanted else None
    if raw is not None:
        X_train, y_train, X_test, y_test = raw
        X_train = X_train.unsqueeze(1).float() / 255  # (n, 28, 28) uint8 → (n, 1, 28, 28) in [0, 1]
        X_test = X_test.unsqueeze(1).float() / 255
        name, classes, source = FASHION_MNIST, list(FASHION_CLASSES), f"torchvision.datasets.FashionMNIST ({root})"
    else:
        X_train, y_train, X_test, y_test = load_digits_data()
        name, classes = DIGITS, [str(k) for k in range(10)]
        source = "sklearn.datasets.load_digits (bundled with scikit-learn; Fashion-MNIST not in the cache)"
    train = TensorDataset(*_subset(X_train, y_train.long(), n_train, generator))
    test = TensorDataset(*_subset(X_test, y_test.long(), n_test, generator))
    return ImageData(train, test, classes, name, source)


# --- reading speed (§3.5.2, exercises 3.5.1 and 3.5.2) ---------------------------------------------------------------

def per_example_loader(dataset: TensorDataset, batch_size: int, num_workers: int = 0, seed: int = 0) -> DataLoader:
    """The book's reader: DataLoader(dataset, batch_size, shuffle=True, num_workers) — it reads batch_size single
    examples (dataset[i]) and stacks them into a minibatch, in num_workers worker processes (0 = this process)."""
    return DataLoader(dataset, batch_size=batch_size, shuffle=True, num_workers=num_workers,
                      generator=torch.Generator().manual_seed(seed))


def batched_loader(dataset: TensorDataset, batch_size: int, seed: int = 0) -> DataLoader:
    """Shuffled minibatches read with one indexing operation each, X[indices] (what `load_array` does)."""
    return index_batches(dataset, batch_size, True, torch.Generator().manual_seed(seed))


def read_epoch_seconds(loader: DataLoader, max_batches: int | None = None) -> float:
    """Wall-clock seconds to read one pass (or its first max_batches minibatches) of a loader: no model, no gradient.

    Time per epoch ≈ (n / B) · (per-minibatch overhead) + n · (per-example cost): a small B pays the overhead often.
    """
    start = time.perf_counter()
    for k, (X, _) in enumerate(loader):
        X.sum()  # touch the data, as a model would
        if max_batches is not None and k + 1 >= max_batches:
            break
    return time.perf_counter() - start
