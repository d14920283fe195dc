"""Section 3.5 (图像分类数据集 Image classification dataset): reading speed by batch size and loader, torchvision's
other datasets. Timings are measured on this machine (best of several passes) and cached per process, so one
process grades against one measurement; the answer boxes accept a wide band around it."""

from __future__ import annotations

import functools
import inspect

import torch
from torch import nn

from d2lcore import data, train
from solutions import Solution, explain, solver

REPEATS = 5


def _best(measure, repeats: int = REPEATS) -> float:
    return min(measure() for _ in range(repeats))


@functools.cache
def reading_times(seed: int = 0) -> dict[str, float | str | int]:
    """Seconds for one pass over the training set: the book's per-example loader at B = 1 and B = 256, one
    indexing operation per minibatch at B = 256, and one epoch of softmax-regression training on batches in memory."""
    d = data.load_image_classification(None, None, seed=seed)
    one = _best(lambda: data.read_epoch_seconds(data.per_example_loader(d.train, 1, seed=seed)), 3)
    book = _best(lambda: data.read_epoch_seconds(data.per_example_loader(d.train, 256, seed=seed)))
    batched = _best(lambda: data.read_epoch_seconds(data.batched_loader(d.train, 256, seed=seed)))
    batches = list(data.batched_loader(d.train, 256, seed=seed))  # read once: the training pass alone is timed
    net = nn.Sequential(nn.Flatten(), nn.Linear(d.n_inputs, d.n_classes))
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
    loss = nn.CrossEntropyLoss(reduction="none")
    compute = _best(lambda: train.train(net, loss, optimizer, batches).seconds)
    return {"one": one, "book": book, "batched": batched, "compute": compute, "name": d.name, "n": len(d.train)}


@solver("3.5.1")
def solve_3_5_1(seed: int = 0) -> Solution:
    """slowdown = t(one pass, B = 1) / t(one pass, B = 256), both with the book's per-example DataLoader."""
    times = reading_times()
    slowdown = times["one"] / times["book"]
    values = {"name": times["name"], "n": times["n"], "tOne": f"{times['one'] * 1000:.0f}",
              "tBook": f"{times['book'] * 1000:.1f}", "slowdown": f"{slowdown:.1f}",
              "batches": times["n"], "batches256": -(-times["n"] // 256)}
    answer = {"slower": "yes" if slowdown > 1.5 else "no", "slowdown": slowdown}
    return Solution(answer=answer, explanation=explain("3.5.1", **values), data=times)


@solver("3.5.2")
def solve_3_5_2(seed: int = 0) -> Solution:
    """share = t_read / (t_read + t_train) for the book's loader at B = 256; the fastest of the measured readers."""
    times = reading_times()
    share = times["book"] / (times["book"] + times["compute"])
    readers = {"perExample": times["book"], "batched": times["batched"]}
    values = {"name": times["name"], "n": times["n"], "tBook": f"{times['book'] * 1000:.1f}",
              "tBatched": f"{times['batched'] * 1000:.2f}", "tCompute": f"{times['compute'] * 1000:.1f}",
              "share": f"{share:.0%}", "speedup": f"{times['book'] / times['batched']:.0f}"}
    answer = {"enough": "yes" if share < 0.1 else "no", "fastest": min(readers, key=readers.get)}
    return Solution(answer=answer, explanation=explain("3.5.2", **values), data=times)


def torchvision_datasets() -> list[str]:
    """The dataset classes that the installed torchvision offers (read from torchvision.datasets, not typed in)."""
    import torchvision.datasets as tvd
    from torch.utils.data import Dataset

    return sorted(name for name in tvd.__all__
                  if inspect.isclass(getattr(tvd, name, None)) and issubclass(getattr(tvd, name), Dataset)
                  and name not in {"VisionDataset", "DatasetFolder", "ImageFolder", "FakeData"})


@solver("3.5.3")
def solve_3_5_3(seed: int = 0) -> Solution:
    """List torchvision.datasets of the installed version."""
    import torchvision

    names = torchvision_datasets()
    values = {"version": torchvision.__version__.split("+")[0], "count": len(names),
              "names": ", ".join(f"`{name}`" for name in names)}
    return Solution(answer={}, explanation=explain("3.5.3", **values), data={"datasets": names})
