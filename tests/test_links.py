"""Share links carry id, language, seed and widget values; decoding never trusts the URL."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exercises.links import app_base, decode_params, encode_params, exercise_link, parse_seed


def test_params_round_trip():
    params = {"n": 40, "gap": 1.5, "noise": 0.25, "mode": "relu"}
    assert decode_params(encode_params(params)) == params


@pytest.mark.parametrize("text, expected", [
    ("n:40,gap:abc", {"n": 40, "gap": "abc"}),
    ("n:inf,x:nan", {}),
    ("__class__:1,n:2", {"n": 2}),
    ("n:__import__('os')", {}),
    ("n:1;drop", {}),
    ("novalue,n:3", {"n": 3}),
    ("n:" + "9" * 600, {}),
    (None, {}),
])
def test_decode_keeps_only_plain_values(text, expected):
    assert decode_params(text) == expected


@given(st.text(max_size=300))
def test_decode_never_raises_and_returns_plain_values(text):
    out = decode_params(text)
    assert all(isinstance(v, (int, float, str)) for v in out.values())


@pytest.mark.parametrize("text, seed", [("3", 3), ("0", 0), (None, 0), ("-1", 0), ("1e3", 0), ("99999999999", 0),
                                        (" 12 ", 12)])
def test_parse_seed(text, seed):
    assert parse_seed(text) == seed


@pytest.mark.parametrize("url, page_path, base", [
    ("http://localhost:8501/exercise", "exercise", "http://localhost:8501"),
    ("https://x.streamlit.app/", "", "https://x.streamlit.app"),
    ("https://host/sub/chapter-2", "chapter-2", "https://host/sub"),
    (None, "", "http://localhost:8501"),
])
def test_app_base(url, page_path, base):
    assert app_base(url, page_path) == base


def test_exercise_link_reproduces_the_view():
    url = exercise_link("http://localhost:8501", "1.9.1", "zh", 7, {"n": 40, "gap": 1.5})
    assert url == "http://localhost:8501/exercise?id=1.9.1&lang=zh&seed=7&p=n:40,gap:1.5"
