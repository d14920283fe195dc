"""Section 3.5 widgets: the dataset browser (section demo), reading time by batch size (3.5.1) and by reader (3.5.2).

Timings are measured on this machine, cached per configuration, and shown relative to the book's setting."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import streamlit as st
import torch

from d2lcore import data
from ui.charts import alt
from ui.i18n import lang, t, translated
from ui.widgets import dataset_source, initial_value

BATCH_SIZES = [1, 4, 16, 64, 256, 1024]
READERS = ["perExample", "batched"]
CLASSES_ZH = {"t-shirt": "T恤", "trouser": "裤子", "pullover": "套衫", "dress": "连衣裙", "coat": "外套",
              "sandal": "凉鞋", "shirt": "衬衫", "sneaker": "运动鞋", "bag": "包", "ankle boot": "短靴"}


@st.cache_resource(max_entries=2, show_spinner=False)
def _dataset(download: bool = False) -> data.ImageData:
    return data.load_image_classification(None, None, seed=0, download=download)


@st.cache_data(max_entries=64, show_spinner=False)
def _read_ms(batch_size: int, reader: str, num_workers: int, download: bool = False) -> float:
    """Milliseconds for one pass over the training set (best of three; at most 2,000 minibatches)."""
    d = _dataset(download)
    if reader == "batched":
        make = lambda: data.batched_loader(d.train, batch_size)  # noqa: E731
    else:
        make = lambda: data.per_example_loader(d.train, batch_size, num_workers)  # noqa: E731
    batches = min(-(-len(d.train) // batch_size), 2000)
    seconds = min(data.read_epoch_seconds(make(), max_batches=batches) for _ in range(3))
    return 1000 * seconds * (-(-len(d.train) // batch_size)) / batches  # scaled up to the full pass


def _dataset_caption(d: data.ImageData) -> None:
    st.caption(t("w3_5_dataset", name=d.name, n_train=len(d.train), n_test=len(d.test), shape="×".join(
        str(s) for s in d.image_shape[1:]), source=dataset_source(d.name)))


def _label(name: str) -> str:
    return f"{name} / {CLASSES_ZH[name]}" if name in CLASSES_ZH and lang() == "zh" else name


def dataset_browser(key: str) -> None:
    """A seeded grid of training images with their text labels, filtered by class."""
    d = _dataset()
    _dataset_caption(d)
    c0, c1, c2 = st.columns([2, 1, 1])
    chosen = c0.multiselect(t("w3_5_classes"), d.classes, default=[], format_func=_label, key=f"{key}-classes")
    count = c1.slider(t("w3_5_count"), 6, 36, 18, 6, key=f"{key}-count")
    seed = c2.number_input(t("w3_5_seed"), 0, 9999, 0, key=f"{key}-seed")
    X, y = d.train.tensors
    pool = torch.arange(len(y)) if not chosen else torch.nonzero(
        torch.isin(y, torch.tensor([d.classes.index(c) for c in chosen]))).squeeze(1)
    picked = pool[torch.randperm(len(pool), generator=torch.Generator().manual_seed(int(seed)))[:count]]
    scale = max(1, 56 // d.image_shape[-1])  # 8×8 digits drawn at 56 px, nearest neighbour
    images = [np.kron(X[i, 0].numpy(), np.ones((scale, scale))) for i in picked]
    st.image(images, caption=[_label(c) for c in d.text_labels(y[picked])], width=72, clamp=True)
    if d.name != data.FASHION_MNIST and st.button(t("w3_5_download"), key=f"{key}-download"):
        with st.spinner(t("w3_5_downloading")):
            _dataset.clear()
            got = _dataset(download=True)
        (st.success if got.name == data.FASHION_MNIST else st.warning)(t("w3_5_download_result", name=got.name))


def _timing_chart(rows: pd.DataFrame, x: str, title: str) -> alt.Chart:
    return alt.Chart(rows).mark_bar().encode(
        x=alt.X(f"{x}:N", sort=None, title=title), y=alt.Y("relative:Q", title=t("w3_5_axis_relative")),
        tooltip=[f"{x}:N", alt.Tooltip("ms:Q", format=".1f"), alt.Tooltip("relative:Q", format=".2f")],
    ).properties(height=220)


def batch_size_timing(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Exercise 3.5.1: one pass with the book's loader at each batch size, relative to B = 256."""
    d = _dataset()
    _dataset_caption(d)
    batch_size = st.select_slider(t("w3_5_batch"), BATCH_SIZES, initial_value(initial, "batch", 1, 1, 1024),
                                  key=f"{key}-batch")
    if batch_size not in BATCH_SIZES:
        batch_size = 1
    with st.spinner(t("w3_5_timing")):
        ms = {b: _read_ms(b, "perExample", 0) for b in BATCH_SIZES}
    rows = pd.DataFrame({"B": [str(b) for b in BATCH_SIZES], "ms": list(ms.values()),
                         "relative": [v / ms[256] for v in ms.values()]})
    st.altair_chart(_timing_chart(rows, "B", t("w3_5_batch")), width="stretch")
    st.metric(t("w3_5_ratio", b=batch_size), f"{ms[batch_size] / ms[256]:.1f}×")
    st.caption(t("w3_5_machine"))
    return {"batch": batch_size}


def loader_options(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Exercise 3.5.2: readers and worker processes at one batch size, against one epoch of training."""
    from solutions.ch03_s5 import reading_times

    d = _dataset()
    _dataset_caption(d)
    c0, c1 = st.columns(2)
    reader = c0.radio(t("w3_5_reader"), READERS, index=READERS.index(initial_value(initial, "reader", "perExample"))
                      if initial_value(initial, "reader", "perExample") in READERS else 0,
                      format_func=translated("w3_5_reader_"), key=f"{key}-reader")
    workers = c1.slider(t("w3_5_workers"), 0, 2, initial_value(initial, "workers", 0, 0, 2),
                        disabled=reader == "batched", key=f"{key}-workers")
    with st.spinner(t("w3_5_timing")):
        book = _read_ms(256, "perExample", 0)
        chosen = _read_ms(256, reader, 0 if reader == "batched" else workers)
        compute = 1000 * reading_times()["compute"]
    rows = pd.DataFrame({"what": [t("w3_5_bar_book"), t("w3_5_bar_chosen"), t("w3_5_bar_train")],
                         "ms": [book, chosen, compute]})
    rows["relative"] = rows["ms"] / book
    st.altair_chart(_timing_chart(rows, "what", ""), width="stretch")
    st.metric(t("w3_5_share"), f"{chosen / (chosen + compute):.0%}")
    st.caption(t("w3_5_machine"))
    return {"reader": reader, "workers": int(workers)}


def section_demo(key: str) -> None:
    dataset_browser(key)
    st.markdown(f"**{t('w3_5_speed_title')}**")
    batch_size_timing(f"{key}-speed", {})
