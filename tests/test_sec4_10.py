"""Section 4.10: the loader on CSV files the tests write (cache hit, file:// download, checksum mismatch, fallback),
the book's preprocessing against a hand computation, the K-fold split against scikit-learn's KFold, log-RMSE by
hand, the MNAR bias against simulation, the training claims over several seeds, and the widgets on the pages."""

import hashlib
import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.model_selection import KFold

from d2lcore import house
from exercises import check, registry
from solutions import solve, variant_params
from solutions.ch04_s10 import BOOK, LOG, MLP, RAW_FEATURES
from tests.apptest import all_text, metrics, open_app

CSV = "Id,MSZoning,LotArea,SalePrice\n1,RL,8450,208500\n2,,9600,181500\n3,RM,,223500\n"


def _files(tmp_path, text=CSV):
    (tmp_path / "tiny.csv").write_text(text)
    return {"tiny": ("tiny.csv", hashlib.sha1(text.encode()).hexdigest())}


def test_book_urls_and_checksums():
    assert house.DATA_URL == "http://d2l-data.s3-accelerate.amazonaws.com/"
    assert house.HOUSE_FILES["kaggle_house_train"] == ("kaggle_house_pred_train.csv",
                                                       "585e9cc93e70b39160e7921475f9bcd7d31219ce")
    assert house.HOUSE_FILES["kaggle_house_test"][1] == "fa19780a7b011d9b009e8bff8e99922a8ee2eb90"


def test_loader_uses_a_verified_cache_without_fetching(tmp_path):
    files = _files(tmp_path)
    assert house.download("tiny", tmp_path, files=files, fetch=False, base_url="http://unreachable.invalid/") == (
        tmp_path / "tiny.csv")


def test_loader_downloads_and_verifies(tmp_path):
    source, cache = tmp_path / "server", tmp_path / "cache"
    source.mkdir()
    files = _files(source)
    path = house.download("tiny", cache, files=files, base_url=source.as_uri() + "/")
    assert path.read_text() == CSV and house.sha1(path) == files["tiny"][1]


def test_loader_rejects_a_checksum_mismatch(tmp_path):
    source, cache = tmp_path / "server", tmp_path / "cache"
    source.mkdir()
    files = {"tiny": ("tiny.csv", "0" * 40)}
    (source / "tiny.csv").write_text(CSV)
    with pytest.raises(house.ChecksumError):
        house.download("tiny", cache, files=files, base_url=source.as_uri() + "/")
    assert not (cache / "tiny.csv").exists() and not list(cache.glob("*.part"))
    (cache / "tiny.csv").write_text(CSV + "tampered\n")  # a corrupted cache is not trusted
    with pytest.raises(house.ChecksumError):
        house.download("tiny", cache, files=_files(source), fetch=False)


def test_loader_reads_the_cached_files_and_falls_back_without_them(tmp_path, monkeypatch):
    files = {"train": _files(tmp_path)["tiny"], "test": ("test.csv", _test_csv(tmp_path))}
    data = house.load_house_prices(tmp_path, files=files)
    assert data.name == house.KAGGLE and data.train.shape == (3, 4) and len(data.test) == 2
    monkeypatch.setenv("D2L_DATA_DIR", str(tmp_path / "empty"))
    fallback = house.load_house_prices()
    assert fallback.name == house.GENERATED and fallback.train["LotFrontage"].isna().any()


def _test_csv(tmp_path):
    text = "Id,MSZoning,LotArea\n4,RL,10000\n5,FV,\n"
    (tmp_path / "test.csv").write_text(text)
    return hashlib.sha1(text.encode()).hexdigest()


def test_preprocessing_by_hand(tmp_path):
    train = pd.read_csv(pd.io.common.StringIO(CSV))
    test = pd.DataFrame({"Id": [4, 5], "MSZoning": ["RL", "FV"], "LotArea": [10000.0, np.nan]})
    X, X_test, y, cols = house.preprocess(train, test)
    area = np.array([8450, 9600, np.nan, 10000, np.nan])
    mean, std = np.nanmean(area), np.nanstd(area, ddof=1)
    want_area = np.nan_to_num((area - mean) / std, nan=0.0)
    assert cols == ["LotArea", "MSZoning_FV", "MSZoning_RL", "MSZoning_RM", "MSZoning_nan"]
    assert np.allclose(torch.cat([X, X_test])[:, 0].numpy(), want_area, atol=1e-6)
    assert torch.equal(X[:, 1:], torch.tensor([[0, 1, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0]], dtype=torch.float32))
    assert X.dtype == torch.float32 and y.reshape(-1).tolist() == [208500, 181500, 223500]


def test_log_rmse_by_hand():
    y_hat, y = torch.tensor([[100.0], [0.5], [300.0]]), torch.tensor([[110.0], [2.0], [250.0]])
    want = math.sqrt(((math.log(100) - math.log(110)) ** 2 + math.log(2) ** 2 + (math.log(300) - math.log(250)) ** 2)
                     / 3)  # 0.5 is clamped to 1
    assert house.log_rmse(y_hat, y) == pytest.approx(want)
    assert house.log_rmse(torch.log(y_hat), y, log_target=True) != pytest.approx(want)


@pytest.mark.parametrize("n, k", [(1460, 5), (1000, 4), (30, 3), (100, 10)])
def test_k_fold_matches_sklearn_when_k_divides_n(n, k):
    for i, (train_idx, valid_idx) in enumerate(KFold(k).split(np.arange(n))):
        tr, va = house.k_fold_indices(n, k, i)
        assert va.tolist() == valid_idx.tolist() and tr.tolist() == train_idx.tolist()


@pytest.mark.parametrize("n, k", [(1460, 7), (10, 3), (1460, 11)])
def test_k_fold_drops_the_remainder_like_the_book(n, k):
    size = n // k
    for i in range(k):
        tr, va = house.k_fold_indices(n, k, i)
        assert va.tolist() == list(range(i * size, (i + 1) * size))
        assert sorted(tr.tolist() + va.tolist()) == list(range(size * k))


def test_4_10_4_reference_and_wrong_answers():
    assert check("4.10.4", {"fold": "292", "train": "1168", "dropped": "0", "select": "average"}).correct
    for seed in (1, 2, 77):
        K = variant_params("4.10.4", seed)["K"]
        ans = solve("4.10.4", seed=seed).answer
        folds = list(KFold(K).split(np.arange(K * (1460 // K))))  # scikit-learn on the rows the book keeps
        assert (ans["fold"], ans["train"]) == (len(folds[0][1]), len(folds[0][0]))
        assert ans["dropped"] == 1460 % K


@pytest.mark.parametrize("std, rate", [(22.0, 0.18), (10.0, 0.4)])
def test_mnar_bias_against_simulation(std, rate):
    sims = [house.mean_imputation_study("MNAR", std, rate, n=40_000, seed=s).mean_bias for s in range(3)]
    formula = -std * math.sqrt(2 / math.pi) * rate / (1 - rate)
    assert house.mnar_mean_bias(std, rate) == pytest.approx(formula)
    assert all(abs(b - formula) < 0.1 * abs(formula) for b in sims)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_mcar_is_unbiased_and_shrinks_the_variance(seed):
    s = house.mean_imputation_study("MCAR", 22.0, 0.18, n=40_000, seed=seed)
    assert abs(s.mean_bias) < 0.4 and abs(s.variance_ratio - 0.82) < 0.02
    mar = house.mean_imputation_study("MAR", 22.0, 0.18, n=40_000, seed=seed)
    assert mar.mean_bias > 1.0  # values go missing where the correlated column is low


def test_generator_mechanisms_set_the_missing_rate():
    for mechanism in house.MECHANISMS:
        df = house.generate_house_data(4000, 0, mechanism, 0.2)
        assert abs(df["LotFrontage"].isna().mean() - 0.2) < 0.03
    mnar, mcar = house.generate_house_data(4000, 0, "MNAR"), house.generate_house_data(4000, 0, "MCAR")
    assert mnar["LotFrontage"].mean() < mcar["LotFrontage"].mean() - 1


def test_prompts_state_the_settings_that_are_run():
    assert (BOOK.lr, LOG.lr, BOOK.epochs, BOOK.k, BOOK.batch_size, BOOK.n) == (5.0, 0.2, 20, 5, 64, 1000)
    assert "learning rate 5) and once with the log price (learning rate 0.2), 20 epochs" in registry.get(
        "4.10.2").prompt["en"]
    assert f"{MLP.hidden[0]} ReLU units (learning rate {MLP.lr:g})" in registry.get("4.10.5").prompt["en"]


def test_training_references():
    a2, a5, a6 = solve("4.10.2").answer, solve("4.10.5").answer, solve("4.10.6").answer
    assert a2["better"] == "log" and 0.1 < a2["logValid"] < 0.13  # the generator's noise floor is 0.1
    assert a5["better"] == "linear" and a6 == {"effect": "worse", "why": "optimisation"}


@pytest.mark.parametrize("seed", [1, 2])
def test_training_claims_hold_on_other_tables(seed):
    runs = {name: house.k_fold(replace(c, seed=seed, k=3)).mean_valid
            for name, c in [("raw", BOOK), ("log", LOG), ("mlp", MLP), ("off", RAW_FEATURES)]}
    assert runs["log"] < 0.2 * runs["raw"]
    assert runs["log"] < runs["mlp"]
    assert runs["off"] > 2 * runs["log"]


# --- pages ------------------------------------------------------------------------------------------------------------

@pytest.fixture(autouse=False)
def no_kaggle_cache(tmp_path, monkeypatch):
    """The pages take the Kaggle files when a machine has them cached; these tests pin the generated table."""
    monkeypatch.setenv("D2L_DATA_DIR", str(tmp_path))


def test_log_target_and_standardisation_widgets_move(no_kaggle_cache):
    at = open_app("pages/exercise.py", id="4.10.2")
    raw = float(metrics(at)["Average validation log-RMSE"])
    at.toggle(key="w-4.10.2-log").set_value(True).run()
    assert not at.exception and float(metrics(at)["Average validation log-RMSE"]) < 0.2 * raw
    assert "generated table" in all_text(at)
    at.slider(key="w-4.10.2-epochs").set_value(10)
    at.select_slider(key="w-4.10.2-lr-True").set_value(0.5)
    at.run()
    assert not at.exception
    at = open_app("pages/exercise.py", id="4.10.6")
    on = float(metrics(at)["Average validation log-RMSE"])
    at.toggle(key="w-4.10.6-on").set_value(False).run()
    assert not at.exception and float(metrics(at)["Average validation log-RMSE"]) > 2 * on
    at.select_slider(key="w-4.10.6-lr").set_value(0.01).run()
    assert not at.exception


def test_imputation_widget_moves(no_kaggle_cache):
    at = open_app("pages/exercise.py", id="4.10.3")
    m = metrics(at)
    assert not at.exception and float(m["Mean after imputation − true mean"]) < -3
    at.selectbox(key="w-4.10.3-mech").set_value("MCAR")
    at.slider(key="w-4.10.3-rate").set_value(0.3)
    at.slider(key="w-4.10.3-std").set_value(10.0)
    at.run()
    m = metrics(at)
    assert not at.exception and abs(float(m["Mean after imputation − true mean"])) < 0.3
    assert float(m["Variance after / before"]) == pytest.approx(0.7, abs=0.02)


def test_kfold_architecture_and_submission_widgets_move(no_kaggle_cache):
    at = open_app("pages/exercise.py", id="4.10.4")
    at.slider(key="w-4.10.4-k").set_value(3)
    at.select_slider(key="w-4.10.4-wd").set_value(0.1)
    at.select_slider(key="w-4.10.4-lr").set_value(0.1)
    at.run()
    assert not at.exception and len(metrics(at)) >= 2
    at = open_app("pages/exercise.py", id="4.10.5")
    assert not at.exception
    at.slider(key="w-4.10.5-layers").set_value(0)
    at.select_slider(key="w-4.10.5-lr").set_value(0.2)
    at.run()
    lin = float(metrics(at)["Average validation log-RMSE"])
    at.slider(key="w-4.10.5-layers").set_value(2).run()
    at.select_slider(key="w-4.10.5-units").set_value(16)
    at.select_slider(key="w-4.10.5-p").set_value(0.1)
    at.select_slider(key="w-4.10.5-wd").set_value(0.001)
    at.run()
    assert not at.exception and float(metrics(at)["Average validation log-RMSE"]) != lin
    at = open_app("pages/exercise.py", id="4.10.1")
    assert not at.exception and float(metrics(at)["Training log-RMSE of the final model"]) < 0.2


def test_data_demo_on_the_chapter_page(no_kaggle_cache):
    at = open_app("pages/ch04.py")
    assert not at.exception and metrics(at)["Training + test rows"] == "1000 + 1000"
    assert "generated table" in all_text(at)
